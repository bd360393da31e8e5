"""Demo data of a finished vote (part of `manage.py load_demo`, called from ideas/demo.py): the round
"Zaļāka apkaime 2025" with ideas on the ballot, 150 secret ballots from the three channels in one register, and
a published count with the Method of Equal Shares, so that the results page and the voting desk have something
to show. Idempotent like the rest of the demo: nothing is added when the round exists.

The vote runs through the real path: the round gets counting keys (the demo's private key is kept only in
memory), the made-up voters are put on the census list and cast sealed ballots online, with handed-out codes and
(when the demo staff users exist) on paper while the round's voting is open; then voting closes and the count
opens the ballot box with the private key (ideas/voting/closing.start_count). That count also stores what the
results page shows beside the outcome (RoundResult.comparison: Equal Shares against greedy, counted costs,
participation), so the demo's results page never recounts either.

The people are made up: synthetic personal codes, kept only as keyed hashes like real ones.

Co-funding: before the vote, the verified demo business "SIA Zaļais Ritenis" (ideas/demo_partners.py) pledges
money on the bicycle shelter at the station and the system confirms it through the pledge services
(ideas/partners/pledges.py, user None), so the ballot and the count use the shelter's lower cost to the budget
and the results page explains that the co-funding got it funded; once the results are out the pledge is
marked fulfilled.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from ideas.demo_partners import demo_organisations
from ideas.models import (
    Area,
    BudgetRound,
    Category,
    CensusEntry,
    Channel,
    Idea,
    Pledge,
    PollingPlace,
    StatusChange,
)
from ideas.partners.pledges import confirm_pledge, fulfil_pledge, offer_pledge
from ideas.statuses import Status
from ideas.voting import ballot_box, codes, keys, paper
from ideas.voting.casting import cast
from ideas.voting.closing import start_count
from ideas.voting.results import publish_results

ROUND_NAME = "Zaļāka apkaime 2025"
BUDGET = Decimal("62500")
VOTERS = 150
# The co-funded idea (its title in IDEAS), the demo organisation that backs it and the money it gives: without
# it the shelter (24 000 €) is not funded by the count; with it, it costs the budget 21 000 € and is.
COFUNDED_TITLE = "Velonovietnes pie stacijas"
COFUNDING_ORGANISATION = "velo"
COFUNDING = Decimal("3000")

PAGE = {
    "lv": {
        "title": "Līdzdalības budžets: Zaļāka apkaime 2025",
        "slug": "zalaka-apkaime-2025",
        "intro": "<p>Iedzīvotāji nobalsoja par idejām, ko pašvaldība atzina par īstenojamām. Šeit redzams, kuras "
        "idejas saņēma finansējumu un kāpēc.</p>",
    },
    "en": {
        "title": "Participatory budget: Greener neighbourhood 2025",
        "slug": "greener-neighbourhood-2025",
        "intro": "<p>Residents voted on the ideas the municipality found feasible. Here you can see which ideas "
        "were funded, and why.</p>",
    },
}

# (area, category, cost, title, summary, how popular it is among the made-up voters: 0..1)
IDEAS = [
    (
        "kekava",
        "greenery",
        18000,
        "Ābeļu dārzs pie Ķekavas skolas",
        "Divdesmit ābeles un soliņi skolas pagalmā.",
        0.62,
    ),
    (
        "kekava",
        "green-mobility",
        24000,
        "Velonovietnes pie stacijas",
        "Jumta nojume četrdesmit velosipēdiem.",
        0.55,
    ),
    ("balozi", "recreation", 15000, "Āra trenažieri Baložu parkā", "Seši trenažieri visiem vecumiem.", 0.48),
    (
        "balozi",
        "environment",
        6000,
        "Šķirošanas stacija pie ezera",
        "Konteineri stiklam, papīram un plastmasai.",
        0.35,
    ),
    (
        "baldone",
        "greenery",
        12000,
        "Puķu pļava Baldones centrā",
        "Vietējo savvaļas puķu pļava zāliena vietā.",
        0.41,
    ),
    (
        "baldone",
        "recreation",
        21000,
        "Dabas taka gar Ķekaviņu",
        "Laipas un informācijas stendi 1,2 km garumā.",
        0.44,
    ),
    (
        "daugmales-pagasts",
        "community",
        9000,
        "Kopienas dārzs Daugmalē",
        "Dobes, instrumentu nojume un lietus ūdens muca.",
        0.30,
    ),
    (
        "kekavas-pagasts",
        "green-mobility",
        14000,
        "Gājēju pāreja ar apgaismojumu",
        "Droša pāreja pie autobusa pieturas.",
        0.38,
    ),
    (
        "balozi",
        "environment",
        2500,
        "Putnu būrīši Baložu mežaparkā",
        "Trīsdesmit būrīši un skaidrojošs stends.",
        0.50,
    ),
]


def _at(days):
    today = timezone.localdate()
    return timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(9))
    )


def load_past_round():
    """Create the counted demo round when missing; return it (ideas/demo.py gives it a page, PAGE)."""
    budget_round = BudgetRound.objects.filter(name=ROUND_NAME).first()
    if budget_round is None:
        # Voting is open while the demo votes, then closes: every ballot goes through the services.
        budget_round = BudgetRound.objects.create(
            name=ROUND_NAME,
            total_budget=BUDGET,
            max_cost_per_idea=Decimal("30000"),
            submission_starts=_at(-200),
            review_starts=_at(-150),
            support_starts=_at(-110),
            voting_starts=_at(-60),
            results_published=_at(1),
            implementation_starts=_at(60),
        )
        place = PollingPlace.objects.create(round=budget_round, name="Baldones pagasta pārvalde")
        private_key = ballot_box.make_counting_keys(budget_round, None)
        budget_round.refresh_from_db()
        ideas = _ideas(budget_round)
        pledge = _cofunding(ideas)
        _ballots(budget_round, ideas, place)
        budget_round.results_published = _at(-30)
        budget_round.save(update_fields=["results_published"])
        job = start_count(budget_round, "equalshares/add1", None, private_key, in_background=False)
        # The count is a private preview until published, as at the voting desk.
        publish_results(budget_round, budget_round.results.filter(pk__in=job.result_ids), None)
        # The results are out: the business paid what it pledged.
        fulfil_pledge(None, pledge, "Maksājums saņemts.")
    return budget_round


def _cofunding(ideas):
    """The demo business's confirmed money pledge on the shelter, through the services as the system (user None:
    the round's voting is already open, which would stop a person); the idea's co-funding follows."""
    idea = next(idea for idea, _popularity in ideas if idea.title == COFUNDED_TITLE)
    organisation = demo_organisations()[COFUNDING_ORGANISATION]
    pledge = offer_pledge(
        None,
        organisation,
        idea,
        kind=Pledge.Kind.MONEY,
        amount=COFUNDING,
        description="Līdzfinansējums velonovietņu jumtam un statīviem.",
    )
    confirm_pledge(None, pledge, "Līgums parakstīts.")
    idea.refresh_from_db()
    return pledge


def _ideas(budget_round):
    areas = {area.code: area for area in Area.objects.filter(locale__language_code="lv")}
    categories = {category.code: category for category in Category.objects.filter(locale__language_code="lv")}
    ideas = []
    for area, category, cost, title, summary, popularity in IDEAS:
        idea = Idea.objects.create(
            round=budget_round,
            # No author (shown as a former resident): the demo's residents would otherwise get an e-mail for
            # each status the count sets, in the middle of `make run`.
            author=None,
            title=title,
            summary=summary,
            description=summary,
            category=categories[category],
            area=areas[area],
            estimated_cost=Decimal(cost),
            official_cost=Decimal(cost),
            language="lv",
            status=Status.ON_BALLOT,
            submitted_at=budget_round.submission_starts,
            published_at=budget_round.review_starts,
        )
        for previous, status, role in (
            (Status.DRAFT, Status.SUBMITTED, "author"),
            (Status.SUBMITTED, Status.PUBLISHED, "moderator"),
            (Status.PUBLISHED, Status.UNDER_ASSESSMENT, "staff"),
            (Status.UNDER_ASSESSMENT, Status.FEASIBLE, "staff"),
            (Status.FEASIBLE, Status.ON_BALLOT, "staff"),
        ):
            StatusChange.objects.create(idea=idea, from_status=previous, to_status=status, role=role)
        ideas.append((idea, popularity))
    return ideas


def _ballots(budget_round, ideas, place):
    """Made-up voters on the census list choosing popular ideas within the budget: six in ten online, three with
    a code, one on paper (typed in by the demo moderator and confirmed by the administrator, when they exist)."""
    rng = random.Random(2025)  # the same demo every time
    areas = list(Area.objects.filter(locale__language_code="lv").order_by("code"))
    staff = list(get_user_model().objects.filter(username__in=["moderator", "admin"]).order_by("username"))
    channels = [Channel.ONLINE] * 6 + [Channel.CODE] * 3 + [Channel.PAPER]
    code_cards = iter(codes.make_batch(budget_round, VOTERS, "Demo"))
    for number in range(VOTERS):
        chosen, total = {}, Decimal(0)
        for idea, popularity in sorted(ideas, key=lambda pair: rng.random() - pair[1]):
            # As the ballot counts it: what the idea costs the budget after co-funding.
            if rng.random() < popularity and total + idea.net_cost <= BUDGET:
                chosen[idea.pk] = 1
                total += idea.net_cost
        if not chosen:
            continue
        birth_year = rng.randint(1945, 2007)
        personal_code = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{birth_year % 100:02d}-{number:05d}"
        person = keys.person_key(personal_code)
        CensusEntry.objects.get_or_create(
            person_key=person, defaults={"area": areas[number % len(areas)], "birth_year": birth_year}
        )
        channel = channels[number % len(channels)]
        if channel == Channel.PAPER and len(staff) == 2:
            paper.register_paper_voter(budget_round, personal_code, place)
            entry = paper.enter(budget_round, chosen, staff[1], place)
            paper.confirm(entry, staff[0])
        elif channel == Channel.CODE:
            code = next(code_cards)
            codes.hand_out(budget_round, code, personal_code)
            codes.vote_with_code(budget_round, keys.code_hash(code), chosen)
        else:
            cast(budget_round, person, channel=Channel.ONLINE, choices=chosen)
    codes.void_unused(budget_round, "Demo")
