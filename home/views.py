"""Views outside the page tree: site search and robots.txt."""

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from home import search as site_search
from home.listing import paginate

SEARCH_RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    """Search of the live public pages of the active language and of public ideas, matching Latvian word forms
    (home/search.py)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results_page = None
    if query:
        results_page = paginate(request, site_search.search(query), SEARCH_RESULTS_PER_PAGE)
    return TemplateResponse(
        request,
        "home/search.html",
        {
            "search_query": query,
            "search_querystring": urlencode({"q": query}),
            "results_page": results_page,
        },
    )


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /search/",
        "Disallow: /en/search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
