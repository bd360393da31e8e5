"""Translatable snippets: departments that author news, and the site's name and footer text per language.

Both are registered as snippet viewsets in home/wagtail_hooks.py and translated through wagtail-localize.
"""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import TranslatableMixin
from wagtail.search import index


class Department(TranslatableMixin, index.Indexed, models.Model):
    """A municipal department (e.g. Development and Construction) shown as the author of news items."""

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("email")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    def __str__(self):
        return self.name

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]


class SiteText(TranslatableMixin, models.Model):
    """The municipality's name, tagline and footer text in one language; the header and footer read it."""

    site_name = models.CharField(_("site name"), max_length=120)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    footer_text = RichTextField(_("footer text"), blank=True, features=["bold", "italic", "link"])

    panels = [FieldPanel("site_name"), FieldPanel("tagline"), FieldPanel("footer_text")]

    @classmethod
    def for_active_locale(cls):
        """The text in the active language, else in the default language, else None."""
        # One query: the locales come with the texts, compared by language code (Locale.get_active() and
        # get_default() would each ask the database again).
        texts = {text.locale.language_code: text for text in cls.objects.select_related("locale")}
        active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        default = settings.LANGUAGE_CODE.split("-")[0]
        return texts.get(active) or texts.get(default) or next(iter(texts.values()), None)

    def __str__(self):
        return self.site_name

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("site text")
        verbose_name_plural = _("site texts")
