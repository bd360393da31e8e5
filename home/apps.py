from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Wagtail page types, snippets and site settings of the municipal website."""

    name = "home"
    verbose_name = _("Website")

    def ready(self):
        from home import exports

        # No admin export (CSV or XLSX) may carry a formula from residents' text (home/exports.py).
        exports.install()
