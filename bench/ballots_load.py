"""Ballots over HTTP at a fixed rate as served in production (gunicorn, 2 workers, PostgreSQL, Redis): an
open-loop load on the API's ballot endpoint, then a check in SQL of what the ballot box holds.

    .venv/bin/python bench/ballots_load.py [--rate 50] [--seconds 300] [--database-url postgres://...]

Serves a copy of the demo database (bench/serving.py; built once, then a copy per run, dropped at the end). Before
the load, directly in the database: a round in its voting phase with counting keys (as tests/ideas/voters.py
`voting_round` makes them) and 30 ideas on its ballot, and one voter per planned first ballot, each with a
verified e-mail address, a confirmed person on the census list (ideas/voting/eligibility.py) and an API token.

The load: `PUT /api/v1/rounds/{id}/ballot/` sent at --rate per second for --seconds on a fixed schedule, whatever
the responses (a sender thread hands each request to a pool of --concurrency threads at its planned moment;
latency is measured from that moment, so time spent waiting for a free thread counts). Most requests are first
ballots within the budget; --changes of them replace an earlier voter's ballot; --invalid are over the budget and
must be refused with 400 (half by new voters, who then never vote; half as changes, which leave the ballot before).
Every request comes through a pretend proxy (TRUSTED_PROXY_COUNT=1) with an X-Forwarded-For address shared by
--voters-per-address voters, as from homes and libraries; no limit is raised for the benchmark.

Then, in SQL and with the round's private key: exactly one sealed ballot per voter record, as many voter records
as voters who got a 2xx, each voter's stored ballot one they were answered with, no ballot over the budget. Prints
the achieved rate, latency p50/p95/p99, errors, and PASS/FAIL for the rate sustained (>= 98 % of --rate),
p95 <= 150 ms and 0 errors. Exit status 1 when one fails.
"""

import argparse
import bisect
import contextlib
import http.client
import json
import math
import queue
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import serving

P95_TARGET_MS = 150
RATE_SHARE = 0.98  # the achieved rate that counts as sustaining --rate
MAX_CHANGES = 2  # per voter, well inside ideas/limits.py ACTION_LIMITS["ballot_change"]


@dataclass
class Job:
    at: float  # seconds after the start
    voter: int
    kind: str  # "first", "change", "over_budget"
    choices: list


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50, help="ballots per second (default 50)")
    parser.add_argument("--seconds", type=float, default=300, help="length of the load (default 300)")
    parser.add_argument("--changes", type=float, default=0.10, help="share of ballot changes (default 0.10)")
    parser.add_argument(
        "--invalid", type=float, default=0.01, help="share of over-budget ballots (default 0.01)"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="sending threads (default 100)")
    parser.add_argument(
        "--voters-per-address", type=int, default=3, help="voters sharing an address (default 3)"
    )
    parser.add_argument(
        "--drain", type=float, default=30, help="seconds to finish sending after the last planned moment"
    )
    parser.add_argument("--seed", type=int, default=2026)
    serving.add_server_arguments(parser, redis_db=13)
    options = parser.parse_args()

    sys.exit(0 if serving.on_demo_copy(options, run) else 1)


def plan(options, ideas, budget):
    """The schedule: (moment, voter, kind, choices) of every request; voters numbered in order of first use."""
    rng = random.Random(options.seed)
    costs = {idea.pk: idea.net_cost for idea in ideas}
    by_cost = sorted(costs, key=costs.get, reverse=True)

    def within_budget():
        chosen, total = [], Decimal(0)
        for pk in rng.sample(list(costs), rng.randint(1, 8)):
            if total + costs[pk] <= budget:
                chosen.append(pk)
                total += costs[pk]
        return chosen

    over = by_cost[:5]
    assert sum(costs[pk] for pk in over) > budget, "the five dearest ideas must exceed the budget"
    jobs, changes, voters = [], Counter(), 0
    voted = []  # (moment of the first ballot, voter) of voters whose first ballot is valid, in order
    for number in range(round(options.rate * options.seconds)):
        at = number / options.rate
        draw = rng.random()
        # A voter whose first ballot was planned at least a second earlier may change it.
        ready = bisect.bisect_right(voted, (at - 1, math.inf))
        earlier = voted[rng.randrange(ready)][1] if ready else None
        if draw < options.invalid:
            # Half by a voter who has voted (the ballot before must stay), half by a new one (refused, so never
            # in the register).
            if number % 2 and earlier is not None:
                jobs.append(Job(at, earlier, "over_budget", over))
            else:
                jobs.append(Job(at, voters, "over_budget", over))
                voters += 1
        elif (
            draw < options.invalid + options.changes
            and earlier is not None
            and changes[earlier] < MAX_CHANGES
        ):
            changes[earlier] += 1
            jobs.append(Job(at, earlier, "change", within_budget()))
        else:
            voted.append((at, voters))
            jobs.append(Job(at, voters, "first", within_budget()))
            voters += 1
    return jobs, voters


