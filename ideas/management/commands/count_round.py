"""`manage.py count_round ROUND_ID [--rule RULE] [--key-file FILE] [--publish]`: count a round through the same
front door as the voting desk (ideas/voting/closing.start_count: the same checks, the opening of the sealed ballot
box with the election commission's private key, the same audit entry), then print the outcome. The count is a
private preview, as at the desk, unless `--publish` publishes it at once (ideas/voting/results.publish_results)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ideas.counting import RULES
from ideas.models import BudgetRound, RoundResult
from ideas.voting.closing import CannotCount, start_count
from ideas.voting.pabulib_io import DEFAULT_RULE
from ideas.voting.results import publish_results, summary_lines


class Command(BaseCommand):
    """Counts one round (each area separately when the round has a ballot per area) and prints the outcome."""

    help = (
        "Count a budget round's ballots into a result snapshot (a private preview); with --publish, publish it "
        "and mark the selected ideas."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int, metavar="ROUND_ID")
        parser.add_argument(
            "--rule", choices=RULES, default=DEFAULT_RULE, help="counting rule (default: greedy)"
        )
        parser.add_argument(
            "--key-file",
            type=Path,
            help="the election commission's private key (saved at the key ceremony); needed while the box is sealed",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the count at once (residents see it; ideas on the ballot become selected or not)",
        )

    def handle(self, *args, **options):
        try:
            budget_round = BudgetRound.objects.get(pk=options["round_id"])
        except BudgetRound.DoesNotExist:
            raise CommandError(f"no round {options['round_id']}") from None
        private_key = None
        if options["key_file"]:
            try:
                private_key = options["key_file"].read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"cannot read the key file: {error}") from error
        try:
            job = start_count(budget_round, options["rule"], None, private_key, in_background=False)
        except CannotCount as refused:
            raise CommandError(str(refused)) from refused
        results = list(RoundResult.objects.filter(pk__in=job.result_ids).select_related("area", "round"))
        for result in results:
            for line in summary_lines(result):
                self.stdout.write(line)
        if options["publish"]:
            publish_results(budget_round, results, None)
            self.stdout.write("Published.")
        else:
            self.stdout.write(
                "Not published yet: publish it at the voting desk, or count again with --publish."
            )
