"""`manage.py pabulib`: Pabulib (.pb) participatory-budgeting files.

- `count FILE ... [--rule R] [--json]` counts files without touching the database (ideas.counting.cli);
- `import FILE [--name NAME]` creates a round in its results phase with the file's projects and ballots;
  it refuses exactly the files `count` refuses, since the parser (ideas/counting/pabulib.py) is the one
  validation of both;
- `export ROUND_ID [--output FILE]` writes a round's ballots as an anonymised, deterministic `.pb` file.
Import and export are done by ideas/voting/pabulib_io.py.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ideas.counting import cli


class Command(BaseCommand):
    """A thin wrapper: one subparser per action, each handing its options to `ideas.counting` or to
    `ideas.voting.pabulib_io`."""

    help = "Pabulib participatory-budgeting files: count them, import them as rounds, export rounds."
    # Counting reads files only: no system checks or migration checks, which also keeps start-up short.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        cli.add_count_arguments(actions.add_parser("count", help="count files without the database"))
        importing = actions.add_parser("import", help="create a round from a .pb file")
        importing.add_argument("file", metavar="FILE")
        importing.add_argument("--name", help="round name (default: META description, else the file name)")
        exporting = actions.add_parser("export", help="write a round's ballots as a .pb file")
        exporting.add_argument("round_id", type=int, metavar="ROUND_ID")
        exporting.add_argument("--output", metavar="FILE", help="write here instead of standard output")

    def handle(self, *args, **options):
        if options["action"] == "count":
            status = cli.run_count(options["files"], options["rule"], options["json"], self.stdout)
            if status:
                raise CommandError("some files could not be counted", returncode=status)
        elif options["action"] == "import":
            self._import(options["file"], options["name"])
        elif options["action"] == "export":
            self._export(options["round_id"], options["output"])

    def _import(self, path, name):
        """Parse and import one file, then say what was created and how long it took."""
        from ideas.counting import ParseError, read_file, unknown_rule_note
        from ideas.voting.pabulib_io import import_election

        started = time.monotonic()
        try:
            election = read_file(path)
            report = import_election(election, name=name)
        except (ParseError, ValueError) as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Imported {Path(path).name} as round {report.round.pk} ({report.round.name}): "
            f"{report.projects} projects, {report.ballots} ballots, {report.choices} choices in {elapsed:.1f} s"
        )
        if report.repeats:
            self.stdout.write(f"Dropped {report.repeats} repeated ballot entries (an idea once per ballot).")
        # The same note `pabulib count` gives: an unknown rule is accepted, and counts as greedy (the default).
        note = unknown_rule_note(election)
        if note:
            self.stdout.write(note)

    def _export(self, round_id, output):
        """Write the round's `.pb` text to `output` (UTF-8, LF) or to standard output."""
        from ideas.models import BudgetRound
        from ideas.voting.pabulib_io import export_round

        try:
            budget_round = BudgetRound.objects.get(pk=round_id)
        except BudgetRound.DoesNotExist:
            raise CommandError(f"no round {round_id}") from None
        text = export_round(budget_round)
        if output:
            Path(output).write_text(text, encoding="utf-8", newline="\n")
            self.stdout.write(f"Wrote round {round_id} to {output}")
        else:
            self.stdout.write(text, ending="")