def prepare_round():
    """A round in its voting phase with counting keys (tests/ideas/voters.py `voting_round`; the private key,
    which the server never keeps, is on the object as `test_private_key`) and 30 ideas on its ballot."""
    from tests.factories import make_idea
    from tests.ideas.voters import voting_round

    budget_round = voting_round(name="Bench: ballots under load", total_budget=Decimal("100000"))
    for n in range(30):
        make_idea(
            budget_round, status="on_ballot", title=f"Bench idea {n}", estimated_cost=Decimal(3000 + 1000 * n)
        )
    return budget_round, list(budget_round.ideas.order_by("pk"))


def prepare_voters(budget_round, count):
    """`count` voters who may vote online, written directly to the database: a verified e-mail address, a
    person confirmed in person and on the census list (ideas/voting/eligibility.py), an API token.
    Returns [(person key, token)]."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from ideas.models import CensusEntry, ResidentProfile
    from ideas.voting import keys
    from tests.ideas.voters import home_area

    area, now, tag = home_area(), timezone.now(), f"bench{budget_round.pk}"
    # Personal codes starting with 99 (no such day): never one of the demo's people. Each run its own block of
    # codes: a copy of the template gives the round the same id every run, and the ballot-change limit of a
    # person (Redis, an hour) must not remember the last run's changes.
    block = secrets.randbelow(10000)
    people = [
        keys.person_key(f"99{(block + n // 100000) % 10000:04d}-{n % 100000:05d}") for n in range(count)
    ]
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{tag}-{n}", email=f"{tag}-{n}@bench.invalid", password="!") for n in range(count)],
        batch_size=2000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
        batch_size=2000,
    )
    CensusEntry.objects.bulk_create(
        [
            CensusEntry(person_key=person, area=area, birth_year=1940 + n % 60)
            for n, person in enumerate(people)
        ],
        batch_size=2000,
    )
    ResidentProfile.objects.bulk_create(
        [
            ResidentProfile(
                user=user,
                display_name=f"Voter {n}",
                person_key=person,
                residency=ResidentProfile.Residency.IN_PERSON,
                residency_area=area,
                confirmed_birth_year=1940 + n % 60,
                privacy_consent_at=now,
            )
            for n, (user, person) in enumerate(zip(users, people, strict=True))
        ],
        batch_size=2000,
    )
    tokens = Token.objects.bulk_create(
        [Token(key=secrets.token_hex(20), user=user) for user in users], batch_size=2000
    )
    return [(person, token.key) for person, token in zip(people, tokens, strict=True)]


def cleanup(budget_round, voters):
    """Remove what prepare_round() and prepare_voters() wrote (only for --database-url: a copy is dropped whole)."""
    from django.contrib.auth import get_user_model

    from ideas.models import CensusEntry, SealedBallot, VoterRecord

    SealedBallot.objects.filter(round=budget_round).delete()
    VoterRecord.objects.filter(round=budget_round).delete()
    CensusEntry.objects.filter(person_key__in=[person for person, _token in voters]).delete()
    get_user_model().objects.filter(username__startswith=f"bench{budget_round.pk}-").delete()
    budget_round.ideas.all().delete()
    budget_round.delete()


def send(base, path, token, address, body):
    """(status, body) of one PUT on a fresh connection (gunicorn's sync workers close each one anyway)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(
            "PUT",
            path,
            body=body,
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-Forwarded-For": address,
            },
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def address_of(voter, per_address):
    n = voter // per_address
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def load(base, budget_round, jobs, voters, options):
    """Send every job at its moment; returns the start and, per job, (planned moment, start, end, status, body
    or error), or None for a job never sent: still waiting for a free thread --drain seconds after the last
    planned moment, when the server has fallen that far behind."""
    path = f"/api/v1/rounds/{budget_round.pk}/ballot/"
    work, results = queue.Queue(), [None] * len(jobs)

    def worker():
        while (item := work.get()) is not None:
            index, planned = item
            job = jobs[index]
            person_token = voters[job.voter][1]
            body = json.dumps({"choices": [{"idea": pk} for pk in job.choices]})
            started = time.perf_counter()
            try:
                status, answer = send(
                    base, path, person_token, address_of(job.voter, options.voters_per_address), body
                )
            except OSError as error:
                status, answer = None, repr(error).encode()
            results[index] = (planned, started, time.perf_counter(), status, answer)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(options.concurrency)]
    for thread in threads:
        thread.start()
    start = time.perf_counter() + 0.5
    for index, job in enumerate(jobs):
        planned = start + job.at
        if (wait := planned - time.perf_counter()) > 0:
            time.sleep(wait)
        work.put((index, planned))
    deadline = time.perf_counter() + options.drain
    while time.perf_counter() < deadline and not work.empty():
        time.sleep(0.1)
    with contextlib.suppress(queue.Empty):
        while True:
            work.get_nowait()  # never sent
    for _thread in threads:
        work.put(None)
    for thread in threads:
        thread.join(timeout=60)  # a request in flight ends within its 30 s socket timeout
    return start, results


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def check_box(budget_round, ideas, voters, jobs, results):
    """The ballot box after the load, in SQL (and opened with the round's private key): [(check, passed, detail)]."""
    from django.db import connection

    from ideas.models import SealedBallot, VoterRecord
    from ideas.voting import keys, sealing

    answered = defaultdict(set)  # voter -> fingerprints they were given with a 2xx
    # Voters with a request sent but never answered (a timeout on an overloaded server): it may still have been
    # cast, so they may be in the register, holding a ballot nobody was answered with.
    unknown_outcome = set()
    for job, result in zip(jobs, results, strict=True):
        if result and result[3] and 200 <= result[3] < 300:
            answered[job.voter].add(json.loads(result[4])["fingerprint"])
        elif result and result[3] is None:
            unknown_outcome.add(job.voter)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(DISTINCT voter_key) FROM {VoterRecord._meta.db_table} WHERE round_id = %s",
            [budget_round.pk],
        )
        records, distinct_records = cursor.fetchone()
        cursor.execute(
            f"SELECT lookup, fingerprint, sealed FROM {SealedBallot._meta.db_table} WHERE round_id = %s",
            [budget_round.pk],
        )
        envelopes = cursor.fetchall()
        cursor.execute(
            f"SELECT voter_key FROM {VoterRecord._meta.db_table} WHERE round_id = %s", [budget_round.pk]
        )
        register = {row[0] for row in cursor.fetchall()}
    stored = {lookup: fingerprint for lookup, fingerprint, _sealed in envelopes}
    expected_lookups = {keys.ballot_lookup(budget_round.pk, voters[v][0]): v for v in answered}
    expected_register = {keys.register_key(budget_round.pk, voters[v][0]) for v in answered}
    maybe_register = {keys.register_key(budget_round.pk, voters[v][0]) for v in unknown_outcome}
    maybe_lookups = {keys.ballot_lookup(budget_round.pk, voters[v][0]) for v in unknown_outcome}
    not_answered = [
        v
        for lookup, v in expected_lookups.items()
        if lookup in stored and stored[lookup] not in answered[v] and v not in unknown_outcome
    ]
    # Pair register rows and envelopes through the people behind them (only the bench knows who they are): a
    # row without its envelope, an envelope without its row, or either of nobody the bench sent, is unpaired.
    pairs = {
        keys.register_key(budget_round.pk, person): keys.ballot_lookup(budget_round.pk, person)
        for person, _token in voters
    }
    paired = {key for key in register if pairs.get(key) in stored}
    unpaired = len(register - paired) + len(set(stored) - {pairs[key] for key in paired})

    private = sealing.check_private_key(budget_round.test_private_key, budget_round.counting_public_key)
    costs = {idea.pk: idea.net_cost for idea in ideas}
    over = unknown = 0
    for _lookup, _fingerprint, sealed in envelopes:
        choices = sealing.unseal(private, bytes(sealed))
        unknown += any(pk not in costs for pk in choices)
        over += sum(costs.get(pk, 0) for pk in choices) > budget_round.total_budget

    return [
        (
            "one sealed ballot per voter record",
            records == distinct_records == len(envelopes) == len(stored) and not unpaired,
            f"{records} voter records ({distinct_records} distinct), {len(envelopes)} sealed ballots "
            f"({len(stored)} distinct), {unpaired} unpaired",
        ),
        (
            "voter records = voters answered 2xx",
            expected_register <= register <= expected_register | maybe_register
            and set(expected_lookups) <= set(stored) <= set(expected_lookups) | maybe_lookups,
            f"{records} records, {len(answered)} voters answered 2xx"
            + (
                f" (+ {len(register & maybe_register - expected_register)} of {len(unknown_outcome)} voters "
                "whose request got no answer)"
                if unknown_outcome
                else ""
            ),
        ),
        (
            "each stored ballot is one its voter was answered with",
            not not_answered,
            f"{len(not_answered)} voters hold a ballot they were never answered with",
        ),
        (
            "no ballot over the budget",
            over == 0 and unknown == 0,
            f"{over} over, {unknown} with unknown ideas",
        ),
    ]


