"""Test support for the vote: rounds with counting keys, people on the census list, residents whose person is
confirmed, and opening and counting a round. Tests of identity itself (eID, staff in person) are in
test_identity.py; here a confirmed person is set on the profile directly."""

import datetime
from decimal import Decimal

from django.utils import timezone

from ideas.models import Area, CensusEntry, ResidentProfile
from ideas.phases import Phase
from ideas.voting import ballot_box, keys
from tests.factories import round_in_phase, verified_resident


def home_area():
    return Area.objects.filter(locale__language_code="lv").order_by("pk").first()


def voting_round(phase=Phase.VOTING, **fields):
    """A round in `phase` whose counting keys were made while voting had not started; the private key, which
    the server never keeps, is handed back on the round as `test_private_key`."""
    fields.setdefault("total_budget", Decimal("100000"))
    budget_round = round_in_phase(Phase.SUPPORT, **fields)
    private_key = ballot_box.make_counting_keys(budget_round, None)
    budget_round.refresh_from_db()
    if phase != Phase.SUPPORT:
        moved = round_in_phase(phase, name="dates")
        for name in ("submission_starts", "review_starts", "support_starts", "voting_starts"):
            setattr(budget_round, name, getattr(moved, name))
        budget_round.results_published = moved.results_published
        budget_round.implementation_starts = moved.implementation_starts
        budget_round.save()
        moved.delete()
    budget_round.test_private_key = private_key
    return budget_round


def on_census(personal_code, area=None, birth_year=1980):
    """Put a person on the census list; returns their person key."""
    person = keys.person_key(personal_code)
    CensusEntry.objects.update_or_create(
        person_key=person, defaults={"area": area or home_area(), "birth_year": birth_year}
    )
    return person


def confirmed_resident(username, personal_code, area=None, birth_year=1980, census=True, **fields):
    """A verified resident whose person is confirmed (as eID or staff would) and, by default, on the census."""
    user = verified_resident(username, **fields)
    if census:
        on_census(personal_code, area, birth_year)
    ResidentProfile.objects.update_or_create(
        user=user,
        defaults={
            "display_name": username.title(),
            "person_key": keys.person_key(personal_code),
            "residency": ResidentProfile.Residency.IN_PERSON,
            "residency_area": area or home_area(),
            "confirmed_birth_year": birth_year,
        },
    )
    return user


def close_and_open(budget_round):
    """Close voting (results phase now) and open the ballot box with the round's private key."""
    budget_round.results_published = timezone.now() - datetime.timedelta(seconds=1)
    budget_round.save(update_fields=["results_published"])
    return ballot_box.open_ballot_box(budget_round, budget_round.test_private_key, None)


def area_round(phase=Phase.VOTING, amount=Decimal("10000"), **fields):
    """A round with a ballot per area (made with voting_round): the first two areas, each with a budget of
    `amount`. Returns the round and the two areas."""
    from ideas.models import AreaBudget, BudgetRound

    budget_round = voting_round(phase, ballot_scope=BudgetRound.BallotScope.AREA, **fields)
    areas = list(Area.objects.filter(locale__language_code="lv").order_by("pk")[:2])
    for area in areas:
        AreaBudget.objects.create(round=budget_round, area=area, amount=amount)
    return budget_round, areas


def child_birth_year(age=11):
    """The birth year of someone `age` years old this year (under every round's minimum voting age)."""
    return timezone.now().year - age


def sealed_choices(budget_round):
    """What the round's sealed envelopes hold, opened with the round's private key without touching the box:
    a sorted list of sorted [(idea id, points)] lists, one per envelope."""
    from ideas.models import SealedBallot
    from ideas.voting import sealing

    private = sealing.check_private_key(budget_round.test_private_key, budget_round.counting_public_key)
    envelopes = SealedBallot.objects.filter(round=budget_round).values_list("sealed", flat=True)
    return sorted(sorted(sealing.unseal(private, bytes(sealed)).items()) for sealed in envelopes)
