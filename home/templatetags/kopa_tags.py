"""Template tags for the site chrome: language switcher and hreflang links, main menu, breadcrumbs, site text."""

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from wagtail.models import Locale, Page, Site

from home.models import SiteText

register = template.Library()


def _cached(request, name, compute):
    """Memoise a value on the request, so that the header and the footer share one query."""
    cache = request.__dict__.setdefault("_kopa_chrome", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def _home_url(language_code):
    with translation.override(language_code):
        return reverse("wagtail_serve", args=[""])


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per site language: the translation of the current page, else that language's home page.

    `is_translation` tells whether the entry is a real translation (only those are hreflang alternates).
    """
    request = context["request"]

    def compute():
        page = context.get("page")
        active = translation.get_language()
        if isinstance(page, Page) and page.pk:
            locale_codes = dict(Locale.objects.values_list("pk", "language_code"))
            translations = {
                locale_codes[p.locale_id]: p for p in page.get_translations(inclusive=True).live().public()
            }
        else:
            translations = None
        links = []
        for code, name in settings.LANGUAGES:
            if translations is None:
                url, is_translation = translate_url(request.get_full_path(), code), True
            elif code in translations:
                url, is_translation = translations[code].get_url(request), True
            else:
                url, is_translation = _home_url(code), False
            links.append(
                {
                    "code": code,
                    "name": name,
                    "url": url,
                    "is_active": code == active,
                    "is_translation": is_translation,
                }
            )
        return links

    return _cached(request, "language_links", compute)


def _localized_home(request):
    def compute():
        site = Site.find_for_request(request)
        if site is None:
            return None
        return site.root_page.localized.specific

    return _cached(request, "home", compute)


@register.simple_tag(takes_context=True)
def localized_home(context):
    return _localized_home(context["request"])


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The live children of this language's home page that editors marked "show in menus", each with its
    aria-current value: "page" on the current page, "true" inside its section, else ""."""
    request = context["request"]
    current = context.get("page")

    def compute():
        home = _localized_home(request)
        if home is None:
            return []
        return [
            {"page": item, "current": _menu_state(item, current)}
            for item in home.get_children().live().public().in_menu()
        ]

    return _cached(request, "main_menu", compute)


def _menu_state(item, current):
    if not isinstance(current, Page) or not current.path:
        return ""
    if current.pk == item.pk:
        return "page"
    return "true" if current.path.startswith(item.path) else ""


@register.simple_tag(takes_context=True)
def breadcrumbs(context):
    """The ancestors of the current page from its home page down (the tree root is not a page anyone visits)."""
    page = context.get("page")
    if not isinstance(page, Page) or page.depth <= 2:
        return []
    return list(page.get_ancestors().filter(depth__gte=2))


@register.simple_tag(takes_context=True)
def site_text(context):
    return _cached(context["request"], "site_text", SiteText.for_active_locale)


@register.simple_tag
def localized_page(page):
    """The translation of a page in the active language, or the page itself."""
    if page is None:
        return None
    return page.localized
