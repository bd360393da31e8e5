"""Staff screens for businesses in the Wagtail admin (issue 10; ideas/moderation/partners.py): moderators verify,
refuse and suspend organisations, confirm, decline and fulfil pledges and review declared interests through the
admin, each step through its service, with a reason where one is needed; refusals come back as admin messages;
editors get a 403 on every screen and anonymous people go to the login; the dashboard counts what waits."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from ideas.models import DeclaredInterest, Organisation, Pledge, PledgeChange, TaxRevenue
from ideas.partners.organisations import register_organisation, verify_organisation
from ideas.partners.pledges import confirm_pledge, offer_pledge
from ideas.phases import Phase
from tests.factories import make_idea, round_in_phase, verified_resident
from tests.ideas.test_moderation import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_speaks_english():
    """The admin's strings and the services' refusals are read in English here."""
    with translation.override("en"):
        yield


def staff(username, *groups):
    user = verified_resident(username, email=f"{username}@kekava.example", groups=list(groups))
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def moderator():
    return staff("partners-moderator", "Moderators")


@pytest.fixture
def editor():
    return staff("partners-editor", "Editors")


_numbers = iter(range(40009000001, 40009999999))


def organisation(name="SIA Testa Dārzi", verified=False, **fields):
    """A registered organisation with a representative, through the service (verified when asked)."""
    representative = verified_resident(f"rep-{next(_numbers)}")
    values = {
        "name": name,
        "registration_number": str(next(_numbers)),
        "contact_name": "Ilze Liepa",
        "contact_email": "ilze@darzi.example",
        "contact_phone": "+371 20000009",
        "interests": "Garden maintenance for the municipality.",
        "conflicts": "The owner's brother sits on the council.",
    }
    values.update(fields)
    created = register_organisation(representative, **values)
    if verified:
        created = verify_organisation(None, created)
    created.representative = representative
    return created


def offered(amount="3000", phase=Phase.SUPPORT, cost="10000", **idea_fields):
    """An offered money pledge by a verified organisation on a published idea of a round in `phase` (offered by
    its representative while the phase takes pledges, else written by the system as the demo loader does)."""
    org = organisation(verified=True)
    budget_round = round_in_phase(phase)
    idea = make_idea(budget_round, official_cost=Decimal(cost), **idea_fields)
    by = org.representative if phase in (Phase.SUBMISSION, Phase.REVIEW, Phase.SUPPORT) else None
    return offer_pledge(by, org, idea, kind="money", amount=amount)


def org_url(name, *args):
    return reverse(f"partner_organisations:{name}", args=args)


def pledge_url(name, *args):
    return reverse(f"partner_pledges:{name}", args=args)


def interest_url(name, *args):
    return reverse(f"partner_interests:{name}", args=args)


def revenue_url(name, *args):
    return reverse(f"tax_revenue:{name}", args=args)


def logged(instance, action):
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        action=action,
    )


# Who may enter -------------------------------------------------------------------------------------------


def every_url(objects=None):
    """Every screen's URL for one organisation, pledge, interest and revenue year made here (put in `objects`)."""
    org = organisation()
    pledge = offered()
    interest = DeclaredInterest.objects.create(
        organisation=pledge.organisation, idea=pledge.idea, kind="other"
    )
    TaxRevenue.objects.update_or_create(
        year=2015, defaults={"personal_income_tax": Decimal(1), "real_estate_tax": Decimal(1)}
    )
    if objects is not None:
        objects.extend([org, pledge, interest])
    return [
        org_url("index"),
        org_url("detail", org.pk),
        org_url("verify", org.pk),
        org_url("refuse", org.pk),
        org_url("suspend", org.pk),
        pledge_url("index"),
        pledge_url("detail", pledge.pk),
        interest_url("index"),
        interest_url("review", interest.pk),
        revenue_url("index"),
        revenue_url("add"),
        revenue_url("edit", 2015),
    ]


