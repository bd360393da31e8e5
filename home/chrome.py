"""The site chrome and the way down from a home page to the requested page, in one query per request.

Every public page needs the same pages around it: the translations of the current page (language switcher,
hreflang), this language's home page and its children (menu, the home page's index and round pages), the current
page's ancestors (breadcrumbs), the accessibility statement and the round page with the newest published results
(menu). It also needs the site's texts and settings (header, footer) and Wagtail's site root paths (every page
URL). `Chrome` reads all of that in one query on `wagtailcore_page`: the texts, the settings and whether other
sites exist come along as uncorrelated scalar subqueries, which both SQLite and PostgreSQL evaluate once.

`route` (HomePage.route, home/models/home_page.py) builds the Chrome of the request before the page is known:
the same query also holds, for each part of the URL, the pages of that slug at that depth below the home page,
so that Wagtail's walk from child to child (one query per level, then one for the specific page) becomes one
query for the pages plus one for the specific page. Whether a view restriction applies to the page is read from
the same rows, so Wagtail's view-restriction check costs no query on a public page. The templates then take the
Chrome from the request (home/templatetags/kopa_tags.py `chrome`), and nothing in the chrome asks the database
again. Beyond the request the rows are kept only in the fragment store, when it is on (Chrome._stored_rows,
home/page_cache.stored_fragment): a visit after any public change pays exactly these queries.
"""

from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import JSONObject, Length, Substr
from django.http import Http404
from django.utils import translation
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY, SITE_ROOT_PATHS_CACHE_VERSION, SiteRootPath
from wagtail.url_routing import RouteResult

from home.models.site_settings import SiteSettings
from home.models.snippets import SiteText
from home.page_cache import stored_fragment

REQUEST_ATTR = "_kopa_chrome"
# Wagtail keeps its site root paths this long (wagtail/models/sites.py get_site_root_paths).
SITE_ROOT_PATHS_SECONDS = 3600
# Parts of a URL looked up in the one query; a deeper page (none is) is found by Wagtail's own walk.
ROUTE_DEPTH = 12


def active_language():
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def private_exists(path="path"):
    """Whether a page (its tree path in the column `path`) is inside a section with a view restriction, in SQL:
    Wagtail's PageQuerySet.public() reads every restriction first, one query each time it is called."""
    return Exists(
        PageViewRestriction.objects.filter(page__path=Substr(OuterRef(path), 1, Length("page__path")))
    )


def public(queryset):
    """Live-or-not pages of `queryset` outside any restricted section, without a query of its own."""
    return queryset.filter(~private_exists())


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


def _fields(model):
    return [field.attname for field in model._meta.concrete_fields]


def _as_json(queryset, model):
    return Subquery(queryset.values(data=JSONObject(**{name: F(name) for name in _fields(model)}))[:1])


def _from_json(model, data):
    """A model instance from its row as JSON (values through each field's to_python, as read from the table)."""
    values = {}
    for field in model._meta.concrete_fields:
        value = data.get(field.attname)
        values[field.attname] = None if value is None else field.to_python(value)
    instance = model(**values)
    instance._state.adding = False
    instance._state.db = "default"
    return instance