def run(options, database_url):
    env = serving.server_env(
        serving.with_conn_max_age(database_url, options.conn_max_age),
        options.redis_url,
        TRUSTED_PROXY_COUNT="1",
    )
    serving.setup_django(env)
    serving.collectstatic(env)
    prepared_at = time.monotonic()
    budget_round, voters = None, []
    try:
        budget_round, ideas = prepare_round()
        # One voter per planned first ballot, so the plan (with the ideas' costs) comes first.
        jobs, voter_count = plan(options, ideas, budget_round.total_budget)
        voters = prepare_voters(budget_round, voter_count)
        kinds = Counter(job.kind for job in jobs)
        print(
            f"Prepared a voting round ({len(ideas)} ideas, budget {budget_round.total_budget:.0f} EUR) and "
            f"{len(voters)} eligible voters in {time.monotonic() - prepared_at:.0f} s; {len(jobs)} requests planned: "
            + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        )
        return load_and_report(options, env, budget_round, ideas, voters, jobs)
    finally:
        if options.database_url and budget_round is not None:
            cleanup(budget_round, voters)


def load_and_report(options, env, budget_round, ideas, voters, jobs):
    log_path = Path(tempfile.mkdtemp(prefix="kopa-bench-ballots-")) / "gunicorn.log"
    process, base = serving.start_gunicorn(env, options.workers, log_path)
    try:
        # Each worker answers once before the clock starts (imports, first queries): a GET reads a receipt only.
        for voter in range(min(len(voters), 4 * options.workers)):
            serving.get(
                f"{base}/api/v1/rounds/{budget_round.pk}/ballot/",
                {"Authorization": f"Token {voters[voter][1]}", "X-Forwarded-For": address_of(voter, 1)},
            )
        print(
            f"Load: {options.rate:g} ballots/s for {options.seconds:g} s, open loop, {options.concurrency} threads; "
            f"{serving.machine_load()}"
        )
        cpu = serving.server_cpu_seconds(process)
        start, results = load(base, budget_round, jobs, voters, options)
        cpu = serving.server_cpu_seconds(process) - cpu
        print(f"  after the load: {serving.machine_load()}")
    finally:
        serving.stop_gunicorn(process)
    tracebacks = serving.server_errors(log_path)

    expected = {"first": 200, "change": 200, "over_budget": 400}
    statuses, errors = Counter(), Counter()
    for job, result in zip(jobs, results, strict=True):
        if result is None:
            errors[f"not sent: the server was over {options.drain:g} s behind the schedule"] += 1
            continue
        status = result[3]
        statuses[(job.kind, status)] += 1
        if status is None:
            errors[result[4].decode()[:80]] += 1
        elif status != expected[job.kind]:
            errors[f"{job.kind}: HTTP {status} {result[4][:120].decode(errors='replace')}"] += 1
    done = [result for result in results if result is not None]
    latencies = [(end - planned) * 1000 for planned, _started, end, _status, _body in done]
    service = [(end - started) * 1000 for _planned, started, end, _status, _body in done]
    last = max(end for _planned, _started, end, _status, _body in done)
    achieved = len(done) / (last - start)
    windows = Counter(int((end - start) // 10) for _planned, _started, end, _status, _body in done)
    full_windows = [windows[n] / 10 for n in range(int(options.seconds // 10))]
    p50, p95, p99 = (percentile(latencies, share) for share in (0.50, 0.95, 0.99))

    print(
        f"requests sent {len(jobs)}, answered {len(done)}; achieved {achieved:.1f}/s (target {options.rate:g}/s)"
    )
    if full_windows:
        print(f"answers per second in 10 s windows: min {min(full_windows):.1f}, max {max(full_windows):.1f}")
    print(
        f"latency from the planned moment: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, "
        f"max {max(latencies):.0f} ms; from sending p50 {statistics.median(service):.0f} ms, "
        f"p95 {percentile(service, 0.95):.0f} ms"
    )
    print(
        f"gunicorn CPU per answer {cpu * 1000 / len(done):.1f} ms (the database's not included; steadier than the "
        "rate on a busy machine)"
    )
    print(
        "answers: "
        + ", ".join(
            f"{kind} {status}: {count}" for (kind, status), count in sorted(statuses.items(), key=str)
        )
    )
    if tracebacks:
        errors[f"tracebacks or worker timeouts in {log_path}"] += tracebacks
    for error, count in errors.most_common(10):
        print(f"  error x{count}: {error}")

    checks = [
        (f"{options.rate:g} ballots/s sustained", achieved >= RATE_SHARE * options.rate, f"{achieved:.1f}/s"),
        (f"p95 <= {P95_TARGET_MS} ms", p95 <= P95_TARGET_MS, f"{p95:.0f} ms"),
        ("0 errors", not errors, f"{sum(errors.values())} errors"),
        *check_box(budget_round, ideas, voters, jobs, results),
    ]
    print()
    for name, passed, detail in checks:
        print(f"{name:<56}{'PASS' if passed else 'FAIL'}  {detail}")
    print(f"gunicorn log: {log_path}")
    return all(passed for _name, passed, _detail in checks)


if __name__ == "__main__":
    main()
