"""Template tags for the site chrome: language switcher and hreflang links, main menu, breadcrumbs, site text,
the footer's accessibility statement, the menu's link to published results and the home page's links.

Every page of the header, breadcrumbs and footer, the site text and the site settings come from one query per
request (`chrome`, home/chrome.py), usually the one HomePage.route already made: the translations of the current
page, this language's home page and its menu, the current page's ancestors, the accessibility statement's
translations and the round page with the newest published results. Liveness and view restrictions are decided on
those rows (no query per menu item or per language).
"""

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from wagtail.models import Page

from home import chrome as home_chrome

register = template.Library()


def _cached(request, name, compute):
    """Memoise a value on the request, so that the header and the footer share one query."""
    cache = request.__dict__.setdefault(home_chrome.REQUEST_ATTR, {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def _home_url(language_code):
    with translation.override(language_code):
        return reverse("wagtail_serve", args=[""])


def chrome(context):
    """The request's Chrome for the page in the template context (home/chrome.py): the one the route built, or
    one query now."""
    return home_chrome.for_request(context["request"], context.get("page"))


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per site language: the translation of the current page, else that language's home page.

    `is_translation` tells whether the entry is a real translation (only those are hreflang alternates).
    """
    request = context["request"]

    def compute():
        translations = chrome(context).translations()
        active = translation.get_language()
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


@register.simple_tag(takes_context=True)
def localized_home(context):
    return chrome(context).home()


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The live children of this language's home page that editors marked "show in menus", each with its
    aria-current value: "page" on the current page, "true" inside its section, else ""."""
    request = context["request"]
    current = context.get("page")

    def compute():
        return [{"page": item, "current": _menu_state(item, current)} for item in chrome(context).menu()]

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
    return chrome(context).ancestors()


@register.simple_tag(takes_context=True)
def site_text(context):
    return chrome(context).site_text


@register.simple_tag(takes_context=True)
def accessibility_page(context):
    """The footer's accessibility statement in the active language (SiteSettings.accessibility_page)."""
    return chrome(context).accessibility_page()


@register.simple_tag
def localized_page(page):
    """The translation of a page in the active language, or the page itself."""
    if page is None:
        return None
    return page.localized


@register.simple_tag(takes_context=True)
def home_links(context, page):
    """The home page's hero button page and featured links, each page in the active language (Page.localized),
    read with the site chrome (HomePage.chrome_page_ids): {"hero": page or None, "featured": [{"page", "title",
    "description"}]}. The StreamField's raw data is read, so that its page chooser fetches nothing; a link whose
    page is gone is left out."""
    page_chrome = chrome(context)
    ids = page.chrome_page_ids()
    missing = [pk for pk in ids if page_chrome.row(pk) is None]
    # Only when the route did not read them (a preview): one query, then Page.localized.
    fetched = Page.objects.in_bulk(missing) if missing else {}

    def localized(pk):
        if not pk:
            return None
        found = page_chrome.localized(pk)
        if found is not None:
            return found
        return fetched[pk].localized if pk in fetched else None

    featured = []
    for block in page.featured_links.raw_data:
        value = block.get("value") or {}
        target = localized(value.get("page"))
        if target is not None:
            featured.append(
                {"page": target, "title": value.get("title", ""), "description": value.get("description", "")}
            )
    return {"hero": localized(page.hero_cta_page_id), "featured": featured}
