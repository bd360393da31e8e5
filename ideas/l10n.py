"""Language helpers of the participation pages.

Names of translatable snippets (categories, areas) in the active language for the public pages, one query per
model (`names_and_choices`, `localized_name_of`).

Latvian for Wagtail's relative times in the staff admin ("pirms 2 mēnešiem"), installed by
IdeasConfig.ready() (ideas/apps.py).

Wagtail writes "<time period> ago" with Django's timesince words, which are in the nominative ("2 mēneši"); after
"pirms" (ago) Latvian needs the genitive singular and the dative plural ("pirms 1 mēneša", "pirms 2 mēnešiem"). No
translation of "%(time_period)s ago" alone can change the case of the words inside, so Wagtail's two "ago" tags get
time words of their own (context "time ago", translated in site/locale) whenever the active language is Latvian.
"""

from django.conf import settings
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timesince as django_timesince
from django.utils.translation import get_language, npgettext_lazy


def _language(code):
    return (code or settings.LANGUAGE_CODE).split("-")[0]


def names_and_choices(model):
    """For a translatable snippet with a `code` and a `name` (Category, Area), in one query: {translation_key:
    name in the active language, else in the default language} and the filter choices [(code, name)] of the
    default-language rows (the ones ideas point at), sorted by that name."""
    active, default = _language(get_language()), _language(settings.LANGUAGE_CODE)
    rows = list(model.objects.values_list("translation_key", "code", "name", "locale__language_code"))
    names = {}
    for key, _code, name, language in rows:
        if language == active or (language == default and key not in names):
            names[key] = name
    for key, _code, name, _language_code in rows:
        names.setdefault(key, name)
    choices = sorted(
        ((code, names[key]) for key, code, _name, language in rows if language == default),
        key=lambda choice: choice[1],
    )
    return names, choices


def localized_name_of(relation):
    """An expression for the name, in the active language, of the snippet an idea's `relation` (category,
    area) points at: its translation's name, else its own; to annotate an idea query instead of reading the
    snippet table again."""
    from ideas.models import Idea

    snippet = Idea._meta.get_field(relation).related_model
    translation = snippet.objects.filter(
        translation_key=OuterRef(f"{relation}__translation_key"),
        locale__language_code=_language(get_language()),
    ).values("name")[:1]
    return Coalesce(Subquery(translation), F(f"{relation}__name"))


AGO_TIME_STRINGS = {
    "year": npgettext_lazy("time ago", "%(num)d year", "%(num)d years", "num"),
    "month": npgettext_lazy("time ago", "%(num)d month", "%(num)d months", "num"),
    "week": npgettext_lazy("time ago", "%(num)d week", "%(num)d weeks", "num"),
    "day": npgettext_lazy("time ago", "%(num)d day", "%(num)d days", "num"),
    "hour": npgettext_lazy("time ago", "%(num)d hour", "%(num)d hours", "num"),
    "minute": npgettext_lazy("time ago", "%(num)d minute", "%(num)d minutes", "num"),
}


def timesince_before_ago(d, now=None, reversed=False, time_strings=None, depth=2):  # noqa: A002 (Django's name)
    """Django's timesince, with the Latvian "ago" cases when Latvian is active (other languages unchanged)."""
    if time_strings is None and (get_language() or "").split("-")[0] == "lv":
        time_strings = AGO_TIME_STRINGS
    return django_timesince.timesince(d, now=now, reversed=reversed, time_strings=time_strings, depth=depth)


def install():
    """Point Wagtail's admin tags (timesince_simple, timesince_last_update) at timesince_before_ago. Both only use
    timesince to build "… ago", so nothing else changes."""
    from wagtail.admin.templatetags import wagtailadmin_tags

    wagtailadmin_tags.timesince = timesince_before_ago