def test_editors_get_403_on_every_screen_and_change_nothing(editor):
    client, _user = editor
    objects = []
    for url in every_url(objects):
        assert client.get(url).status_code == 403, url
        data = {"reason": "x", "action": "confirm", "decision": "cleared", "year": "2015"}
        assert client.post(url, data).status_code == 403, url
    org, pledge, interest = objects
    for instance in objects:
        instance.refresh_from_db()
    assert org.state == Organisation.State.PENDING and pledge.state == Pledge.State.OFFERED
    assert interest.decision == DeclaredInterest.Decision.PENDING
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    for url in (org_url("index"), pledge_url("index"), interest_url("index"), revenue_url("index")):
        assert url not in home, "editors see no menu item"


def test_anonymous_people_are_sent_to_the_login():
    for url in every_url():
        response = Client().get(url)
        assert response.status_code == 302 and reverse("wagtailadmin_login") in response.url, url


def test_moderators_see_the_menu_items_and_every_screen(moderator):
    client, _user = moderator
    urls = every_url()
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    for url in (org_url("index"), pledge_url("index"), interest_url("index"), revenue_url("index")):
        assert url in home
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_an_unknown_object_is_404_and_a_wrong_filter_no_500(moderator):
    client, _user = moderator
    assert client.get(org_url("detail", 999999)).status_code == 404
    assert client.post(pledge_url("detail", 999999), {"action": "confirm"}).status_code == 404
    assert client.get(interest_url("review", 999999)).status_code == 404
    assert client.get(revenue_url("edit", 1900)).status_code == 404
    wrong = client.get(pledge_url("index"), {"round": "abc", "organisation": "99999999", "p": "x"})
    assert wrong.status_code == 200 and "Select a valid choice" in wrong.content.decode()
    assert client.get(org_url("index"), {"state": "nonsense", "q": "a" * 500}).status_code == 200


# Organisations -------------------------------------------------------------------------------------------


def test_the_list_puts_waiting_organisations_first_and_searches(moderator):
    client, _user = moderator
    waiting = organisation("AAA Pirmais Gaidošais")
    verified = organisation("AAA Jau Pārbaudītais", verified=True)
    html = client.get(org_url("index"), {"q": "AAA"}).content.decode()
    assert html.index("AAA Pirmais Gaidošais") < html.index("AAA Jau Pārbaudītais")
    by_number = client.get(org_url("index"), {"q": verified.registration_number}).content.decode()
    assert "AAA Jau Pārbaudītais" in by_number and "AAA Pirmais Gaidošais" not in by_number
    pending = client.get(org_url("index"), {"state": "pending"}).content.decode()
    assert waiting.name in pending and verified.name not in pending


def test_the_organisation_page_shows_everything_staff_need(moderator):
    client, _user = moderator
    pledge = offered()
    org = pledge.organisation
    DeclaredInterest.objects.create(organisation=org, idea=pledge.idea, kind="land_owner")
    html = client.get(org_url("detail", org.pk)).content.decode()
    for text in (
        org.registration_number,
        "Ilze Liepa",
        "ilze@darzi.example",
        "+371 20000009",
        "Garden maintenance for the municipality.",
        "The owner&#x27;s brother sits on the council.",
        org.representative.email,
        pledge.idea.title,
        "Owns the land or building",
        "Register an organisation",  # the audit history
    ):
        assert text in html, text
    assert 'data-step="suspend"' in html and 'data-step="verify"' not in html


def test_a_moderator_verifies_an_organisation_after_a_confirmation(moderator):
    client, user = moderator
    org = organisation()
    confirm = client.get(org_url("verify", org.pk))
    assert confirm.status_code == 200 and "data-confirm-step" in confirm.content.decode()
    org.refresh_from_db()
    assert org.state == Organisation.State.PENDING, "the confirmation page changes nothing"
    response = client.post(org_url("verify", org.pk), {"reason": ""})
    assert response.status_code == 302 and response.url == org_url("detail", org.pk)
    org.refresh_from_db()
    assert org.state == Organisation.State.VERIFIED and org.verified_by == user
    assert logged(org, "ideas.organisation.verified").get().user == user
    assert any("is verified" in message for message in messages_of(response))
    assert "Verify an organisation" in client.get(org_url("detail", org.pk)).content.decode()


