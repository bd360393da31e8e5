"""Template filters for money, numbers and dates in proper Latvian and English: `{% load kopa_format %}`.

The wording lives in ideas/text/formats.py (plain Python, unit-tested in tests/ideas/test_formats.py); these
filters only pick the active language and convert datetimes to the current time zone (Europe/Riga), so that an
evening deadline stored in UTC is not shown as the previous or next day.

    {{ amount|money }}       18 000 €  /  €18,000
    {{ count|number }}       1 362     /  1,362
    {{ date|day }}           2026. gada 20. decembris  /  20 December 2026
    {{ date|until_date }}    līdz 2026. gada 20. decembrim  /  until 20 December 2026
    {{ date|from_date }}     no 2026. gada 1. decembra  /  from 1 December 2026

Never use them inside SVG/CSS/JS attributes (they print non-breaking spaces and commas).
"""

import datetime

from django import template
from django.utils import timezone, translation
from django.utils.html import format_html

from ideas.text import formats

register = template.Library()


def _language() -> str:
    return translation.get_language() or "lv"


def _local(value):
    """Aware datetimes in the current time zone; dates and naive datetimes as they are."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def money(value):
    """An amount in euros for the active language ("" for None)."""
    return formats.money(value, _language())


@register.filter
def number(value, places=None):
    """A grouped number for the active language; `|number:2` keeps two decimals."""
    return formats.number(value, _language(), None if places in (None, "") else int(places))


@register.filter
def day(value):
    """A full date: "2026. gada 20. decembris" / "20 December 2026"."""
    return formats.day(_local(value), _language())


@register.filter
def until_date(value):
    """A deadline: "līdz 2026. gada 20. decembrim" / "until 20 December 2026"."""
    return formats.until_date(_local(value), _language())


@register.filter
def from_date(value):
    """A start: "no 2026. gada 1. decembra" / "from 1 December 2026"."""
    return formats.from_date(_local(value), _language())


@register.filter
def lang_attr(obj):
    """` lang="en"` when a resident wrote `obj` (an idea) in another language than the page's, else "": screen
    readers then read an English idea on a Latvian page with English pronunciation (WCAG 3.1.2).
    Usage: `<h3{{ idea|lang_attr }}>{{ idea.title }}</h3>`."""
    language = getattr(obj, "language", "") or ""
    if not language or language.split("-")[0] == _language().split("-")[0]:
        return ""
    return format_html(' lang="{}"', language)
