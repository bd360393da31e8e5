from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Wagtail page types, snippets and site settings of the municipal website."""

    name = "home"
    verbose_name = _("Website")

    def ready(self):
        from home import exports, page_cache

        # No admin export (CSV or XLSX) may carry a formula from residents' text (home/exports.py).
        exports.install()
        # Publishing a page or changing what public pages show empties the anonymous page cache.
        page_cache.connect_purging()
