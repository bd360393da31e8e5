"""Money, numbers and dates in proper Latvian and English (ideas/text/formats.py and the kopa_format filters)."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from ideas.text import formats

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "lv", "en"),
    [
        (Decimal("18000.00"), f"18{NB}000{NB}€", "€18,000"),
        ("18000.5", f"18{NB}000,50{NB}€", "€18,000.50"),
        (18000, f"18{NB}000{NB}€", "€18,000"),
        (1234567.891, f"1{NB}234{NB}567,89{NB}€", "€1,234,567.89"),
        (0.005, f"0,01{NB}€", "€0.01"),
        (950, f"950{NB}€", "€950"),
        (0, f"0{NB}€", "€0"),
        (-2500, f"-2{NB}500{NB}€", "-€2,500"),
        (None, "", ""),
        ("", "", ""),
        ("not a number", "", ""),
    ],
)
def test_money(value, lv, en):
    assert formats.money(value, "lv") == lv
    assert formats.money(value, "en") == en


@pytest.mark.parametrize(
    ("value", "lv", "en"),
    [
        (1362, f"1{NB}362", "1,362"),
        (999, "999", "999"),
        (1000000, f"1{NB}000{NB}000", "1,000,000"),
        (Decimal("2.50"), "2,5", "2.5"),
        (Decimal("18000.00"), f"18{NB}000", "18,000"),
        (None, "", ""),
    ],
)
def test_number(value, lv, en):
    assert formats.number(value, "lv") == lv
    assert formats.number(value, "en") == en


def test_number_with_fixed_places():
    assert formats.number(Decimal("12.5"), "lv", places=2) == "12,50"
    assert formats.number(Decimal("12.5"), "en", places=0) == "13"


MONTHS = [
    (1, "janvāris", "janvārim", "janvāra", "January"),
    (2, "februāris", "februārim", "februāra", "February"),
    (3, "marts", "martam", "marta", "March"),
    (4, "aprīlis", "aprīlim", "aprīļa", "April"),
    (5, "maijs", "maijam", "maija", "May"),
    (6, "jūnijs", "jūnijam", "jūnija", "June"),
    (7, "jūlijs", "jūlijam", "jūlija", "July"),
    (8, "augusts", "augustam", "augusta", "August"),
    (9, "septembris", "septembrim", "septembra", "September"),
    (10, "oktobris", "oktobrim", "oktobra", "October"),
    (11, "novembris", "novembrim", "novembra", "November"),
    (12, "decembris", "decembrim", "decembra", "December"),
]


@pytest.mark.parametrize(("month", "nominative", "dative", "genitive", "english"), MONTHS)
def test_dates_in_every_month(month, nominative, dative, genitive, english):
    date = datetime.date(2026, month, 20)
    assert formats.day(date, "lv") == f"2026. gada 20. {nominative}"
    assert formats.until_date(date, "lv") == f"līdz 2026. gada 20. {dative}"
    assert formats.from_date(date, "lv") == f"no 2026. gada 20. {genitive}"
    assert formats.day(date, "en") == f"20 {english} 2026"
    assert formats.until_date(date, "en") == f"until 20 {english} 2026"
    assert formats.from_date(date, "en") == f"from 20 {english} 2026"


def test_dates_accept_datetimes_strings_and_none():
    assert formats.day(datetime.datetime(2026, 12, 1, 9, 30), "lv") == "2026. gada 1. decembris"
    assert formats.day("2026-12-01", "en") == "1 December 2026"
    assert formats.until_date(None, "lv") == ""
    assert formats.day("yesterday", "lv") == ""


def test_regional_language_codes_count_as_latvian():
    assert formats.money(5, "lv-LV") == f"5{NB}€"
    assert formats.money(5, "de") == "€5"


def render(source, language, **context):
    with translation.override(language):
        return Template("{% load kopa_format %}" + source).render(Context(context))


def test_filters_follow_the_active_language():
    context = {"amount": Decimal("18000.00"), "date": datetime.date(2026, 12, 20), "n": 1362}
    source = "{{ amount|money }}|{{ n|number }}|{{ date|day }}|{{ date|until_date }}|{{ date|from_date }}"
    assert render(source, "lv", **context) == (
        f"18{NB}000{NB}€|1{NB}362|2026. gada 20. decembris|līdz 2026. gada 20. decembrim|no 2026. gada 20. decembra"
    )
    assert render(source, "en", **context) == (
        "€18,000|1,362|20 December 2026|until 20 December 2026|from 20 December 2026"
    )


def test_filters_use_riga_time_for_datetimes():
    # 22:30 UTC on 30 November is already 1 December in Riga (UTC+2 in winter).
    moment = datetime.datetime(2026, 11, 30, 22, 30, tzinfo=datetime.UTC)
    assert render("{{ moment|until_date }}", "lv", moment=moment) == "līdz 2026. gada 1. decembrim"
    assert render("{{ moment|day }}", "en", moment=moment) == "1 December 2026"