@pytest.mark.parametrize(
    ("step", "verified", "state", "action"),
    [
        ("refuse", False, Organisation.State.REJECTED, "ideas.organisation.rejected"),
        ("suspend", True, Organisation.State.SUSPENDED, "ideas.organisation.suspended"),
    ],
)
def test_refusing_and_suspending_need_a_reason(moderator, step, verified, state, action):
    client, user = moderator
    org = organisation(verified=verified)
    before = org.state
    empty = client.post(org_url(step, org.pk), {"reason": "   "})
    assert empty.status_code == 400 and "Please give a reason" in empty.content.decode()
    nul = client.post(org_url(step, org.pk), {"reason": "bad\x00byte"})
    # A NUL is refused before the form by config/middleware.py (no keyboard types one), in the admin's language.
    assert nul.status_code == 400 and "NUL" in nul.content.decode()
    org.refresh_from_db()
    assert org.state == before and not logged(org, action).exists()
    done = client.post(
        org_url(step, org.pk), {"reason": "The registration number belongs to another company."}
    )
    assert done.status_code == 302
    org.refresh_from_db()
    assert org.state == state and org.state_reason == "The registration number belongs to another company."
    entry = logged(org, action).get()
    assert entry.user == user and entry.data["reason"] == org.state_reason
    assert (
        "The registration number belongs to another company."
        in client.get(org_url("detail", org.pk)).content.decode()
    )


def test_a_step_not_open_in_the_state_changes_nothing(moderator):
    client, _user = moderator
    org = organisation()  # pending: it cannot be suspended
    page = client.get(org_url("suspend", org.pk)).content.decode()
    assert "This step is not open" in page and "data-confirm-step" not in page
    response = client.post(org_url("suspend", org.pk), {"reason": "Because."})
    assert response.status_code == 302
    assert any("Nothing changed" in message for message in messages_of(response))
    org.refresh_from_db()
    assert org.state == Organisation.State.PENDING


# Pledges -------------------------------------------------------------------------------------------------


def test_the_pledge_page_shows_cost_cofunding_net_cost_and_the_conflict_check(moderator):
    client, _user = moderator
    pledge = offered(amount="3000", cost="10000")
    html = client.get(pledge_url("detail", pledge.pk)).content.decode()
    assert "€10,000" in html and "€7,000" in html, "the cost, and the net cost once confirmed"
    assert "data-conflict-none" in html
    listing = client.get(pledge_url("index"), {"state": "offered", "round": pledge.idea.round_id}).content
    assert pledge.idea.title in listing.decode() and "No conflict found" in listing.decode()


def test_a_moderator_confirms_a_pledge_and_the_net_cost_drops(moderator):
    client, user = moderator
    pledge = offered(amount="3000", cost="10000")
    response = client.post(
        pledge_url("detail", pledge.pk), {"action": "confirm", "confirm-reason": "Nr. 12/7"}
    )
    assert response.status_code == 302 and any("confirmed" in m for m in messages_of(response))
    pledge.refresh_from_db()
    pledge.idea.refresh_from_db()
    assert pledge.state == Pledge.State.CONFIRMED
    assert pledge.idea.cofunding == Decimal("3000") and pledge.idea.net_cost == Decimal("7000")
    assert logged(pledge, "ideas.pledge.confirmed").get().user == user
    change = PledgeChange.objects.filter(pledge=pledge).last()
    assert (change.to_state, change.role, change.reason) == ("confirmed", "moderator", "Nr. 12/7")
    html = client.get(pledge_url("detail", pledge.pk)).content.decode()
    assert "Confirm a pledge" in html and "€7,000" in html


