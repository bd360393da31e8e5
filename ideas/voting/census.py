"""The municipality's census list for voting eligibility, loaded from CSV by `manage.py import_census` and by the
census upload on the voting desk (ideas/moderation/voting.py).

The CSV has the columns personal_code, area (an area code such as kekava) and birth_year. Personal codes become
keyed hashes (ideas/voting/keys.py) as they are read and are never stored. A file with any bad row loads nothing,
so a half-loaded list never decides who may vote.
"""

import csv
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ideas.models import Area, CensusEntry
from ideas.voting import keys

COLUMNS = ("personal_code", "area", "birth_year")


class CensusFileError(ValueError):
    """The file was not loaded; the message says why, naming lines."""


@dataclass
class CensusReport:
    loaded: int
    removed: int
    total: int


def read_census(lines):
    """Parse CSV lines (an iterable of str) into census entries keyed by person; raises CensusFileError."""
    areas = {area.code: area for area in Area.objects.filter(locale__language_code=settings.LANGUAGE_CODE)}
    reader = csv.DictReader(lines)
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise CensusFileError(
            _("The file needs the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
        )
    entries, bad_lines = {}, []
    for line, row in enumerate(reader, start=2):
        try:
            person = keys.person_key(row["personal_code"])
            area = areas[(row["area"] or "").strip()]
            birth_year = int(row["birth_year"])
        except (KeyError, ValueError, TypeError, AttributeError):
            bad_lines.append(line)
            continue
        entries[person] = CensusEntry(person_key=person, area=area, birth_year=birth_year)
    if bad_lines:
        shown = ", ".join(map(str, bad_lines[:20])) + (" …" if len(bad_lines) > 20 else "")
        raise CensusFileError(
            ngettext(
                "Nothing was loaded: %(count)s row is not valid (line %(lines)s). Each row needs an 11-digit "
                "personal code, a known area code and a birth year.",
                "Nothing was loaded: %(count)s rows are not valid (lines %(lines)s). Each row needs an 11-digit "
                "personal code, a known area code and a birth year.",
                len(bad_lines),
            )
            % {"count": len(bad_lines), "lines": shown}
        )
    return entries


def load_census(lines, replace=False):
    """Load the census list from CSV lines; `replace` first removes residents who are not in the file."""
    entries = read_census(lines)
    removed = 0
    with transaction.atomic():
        if replace:
            removed, _by_model = CensusEntry.objects.exclude(person_key__in=list(entries)).delete()
        CensusEntry.objects.bulk_create(
            list(entries.values()),
            update_conflicts=True,
            unique_fields=["person_key"],
            update_fields=["area", "birth_year"],
            batch_size=5000,
        )
    return CensusReport(loaded=len(entries), removed=removed, total=CensusEntry.objects.count())
