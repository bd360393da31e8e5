"""Money, numbers and dates written out in proper Latvian and English.

No Django imports: callers pass the language code ("lv" or "en"; anything else is treated as English) and, for
datetimes, convert to local time first (the template filters in ideas/templatetags/kopa_format.py do both).

Latvian conventions (Valsts valodas centrs, "Latviešu valodas pareizrakstības un pareizrunas vārdnīca"):
thousands are grouped with a (non-breaking) space, the decimal sign is a comma, the euro sign follows the amount
after a space ("18 000 €"), and a full date is "2026. gada 20. decembris" with the month inflected by the
preposition: "līdz" takes the dative ("līdz 20. decembrim"), "no" the genitive ("no 1. decembra").
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Latvian month names in the cases the site needs: nominative ("20. decembris"), genitive ("no 1. decembra"),
# dative ("līdz 20. decembrim"). Written out rather than derived: aprīlis → aprīļa has a consonant change.
MONTHS_LV_NOMINATIVE = (
    "janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs",
    "jūlijs", "augusts", "septembris", "oktobris", "novembris", "decembris",
)  # fmt: skip
MONTHS_LV_GENITIVE = (
    "janvāra", "februāra", "marta", "aprīļa", "maija", "jūnija",
    "jūlija", "augusta", "septembra", "oktobra", "novembra", "decembra",
)  # fmt: skip
MONTHS_LV_DATIVE = (
    "janvārim", "februārim", "martam", "aprīlim", "maijam", "jūnijam",
    "jūlijam", "augustam", "septembrim", "oktobrim", "novembrim", "decembrim",
)  # fmt: skip


def is_latvian(language: str | None) -> bool:
    """True for "lv" and regional variants ("lv-LV"); every other language is written the English way."""
    return (language or "").lower().split("-")[0].split("_")[0] == "lv"


def to_decimal(value) -> Decimal | None:
    """`value` (Decimal, int, float, numeric string, None) as a Decimal; None for None, "" and non-numbers."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        # str() for floats so that 0.1 stays 0.1 instead of its binary expansion.
        return Decimal(str(value).strip().replace(NBSP, "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None


def _group(digits: str, separator: str) -> str:
    """'18000' → '18<sep>000' (groups of three from the right)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def _split(amount: Decimal, places: int | None) -> tuple[bool, str, str]:
    """Sign, integer digits and fraction digits of `amount`, rounded half-up to `places` if given."""
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    negative = amount < 0
    text = f"{abs(amount):f}"
    whole, _, fraction = text.partition(".")
    return negative, whole, fraction


def number(value, language: str = "lv", places: int | None = None) -> str:
    """A grouped number: lv "1 362" / "2,5", en "1,362" / "2.5". Whole values lose their zero decimals unless
    `places` asks for a fixed number of them. "" for None or a non-number."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    negative, whole, fraction = _split(amount, places)
    if places is None:
        fraction = fraction.rstrip("0")
    latvian = is_latvian(language)
    text = _group(whole, NBSP if latvian else ",")
    if fraction:
        text += ("," if latvian else ".") + fraction
    return ("-" if negative and (whole.strip("0") or fraction.strip("0")) else "") + text


def money(value, language: str = "lv") -> str:
    """An amount in euros: lv "18 000 €" / "18 000,50 €", en "€18,000" / "€18,000.50". Cents are rounded
    half-up and ",00" is dropped for whole amounts. "" for None or a non-number."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    negative, whole, fraction = _split(amount, 2)
    if fraction == "00":
        fraction = ""
    latvian = is_latvian(language)
    sign = "-" if negative and (whole.strip("0") or fraction.strip("0")) else ""
    if latvian:
        text = _group(whole, NBSP) + ("," + fraction if fraction else "")
        return f"{sign}{text}{NBSP}€"
    text = _group(whole, ",") + ("." + fraction if fraction else "")
    return f"{sign}€{text}"


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _latvian_date(value: datetime.date, months: tuple[str, ...]) -> str:
    return f"{value.year}. gada {value.day}. {months[value.month - 1]}"


def _english_date(value: datetime.date) -> str:
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def day(value, language: str = "lv") -> str:
    """A date in full: lv "2026. gada 20. decembris", en "20 December 2026". "" for None."""
    value = _as_date(value)
    if value is None:
        return ""
    if is_latvian(language):
        return _latvian_date(value, MONTHS_LV_NOMINATIVE)
    return _english_date(value)


def until_date(value, language: str = "lv") -> str:
    """A deadline: lv "līdz 2026. gada 20. decembrim" (dative), en "until 20 December 2026". "" for None."""
    value = _as_date(value)
    if value is None:
        return ""
    if is_latvian(language):
        return "līdz " + _latvian_date(value, MONTHS_LV_DATIVE)
    return "until " + _english_date(value)


def from_date(value, language: str = "lv") -> str:
    """A start: lv "no 2026. gada 1. decembra" (genitive), en "from 1 December 2026". "" for None."""
    value = _as_date(value)
    if value is None:
        return ""
    if is_latvian(language):
        return "no " + _latvian_date(value, MONTHS_LV_GENITIVE)
    return "from " + _english_date(value)


def date_of(value, language: str = "lv") -> str:
    """A date in the genitive, for "on ..." phrases in Latvian that use it ("2026. gada 20. decembra sēdē");
    en "20 December 2026"."""
    value = _as_date(value)
    if value is None:
        return ""
    if is_latvian(language):
        return _latvian_date(value, MONTHS_LV_GENITIVE)
    return _english_date(value)
