"""`manage.py pabulib`: Pabulib (.pb) participatory-budgeting files. `count FILE ... [--rule R] [--json]`
counts them without touching the database; the work is done by `ideas.counting.cli`."""

from django.core.management.base import BaseCommand, CommandError

from ideas.counting import cli


class Command(BaseCommand):
    """A thin wrapper: one subparser per action, each handing its options to `ideas.counting`."""

    help = "Pabulib participatory-budgeting files: count them (more actions may follow)."
    # Counting reads files only: no system checks or migration checks, which also keeps start-up short.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        cli.add_count_arguments(actions.add_parser("count", help="count files without the database"))

    def handle(self, *args, **options):
        if options["action"] == "count":
            status = cli.run_count(options["files"], options["rule"], options["json"], self.stdout)
            if status:
                raise CommandError("some files could not be counted", returncode=status)