def test_declining_needs_a_reason(moderator):
    client, _user = moderator
    pledge = offered()
    empty = client.post(pledge_url("detail", pledge.pk), {"action": "decline", "decline-reason": ""})
    assert empty.status_code == 400
    assert "the organisation and the public will see it" in empty.content.decode()
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.OFFERED
    done = client.post(
        pledge_url("detail", pledge.pk), {"action": "decline", "decline-reason": "The idea needs no money."}
    )
    assert done.status_code == 302
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.DECLINED and pledge.state_reason == "The idea needs no money."
    assert logged(pledge, "ideas.pledge.declined").exists()


def test_a_moderator_marks_a_confirmed_pledge_fulfilled_once_the_results_are_out(moderator):
    client, user = moderator
    org = organisation(verified=True)
    idea = make_idea(round_in_phase(Phase.RESULTS), status="selected", official_cost=Decimal("9000"))
    pledge = confirm_pledge(None, offer_pledge(None, org, idea, kind="money", amount="2000"))
    html = client.get(pledge_url("detail", pledge.pk)).content.decode()
    assert 'data-step="fulfil"' in html and "Mark the pledge fulfilled" in html
    response = client.post(pledge_url("detail", pledge.pk), {"action": "fulfil", "fulfil-reason": ""})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.FULFILLED
    assert logged(pledge, "ideas.pledge.fulfilled").get().user == user


def test_refusals_of_the_services_come_back_as_admin_messages(moderator):
    client, _user = moderator
    # A conflict declared after the offer: the pledge cannot be confirmed until staff clear it.
    pledge = offered()
    DeclaredInterest.objects.create(organisation=pledge.organisation, idea=pledge.idea, kind="supplier")
    page = client.get(pledge_url("detail", pledge.pk)).content.decode()
    assert "data-conflict" in page and "declared an interest in this idea" in page
    response = client.post(pledge_url("detail", pledge.pk), {"action": "confirm"})
    assert response.status_code == 302 and response.url == pledge_url("detail", pledge.pk)
    assert any("declared an interest in this idea" in m for m in messages_of(response))
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.OFFERED
    # A pledge already declined cannot be confirmed.
    declined = offered()
    client.post(pledge_url("detail", declined.pk), {"action": "decline", "decline-reason": "No."})
    again = client.post(pledge_url("detail", declined.pk), {"action": "confirm"})
    assert any("cannot become" in m for m in messages_of(again))
    declined.refresh_from_db()
    assert declined.state == Pledge.State.DECLINED
    # Once voting is under way, no pledge is confirmed: the page says so, a POST is refused with a message.
    during_vote = offered(phase=Phase.VOTING, status="on_ballot")
    html = client.get(pledge_url("detail", during_vote.pk)).content.decode()
    assert "cannot be confirmed now" in html
    refused = client.post(pledge_url("detail", during_vote.pk), {"action": "confirm"})
    assert any("not possible in the current phase" in m for m in messages_of(refused))
    during_vote.refresh_from_db()
    assert during_vote.state == Pledge.State.OFFERED
    nonsense = client.post(pledge_url("detail", during_vote.pk), {"action": "delete"})
    assert any("Choose what to do" in m for m in messages_of(nonsense))


# Declared interests --------------------------------------------------------------------------------------


def test_reviewing_a_declared_interest_needs_a_decision_and_a_reason(moderator):
    client, user = moderator
    pledge = offered()
    interest = DeclaredInterest.objects.create(
        organisation=pledge.organisation, idea=pledge.idea, kind="supplier"
    )
    listing = client.get(interest_url("index")).content.decode()
    assert interest_url("review", interest.pk) in listing
    missing = client.post(interest_url("review", interest.pk), {"decision": "cleared", "reason": ""})
    assert missing.status_code == 400 and "Please record why." in missing.content.decode()
    no_choice = client.post(interest_url("review", interest.pk), {"decision": "pending", "reason": "x"})
    assert no_choice.status_code == 400
    interest.refresh_from_db()
    assert interest.decision == DeclaredInterest.Decision.PENDING
    done = client.post(
        interest_url("review", interest.pk),
        {"decision": "cleared", "reason": "It supplies benches, the idea is about trees."},
    )
    assert done.status_code == 302 and done.url == interest_url("index")
    interest.refresh_from_db()
    assert interest.decision == DeclaredInterest.Decision.CLEARED and interest.reviewed_by == user
    assert logged(interest, "ideas.interest.reviewed").get().data["decision"] == "cleared"
    # Cleared: the pledge can now be confirmed.
    client.post(pledge_url("detail", pledge.pk), {"action": "confirm"})
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.CONFIRMED


