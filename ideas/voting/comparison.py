"""What the public results page shows beside a count's outcome and explanations, computed once when the round is
counted and stored on the snapshot (RoundResult.comparison): Equal Shares and greedy side by side on the counted
file, the costs that file counted for each idea (both costs for a co-funded one) and participation from the
register. Made by ideas/voting/results.count_round; read by ideas/voting/results_page.py, so that a view of the
results page neither parses the counted `.pb` file nor runs the counting engine.

No model is imported here: the migration that added the field (ideas/migrations/0017_result_comparison.py) fills
it for results counted before it, with these same functions on its historical models. Only plain JSON is stored:
exact amounts as strings ("18000", "12.50"), project ids as the file's strings.
"""

import datetime
from collections import Counter

from django.db.models import Count

from ideas.counting import count_election
from ideas.counting.explain import cofunding

# Bump when the stored shape changes: the results page recomputes (without storing) what it cannot read.
VERSION = 1


def compared_rules(rule):
    """The two rules the page sets side by side: Equal Shares as counted when the round used it (with or without
    completion), else with the add1 completion that municipalities use (Wieliczka, Assen), so that it spends the
    budget the way greedy does; and greedy."""
    return (rule if rule.startswith("equalshares") else "equalshares/add1", "greedy")


def methods(election, rule, counted=None):
    """[{"rule", "completed", "selected": [project ids in funding order]}] for compared_rules(rule), skipping a
    rule that does not apply to this kind of ballot. `counted` (an ideas.counting Count of `election`) is reused
    for its own rule instead of counting again."""
    found = []
    for name in compared_rules(rule):
        try:
            count = (
                counted if counted is not None and counted.rule == name else count_election(election, name)
            )
        except ValueError:  # a rule that does not apply to this kind of ballot
            continue
        found.append({"rule": name, "completed": "add1" in name, "selected": list(count.outcome.selected)})
    return found


def counted_costs(election):
    """{project id: {"cost", "official_cost", "cofunding"}} as the counted file gives them (Decimals): `cost` is
    what the idea cost the budget in the count; the other two are None unless partners co-funded it."""
    cofunded = cofunding(election)
    costs = {}
    for pid, project in election.projects.items():
        official, pledged = cofunded.get(pid, (None, None))
        costs[pid] = {"cost": project.cost, "official_cost": official, "cofunding": pledged}
    return costs


def _text(amount):
    return None if amount is None else str(amount)


def participation(voter_records, ballots, round_id, voting_starts):
    """Who took part, from the register (VoterRecord) and the opened ballots' areas (Ballot), as the results page
    lists it: channels [[code, n]] by code, age bands [[band, n]] by band (ages in the year voting started),
    areas [[name, n]] by name. Both model classes are passed in (current or a migration's historical ones); three
    grouped queries, whatever the number of voters. Ages come from the register, never from ballots: an age on a
    ballot could single out its voter."""
    from ideas.voting.casting import age_band  # plain function; imported here to keep this module model-free

    # The year as the database gives the date back (UTC), whether the round was just saved or read again.
    year = voting_starts.astimezone(datetime.UTC).year
    records = voter_records.objects.filter(round_id=round_id)
    bands = Counter()
    by_year = records.filter(birth_year__isnull=False).values_list("birth_year").annotate(n=Count("id"))
    for birth_year, number in by_year:
        bands[age_band(birth_year, year)] += number
    return {
        "channels": [list(pair) for pair in sorted(records.values_list("channel").annotate(n=Count("id")))],
        "age_bands": [list(pair) for pair in sorted(bands.items())],
        "areas": [
            list(pair)
            for pair in sorted(
                ballots.objects.filter(round_id=round_id, area__isnull=False)
                .values_list("area__name")
                .annotate(n=Count("id"))
            )
        ],
    }


def build(election, rule, taking_part, counted=None):
    """The stored comparison of one count of `election` (the parsed counted file) with `rule`."""
    return {
        "version": VERSION,
        "methods": methods(election, rule, counted),
        "costs": {
            pid: {name: _text(amount) for name, amount in cost.items()}
            for pid, cost in counted_costs(election).items()
        },
        "participation": taking_part,
    }
