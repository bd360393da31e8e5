"""Helpers shared by the list pages (news, events, search): bulk-fetched listings and forgiving pagination."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from wagtail.images import get_image_model

LISTING_RENDITION = "fill-480x300"


def paginate(request, queryset, per_page):
    """The requested page of a queryset; a bad or too high page number gives the first or last page."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def listing_queryset(model, locale):
    """Live public pages of one locale with their card images and renditions fetched in bulk, so that a
    list costs the same number of queries however long it is."""
    images = get_image_model().objects.prefetch_renditions(LISTING_RENDITION)
    return (
        model.objects.live()
        .public()
        .filter(locale=locale)
        .prefetch_related(Prefetch("image", queryset=images))
        .defer_streamfields()
    )
