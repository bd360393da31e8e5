"""sitemap.xml covering every language, each URL listing its translations as hreflang alternates."""

from collections import defaultdict

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Locale, Page


class MultilingualSitemap(Sitemap):
    """Wagtail's sitemap walks one root page; with one home page per language there is one tree per language,
    so this one walks the trees of every translation of the site's root page."""

    def items(self):
        site_root = self.get_wagtail_site().root_page
        roots = Page.objects.filter(translation_key=site_root.translation_key)
        pages = Page.objects.none()
        for root in roots:
            pages |= Page.objects.descendant_of(root, inclusive=True)
        return pages.live().public().order_by("path").defer_streamfields().specific()

    def _urls(self, page, protocol, domain):
        items = list(self.paginator.page(page).object_list)
        languages = dict(Locale.objects.values_list("pk", "language_code"))
        alternates = defaultdict(list)
        for item in items:
            alternates[item.translation_key].append(
                {"lang_code": languages[item.locale_id], "location": item.get_full_url(self.request)}
            )
        urls, last_mods = [], set()
        for item in items:
            for url_info in item.get_sitemap_urls(self.request):
                if len(alternates[item.translation_key]) > 1:
                    url_info["alternates"] = alternates[item.translation_key]
                urls.append(url_info)
                last_mods.add(url_info.get("lastmod"))
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
