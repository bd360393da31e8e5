"""`manage.py import_census FILE.csv`: load the municipality's census list for voting eligibility.

The CSV has the columns personal_code, area (an area code such as kekava) and birth_year. Personal codes are
turned into keyed hashes (ideas/voting/keys.py) as they are read and never stored. Running it again updates
entries; `--replace` first removes the entries that are not in the file.
"""

import csv

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ideas.models import Area, CensusEntry
from ideas.voting import keys


class Command(BaseCommand):
    help = "Load the census list (personal_code, area, birth_year) as keyed hashes for voting eligibility."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with the columns personal_code, area, birth_year")
        parser.add_argument("--replace", action="store_true", help="remove entries that are not in the file")

    def handle(self, *args, file, replace, **options):
        areas = {area.code: area for area in Area.objects.filter(locale__language_code="lv")}
        entries, problems = {}, []
        with open(file, newline="", encoding="utf-8-sig") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    person = keys.person_key(row["personal_code"])
                    area = areas[row["area"].strip()]
                    birth_year = int(row["birth_year"])
                except (KeyError, ValueError, TypeError, AttributeError):
                    problems.append(line)
                    continue
                entries[person] = CensusEntry(person_key=person, area=area, birth_year=birth_year)
        if problems:
            shown = ", ".join(map(str, problems[:20]))
            raise CommandError(f"Nothing was imported: {len(problems)} rows are not valid (lines {shown}).")
        with transaction.atomic():
            if replace:
                CensusEntry.objects.exclude(person_key__in=list(entries)).delete()
            CensusEntry.objects.bulk_create(
                list(entries.values()),
                update_conflicts=True,
                unique_fields=["person_key"],
                update_fields=["area", "birth_year"],
                batch_size=5000,
            )
        self.stdout.write(
            f"Census list: {len(entries)} residents loaded; {CensusEntry.objects.count()} in all."
        )
