"""`manage.py count_round ROUND_ID [--rule RULE]`: count a round, store the immutable result snapshot and mark
the ideas selected / not selected; the work is done by ideas/voting/results.py."""

from django.core.management.base import BaseCommand, CommandError

from ideas.counting import RULES
from ideas.models import BudgetRound
from ideas.voting.results import count_round, summary_lines


class Command(BaseCommand):
    """Counts one round (each area separately when the round has a ballot per area) and prints the outcome."""

    help = "Count a budget round's ballots, publish the result snapshot and mark the selected ideas."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int, metavar="ROUND_ID")
        parser.add_argument("--rule", choices=RULES, help="counting rule (default: greedy)")

    def handle(self, *args, **options):
        try:
            budget_round = BudgetRound.objects.get(pk=options["round_id"])
        except BudgetRound.DoesNotExist:
            raise CommandError(f"no round {options['round_id']}") from None
        if budget_round.ballot_scope == BudgetRound.BallotScope.AREA:
            areas = [area_budget.area for area_budget in budget_round.area_budgets.select_related("area")]
        else:
            areas = [None]
        for area in areas:
            result = count_round(budget_round, rule=options["rule"], area=area)
            for line in summary_lines(result):
                self.stdout.write(line)
