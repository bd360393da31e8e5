"""The API of businesses backing ideas and of budget think-tank workshops (ideas/api/partners.py): the permission
matrix of each endpoint (anonymous, resident, representative of a verified or a pending organisation, moderator,
editor), pledges through the services with their refusals, co-funding on ideas, what is never shown, the schema
and hostile input."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from home.models import EventRegistration
from ideas.models import DeclaredInterest, Idea, PartnersPage, Pledge, VotingCode, WorkshopOutcome
from ideas.partners import pledges as pledge_service
from ideas.partners.organisations import register_organisation, suspend_organisation, verify_organisation
from ideas.phases import Phase
from ideas.workshops import outcome_of
from tests.factories import add_event, make_idea, round_in_phase, translate_page, verified_resident

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations/"
MINE = "/api/v1/pledges/mine/"
WORKSHOPS = "/api/v1/workshops/"
IDEAS = "/api/v1/ideas/"
NUL_REFUSAL = (
    "The request contains a NUL character (character code 0), which no address, search or form field may hold. "
    "Remove it and try again."
)

PUBLIC_ORGANISATION_FIELDS = {
    "id",
    "name",
    "slug",
    "website",
    "description",
    "logo",
    "url",
    "pledge_total",
    "ideas_backed",
    "money_total",
    "in_kind_total",
    "volunteer_hours",
}
SECRET_CONTACT = ("kontakts@velo-test.example", "+371 29999999", "Ilze Slepenā", "40103999999")


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttling counts requests in the cache; every test starts with none counted.
    cache.clear()
    yield
    cache.clear()


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _organisation(representative, name, number, verified, **fields):
    values = {
        "name": name,
        "registration_number": number,
        "contact_name": "Ilze Slepenā",
        "contact_email": f"kontakts@{number}.example",
        "website": "https://example.test",
        "description": f"About {name}.",
        **fields,
    }
    organisation = register_organisation(representative, **values)
    if verified:
        organisation = verify_organisation(None, organisation)
    return organisation


@pytest.fixture
def representative(db):
    return verified_resident("velo-rep", email="velo-rep@example.test")


@pytest.fixture
def pending_representative(db):
    return verified_resident("pending-rep", email="pending-rep@example.test")


@pytest.fixture
def other_representative(db):
    return verified_resident("koki-rep", email="koki-rep@example.test")


@pytest.fixture
def verified_org(representative):
    return _organisation(
        representative,
        "SIA Testa Ritenis",
        "40103999999",
        True,
        contact_email=SECRET_CONTACT[0],
        contact_phone=SECRET_CONTACT[1],
        interests="Secret interests text",
        conflicts="Secret conflicts text",
    )


@pytest.fixture
def pending_org(pending_representative):
    return _organisation(pending_representative, "SIA Gaidošā", "40203999998", False)


@pytest.fixture
def other_org(other_representative):
    return _organisation(other_representative, "AS Citi Koki", "40003999997", True)


@pytest.fixture
def editor_user(db):
    return verified_resident("edita", email="edita@example.test", groups=["Editors"])


@pytest.fixture
def roles(
    resident, representative, pending_representative, idea_moderator, editor_user, verified_org, pending_org
):
    """Every role of the matrix, by name (None: anonymous)."""
    return {
        "anonymous": None,
        "resident": resident,
        "business": representative,
        "pending business": pending_representative,
        "moderator": idea_moderator,
        "editor": editor_user,
    }


def offer(user, organisation, idea, **values):
    values = {"kind": "money", "amount": Decimal("2000"), **values}
    return pledge_service.offer_pledge(user, organisation, idea, **values)


def payload(organisation, idea, **fields):
    return {"organisation": organisation.pk, "idea": idea.pk, "kind": "money", "amount": "2500.00", **fields}


# Organisations -------------------------------------------------------------------------------------------


def test_organisations_are_public_verified_only_with_public_fields(
    roles, verified_org, pending_org, published_idea, idea_moderator
):
    confirmed = offer(roles["business"], verified_org, published_idea, amount=Decimal("3000"))
    pledge_service.confirm_pledge(idea_moderator, confirmed)
    offer(
        roles["business"], verified_org, published_idea, kind="volunteering", hours=12, description="We dig."
    )
    for role, user in roles.items():
        response = client_for(user).get(ORGANISATIONS, {"lang": "en"})
        assert response.status_code == 200, role
        listed = {item["slug"]: item for item in _all_pages(client_for(user), ORGANISATIONS)}
        assert verified_org.slug in listed, role
        assert pending_org.slug not in listed, role
        mine = listed[verified_org.slug]
        assert set(mine) == PUBLIC_ORGANISATION_FIELDS, role
        # Only the confirmed pledge counts; the offered hours wait for staff.
        assert (mine["pledge_total"], mine["ideas_backed"], mine["money_total"]) == (1, 1, "3000.00")
        assert (mine["in_kind_total"], mine["volunteer_hours"]) == ("0.00", 0)
        for secret in (*SECRET_CONTACT, "Secret interests", "Secret conflicts", "velo-rep"):
            assert secret not in response.content.decode(), (role, secret)


def _all_pages(client, url):
    items, page = [], client.get(url).json()
    items.extend(page["results"])
    while page["next"]:
        page = client.get(page["next"]).json()
        items.extend(page["results"])
    return items


def test_one_organisation_by_slug_with_the_ideas_it_backs(
    roles, verified_org, published_idea, idea_moderator, home_en, en
):
    pledge_service.confirm_pledge(idea_moderator, offer(roles["business"], verified_org, published_idea))
    # Its page on the website, under the partners page of the request language.
    PartnersPage.objects.filter(locale=en).delete()
    partners = PartnersPage(title="Partners", slug="partners-api", locale=en)
    home_en.add_child(instance=partners)
    partners.save_revision().publish()
    english = client_for(None).get(f"{ORGANISATIONS}{verified_org.slug}/", {"lang": "en"}).json()
    assert english["url"] == f"http://testserver/en/partners-api/{verified_org.slug}/"
    for role, user in roles.items():
        response = client_for(user).get(f"{ORGANISATIONS}{verified_org.slug}/")
        assert response.status_code == 200, role
        data = response.json()
        assert set(data) == PUBLIC_ORGANISATION_FIELDS | {"backed_ideas"}
        assert [idea["id"] for idea in data["backed_ideas"]] == [published_idea.pk]
        assert SECRET_CONTACT[0] not in response.content.decode()


def test_pending_and_suspended_organisations_are_not_found_even_by_their_representatives(
    roles, pending_org, other_org, idea_moderator
):
    suspend_organisation(idea_moderator, other_org, "Contract ended.")
    for role, user in roles.items():
        for slug in (pending_org.slug, other_org.slug):
            response = client_for(user).get(f"{ORGANISATIONS}{slug}/?lang=en")
            assert response.status_code == 404, (role, slug)
            assert set(response.json()) == {"detail"}


# Pledges: my pledges -------------------------------------------------------------------------------------


def test_my_pledges_matrix(roles, verified_org, other_org, other_representative, published_idea):
    mine = offer(roles["business"], verified_org, published_idea)
    pledge_service.withdraw_pledge(roles["business"], mine, "Changed our plans.")
    theirs = offer(other_representative, other_org, published_idea)

    anonymous = client_for(None).get(MINE)
    assert anonymous.status_code == 403
    expected = {
        "resident": [],
        "business": [mine.pk],
        "pending business": [],
        "moderator": [],
        "editor": [],
    }
    for role, pledge_ids in expected.items():
        response = client_for(roles[role]).get(MINE, {"lang": "en"})
        assert response.status_code == 200, role
        assert [item["id"] for item in response.json()["results"]] == pledge_ids, role
    item = client_for(roles["business"]).get(MINE, {"lang": "en"}).json()["results"][0]
    assert item["state"] == "withdrawn" and item["state_label"] == "Withdrawn"
    assert item["organisation"] == {
        "id": verified_org.pk,
        "name": verified_org.name,
        "slug": verified_org.slug,
        "state": "verified",
        "state_label": "Verified",
    }
    assert [(step["from_state"], step["to_state"], step["role"]) for step in item["history"]] == [
        ("", "offered", "organisation"),
        ("offered", "withdrawn", "organisation"),
    ]
    assert item["history"][1]["reason"] == "Changed our plans."
    assert theirs.state == "offered"  # listed for its own organisation only


def test_offering_a_pledge_matrix(roles, verified_org, pending_org, published_idea):
    refusals = {
        "anonymous": (403, "Authentication credentials were not provided."),
        "resident": (
            403,
            "Only a verified organisation can back ideas that are published and still in the running.",
        ),
        "pending business": (
            403,
            "Only a verified organisation can back ideas that are published and still in the running.",
        ),
        "moderator": (
            403,
            "Only a verified organisation can back ideas that are published and still in the running.",
        ),
        "editor": (
            403,
            "Only a verified organisation can back ideas that are published and still in the running.",
        ),
    }
    for role, (code, message) in refusals.items():
        organisation = pending_org if role == "pending business" else verified_org
        response = client_for(roles[role]).post(
            f"{MINE}?lang=en", payload(organisation, published_idea), format="json"
        )
        assert (response.status_code, response.json()) == (code, {"detail": message}), role
    assert not Pledge.objects.filter(idea=published_idea).exists()

    response = client_for(roles["business"]).post(
        f"{MINE}?lang=en",
        payload(verified_org, published_idea, description="For the benches."),
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    pledge = Pledge.objects.get(idea=published_idea)
    assert (data["id"], data["state"], data["amount"], data["kind_label"]) == (
        pledge.pk,
        "offered",
        "2500.00",
        "Money",
    )
    assert pledge.offered_by == roles["business"]
    assert data["idea"]["id"] == published_idea.pk
    assert [step["to_state"] for step in data["history"]] == ["offered"]


def test_a_pledge_is_refused_on_a_conflict_with_the_services_message(
    representative, verified_org, support_round, resident, idea_moderator
):
    own_idea = make_idea(support_round, author=representative, status="published")
    response = client_for(representative).post(
        f"{MINE}?lang=en", payload(verified_org, own_idea), format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "A representative of SIA Testa Ritenis proposed this idea, so it cannot back it."
    }

    supplied = make_idea(support_round, author=resident, status="published")
    pledge_service.declare_interest(representative, verified_org, supplied, kind="supplier")
    response = client_for(representative).post(
        f"{MINE}?lang=en", payload(verified_org, supplied), format="json"
    )
    assert response.status_code == 403
    with translation.override("en"):
        assert response.json()["detail"] == pledge_service.pledge_conflict(verified_org, supplied)
    assert "declared an interest" in response.json()["detail"]
    assert not Pledge.objects.filter(idea__in=[own_idea, supplied]).exists()

    # Once staff find no conflict, the same request is taken.
    interest = DeclaredInterest.objects.get(organisation=verified_org, idea=supplied)
    pledge_service.review_interest(
        idea_moderator, interest, decision="cleared", reason="Not a supplier here."
    )
    response = client_for(representative).post(
        f"{MINE}?lang=en", payload(verified_org, supplied), format="json"
    )
    assert response.status_code == 201


def test_no_pledges_once_voting_opened(representative, verified_org):
    voting = round_in_phase(Phase.VOTING)
    on_ballot = make_idea(voting, status="on_ballot")
    response = client_for(representative).post(
        f"{MINE}?lang=en", payload(verified_org, on_ballot), format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "This is not possible in the current phase of the round."


# Pledges: steps ------------------------------------------------------------------------------------------


def test_withdrawing_matrix(roles, verified_org, other_org, other_representative, published_idea):
    pledge = offer(roles["business"], verified_org, published_idea)
    url = f"/api/v1/pledges/{pledge.pk}/withdraw/?lang=en"
    expected = {
        "anonymous": 403,
        "resident": 404,
        "pending business": 404,
        "editor": 404,
        "moderator": 403,  # moderators see every pledge, but only its organisation withdraws it
    }
    for role, code in expected.items():
        response = client_for(roles[role]).post(url, {"reason": "Not ours to take back."}, format="json")
        assert response.status_code == code, role
    assert client_for(other_representative).post(url, {}, format="json").status_code == 404
    pledge.refresh_from_db()
    assert pledge.state == "offered"

    response = client_for(roles["business"]).post(url, {"reason": "Budget cut."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "withdrawn"
    pledge.refresh_from_db()
    assert (pledge.state, pledge.state_reason) == ("withdrawn", "Budget cut.")

    again = client_for(roles["business"]).post(url, {}, format="json")
    assert again.status_code == 403
    assert again.json()["detail"] == "A pledge that is “Withdrawn” cannot become “Withdrawn”."


def test_staff_steps_matrix_and_cofunding_on_the_idea(roles, verified_org, published_idea):
    pledge = offer(roles["business"], verified_org, published_idea, amount=Decimal("5000"))
    url = f"/api/v1/pledges/{pledge.pk}/confirm/?lang=en"
    for role, code in {"anonymous": 403, "resident": 404, "editor": 404, "pending business": 404}.items():
        assert client_for(roles[role]).post(url, {}, format="json").status_code == code, role
    own = client_for(roles["business"]).post(url, {}, format="json")
    assert own.status_code == 403
    assert own.json()["detail"] == (
        "Only moderators confirm pledges, before voting opens, on ideas still in the running."
    )
    assert Idea.objects.get(pk=published_idea.pk).cofunding == 0

    confirmed = client_for(roles["moderator"]).post(url, {"reason": "Agreement signed."}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["state"] == "confirmed"
    idea = client_for(None).get(f"{IDEAS}{published_idea.pk}/").json()
    assert (idea["estimated_cost"], idea["cofunding"], idea["net_cost"]) == ("12000.00", "5000.00", "7000.00")
    assert idea["backers"] == [{"name": verified_org.name, "slug": verified_org.slug}]

    # Fulfilment waits for the results; the refusal says so.
    fulfil = client_for(roles["moderator"]).post(
        f"/api/v1/pledges/{pledge.pk}/fulfil/?lang=en", {}, format="json"
    )
    assert fulfil.status_code == 403
    assert fulfil.json()["detail"] == "This is not possible in the current phase of the round."


def test_declining_needs_a_reason(representative, verified_org, published_idea, idea_moderator):
    pledge = offer(representative, verified_org, published_idea)
    url = f"/api/v1/pledges/{pledge.pk}/decline/?lang=en"
    client = client_for(idea_moderator)
    response = client.post(url, {"reason": "   "}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "reason": ["Please give a reason; the organisation and the public will see it."]
    }
    assert client_for(representative).post(url, {"reason": "No."}, format="json").status_code == 403

    response = client.post(url, {"reason": "The idea needs no money."}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["state_reason"]) == (
        "declined",
        "The idea needs no money.",
    )


def test_one_pledge_is_read_by_its_organisation_and_moderators_only(roles, verified_org, published_idea):
    pledge = offer(roles["business"], verified_org, published_idea)
    expected = {
        "anonymous": 403,
        "resident": 404,
        "business": 200,
        "pending business": 404,
        "moderator": 200,
        "editor": 404,
    }
    for role, code in expected.items():
        assert client_for(roles[role]).get(f"/api/v1/pledges/{pledge.pk}/").status_code == code, role


# Ideas: co-funding and backers ---------------------------------------------------------------------------


def test_idea_list_shows_backers_in_a_fixed_number_of_queries(
    representative, verified_org, other_org, other_representative, idea_moderator, resident
):
    budget_round = round_in_phase(Phase.SUPPORT, name="Backed round")
    client = client_for(None)

    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(IDEAS, {"round": budget_round.pk, "lang": "en"})
        assert response.status_code == 200
        return len(queries), response.json()["results"]

    def backed_idea(number):
        idea = make_idea(budget_round, author=resident, title=f"Backed {number}")
        for organisation, person in ((verified_org, representative), (other_org, other_representative)):
            pledge_service.confirm_pledge(
                idea_moderator, offer(person, organisation, idea, amount=Decimal(100))
            )
        return idea

    backed_idea(0)
    queries_for_list()  # warm up caches (site root paths, locales)
    with_one, _results = queries_for_list()
    for number in range(1, 6):
        backed_idea(number)
    with_six, results = queries_for_list()

    assert with_one == with_six
    assert len(results) == 6
    names = sorted([verified_org.name, other_org.name])
    assert all([backer["name"] for backer in item["backers"]] == names for item in results)
    assert all((item["cofunding"], item["net_cost"]) == ("200.00", "11800.00") for item in results)


def test_net_cost_never_below_zero_and_offered_pledges_do_not_count(
    representative, verified_org, published_idea, idea_moderator
):
    offer(representative, verified_org, published_idea, amount=Decimal("9000"))
    idea = client_for(None).get(f"{IDEAS}{published_idea.pk}/").json()
    assert (idea["cofunding"], idea["net_cost"], idea["backers"]) == ("0.00", "12000.00", [])

    whole = offer(representative, verified_org, published_idea, amount=Decimal("12000"))
    pledge_service.confirm_pledge(idea_moderator, whole)
    idea = client_for(None).get(f"{IDEAS}{published_idea.pk}/").json()
    assert (idea["cofunding"], idea["net_cost"]) == ("12000.00", "0.00")


# Workshops -----------------------------------------------------------------------------------------------


@pytest.fixture
def workshop(event_index_lv, en, support_round, resident):
    latvian = add_event(
        event_index_lv,
        slug="budget-workshop-api",
        title="Budžeta darbnīca",
        kind="workshop",
        budget_round=support_round,
        facilitator="Dace Vadītāja",
        agenda="18:00 Sveiki\n18:15 Idejas",
    )
    english = translate_page(
        latvian, en, title="Budget workshop", slug="budget-workshop-api", agenda="18:00 Welcome\n18:15 Ideas"
    )
    # Two attended, one did not come, one cancelled (and counts nowhere).
    for number, (attended, state) in enumerate(
        ((True, "confirmed"), (True, "confirmed"), (False, "confirmed"), (True, "cancelled"))
    ):
        EventRegistration.objects.create(
            event=latvian,
            name=f"Reģistrētais Dalībnieks {number}",
            email=f"registrant{number}@example.test",
            language="lv",
            attended=attended,
            status=state,
        )
    WorkshopOutcome.objects.create(event=latvian, notes="Three ideas for the river bank.")
    VotingCode.objects.create(
        round=support_round, code_hash="f" * 64, batch="Workshop", state="issued", workshop=latvian
    )
    # A public idea entered there is listed; one still waiting for moderation is not.
    entered = make_idea(
        support_round,
        author=resident,
        workshop=latvian,
        title="Benches by the river",
        credited_to="Kārlis Dalībnieks",
    )
    make_idea(support_round, author=None, workshop=latvian, status="submitted", credited_to="Zane Dalībniece")
    latvian.entered_idea = entered
    # Neither a plain event nor a workshop without a round is listed.
    add_event(event_index_lv, slug="plain-event-api", title="Koncerts")
    add_event(event_index_lv, slug="roundless-workshop-api", title="Cita darbnīca", kind="workshop")
    return latvian, english


def test_workshops_in_the_request_language_with_outcomes_and_no_personal_data(roles, workshop, support_round):
    latvian, english = workshop
    for role, user in roles.items():
        for language, page, title in (
            ("lv", latvian, "Budžeta darbnīca"),
            ("en", english, "Budget workshop"),
        ):
            response = client_for(user).get(WORKSHOPS, {"lang": language, "round": support_round.pk})
            assert response.status_code == 200, role
            text = response.content.decode()
            for personal in ("Reģistrētais", "registrant0@example.test", "Dalībnie", "@example.test"):
                assert personal not in text, (role, personal)
            [item] = response.json()["results"]
            assert set(item) == {
                "id",
                "round",
                "title",
                "lead",
                "start",
                "end",
                "venue_name",
                "venue_address",
                "facilitator",
                "agenda",
                "outcome_notes",
                "registrations",
                "attended",
                "codes_handed_out",
                "ideas_entered",
                "ideas",
                "url",
            }
            assert (item["id"], item["title"], item["round"]) == (page.pk, title, support_round.pk)
            # The English page reports its Latvian original's registrations and outcome, as the round page does.
            outcome = outcome_of(page)
            assert item["outcome_notes"] == outcome.notes == "Three ideas for the river bank."
            assert (item["registrations"], item["attended"], item["codes_handed_out"]) == (3, 2, 1)
            assert (outcome.registrations, outcome.attended, outcome.codes_handed_out) == (3, 2, 1)
            assert item["ideas_entered"] == len(outcome.ideas) == 1
            assert [idea["id"] for idea in item["ideas"]] == [latvian.entered_idea.pk]
            assert item["ideas"][0]["title"] == "Benches by the river"
            assert item["facilitator"] == "Dace Vadītāja"
    titles = [item["title"] for item in _all_pages(client_for(None), f"{WORKSHOPS}?lang=lv")]
    assert "Budžeta darbnīca" in titles
    assert "Koncerts" not in titles and "Cita darbnīca" not in titles

    english_one = client_for(None).get(f"{WORKSHOPS}{english.pk}/?lang=en")
    assert english_one.status_code == 200
    assert english_one.json()["agenda"] == "18:00 Welcome\n18:15 Ideas"
    # A page is found in its own language only; a draft is not found at all.
    assert client_for(None).get(f"{WORKSHOPS}{english.pk}/?lang=lv").status_code == 404
    english.unpublish()
    assert client_for(None).get(f"{WORKSHOPS}{english.pk}/?lang=en").status_code == 404


def test_workshop_list_runs_a_fixed_number_of_queries(event_index_lv, support_round):
    def add(number):
        page = add_event(
            event_index_lv, slug=f"query-workshop-{number}", kind="workshop", budget_round=support_round
        )
        WorkshopOutcome.objects.create(event=page, notes=f"Notes {number}")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client_for(None).get(WORKSHOPS, {"lang": "lv", "round": support_round.pk})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    add(0)
    queries()
    with_one = queries()
    for number in range(1, 6):
        add(number)
    with_six = queries()
    assert (with_one[1], with_six[1]) == (1, 6)
    assert with_one[0] == with_six[0]


# Schema --------------------------------------------------------------------------------------------------


def test_schema_documents_the_new_operations_with_their_errors():
    schema = client_for(None).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    # Every operation: 400, 403 (a token that is not valid) and 429 (throttles); 404 for one object or a page
    # past the end of a list (ideas/api/schema.py ApiSchema.error_codes).
    operations = {
        ("/api/v1/organisations/", "get"): {"200", "404"},
        ("/api/v1/organisations/{slug}/", "get"): {"200", "404"},
        ("/api/v1/pledges/mine/", "get"): {"200", "404"},
        ("/api/v1/pledges/mine/", "post"): {"201"},
        ("/api/v1/pledges/{id}/", "get"): {"200", "404"},
        ("/api/v1/pledges/{id}/withdraw/", "post"): {"200", "404"},
        ("/api/v1/pledges/{id}/confirm/", "post"): {"200", "404"},
        ("/api/v1/pledges/{id}/decline/", "post"): {"200", "404"},
        ("/api/v1/pledges/{id}/fulfil/", "post"): {"200", "404"},
        ("/api/v1/workshops/", "get"): {"200", "404"},
        ("/api/v1/workshops/{id}/", "get"): {"200", "404"},
    }
    for (path, method), codes in operations.items():
        assert set(paths[path][method]["responses"]) == {"400", "403", "429", *codes}, (path, method)
    errors = paths["/api/v1/pledges/mine/"]["post"]["responses"]
    assert errors["403"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in errors["429"]["headers"]
    organisation = schema["components"]["schemas"]["Organisation"]["properties"]
    assert not {"contact_email", "contact_phone", "registration_number", "representatives"} & set(
        organisation
    )
    assert {"cofunding", "net_cost", "backers"} <= set(schema["components"]["schemas"]["Idea"]["properties"])
    workshop = schema["components"]["schemas"]["Workshop"]["properties"]
    assert not {"name", "email", "credited_to", "registrants"} & set(workshop)
    assert workshop["registrations"]["type"] == workshop["attended"]["type"] == "integer"  # numbers only


def test_schema_generates_without_warnings(tmp_path):
    # drf-spectacular's own check: any warning (an unresolvable field, an enum collision) fails the command.
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
        stdout=io.StringIO(),
    )
    assert "/api/v1/pledges/mine/" in (tmp_path / "schema.yaml").read_text()


# Hostile input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"amount": "abc"}, {"amount": ["Enter an amount in euros, for example 1500 or 1500.50."]}),
        ({"amount": "NaN"}, {"amount": ["Enter an amount in euros, for example 1500 or 1500.50."]}),
        ({"amount": "Infinity"}, {"amount": ["Enter an amount in euros, for example 1500 or 1500.50."]}),
        ({"amount": "1e400"}, {"amount": ["Enter an amount between 0 and 9,999,999,999.99 euros."]}),
        ({"amount": "-5"}, {"amount": ["Enter an amount between 0 and 9,999,999,999.99 euros."]}),
        (
            {"amount": "99999999999999999999"},
            {"amount": ["Enter an amount between 0 and 9,999,999,999.99 euros."]},
        ),
        ({"amount": "1" * 5000}, {"amount": ["Enter an amount between 0 and 9,999,999,999.99 euros."]}),
        (
            {"amount": "10.555"},
            {"amount": ["Give the amount in euros and cents: at most two decimal places."]},
        ),
        ({"amount": "0"}, {"amount": ["How much money do you pledge?"]}),
        ({"kind": "shares"}, {"kind": ["Choose money, in kind or volunteer hours."]}),
        ({"kind": "volunteering", "hours": "many"}, {"hours": ["Enter a whole number of hours."]}),
        ({"kind": "volunteering", "hours": 10**12}, {"hours": ["Enter between 1 and 100,000 hours."]}),
        ({"kind": "volunteering", "hours": 5}, {"description": ["Describe the volunteering you offer."]}),
        ({"description": "Nul\x00byte"}, {"detail": NUL_REFUSAL}),  # refused by ideas/api/parsers.py
        (
            {"description": "x" * 1001},
            {"description": ["Please keep the description under 1,000 characters."]},
        ),
        ({"idea": 10**30}, {"idea": ["Give the id as a whole number."]}),
        ({"idea": "\x00"}, {"detail": NUL_REFUSAL}),
        ({"idea": 2**63 - 1}, {"idea": [f"There is no idea with the id “{2**63 - 1}”."]}),
        ({"organisation": "7 OR 1=1"}, {"organisation": ["Give the id as a whole number."]}),
        (
            {"organisation": 987654321},
            {"organisation": ["There is no organisation with the id “987654321”."]},
        ),
    ],
)
def test_hostile_pledges_are_400_naming_the_field(
    representative, verified_org, published_idea, fields, errors
):
    response = client_for(representative).post(
        f"{MINE}?lang=en", {**payload(verified_org, published_idea), **fields}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == errors
    assert not Pledge.objects.filter(idea=published_idea).exists()


def test_other_peoples_organisations_and_hidden_ideas(
    representative, verified_org, pending_org, other_org, published_idea, support_round, resident
):
    client = client_for(representative)
    # A pending organisation is known to its own representatives only: for others it does not exist.
    hidden = client.post(f"{MINE}?lang=en", payload(pending_org, published_idea), format="json")
    assert (hidden.status_code, hidden.json()) == (
        400,
        {"organisation": [f"There is no organisation with the id “{pending_org.pk}”."]},
    )
    # A verified organisation is public: the service says the person does not act for it.
    theirs = client.post(f"{MINE}?lang=en", payload(other_org, published_idea), format="json")
    assert (theirs.status_code, theirs.json()) == (403, {"detail": "You do not act for AS Citi Koki."})
    # Someone else's draft is no idea at all.
    draft = make_idea(support_round, author=resident, status="draft")
    response = client.post(f"{MINE}?lang=en", payload(verified_org, draft), format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"idea": [f"There is no idea with the id “{draft.pk}”."]},
    )
    assert not Pledge.objects.filter(idea__in=[published_idea, draft]).exists()


def test_hostile_requests_elsewhere_are_clear_errors(
    representative, verified_org, published_idea, idea_moderator
):
    client = client_for(representative)
    pledge = offer(representative, verified_org, published_idea)
    assert client.post(f"/api/v1/pledges/{10**30}/withdraw/", {}, format="json").status_code == 404
    assert client.post("/api/v1/pledges/abc/withdraw/", {}, format="json").status_code == 404
    assert client.post("/api/v1/pledges/%00/withdraw/", {}, format="json").status_code == 400
    nul_reason = client.post(
        f"/api/v1/pledges/{pledge.pk}/withdraw/?lang=en", {"reason": "a\x00b"}, format="json"
    )
    assert (nul_reason.status_code, nul_reason.json()) == (400, {"detail": NUL_REFUSAL})
    broken = client.post(f"{MINE}?lang=en", "{not json", content_type="application/json")
    assert broken.status_code == 400
    a_list = client.post(f"{MINE}?lang=en", [1, 2], format="json")
    assert a_list.status_code == 400
    assert client.get(f"{MINE}?page=99999999999999999999").status_code == 404
    assert client.get(f"{MINE}?lang=%00").status_code == 400

    assert client.get(f"{ORGANISATIONS}%00/").status_code == 400
    assert client.get(f"{ORGANISATIONS}{'a' * 5000}/").status_code == 404
    assert client.get(f"{ORGANISATIONS}?page=abc").status_code == 404
    for huge in (10**30, 2**63, "1" * 5000):
        assert client.get(f"{WORKSHOPS}{huge}/").status_code == 404, huge
        assert client.post(f"/api/v1/pledges/{huge}/withdraw/", {}, format="json").status_code == 404, huge
    for bad_round in ("abc", str(10**30)):
        response = client.get(WORKSHOPS, {"round": bad_round, "lang": "en"})
        assert response.status_code == 400, bad_round
        assert list(response.json()) == ["round"]
    response = client.get(WORKSHOPS, {"round": "\x00", "lang": "en"})
    assert (response.status_code, response.json()) == (400, {"detail": NUL_REFUSAL})
    pledge.refresh_from_db()
    assert pledge.state == "offered"
