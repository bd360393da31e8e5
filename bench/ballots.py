"""Ballot submissions per second on PostgreSQL: our cast() (eligibility, rules, sealing with the round's public key,
register, row locks) against a baseline of plain inserts of the same rows (a register row and an envelope of the
same size, unsealed), measured in the same run on a throwaway test database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kopa .venv/bin/python bench/ballots.py [--ballots 400]

Prints ballots per second (median of three rounds) for each, sequentially and with 4 threads, and the ratio.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=400, help="ballots per measured round (default 400)")
    parser.add_argument("--threads", type=int, default=4)
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: row locks and concurrency are what is measured.")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(options, connections)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(options, connections):
    from django.core.management import call_command

    from ideas.models import CensusEntry, Channel, SealedBallot, VoterRecord
    from ideas.voting import keys
    from ideas.voting.casting import cast
    from tests.factories import make_idea
    from tests.ideas.voters import home_area, voting_round

    call_command("load_demo", "--no-users", verbosity=0)
    budget_round = voting_round(total_budget=Decimal("100000"))
    area = home_area()
    ideas = [make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(4000 + n)) for n in range(30)]
    counter = iter(range(10**9))
    # Everyone who will vote is on the census list beforehand (eligibility is checked at every cast).
    people = [
        keys.person_key(f"{number % 1_000_000:06d}-{number // 1_000_000 + 10000:05d}")
        for number in range(options.ballots * 12 + 10)
    ]
    CensusEntry.objects.bulk_create(
        [CensusEntry(person_key=person, area=area, birth_year=1980) for person in people], batch_size=2000
    )

    def ours():
        number = next(counter)
        person = people[number]
        choices = {ideas[(number + k) % 30].pk: 1 for k in range(5)}
        cast(budget_round, person, channel=Channel.ONLINE, choices=choices)

    def baseline():
        # The same rows, inserted without rules, keys or locks.
        number = next(counter)
        VoterRecord.objects.create(
            round=budget_round, voter_key=f"b{number}", channel="online", voted_on="2026-01-01"
        )
        SealedBallot.objects.create(
            round=budget_round, lookup=f"b{number}", sealed=bytes(4096 + 48), fingerprint=f"b{number}"
        )

    def per_second(job, threads):
        per_thread = options.ballots // threads

        def worker():
            try:
                for _ in range(per_thread):
                    job()
            finally:
                connections.close_all()

        workers = [threading.Thread(target=worker) for _ in range(threads)]
        started = time.perf_counter()
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        return per_thread * threads / (time.perf_counter() - started)

    print(f"{'case':<28}{'threads':>8}{'ballots/s':>12}{'baseline/s':>12}{'ratio':>8}")
    for threads in (1, options.threads):
        ours_rates = [per_second(ours, threads) for _ in range(3)]
        base_rates = [per_second(baseline, threads) for _ in range(3)]
        ours_median, base_median = statistics.median(ours_rates), statistics.median(base_rates)
        print(
            f"{'cast() vs plain inserts':<28}{threads:>8}{ours_median:>12.0f}{base_median:>12.0f}"
            f"{ours_median / base_median:>8.2f}"
        )
    print(f"sealed ballots stored: {SealedBallot.objects.filter(round=budget_round).count()}")


if __name__ == "__main__":
    main()
