"""Latvian for Wagtail's relative times in the staff admin ("pirms 2 mēnešiem"), installed by
IdeasConfig.ready() (ideas/apps.py).

Wagtail writes "<time period> ago" with Django's timesince words, which are in the nominative ("2 mēneši"); after
"pirms" (ago) Latvian needs the genitive singular and the dative plural ("pirms 1 mēneša", "pirms 2 mēnešiem"). No
translation of "%(time_period)s ago" alone can change the case of the words inside, so Wagtail's two "ago" tags get
time words of their own (context "time ago", translated in site/locale) whenever the active language is Latvian.
"""

from django.utils import timesince as django_timesince
from django.utils.translation import get_language, npgettext_lazy

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
