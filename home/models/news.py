"""News: an index per language (paginated, tag and year filters, RSS and Atom feeds) and the news items.

NewsPage also serves a print view at <news url>/print/.
"""

from django.db import models
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import BodyBlock
from home.listing import listing_queryset, paginate

NEWS_PER_PAGE = 10


class NewsPageTag(TaggedItemBase):
    """Links a news item to a tag (taggit through model)."""

    content_object = ParentalKey("home.NewsPage", related_name="tagged_items", on_delete=models.CASCADE)


class NewsIndexPage(RoutablePageMixin, Page):
    """Lists the news of one language, newest first, and publishes them as RSS and Atom feeds."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.NewsPage"]

    def news(self):
        return NewsPage.listing(self.locale).child_of(self)

    def filtered_news(self, request):
        """News filtered by ?tag= and ?year=, plus the filter values that were valid."""
        news = self.news()
        tag = request.GET.get("tag", "").strip()
        if tag:
            news = news.filter(tags__slug=tag)
        year = request.GET.get("year", "")
        if year.isdigit():
            news = news.filter(date__year=int(year))
        else:
            year = ""
        return news, tag, year

    @path("")
    def index_view(self, request):
        news, tag, year = self.filtered_news(request)
        context = self.get_context(request)
        context.update(
            news_page=paginate(request, news, NEWS_PER_PAGE),
            active_tag=Tag.objects.filter(slug=tag).first() if tag else None,
            active_year=int(year) if year else None,
            filter_query=urlencode([(key, value) for key, value in (("year", year), ("tag", tag)) if value]),
            years=[
                d.year for d in NewsPage.objects.live().child_of(self).dates("date", "year", order="DESC")
            ],
            tags=Tag.objects.filter(home_newspagetag_items__content_object__in=self.news())
            .distinct()
            .order_by("name"),
        )
        return self.render(request, context_overrides=context)

    @path("feed/rss/", name="rss")
    def rss_view(self, request):
        from home.feeds import NewsRssFeed

        return NewsRssFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_view(self, request):
        from home.feeds import NewsAtomFeed

        return NewsAtomFeed(self)(request)

    class Meta:
        verbose_name = _("news index page")
        verbose_name_plural = _("news index pages")


class NewsPage(RoutablePageMixin, Page):
    """One news item: date, authoring department, lead, body, image and tags."""

    date = models.DateField(_("date"), default=timezone.localdate)
    department = models.ForeignKey(
        "home.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
    )
    lead = models.TextField(
        _("lead"), max_length=400, help_text=_("One or two sentences shown in lists and feeds.")
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_alt = models.CharField(
        _("image alternative text"),
        max_length=250,
        blank=True,
        help_text=_("Describe the image for people who cannot see it."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("tags"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("department"), FieldPanel("tags")], heading=_("About")
        ),
        FieldPanel("lead"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        FieldPanel("body"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    parent_page_types = ["home.NewsIndexPage"]
    subpage_types = []

    @classmethod
    def listing(cls, locale):
        """Live public news of one locale, newest first, with everything a list shows fetched in bulk."""
        return (
            listing_queryset(cls, locale)
            .select_related("department")
            .prefetch_related("tags")
            .order_by("-date", "-pk")
        )

    @path("")
    def article_view(self, request):
        return self.render(request)

    @path("print/", name="print")
    def print_view(self, request):
        return self.render(request, template="home/news_page_print.html")

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