class Chrome:
    """The pages around the current one, the site's texts and settings, fetched in one query and sorted out in
    Python. `components` (the URL's parts below `route_home`) adds the pages a route goes through."""

    def __init__(self, request, page=None, *, route_home=None, components=(), extra_page_ids=()):
        self.request = request
        self.page = page if _is_page(page) else None
        self.language = active_language()
        self.site = Site.find_for_request(request)
        self.root = self.site.root_page if self.site is not None else None
        self.route_home = route_home
        self.components = list(components)[:ROUTE_DEPTH]
        self.extra_page_ids = [pk for pk in extra_page_ids if pk]
        self._keep = None
        self.rows = self._stored_rows()
        self.site_text, self.site_settings = self._texts_and_settings()
        self._share_site_root_paths()

    # The query ------------------------------------------------------------------------------------------

    def _stored_rows(self):
        """The rows, from the fragment store when it is on (home/page_cache.stored_fragment): they depend on the
        site, the language and the pages asked for, never on the visitor, and every change to a page, a view
        restriction, the site's texts or settings or a published count moves the store to a new generation.
        Building this query costs more than any page's own work, so uncached pages (anyone signed in) gain most.
        A route's rows are named by the parts of its address: they are kept only once the route has found a page
        (keep_rows), so that addresses leading nowhere fill nothing."""
        name = (
            "chrome",
            self.site.pk if self.site is not None else None,
            self.language,
            self.route_home.pk if self.route_home is not None else None,
            tuple(self.components),
            tuple(self.extra_page_ids),
            self.page.pk if self.page is not None else None,
        )
        rows, keep = stored_fragment(name)
        if rows is None:
            rows = self._fetch()
            self._keep = partial(keep, rows)
            if not self.components:
                self.keep_rows()
        return rows

    def keep_rows(self):
        """Keep freshly fetched rows in the fragment store (once)."""
        keep, self._keep = self._keep, None
        if keep is not None:
            keep()

    def _route_q(self):
        """The pages of each URL part's slug at that part's depth below the route's home page."""
        home = self.route_home
        if home is None or not self.components:
            return None
        route_q = Q()
        for level, slug in enumerate(self.components, 1):
            route_q |= Q(depth=home.depth + level, slug=slug)
        return route_q & Q(path__startswith=home.path)

    def _fetch(self):
        language = self.language
        conditions = Q(results_at__isnull=False, language=language)
        keyed = []  # pages whose every translation is wanted
        if self.root is not None:
            conditions |= Q(translation_key=self.root.translation_key)
            # The children of this language's home page: the menu, and the home page's index and round pages.
            conditions |= Q(depth=self.root.depth + 1, language=language)
            keyed.append(
                Q(
                    pk=Subquery(
                        SiteSettings.objects.filter(site_id=self.site.pk).values("accessibility_page_id")
                    )
                )
            )
        # The children of the home page being shown (its index and round pages), whatever its language.
        for home in (self.route_home, self.page):
            if home is not None and home.depth == 2:
                conditions |= Q(depth=home.depth + 1, path__startswith=home.path)
        if self.page is not None:
            conditions |= Q(translation_key=self.page.translation_key)
            ancestors = _ancestor_paths(self.page)
            if ancestors:
                conditions |= Q(path__in=ancestors)
        route_q = self._route_q()
        if route_q is not None:
            keyed.append(route_q)
        if self.extra_page_ids:
            keyed.append(Q(pk__in=self.extra_page_ids))
        if keyed:
            wanted = keyed[0]
            for extra in keyed[1:]:
                wanted |= extra
            conditions |= Q(translation_key__in=Page.objects.filter(wanted).values("translation_key"))
        default = settings.LANGUAGE_CODE.split("-")[0]
        texts = SiteText.objects.annotate(
            rank=Case(
                When(locale__language_code=language, then=Value(0)),
                When(locale__language_code=default, then=Value(1)),
                default=Value(2),
            )
        ).order_by("rank", "pk")
        annotations = {"kopa_text": _as_json(texts, SiteText)}
        if self.site is not None:
            annotations["kopa_settings"] = _as_json(
                SiteSettings.objects.filter(site_id=self.site.pk), SiteSettings
            )
            annotations["kopa_other_sites"] = Exists(Site.objects.exclude(pk=self.site.pk))
        rows = (
            Page.objects.annotate(
                language=F("locale__language_code"),
                results_at=_published_results_at(),
                private=private_exists(),
                **annotations,
            )
            .filter(conditions)
            .order_by("path")
        )
        return list(rows)

    def _texts_and_settings(self):
        """The site text of the active language (else the default one, else any) and the site's settings, from
        the rows; their own queries only when there are no rows or no settings yet (Wagtail creates them)."""
        first = self.rows[0] if self.rows else None
        if first is None:
            text = SiteText.for_active_locale()
        else:
            text = _from_json(SiteText, first.kopa_text) if first.kopa_text else None
        if self.site is None:
            return text, None
        data = getattr(first, "kopa_settings", None)
        if not data:
            return text, SiteSettings.for_request(self.request)
        site_settings = _from_json(SiteSettings, data)
        # Where Wagtail's settings context processor ({{ settings.home.SiteSettings }}) looks first.
        site_settings._request = self.request
        setattr(self.request, SiteSettings.get_cache_attr_name(), site_settings)
        return text, site_settings

    def _share_site_root_paths(self):
        """Wagtail's site root paths (every page URL needs them) from the rows, when this is the only site: the
        translations of its root page are among the rows. Kept on the request, and in the cache where Wagtail
        keeps them, when they are not there yet (Wagtail deletes them whenever a page or site changes)."""
        if self.site is None or not self.rows or self.rows[0].kopa_other_sites:
            return
        paths = [
            SiteRootPath(self.site.pk, row.url_path, self.site.root_url, row.language)
            for row in self.rows
            if row.translation_key == self.root.translation_key
        ]
        if not paths:
            return
        self.request._wagtail_cached_site_root_paths = paths
        cache.add(
            SITE_ROOT_PATHS_CACHE_KEY, paths, SITE_ROOT_PATHS_SECONDS, version=SITE_ROOT_PATHS_CACHE_VERSION
        )

    # What the templates read ------------------------------------------------------------------------------

    def _public(self, row):
        return row.live and not row.private

    def row(self, pk):
        return next((row for row in self.rows if row.pk == pk), None)

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

    def children(self, parent):
        """The rows of the children of `parent` (a home page of the active language), in tree order."""
        return [
            row for row in self.rows if row.depth == parent.depth + 1 and row.path.startswith(parent.path)
        ]

    def menu(self):
        home = self.home()
        if home is None:
            return []
        return [row for row in self.children(home) if row.show_in_menus and self._public(row)]

    def ancestors(self):
        if self.page is None or self.page.depth <= 2:
            return []
        paths = set(_ancestor_paths(self.page))
        return [row for row in self.rows if row.path in paths]

    def localized(self, pk):
        """Page.localized for a page among the rows: its live translation in the active language, else itself;
        None when the page is not among the rows."""
        page = self.row(pk)
        if page is None:
            return None
        for row in self.rows:
            if row.translation_key == page.translation_key and row.language == self.language and row.live:
                return row
        return page

    def accessibility_page(self):
        """The accessibility statement in this language when live, else the page editors chose."""
        accessibility_id = getattr(self.site_settings, "accessibility_page_id", None)
        if not accessibility_id:
            return None
        return self.localized(accessibility_id)

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
        row = self.row(page.pk)
        return None if row is None else row.results_at is not None

    def known_public(self, page):
        """True when the rows show that no view restriction applies to `page` (on it or any ancestor) and no
        alias is on its way (Wagtail reads an alias's restrictions from its original); else None."""
        row = self.row(page.pk)
        if row is None or row.private:
            return None
        way = [self.row_by_path(path) for path in _ancestor_paths(page)]
        if any(step is None or step.alias_of_id for step in way) or row.alias_of_id:
            return None
        return True

    def row_by_path(self, path):
        return next((row for row in self.rows if row.path == path), None)


