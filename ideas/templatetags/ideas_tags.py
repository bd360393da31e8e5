"""Template helpers for the participation pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.simple_tag
def map_settings():
    """Tile server, attribution and centre of the maps (configurable in settings / the environment)."""
    return {
        "tiles": settings.MAP_TILES_URL,
        "attribution": settings.MAP_TILES_ATTRIBUTION,
        "lat": settings.MAP_CENTER[0],
        "lng": settings.MAP_CENTER[1],
        "zoom": settings.MAP_ZOOM,
    }


@register.simple_tag
def author_name(user):
    """The name shown for an author: their display name, or "former resident" once the account is gone."""
    from django.utils.translation import gettext

    if user is None:
        return gettext("Former resident")
    profile = getattr(user, "resident_profile", None)
    return profile.display_name if profile else gettext("Resident")


# Categories with their own drawing in site/static/img/categories/ (the demo's category codes); any other
# category gets the generic one. A fixed set, not a file lookup: in production the manifest storage raises an
# error for a static file that does not exist.
ILLUSTRATED_CATEGORIES = frozenset({"green-mobility", "greenery", "recreation", "environment", "community"})


@register.simple_tag
def category_illustration(category):
    """URL of the light SVG drawing that stands for an idea without a photo on cards (by category code)."""
    from django.templatetags.static import static

    code = getattr(category, "code", "")
    return static(f"img/categories/{code if code in ILLUSTRATED_CATEGORIES else 'generic'}.svg")


@register.filter
def percent_of(part, whole):
    """`part` as a whole percentage of `whole`, at most 100 (bar widths; a plain integer, never localized)."""
    try:
        return max(0, min(100, int(float(part) * 100 / float(whole))))
    except (TypeError, ValueError, ZeroDivisionError):
        return 0


@register.simple_tag
def legal_minimum(budget_round):
    """The legal minimum of a round's budget (ideas/legal_minimum.round_minimum) for
    templates/ideas/includes/legal_minimum.html; None while any of the three years' tax revenue is missing, so
    that residents see the minimum only once it is known."""
    from ideas.legal_minimum import round_minimum

    if budget_round is None:
        return None
    minimum = round_minimum(budget_round)
    return minimum if minimum.known else None
