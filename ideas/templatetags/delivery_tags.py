"""Template tags of the public delivery pages: `{% round_delivery_summary page as delivery %}` gives a round page
the count and green impact of its funded ideas (ideas/delivery_views.round_summary, one query) for
templates/ideas/includes/delivery_round_summary.html."""

from django import template

from ideas.delivery_views import round_summary

register = template.Library()


@register.simple_tag
def round_delivery_summary(page):
    """None when the round has no funded ideas; else {"funded", "impact", "url"} with the round's delivery page."""
    summary = round_summary(page.budget_round)
    if summary is not None:
        summary["url"] = page.url + page.reverse_subpage("delivery")
    return summary