def for_request(request, page=None):
    """The request's Chrome for `page` (the Chrome the route built, when it is for the same page)."""
    store = request.__dict__.setdefault(REQUEST_ATTR, {})
    current = store.get("chrome")
    page_pk = page.pk if _is_page(page) else None
    if current is None or (current.page.pk if current.page is not None else None) != page_pk:
        current = Chrome(request, page)
        store["chrome"] = current
    return current


def _routes_by_slug(page_class):
    """Whether pages of this class route like Wagtail's Page.route: the next URL part is a child's slug. Pages
    with routes of their own (RoutablePageMixin) decide themselves."""
    from home.models import HomePage

    return page_class is not None and (page_class.route is Page.route or issubclass(page_class, HomePage))


def _specific(row, remaining=()):
    page_class = row.specific_class
    if page_class is None:
        return row.specific
    # A page class may name what its route for the remaining URL parts reads first (BudgetRoundPage.route_related):
    # related rows to fetch with it, or None when nothing beyond the tree's row is read.
    route_related = getattr(page_class, "route_related", None)
    related = route_related(remaining) if route_related else ()
    if related is None:
        # The specific page without a query; its own fields load on first use.
        return row.specific_deferred
    pages = page_class._default_manager.all()
    if related:
        pages = pages.select_related(*related)
    return pages.get(pk=row.pk)


def route(home, request, path_components):
    """HomePage.route: the page for `path_components` below `home`, exactly as Wagtail's walk would find it, with
    the pages on the way and the site chrome read in one query (module docstring)."""
    components = list(path_components)
    # The home page itself shows a few more pages (HomePage.chrome_page_ids): their translations come along.
    extra = () if components else home.chrome_page_ids()
    chrome = Chrome(request, route_home=home, components=components, extra_page_ids=extra)
    request.__dict__.setdefault(REQUEST_ATTR, {})["chrome"] = chrome
    page, level = home, 0
    # Down the tree while each page routes by slug and the rows know the child (Page.route would ask for it).
    while level < len(chrome.components) and _routes_by_slug(
        type(home) if page is home else page.specific_class
    ):
        slug = components[level]
        child = next(
            (
                row
                for row in chrome.rows
                if row.depth == page.depth + 1 and row.slug == slug and row.path.startswith(page.path)
            ),
            None,
        )
        if child is None:
            raise Http404
        page, level = child, level + 1
    remaining = components[level:]
    if page is not home:
        # The specific page decides the rest: its own routes, or Wagtail's walk below ROUTE_DEPTH.
        result = _specific(page, remaining).route(request, remaining)
    elif home.live:
        result = RouteResult(home)
    else:
        raise Http404
    # A page was found: these rows may serve the next visit to this address.
    chrome.keep_rows()
    routed = result[0]
    chrome.page = routed
    if chrome.known_public(routed):
        # Wagtail's view-restriction check (wagtail_hooks.check_view_restrictions) asks this of the routed page,
        # two queries; the rows already say that no restriction applies.
        routed.get_view_restrictions = PageViewRestriction.objects.none
    return result