# Tax revenue ---------------------------------------------------------------------------------------------


def test_tax_revenue_is_entered_and_corrected_through_the_admin(moderator):
    client, user = moderator
    TaxRevenue.objects.filter(year=2019).delete()
    response = client.post(
        revenue_url("add"),
        {
            "year": "2019",
            "personal_income_tax": "1 234 567,89",
            "real_estate_tax": "1,000,000.10",
            "source": "Annual report 2019",
        },
    )
    assert response.status_code == 302
    row = TaxRevenue.objects.get(year=2019)
    assert row.personal_income_tax == Decimal("1234567.89") and row.real_estate_tax == Decimal("1000000.10")
    assert logged(row, "ideas.tax_revenue.entered").get().user == user
    twice = client.post(
        revenue_url("add"), {"year": "2019", "personal_income_tax": "1", "real_estate_tax": "1"}
    )
    assert twice.status_code == 400 and "entered already" in twice.content.decode()
    edit = client.post(
        revenue_url("edit", 2019),
        {
            "year": "2000",
            "personal_income_tax": "2000000",
            "real_estate_tax": "500000",
            "source": "Revīzija 2019",
        },
    )
    assert edit.status_code == 302
    row.refresh_from_db()
    assert (row.personal_income_tax, row.source) == (Decimal("2000000"), "Revīzija 2019")
    assert not TaxRevenue.objects.filter(year=2000).exists(), "the year of an entered row stays"
    for bad in ("1e400", "-5", "abc", "9" * 30, "NaN"):
        answer = client.post(
            revenue_url("add"), {"year": "2018", "personal_income_tax": bad, "real_estate_tax": "1"}
        )
        assert answer.status_code == 400, bad
    nul = client.post(
        revenue_url("add"),
        {"year": "2018", "personal_income_tax": "1", "real_estate_tax": "1", "source": "a\x00b"},
    )
    assert nul.status_code == 400 and not TaxRevenue.objects.filter(year=2018).exists()
    listing = client.get(revenue_url("index")).content.decode()
    assert "Annual report 2019" not in listing and "Revīzija 2019" in listing and "€2,500,000" in listing


# The dashboard -------------------------------------------------------------------------------------------


def waiting_text(html, phrase):
    return [line for line in html.splitlines() if phrase in line]


def test_the_dashboard_counts_what_waits_and_links_to_the_screens(moderator, editor):
    client, _user = moderator
    organisation("SIA Gaida Pārbaudi")
    pledge = offered()
    DeclaredInterest.objects.create(organisation=pledge.organisation, idea=pledge.idea, kind="other")
    organisations = Organisation.objects.filter(state=Organisation.State.PENDING).count()
    pledges = Pledge.objects.filter(state=Pledge.State.OFFERED).count()
    interests = DeclaredInterest.objects.filter(decision=DeclaredInterest.Decision.PENDING).count()
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert f"{organisations} organisation" in html and "for verification" in html
    assert f"{pledges} offered pledge" in html and "for confirmation" in html
    assert f"{interests} declared interest" in html and "for review" in html
    assert f'href="{org_url("index")}?state=pending"' in html
    assert f'href="{pledge_url("index")}?state=offered"' in html
    assert f'href="{interest_url("index")}?decision=pending"' in html
    # One step less waits once a moderator took it.
    client.post(pledge_url("detail", pledge.pk), {"action": "decline", "decline-reason": "Not needed."})
    after = client.get(reverse("wagtailadmin_home")).content.decode()
    if pledges > 1:
        assert f"{pledges - 1} offered pledge" in after
    else:
        assert "offered pledge" not in after
    editor_client, _editor = editor
    editor_home = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "for verification" not in editor_home and "for confirmation" not in editor_home
