"""Template tags that hand ideas/journey.py's decisions to the templates: the phase timeline, the main action of
a round or an idea, and the link to published results (round page, home page, idea page, site menu)."""

from django import template
from wagtail.models import Locale

from ideas import journey

register = template.Library()


@register.simple_tag
def phase_timeline(budget_round):
    return journey.timeline(budget_round)


@register.simple_tag(takes_context=True)
def main_action(context, page, idea=None):
    return journey.main_action(page, context["request"].user, idea=idea or None)


@register.simple_tag
def results_url(page):
    return journey.results_url(page)


@register.simple_tag(takes_context=True)
def latest_results_page(context):
    """The round page (active language) whose results were published last; memoised for header and body."""
    request = context.get("request")
    if request is None:
        return journey.published_results_page(Locale.get_active())
    cache = request.__dict__.setdefault("_kopa_journey", {})
    if "results_page" not in cache:
        cache["results_page"] = journey.published_results_page(Locale.get_active())
    return cache["results_page"]
