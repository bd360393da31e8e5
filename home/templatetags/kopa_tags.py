"""Template tags for the site chrome: language switcher and hreflang links, main menu, breadcrumbs, site text,
the footer's accessibility statement and the menu's link to published results.

Every page of the header, breadcrumbs and footer comes from one query per request (`chrome`), memoised on the
request: the translations of the current page, this language's home page and its menu, the current page's
ancestors, the accessibility statement's translations and the round page with the newest published results.
Liveness and view restrictions are decided on those rows (no query per menu item or per language).
"""

from django import template
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.urls import reverse, translate_url
from django.utils import translation
from wagtail.models import Page, PageViewRestriction, Site

from home.models import SiteSettings, SiteText

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


def _active_language():
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _is_page(page):
    return isinstance(page, Page) and bool(page.pk)


def _ancestor_paths(page):
    """Paths of the page's ancestors from the home page (depth 2) down, computed from its tree path."""
    step = Page.steplen
    return [page.path[: step * depth] for depth in range(2, page.depth)]


def _published_results_at():
    from ideas.models import RoundResult

    return Subquery(
        RoundResult.objects.filter(
            round_id=OuterRef("budgetroundpage__budget_round_id"), published_at__isnull=False
        )
        .order_by("-published_at")
        .values("published_at")[:1]
    )


class Chrome:
    """The pages around the current one, fetched in one query and sorted out in Python."""

    def __init__(self, request, page):
        self.request = request
        self.page = page if _is_page(page) else None
        self.language = _active_language()
        site = Site.find_for_request(request)
        self.root = site.root_page if site is not None else None
        self.site_settings = SiteSettings.for_request(request) if site is not None else None
        self.rows = self._fetch()

    def _fetch(self):
        conditions = Q(results_at__isnull=False, language=self.language)
        if self.root is not None:
            conditions |= Q(translation_key=self.root.translation_key)
            conditions |= Q(depth=self.root.depth + 1, show_in_menus=True, language=self.language)
        if self.page is not None:
            conditions |= Q(translation_key=self.page.translation_key)
            ancestors = _ancestor_paths(self.page)
            if ancestors:
                conditions |= Q(path__in=ancestors)
        accessibility_id = getattr(self.site_settings, "accessibility_page_id", None)
        if accessibility_id:
            conditions |= Q(
                translation_key__in=Page.objects.filter(pk=accessibility_id).values("translation_key")
            )
        # A page is private inside any section with a view restriction (PageQuerySet.public, in SQL).
        restricted = PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length("page__path"))
        )
        rows = (
            Page.objects.annotate(
                language=F("locale__language_code"),
                results_at=_published_results_at(),
                private=Exists(restricted),
            )
            .filter(conditions)
            .order_by("path")
        )
        return list(rows)

    def _public(self, row):
        return row.live and not row.private

    def translations(self):
        """{language code: live public translation of the current page}, or None when there is no page."""
        if self.page is None:
            return None
        return {
            row.language: row
            for row in self.rows
            if row.translation_key == self.page.translation_key and self._public(row)
        }

    def home(self):
        """This language's live home page, else the site root (Page.localized)."""
        if self.root is None:
            return None
        for row in self.rows:
            if (
                row.translation_key == self.root.translation_key
                and row.live
                and row.language == self.language
            ):
                return row
        return self.root

    def menu(self):
        home = self.home()
        if home is None:
            return []
        return [
            row
            for row in self.rows
            if row.depth == home.depth + 1
            and row.path.startswith(home.path)
            and row.show_in_menus
            and self._public(row)
        ]

    def ancestors(self):
        if self.page is None or self.page.depth <= 2:
            return []
        paths = set(_ancestor_paths(self.page))
        return [row for row in self.rows if row.path in paths]

    def accessibility_page(self):
        """The accessibility statement in this language when live, else the page editors chose."""
        accessibility_id = getattr(self.site_settings, "accessibility_page_id", None)
        if not accessibility_id:
            return None
        chosen = next((row for row in self.rows if row.pk == accessibility_id), None)
        if chosen is None:
            return None
        return next(
            (
                row
                for row in self.rows
                if row.translation_key == chosen.translation_key
                and row.live
                and row.language == self.language
            ),
            chosen,
        )

    def results_page(self):
        """The live public round page of this language whose results were published last (as
        ideas/journey.published_results_page), marked so that its results link needs no query."""
        candidates = [
            row
            for row in self.rows
            if row.results_at is not None and row.language == self.language and self._public(row)
        ]
        if not candidates:
            return None
        newest = max(candidates, key=lambda row: (row.results_at, row.pk))
        page = newest.specific_deferred
        page._kopa_results_published = True
        return page

    def has_published_results(self, page):
        """Whether the round of `page` has published results, when the page is one of these rows; else None."""
        for row in self.rows:
            if row.pk == page.pk:
                return row.results_at is not None
        return None


def chrome(context):
    """The request's Chrome for the page in the template context (one per request)."""
    request = context["request"]
    return _cached(request, "chrome", lambda: Chrome(request, context.get("page")))


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
    return _cached(context["request"], "site_text", SiteText.for_active_locale)


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
