"""Template tags that hand ideas/journey.py's decisions to the templates: the phase timeline, the main action of
a round or an idea, and the link to published results (round page, home page, idea page, site menu)."""

from django import template
from wagtail.models import Locale

from home.templatetags.kopa_tags import chrome
from ideas import journey

register = template.Library()


@register.simple_tag
def phase_timeline(budget_round):
    return journey.timeline(budget_round)


@register.simple_tag(takes_context=True)
def main_action(context, page, idea=None):
    return journey.main_action(page, context["request"].user, idea=idea or None)


@register.simple_tag(takes_context=True)
def results_url(context, page):
    """The results link of a round page, or None: without a query for the pages the site chrome already read
    (home/templatetags/kopa_tags.py Chrome), memoised per page on the request otherwise."""
    request = context.get("request")
    if request is None:
        return journey.results_url(page)
    cache = request.__dict__.setdefault("_kopa_journey", {})
    key = ("results_url", page.pk)
    if key not in cache:
        published = (
            True
            if getattr(page, "_kopa_results_published", False)
            else chrome(context).has_published_results(page)
        )
        if published is None:
            cache[key] = journey.results_url(page)
        else:
            # With the request: its site root paths (home/chrome.py) spare a cache round trip.
            cache[key] = page.get_url(request) + page.reverse_subpage("results") if published else None
    return cache[key]


@register.simple_tag(takes_context=True)
def latest_results_page(context):
    """The round page (active language) whose results were published last; read with the site chrome's pages."""
    if context.get("request") is None:
        return journey.published_results_page(Locale.get_active())
    return chrome(context).results_page()
