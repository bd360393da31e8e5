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
