"""`manage.py import_census FILE.csv [--replace]`: load the municipality's census list for voting eligibility
(ideas/voting/census.py; the voting desk in the admin takes the same file as an upload)."""

from django.core.management.base import BaseCommand, CommandError

from ideas.voting.census import CensusFileError, load_census


class Command(BaseCommand):
    help = "Load the census list (personal_code, area, birth_year) as keyed hashes for voting eligibility."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with the columns personal_code, area, birth_year")
        parser.add_argument("--replace", action="store_true", help="remove entries that are not in the file")

    def handle(self, *args, file, replace, **options):
        try:
            with open(file, newline="", encoding="utf-8-sig") as handle:
                report = load_census(handle, replace=replace)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        except CensusFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Census list: {report.loaded} residents loaded; {report.total} in all.")
