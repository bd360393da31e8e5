"""The pledge services (ideas/partners/pledges.py) and the business permissions (ideas/rules.py): every allowed
and refused step of a pledge, the conflict-of-interest rules, the money lock once voting has opened, the
co-funding sum and net cost, hostile input, and the permission matrix of phases by roles (anonymous, resident,
business representative, representative of an organisation waiting for verification, moderator, editor).

The expectations are written out here from the issue, not copied from the code under test."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from ideas.models import DeclaredInterest, Idea, Organisation, Pledge, PledgeChange
from ideas.participation import Invalid, LoginRequired, Refused
from ideas.partners import organisations as organisation_services
from ideas.partners import pledges
from ideas.phases import Phase
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident

pytestmark = pytest.mark.django_db

P = Phase
_numbers = itertools.count(1)


# Helpers shared with tests/ideas/test_partners_web.py -------------------------------------------------------


def registration_number():
    """A fresh made-up 11-digit registration number."""
    return f"4{next(_numbers) + 500_000_000:010d}"


def make_organisation(representative, name=None, state="verified", **fields):
    """An organisation registered by `representative` through the service, then verified (or refused or
    suspended, with a reason) by the system."""
    values = {
        "name": name or f"SIA Tests {next(_numbers)}",
        "registration_number": registration_number(),
        "contact_name": "Test Contact",
        "contact_email": "contact@example.test",
    }
    values.update(fields)
    organisation = organisation_services.register_organisation(representative, **values)
    if state == "verified":
        organisation = organisation_services.verify_organisation(None, organisation)
    elif state == "rejected":
        organisation = organisation_services.reject_organisation(None, organisation, "Number unknown.")
    elif state == "suspended":
        organisation_services.verify_organisation(None, organisation)
        organisation = organisation_services.suspend_organisation(None, organisation, "Complaint checked.")
    return organisation


def move_round_to(budget_round, phase):
    """Put an existing round's dates around now so that it is in `phase` (as tests.factories.round_in_phase)."""
    order = [P.SUBMISSION, P.REVIEW, P.SUPPORT, P.VOTING, P.RESULTS, P.IMPLEMENTATION]
    offset = order.index(phase)
    now = timezone.now()
    for index, field in enumerate(budget_round.phase_dates_fields()):
        setattr(budget_round, field, now + datetime.timedelta(days=10 * (index - offset) - 5))
    budget_round.save()
    assert budget_round.current_phase() == phase
    return budget_round


def offer(user, organisation, idea, kind="in_kind", amount="500", hours=0, description="Twenty lindens."):
    return pledges.offer_pledge(
        user, organisation, idea, kind=kind, amount=amount, hours=hours, description=description
    )


# Fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english():
    """Refusals read in English here (the site's default language is Latvian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def business(db):
    return verified_resident("biz-rep", email="rep@business.test")


@pytest.fixture
def organisation(business):
    return make_organisation(business, name="SIA Test Trees")


@pytest.fixture
def idea(support_round, resident):
    return make_idea(support_round, author=resident, status="published", official_cost=Decimal("12000"))


def pledge_in_state(state, organisation, idea):
    """An in-kind pledge brought to `state` by the system (user None), as staff and the organisation would."""
    pledge = offer(None, organisation, idea)
    if state in ("confirmed", "fulfilled"):
        pledges.confirm_pledge(None, pledge)
    if state == "fulfilled":
        pledges.fulfil_pledge(None, pledge)
    if state == "withdrawn":
        pledges.withdraw_pledge(None, pledge, "Changed plans.")
    if state == "declined":
        pledges.decline_pledge(None, pledge, "Not needed.")
    pledge.refresh_from_db()
    assert pledge.state == state
    return pledge


# The state machine ----------------------------------------------------------------------------------------

STATES = ["offered", "confirmed", "fulfilled", "withdrawn", "declined"]
# What the issue allows: offered → confirmed → fulfilled; offered/confirmed → withdrawn; offered → declined.
ALLOWED = {
    ("offered", "confirmed"),
    ("offered", "declined"),
    ("offered", "withdrawn"),
    ("confirmed", "fulfilled"),
    ("confirmed", "withdrawn"),
    # Staff may decline a confirmed pledge with a reason (a conflict of interest found later).
    ("confirmed", "declined"),
}
# Who takes each step (and so in which role it appears in the public history).
STEP_ROLES = {
    "confirmed": "moderator",
    "declined": "moderator",
    "fulfilled": "moderator",
    "withdrawn": "organisation",
}


def take_step(target, pledge, business, moderator):
    if target == "confirmed":
        return pledges.confirm_pledge(moderator, pledge)
    if target == "declined":
        return pledges.decline_pledge(moderator, pledge, "We have enough benches.")
    if target == "withdrawn":
        return pledges.withdraw_pledge(business, pledge, "Budget cut.")
    # Pledges are fulfilled once the results are out.
    move_round_to(pledge.idea.round, P.RESULTS)
    return pledges.fulfil_pledge(moderator, pledge)


@pytest.mark.parametrize("current", STATES)
@pytest.mark.parametrize("target", ["confirmed", "declined", "withdrawn", "fulfilled"])
def test_every_step_of_a_pledge(current, target, organisation, idea, business, idea_moderator):
    pledge = pledge_in_state(current, organisation, idea)
    history_before = PledgeChange.objects.filter(pledge=pledge).count()
    if (current, target) in ALLOWED:
        take_step(target, pledge, business, idea_moderator)
        pledge.refresh_from_db()
        assert pledge.state == target
        change = PledgeChange.objects.filter(pledge=pledge).last()
        assert (change.from_state, change.to_state, change.role) == (current, target, STEP_ROLES[target])
        assert ModelLogEntry.objects.filter(
            action=f"ideas.pledge.{target}", object_id=str(pledge.pk), user__isnull=False
        ).exists()
    else:
        with pytest.raises(Refused):
            take_step(target, pledge, business, idea_moderator)
        pledge.refresh_from_db()
        assert pledge.state == current
        assert PledgeChange.objects.filter(pledge=pledge).count() == history_before


def test_an_offer_starts_the_public_history(organisation, idea, business):
    pledge = offer(business, organisation, idea)
    assert pledge.state == "offered"
    assert pledge.offered_by == business
    change = pledge.history.get()
    assert (change.from_state, change.to_state, change.role) == ("", "offered", "organisation")
    assert ModelLogEntry.objects.filter(action="ideas.pledge.offered", object_id=str(pledge.pk)).exists()


def test_declining_needs_a_reason_that_is_kept(organisation, idea, idea_moderator):
    pledge = offer(None, organisation, idea)
    for reason in ("", "   ", None):
        with pytest.raises(Invalid) as error:
            pledges.decline_pledge(idea_moderator, pledge, reason)
        assert "reason" in error.value.message_dict
    pledges.decline_pledge(idea_moderator, pledge, "Already \x00funded.")
    pledge.refresh_from_db()
    assert pledge.state_reason == "Already funded."
    assert pledge.history.last().reason == "Already funded."


def test_only_staff_confirm_decline_and_fulfil(organisation, idea, business, resident):
    pledge = offer(business, organisation, idea)
    for user in (business, resident):
        with pytest.raises(Refused):
            pledges.confirm_pledge(user, pledge)
        with pytest.raises(Refused):
            pledges.decline_pledge(user, pledge, "No.")
    with pytest.raises(LoginRequired):
        pledges.confirm_pledge(AnonymousUser(), pledge)
    pledges.confirm_pledge(None, pledge)
    move_round_to(idea.round, P.RESULTS)
    with pytest.raises(Refused):
        pledges.fulfil_pledge(business, pledge)
    assert Pledge.objects.get(pk=pledge.pk).state == "confirmed"


def test_only_the_organisations_representatives_withdraw(
    organisation, idea, business, resident, idea_moderator
):
    pledge = offer(business, organisation, idea)
    other = make_organisation(verified_resident("other-rep"))
    for user in (resident, idea_moderator, other.memberships.get().user):
        with pytest.raises(Refused):
            pledges.withdraw_pledge(user, pledge)
    assert Pledge.objects.get(pk=pledge.pk).state == "offered"


def test_fulfilling_waits_for_the_results(organisation, idea, idea_moderator):
    pledge = offer(None, organisation, idea)
    pledges.confirm_pledge(idea_moderator, pledge)
    with pytest.raises(Refused):
        pledges.fulfil_pledge(idea_moderator, pledge)
    move_round_to(idea.round, P.IMPLEMENTATION)
    pledges.fulfil_pledge(idea_moderator, pledge, "Delivered.")
    assert Pledge.objects.get(pk=pledge.pk).state == "fulfilled"


# Who may offer, and on what -------------------------------------------------------------------------------


def test_an_organisation_waiting_for_verification_cannot_pledge(idea):
    person = verified_resident("pending-rep")
    pending = make_organisation(person, state="pending")
    with pytest.raises(Refused):
        offer(person, pending, idea)
    assert not Pledge.objects.filter(organisation=pending).exists()


def test_a_representative_of_a_verified_and_a_pending_organisation_pledges_only_for_the_verified(
    idea, business
):
    verified = make_organisation(business)
    pending = make_organisation(business, state="pending")
    with pytest.raises(Refused) as refusal:
        offer(business, pending, idea)
    assert pending.name in refusal.value.message
    assert "not verified" in refusal.value.message
    assert offer(business, verified, idea).organisation == verified


@pytest.mark.parametrize("state", ["rejected", "suspended"])
def test_refused_and_suspended_organisations_cannot_pledge(state, idea):
    person = verified_resident(f"{state}-rep")
    refused = make_organisation(person, state=state)
    with pytest.raises(Refused):
        offer(person, refused, idea)


def test_nobody_pledges_for_an_organisation_they_do_not_act_for(organisation, idea):
    stranger = verified_resident("stranger-rep")
    make_organisation(stranger)
    with pytest.raises(Refused) as refusal:
        offer(stranger, organisation, idea)
    assert organisation.name in refusal.value.message


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "merged", "not_feasible"])
def test_no_pledges_on_ideas_out_of_the_running(status, support_round, organisation, business):
    idea = make_idea(support_round, status=status)
    with pytest.raises(Refused):
        offer(business, organisation, idea)


@pytest.mark.parametrize("phase", [P.VOTING, P.RESULTS, P.IMPLEMENTATION])
def test_no_pledges_once_voting_opens(phase, organisation, business):
    idea = make_idea(round_in_phase(phase), status="on_ballot")
    with pytest.raises(Refused) as refusal:
        offer(business, organisation, idea)
    assert "phase" in refusal.value.message


def test_unverified_and_anonymous_people_are_told_what_to_do(organisation, idea):
    unverified = UserFactory(username="unverified-rep")
    organisation.memberships.create(user=unverified)
    with pytest.raises(Refused) as refusal:
        offer(unverified, organisation, idea)
    assert "verify your e-mail" in refusal.value.message
    with pytest.raises(LoginRequired):
        offer(AnonymousUser(), organisation, idea)


# Conflicts of interest ------------------------------------------------------------------------------------


def test_an_organisation_cannot_back_an_idea_its_representative_proposed(
    support_round, organisation, business
):
    own_idea = make_idea(support_round, author=business, status="published")
    with pytest.raises(Refused) as refusal:
        offer(business, organisation, own_idea)
    assert "SIA Test Trees" in refusal.value.message
    assert "proposed this idea" in refusal.value.message


def test_another_representatives_idea_is_a_conflict_too(support_round, organisation, business):
    colleague = verified_resident("colleague-rep")
    organisation.memberships.create(user=colleague)
    colleagues_idea = make_idea(support_round, author=colleague, status="published")
    with pytest.raises(Refused):
        offer(business, organisation, colleagues_idea)
    assert "proposed this idea" in pledges.pledge_conflict(organisation, colleagues_idea)


def test_declared_interest_bars_pledges_until_staff_clear_it(organisation, idea, business, idea_moderator):
    interest = pledges.declare_interest(
        business, organisation, idea, kind="land_owner", description="We own the plot."
    )
    assert interest.decision == "pending"
    with pytest.raises(Refused) as refusal:
        offer(business, organisation, idea)
    assert "declared an interest" in refusal.value.message

    pledges.review_interest(idea_moderator, interest, decision="conflict", reason="It sells the land.")
    with pytest.raises(Refused):
        offer(business, organisation, idea)

    pledges.review_interest(idea_moderator, interest, decision="cleared", reason="The plot is not affected.")
    interest.refresh_from_db()
    assert (interest.decision, interest.decision_reason, interest.reviewed_by) == (
        "cleared",
        "The plot is not affected.",
        idea_moderator,
    )
    assert offer(business, organisation, idea).state == "offered"
    assert (
        ModelLogEntry.objects.filter(action="ideas.interest.reviewed", object_id=str(interest.pk)).count()
        == 2
    )


def test_declaring_again_sends_the_interest_back_to_review(organisation, idea, business, idea_moderator):
    interest = pledges.declare_interest(business, organisation, idea, kind="supplier")
    pledges.review_interest(idea_moderator, interest, decision="cleared", reason="Small supplier.")
    pledges.declare_interest(business, organisation, idea, kind="other", description="Now also a sponsor.")
    interest.refresh_from_db()
    assert (interest.decision, interest.kind) == ("pending", "other")
    assert DeclaredInterest.objects.filter(organisation=organisation, idea=idea).count() == 1
    with pytest.raises(Refused):
        offer(business, organisation, idea)


def test_an_interest_declared_after_the_offer_stops_its_confirmation(
    organisation, idea, business, idea_moderator
):
    pledge = offer(business, organisation, idea)
    pledges.declare_interest(business, organisation, idea, kind="supplier")
    with pytest.raises(Refused) as refusal:
        pledges.confirm_pledge(idea_moderator, pledge)
    assert "declared an interest" in refusal.value.message
    assert Pledge.objects.get(pk=pledge.pk).state == "offered"


def test_reviewing_an_interest_needs_staff_a_decision_and_a_reason(
    organisation, idea, business, idea_moderator
):
    interest = pledges.declare_interest(business, organisation, idea, kind="supplier")
    with pytest.raises(Refused):
        pledges.review_interest(business, interest, decision="cleared", reason="Trust me.")
    with pytest.raises(Invalid) as error:
        pledges.review_interest(idea_moderator, interest, decision="cleared", reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(Invalid) as error:
        pledges.review_interest(idea_moderator, interest, decision="pending", reason="Later.")
    assert "decision" in error.value.message_dict
    assert DeclaredInterest.objects.get(pk=interest.pk).decision == "pending"


def test_declaring_needs_a_kind_and_a_verified_organisation(organisation, idea, business, resident):
    with pytest.raises(Invalid) as error:
        pledges.declare_interest(business, organisation, idea, kind="friend")
    assert "kind" in error.value.message_dict
    with pytest.raises(Refused):
        pledges.declare_interest(resident, organisation, idea, kind="supplier")
    assert not DeclaredInterest.objects.filter(idea=idea).exists()


# The money lock -------------------------------------------------------------------------------------------


def open_voting_early(budget_round):
    """Staff opened voting at the desk (the phase dates still say support)."""
    budget_round.voting_opened_at = timezone.now()
    budget_round.save(update_fields=["voting_opened_at"])
    assert budget_round.voting_has_opened()


def test_confirmed_money_is_locked_once_voting_has_opened(organisation, idea, business, idea_moderator):
    money = offer(business, organisation, idea, kind="money", amount="3000", description="")
    pledges.confirm_pledge(idea_moderator, money)
    late_money = offer(business, organisation, idea, kind="money", amount="1000", description="")
    in_kind = offer(business, organisation, idea, kind="in_kind", amount="800", description="Soil.")
    confirmed_in_kind = offer(business, organisation, idea, kind="in_kind", amount="200", description="Pots.")
    pledges.confirm_pledge(idea_moderator, confirmed_in_kind)
    offered_money = offer(business, organisation, idea, kind="money", amount="500", description="")
    open_voting_early(idea.round)

    with pytest.raises(Refused) as refusal:
        pledges.withdraw_pledge(business, money, "Changed our mind.")
    assert "Voting has opened" in refusal.value.message
    with pytest.raises(Refused) as refusal:
        pledges.confirm_pledge(idea_moderator, late_money)
    assert "Voting has opened" in refusal.value.message
    idea.refresh_from_db()
    assert idea.cofunding == Decimal("3000")
    assert Pledge.objects.get(pk=money.pk).state == "confirmed"
    assert Pledge.objects.get(pk=late_money.pk).state == "offered"

    # What does not change the co-funding may still change.
    pledges.confirm_pledge(idea_moderator, in_kind)
    pledges.withdraw_pledge(business, confirmed_in_kind, "Pots went elsewhere.")
    pledges.withdraw_pledge(business, offered_money)
    pledges.decline_pledge(idea_moderator, late_money, "Too late for the ballot.")
    states = dict(Pledge.objects.filter(idea=idea).values_list("pk", "state"))
    assert states[in_kind.pk] == "confirmed"
    assert states[confirmed_in_kind.pk] == "withdrawn"
    assert states[offered_money.pk] == "withdrawn"
    assert states[late_money.pk] == "declined"
    idea.refresh_from_db()
    assert idea.cofunding == Decimal("3000")


def test_the_voting_phase_locks_money_but_not_help_in_kind(organisation, idea, business, idea_moderator):
    money = offer(business, organisation, idea, kind="money", amount="2500", description="")
    pledges.confirm_pledge(idea_moderator, money)
    in_kind = offer(business, organisation, idea, kind="in_kind", amount="400", description="Mulch.")
    pledges.confirm_pledge(idea_moderator, in_kind)
    move_round_to(idea.round, P.VOTING)
    with pytest.raises(Refused):
        pledges.withdraw_pledge(business, money)
    pledges.withdraw_pledge(business, in_kind)
    assert Pledge.objects.get(pk=in_kind.pk).state == "withdrawn"
    assert Idea.objects.get(pk=idea.pk).cofunding == Decimal("2500")


# Co-funding and net cost ----------------------------------------------------------------------------------


def test_cofunding_is_the_sum_of_confirmed_and_fulfilled_money(organisation, idea, business, idea_moderator):
    first = offer(business, organisation, idea, kind="money", amount="2000.50", description="")
    second = offer(business, organisation, idea, kind="money", amount="1000", description="")
    offered = offer(business, organisation, idea, kind="money", amount="700", description="")
    in_kind = offer(business, organisation, idea, kind="in_kind", amount="5000", description="Benches.")
    hours = offer(
        business, organisation, idea, kind="volunteering", amount="0", hours=40, description="Planting."
    )
    for pledge in (first, second, in_kind, hours):
        pledges.confirm_pledge(idea_moderator, pledge)
    idea.refresh_from_db()
    assert Pledge.objects.get(pk=offered.pk).state == "offered"
    assert idea.cofunding == Decimal("3000.50")
    assert idea.net_cost == Decimal("8999.50")

    pledges.withdraw_pledge(business, second)
    idea.refresh_from_db()
    assert idea.cofunding == Decimal("2000.50")

    move_round_to(idea.round, P.RESULTS)
    pledges.fulfil_pledge(idea_moderator, first)
    idea.refresh_from_db()
    assert idea.cofunding == Decimal("2000.50")  # fulfilled money still counts


def test_net_cost_never_drops_below_zero(organisation, idea, business, idea_moderator):
    pledge = offer(business, organisation, idea, kind="money", amount="12000", description="")
    pledges.confirm_pledge(idea_moderator, pledge)
    idea.refresh_from_db()
    assert (idea.cost, idea.cofunding, idea.net_cost) == (Decimal("12000"), Decimal("12000"), Decimal("0"))
    # Staff lower the official cost after the pledge was confirmed: the idea costs the budget nothing, not less.
    idea.official_cost = Decimal("10000")
    assert idea.net_cost == Decimal("0")


def test_net_cost_uses_the_official_cost_once_assessed(support_round, organisation, business, idea_moderator):
    idea = make_idea(support_round, status="published", estimated_cost=Decimal("9000"))
    pledge = offer(business, organisation, idea, kind="money", amount="1000", description="")
    pledges.confirm_pledge(idea_moderator, pledge)
    idea.refresh_from_db()
    assert idea.net_cost == Decimal("8000")
    idea.official_cost = Decimal("11000")
    assert idea.net_cost == Decimal("10000")


def test_backers_are_organisations_with_confirmed_or_fulfilled_pledges(organisation, idea, business):
    other = make_organisation(verified_resident("backer-two"), name="AS Backer Two")
    offer(business, organisation, idea)
    assert list(pledges.backers(idea)) == []
    pledges.confirm_pledge(None, offer(None, other, idea))
    pledges.confirm_pledge(None, offer(None, other, idea, kind="money", amount="10", description=""))
    assert list(pledges.backers(idea)) == [other]


# Hostile and wrong input ----------------------------------------------------------------------------------

BAD_OFFERS = [
    ({"kind": "money", "amount": "abc"}, "amount"),
    ({"kind": "money", "amount": "-5"}, "amount"),
    ({"kind": "money", "amount": "99999999999999"}, "amount"),
    ({"kind": "money", "amount": "1e400"}, "amount"),
    ({"kind": "money", "amount": "NaN"}, "amount"),
    ({"kind": "money", "amount": "Infinity"}, "amount"),
    ({"kind": "money", "amount": "\x00"}, "amount"),
    ({"kind": "money", "amount": "12\x0034"}, "amount"),
    ({"kind": "money", "amount": "0"}, "amount"),
    ({"kind": "money", "amount": ["1000"]}, "amount"),
    ({"kind": "in_kind", "amount": "100", "description": ""}, "description"),
    ({"kind": "in_kind", "amount": "100", "description": "\x00\x00"}, "description"),
    ({"kind": "in_kind", "amount": "0", "description": "Soil."}, "amount"),
    ({"kind": "in_kind", "amount": "100", "description": "x" * 1001}, "description"),
    ({"kind": "volunteering", "hours": "0", "description": "Help."}, "hours"),
    ({"kind": "volunteering", "hours": "-3", "description": "Help."}, "hours"),
    ({"kind": "volunteering", "hours": "1.5", "description": "Help."}, "hours"),
    ({"kind": "volunteering", "hours": "ten", "description": "Help."}, "hours"),
    ({"kind": "volunteering", "hours": 10**12, "description": "Help."}, "hours"),
    ({"kind": "volunteering", "hours": "4", "description": ""}, "description"),
    ({"kind": "gold", "amount": "100"}, "kind"),
    ({"kind": "", "amount": "100"}, "kind"),
]


@pytest.mark.parametrize(("values", "field"), BAD_OFFERS, ids=[repr(v)[:60] for v, _f in BAD_OFFERS])
def test_bad_offers_are_invalid_and_store_nothing(values, field, organisation, idea, business):
    arguments = {"kind": "money", "amount": 0, "hours": 0, "description": ""} | values
    with pytest.raises(Invalid) as error:
        pledges.offer_pledge(business, organisation, idea, **arguments)
    assert field in error.value.message_dict
    assert not Pledge.objects.filter(idea=idea).exists()


def test_nul_bytes_are_taken_out_of_descriptions(organisation, idea, business):
    pledge = offer(business, organisation, idea, description="Twenty\x00 lindens.")
    assert Pledge.objects.get(pk=pledge.pk).description == "Twenty lindens."


def test_volunteering_stores_hours_only_and_money_no_hours(organisation, idea, business):
    hours = offer(
        business, organisation, idea, kind="volunteering", amount="999", hours="12", description="Help."
    )
    money = offer(business, organisation, idea, kind="money", amount="1500.5", hours=7, description="")
    assert (hours.amount, hours.hours) == (Decimal("0.00"), 12)
    assert (money.amount, money.hours) == (Decimal("1500.50"), 0)


def test_organisation_registration_checks_its_input(business):
    with pytest.raises(Invalid) as error:
        organisation_services.register_organisation(
            business, name="SIA Short", registration_number="123", contact_name="A", contact_email="bad"
        )
    assert {"registration_number", "contact_email"} <= set(error.value.message_dict)
    number = registration_number()
    make_organisation(business, registration_number=number)
    with pytest.raises(Invalid) as error:
        make_organisation(verified_resident("copycat"), registration_number=number)
    assert "registration_number" in error.value.message_dict


def test_renaming_a_verified_organisation_sends_it_back_to_verification(organisation, business):
    organisation_services.change_organisation(business, organisation, description="We grow trees.")
    assert Organisation.objects.get(pk=organisation.pk).state == "verified"
    organisation_services.change_organisation(business, organisation, name="SIA Renamed Trees")
    assert Organisation.objects.get(pk=organisation.pk).state == "pending"


def test_partner_addresses_never_shadow_the_partners_page_routes(business):
    for name in ("Join", "Mine", "CSR", "Pledges", "Rounds"):
        organisation = make_organisation(business, name=name, state="pending")
        assert organisation.slug not in {"join", "mine", "csr", "pledges", "rounds"}


# The permission matrix ------------------------------------------------------------------------------------

ROLES = ["anonymous", "resident", "business", "pending_rep", "moderator", "editor"]
VERIFIED_ROLES = {"resident", "business", "pending_rep", "moderator", "editor"}
PLEDGE_PHASES = {P.SUBMISSION, P.REVIEW, P.SUPPORT}
RESULT_PHASES = {P.RESULTS, P.IMPLEMENTATION}

# check: (permission, object, who may, phase by phase)
MATRIX = {
    "register_organisation": ("ideas.register_organisation", None, lambda r, p: r in VERIFIED_ROLES),
    "view_own_verified": ("ideas.view_own_organisation", "verified_org", lambda r, p: r == "business"),
    "view_own_pending": ("ideas.view_own_organisation", "pending_org", lambda r, p: r == "pending_rep"),
    "change_own_verified": ("ideas.change_own_organisation", "verified_org", lambda r, p: r == "business"),
    "change_own_pending": ("ideas.change_own_organisation", "pending_org", lambda r, p: r == "pending_rep"),
    "pledge_idea": ("ideas.pledge_idea", "idea", lambda r, p: r == "business" and p in PLEDGE_PHASES),
    "pledge_rejected_idea": ("ideas.pledge_idea", "rejected_idea", lambda r, p: False),
    "pledge_draft": ("ideas.pledge_idea", "draft_idea", lambda r, p: False),
    "declare_interest": ("ideas.declare_interest", "idea", lambda r, p: r == "business"),
    "declare_interest_in_draft": ("ideas.declare_interest", "draft_idea", lambda r, p: False),
    "withdraw_pledge": ("ideas.withdraw_pledge", "pledge", lambda r, p: r == "business"),
    "verify_organisation": ("ideas.verify_organisation", "pending_org", lambda r, p: r == "moderator"),
    "review_interest": ("ideas.review_interest", "interest", lambda r, p: r == "moderator"),
    "confirm_pledge": (
        "ideas.confirm_pledge",
        "pledge",
        lambda r, p: r == "moderator" and p in PLEDGE_PHASES,
    ),
    "decline_pledge": ("ideas.decline_pledge", "pledge", lambda r, p: r == "moderator"),
    "fulfil_pledge": ("ideas.fulfil_pledge", "pledge", lambda r, p: r == "moderator" and p in RESULT_PHASES),
    "view_csr_reports": ("ideas.view_csr_reports", "round", lambda r, p: r == "moderator"),
    # A representative keeps their own rights as a resident; the organisation gets none of its own.
    "support_idea": ("ideas.support_idea", "idea", lambda r, p: r in VERIFIED_ROLES and p == P.SUPPORT),
    "vote_idea": ("ideas.vote_idea", "idea", lambda r, p: r in VERIFIED_ROLES and p == P.VOTING),
}


@pytest.fixture
def matrix_people():
    business = verified_resident("mx-business")
    pending_rep = verified_resident("mx-pending")
    return {
        "anonymous": AnonymousUser(),
        "resident": verified_resident("mx-resident"),
        "business": business,
        "pending_rep": pending_rep,
        "moderator": verified_resident("mx-moderator", groups=["Moderators"]),
        "editor": verified_resident("mx-editor", groups=["Editors"]),
    }


@pytest.mark.parametrize("phase", list(P), ids=str)
def test_business_permission_matrix(phase, matrix_people):
    budget_round = round_in_phase(phase)
    verified_org = make_organisation(matrix_people["business"])
    pending_org = make_organisation(matrix_people["pending_rep"], state="pending")
    author = verified_resident("mx-author")
    idea = make_idea(budget_round, author=author, status="published")
    objects = {
        None: None,
        "round": budget_round,
        "verified_org": verified_org,
        "pending_org": pending_org,
        "idea": idea,
        "rejected_idea": make_idea(budget_round, author=author, status="rejected"),
        "draft_idea": make_idea(budget_round, author=author, status="draft"),
        # Made by the system, which is not held to the phase, so that every phase has one to ask about.
        "pledge": offer(None, verified_org, idea),
        "interest": pledges.declare_interest(
            None, verified_org, make_idea(budget_round, status="published"), kind="supplier"
        ),
    }
    mismatches = []
    for check, (permission, target, expected_for) in MATRIX.items():
        for role in ROLES:
            expected = expected_for(role, phase)
            if matrix_people[role].has_perm(permission, objects[target]) != expected:
                mismatches.append(f"{check} ({permission}) for {role}: expected {expected}")
    assert mismatches == []


def test_the_matrix_asks_every_business_permission():
    import rules

    business_permissions = {
        "ideas.register_organisation",
        "ideas.view_own_organisation",
        "ideas.change_own_organisation",
        "ideas.pledge_idea",
        "ideas.declare_interest",
        "ideas.withdraw_pledge",
        "ideas.verify_organisation",
        "ideas.review_interest",
        "ideas.confirm_pledge",
        "ideas.decline_pledge",
        "ideas.fulfil_pledge",
        "ideas.view_csr_reports",
    }
    assert business_permissions <= set(rules.permissions.permissions)
    assert business_permissions <= {permission for permission, _target, _expected in MATRIX.values()}


# Found by review: a conflict found after confirmation, and money beyond the idea's cost ----------------------


def test_a_conflict_found_later_declines_the_organisations_confirmed_money(
    organisation, idea, business, idea_moderator
):
    pledge = offer(business, organisation, idea, kind="money", amount="3000", description="")
    pledges.confirm_pledge(idea_moderator, pledge)
    idea.refresh_from_db()
    assert idea.net_cost == Decimal("9000")
    interest = pledges.declare_interest(business, organisation, idea, kind="supplier")
    pledges.review_interest(
        idea_moderator, interest, decision="conflict", reason="It would build the shelter."
    )
    pledge.refresh_from_db()
    idea.refresh_from_db()
    assert (pledge.state, pledge.state_reason) == ("declined", "It would build the shelter.")
    assert (idea.cofunding, idea.net_cost) == (Decimal(0), Decimal("12000"))


def test_money_never_exceeds_what_the_idea_still_costs(organisation, idea, business, idea_moderator):
    with pytest.raises(Invalid) as refused:
        offer(business, organisation, idea, kind="money", amount="12000.01", description="")
    assert (
        "12,000" in refused.value.message_dict["amount"][0]
        or "12 000" in refused.value.message_dict["amount"][0]
    )
    first = offer(business, organisation, idea, kind="money", amount="8000", description="")
    second = offer(business, organisation, idea, kind="money", amount="8000", description="")
    pledges.confirm_pledge(idea_moderator, first)
    # Both offers fitted on their own; together they would pass the cost, so the second is not confirmed.
    with pytest.raises(Refused):
        pledges.confirm_pledge(idea_moderator, second)
    second.refresh_from_db()
    idea.refresh_from_db()
    assert second.state == "offered" and idea.cofunding == Decimal("8000")
