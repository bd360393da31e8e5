"""The partners pages and the idea page's business actions, in Latvian (at /) and English (under /en/): the list
of verified partners, a partner's page (404 while unverified), business sign-up with its errors and logo, "my
organisation", editing, withdrawing (404 / 405 / refusals), pledging and declaring an interest from the idea page,
"Backed by", the co-funding line, the merged public history, and the cards' badge with a bounded query count.

English strings are checked on English pages only: the translation pass comes after these tests were written."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from ideas.models import (
    BudgetRoundPage,
    DeclaredInterest,
    Idea,
    Organisation,
    Pledge,
    PledgeChange,
    StatusChange,
)
from ideas.partners import pledges
from ideas.phases import Phase
from ideas.text import formats
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident
from tests.ideas.test_pledges import make_organisation, registration_number
from tests.ideas.test_web import round_page

pytestmark = pytest.mark.django_db

PAGES = {
    "lv": {"partners": "/partneri/", "round": "zalaka-apkaime-2026"},
    "en": {"partners": "/en/partners/", "round": "greener-neighbourhood-2026"},
}


@pytest.fixture(params=["lv", "en"])
def language(request):
    return request.param


def partners_url(language):
    return PAGES[language]["partners"]


def demo_round_page(language):
    return BudgetRoundPage.objects.get(slug=PAGES[language]["round"])


def text(response):
    return response.content.decode()


@pytest.fixture
def rep(db):
    return verified_resident("web-rep", email="web-rep@example.test")


@pytest.fixture
def organisation(rep):
    return make_organisation(rep, name="SIA Tīmekļa Koki", website="https://koki.example")


@pytest.fixture
def fresh_idea(resident):
    """A published idea in the demo round (its support phase takes pledges)."""
    budget_round = demo_round_page("lv").budget_round
    assert budget_round.current_phase() == Phase.SUPPORT
    return make_idea(budget_round, author=resident, status="published", official_cost=Decimal("10000"))


def photo(name="logo.jpg", with_location=True):
    """A JPEG whose EXIF says where it was taken and with which camera."""
    image = Image.new("RGB", (400, 200), (20, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "Test Camera Maker"  # Make
    if with_location:
        exif[0x8825] = {1: "N", 2: (56.0, 50.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def sign_up_data(**overrides):
    data = {
        "name": "SIA Jaunais Partneris",
        "registration_number": registration_number(),
        "website": "https://partneris.example",
        "description": "Mēs ražojam soliņus.",
        "contact_name": "Ilze Parauga",
        "contact_email": "ilze@partneris.example",
        "contact_phone": "+371 20000000",
        "interests": "",
        "conflicts": "",
        "authorised": "on",
    }
    data.update(overrides)
    return data


# The list and a partner's page ----------------------------------------------------------------------------


def test_the_list_shows_verified_partners_only(client, language):
    url = partners_url(language)
    html = text(client.get(url))
    assert f'<html lang="{language}">' in html
    assert "SIA Zaļais Ritenis" in html
    assert "AS Daugavas Kokaudzētava" in html
    assert "SIA Baložu Būve" not in html  # waiting for verification
    assert f'href="{url}join/"' in html
    assert f'href="{url}csr/"' in html
    slug = Organisation.objects.get(name="SIA Zaļais Ritenis").slug
    assert f'href="{url}{slug}/"' in html


def partner_card(html, name):
    cards = [card.split("</li>")[0] for card in html.split('<li class="partner-card">')[1:]]
    matching = [card for card in cards if name in card]
    assert len(matching) == 1, f"{name} appears on {len(matching)} cards"
    return matching[0]


def test_the_list_counts_ideas_and_confirmed_money(client, language, organisation, fresh_idea, resident):
    other_idea = make_idea(fresh_idea.round, author=resident, status="published")
    pledges.confirm_pledge(
        None, pledges.offer_pledge(None, organisation, fresh_idea, kind="money", amount="1234")
    )
    pledges.offer_pledge(None, organisation, fresh_idea, kind="money", amount="999")  # not confirmed
    pledges.confirm_pledge(
        None,
        pledges.offer_pledge(
            None, organisation, other_idea, kind="in_kind", amount="5000", description="Soil."
        ),
    )
    card = partner_card(text(client.get(partners_url(language))), "SIA Tīmekļa Koki")
    assert formats.money(Decimal("1234"), language) in card
    assert "<dd>2</dd>" in card
    assert formats.money(Decimal("2233"), language) not in card


def test_the_list_has_20_partners_a_page(client, rep):
    for number in range(25):
        make_organisation(rep, name=f"ZZ Partneris {number:02}")
    verified = Organisation.objects.filter(state="verified").count()
    first = text(client.get("/en/partners/"))
    assert first.count('<li class="partner-card">') == 20
    second = text(client.get("/en/partners/?page=2"))
    assert second.count('<li class="partner-card">') == verified - 20
    assert 'rel="prev"' in second
    # A bad page number shows a page instead of an error.
    assert client.get("/en/partners/?page=abc").status_code == 200
    assert text(client.get("/en/partners/?page=99")).count('<li class="partner-card">') == verified - 20


def test_the_list_says_when_there_are_no_partners(client):
    Organisation.objects.update(state="pending")
    html = text(client.get("/en/partners/"))
    assert '<li class="partner-card">' not in html
    assert "No business has been verified as a partner yet" in html
    assert 'href="/en/partners/join/"' in html


def test_a_partners_page_shows_what_it_backs(client, language):
    organisation = Organisation.objects.get(name="SIA Zaļais Ritenis")
    url = partners_url(language)
    html = text(client.get(f"{url}{organisation.slug}/"))
    assert '<a href="https://zalais-ritenis.example" rel="nofollow noopener">' in html
    assert "Jumtota velonovietne pie autobusu pieturas" in html
    page = demo_round_page(language)
    idea = Idea.objects.get(round=page.budget_round, title="Jumtota velonovietne pie autobusu pieturas")
    assert f'href="{page.idea_url(idea)}"' in html
    assert formats.money(Decimal("3000"), language) in html
    assert f'href="{url}{organisation.slug}/report/"' in html
    assert f'<html lang="{language}">' in html


def test_an_unverified_partner_is_seen_only_by_its_people_and_staff(client, idea_moderator, resident):
    person = verified_resident("pending-web-rep")
    pending = make_organisation(person, name="SIA Gaida Pārbaudi", state="pending")
    for url in (f"/partneri/{pending.slug}/", f"/en/partners/{pending.slug}/"):
        assert client.get(url).status_code == 404
    client.force_login(resident)
    assert client.get(f"/en/partners/{pending.slug}/").status_code == 404
    client.force_login(person)
    html = text(client.get(f"/en/partners/{pending.slug}/"))
    assert "waiting for verification" in html
    assert client.get(f"/partneri/{pending.slug}/").status_code == 200
    client.force_login(idea_moderator)
    assert client.get(f"/en/partners/{pending.slug}/").status_code == 200
    assert client.get("/en/partners/no-such-partner/").status_code == 404


# Sign-up ---------------------------------------------------------------------------------------------------


def test_joining_needs_a_login_and_a_verified_address(client, language):
    url = partners_url(language) + "join/"
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"] and "next=" in response["Location"]
    client.force_login(UserFactory(username="web-unverified"))
    response = client.get(url)
    assert response.status_code == 403
    with translation.override(language):
        assert f'href="{reverse("account_email")}"' in text(response)
    if language == "en":
        assert "verify your e-mail address" in text(response)


def test_a_business_signs_up_with_a_logo(client, language, resident):
    client.force_login(resident)
    url = partners_url(language)
    assert client.get(url + "join/").status_code == 200
    data = sign_up_data(logo=photo())
    response = client.post(url + "join/", data)
    assert response.status_code == 302
    assert response["Location"] == url + "mine/"
    organisation = Organisation.objects.get(name="SIA Jaunais Partneris")
    assert organisation.state == "pending"
    assert list(organisation.representatives.all()) == [resident]
    with organisation.logo.open() as stored, Image.open(stored) as logo:
        assert logo.format == "JPEG"
        assert dict(logo.getexif()) == {}  # camera and location gone
    html = text(client.get(url + "mine/"))
    assert "SIA Jaunais Partneris" in html
    if language == "en":
        assert "Staff will check it and verify it" in html
        assert "Waiting for verification" in html
    # Not yet public.
    client.logout()
    assert client.get(f"{url}{organisation.slug}/").status_code == 404


def test_sign_up_errors_are_shown_per_field_and_keep_what_was_typed(client, resident):
    client.force_login(resident)
    data = sign_up_data(
        registration_number="123",
        name="",
        description="Teksts, ko nedrīkst pazaudēt.",
        authorised="",
        logo=SimpleUploadedFile("logo.png", b"not a picture", content_type="image/png"),
    )
    response = client.post("/en/partners/join/", data)
    assert response.status_code == 400
    html = text(response)
    for field in ("registration_number", "name", "authorised", "logo"):
        assert f'id="id_{field}_error"' in html, field
    assert "Teksts, ko nedrīkst pazaudēt." in html
    assert 'value="ilze@partneris.example"' in html
    assert "please choose it again" in html
    assert not Organisation.objects.filter(contact_email="ilze@partneris.example").exists()


def test_a_nul_character_in_the_sign_up_is_refused_before_the_form(client, resident):
    """config/middleware.py refuses a NUL in any posted field with one message; nothing is stored."""
    client.force_login(resident)
    response = client.post("/en/partners/join/", sign_up_data(name="SIA Nulles\x00Baits"))
    assert response.status_code == 400
    assert "NUL character" in text(response)
    assert not Organisation.objects.filter(contact_email="ilze@partneris.example").exists()


def test_a_known_registration_number_is_refused_on_its_field(client, resident, organisation):
    client.force_login(resident)
    response = client.post(
        "/partneri/join/", sign_up_data(registration_number=organisation.registration_number)
    )
    assert response.status_code == 400
    html = text(response)
    assert 'id="id_registration_number_error"' in html
    assert 'value="SIA Jaunais Partneris"' in html
    assert Organisation.objects.filter(registration_number=organisation.registration_number).count() == 1


# "My organisation", editing, withdrawing ------------------------------------------------------------------


def test_my_organisation_lists_pledges_with_history_and_staff_reasons(
    client, language, rep, organisation, fresh_idea
):
    url = partners_url(language)
    assert client.get(url + "mine/").status_code == 302
    pledge = pledges.offer_pledge(rep, organisation, fresh_idea, kind="money", amount="700")
    pledges.confirm_pledge(None, pledge, "Līgums Nr. 7")
    refused = make_organisation(rep, name="SIA Atteiktā", state="rejected")
    client.force_login(rep)
    html = text(client.get(url + "mine/"))
    assert "SIA Tīmekļa Koki" in html and "SIA Atteiktā" in html
    assert "Number unknown." in html  # staff's reason for the refusal
    assert f'id="pledge-{pledge.pk}"' in html
    assert f'action="{url}pledges/{pledge.pk}/withdraw/"' in html
    assert "Līgums Nr. 7" in html
    assert f'href="{url}mine/{organisation.pk}/edit/"' in html
    assert f'href="{url}mine/{refused.pk}/edit/"' in html
    assert f'href="{demo_round_page(language).idea_url(fresh_idea)}"' in html


def test_my_organisation_without_one_points_to_sign_up(client, resident):
    client.force_login(resident)
    html = text(client.get("/en/partners/mine/"))
    assert "You do not act for any organisation yet." in html
    assert 'href="/en/partners/join/"' in html


def test_editing_an_organisation(client, language, rep, organisation, resident):
    url = partners_url(language) + f"mine/{organisation.pk}/edit/"
    client.force_login(resident)
    assert client.get(url).status_code == 404  # not theirs
    client.force_login(rep)
    assert 'value="SIA Tīmekļa Koki"' in text(client.get(url))
    values = {field: getattr(organisation, field) or "" for field in sign_up_data() if field != "authorised"}
    response = client.post(url, {**values, "description": "Jauns apraksts."})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.description, organisation.state) == ("Jauns apraksts.", "verified")
    response = client.post(url, {**values, "name": "SIA Jauns Nosaukums"}, follow=True)
    organisation.refresh_from_db()
    assert (organisation.name, organisation.state) == ("SIA Jauns Nosaukums", "pending")
    if language == "en":
        assert "staff will verify the organisation again" in text(response)
    response = client.post(url, {**values, "contact_email": "not-an-address"})
    assert response.status_code == 400
    assert 'id="id_contact_email_error"' in text(response)


def test_withdrawing_is_post_only_and_only_for_ones_own_pledges(client, rep, organisation, fresh_idea):
    pledge = pledges.offer_pledge(rep, organisation, fresh_idea, kind="money", amount="300")
    url = f"/en/partners/pledges/{pledge.pk}/withdraw/"
    assert client.post(url).status_code == 302  # log in first
    client.force_login(rep)
    assert client.get(url).status_code == 405
    stranger = verified_resident("web-stranger")
    make_organisation(stranger)
    client.force_login(stranger)
    assert client.post(url, {f"withdraw-{pledge.pk}-reason": "Mine now"}).status_code == 404
    assert client.post("/en/partners/pledges/999999/withdraw/").status_code == 404
    assert Pledge.objects.get(pk=pledge.pk).state == "offered"

    client.force_login(rep)
    response = client.post(url, {f"withdraw-{pledge.pk}-reason": "Budget\x00 cut"})
    assert response.status_code == 400
    assert "NUL character" in text(response)
    response = client.post(url, {f"withdraw-{pledge.pk}-reason": "x" * 5000})
    assert response.status_code == 400
    assert f'id="id_withdraw-{pledge.pk}-reason_error"' in text(response)
    assert Pledge.objects.get(pk=pledge.pk).state == "offered"

    response = client.post(url, {f"withdraw-{pledge.pk}-reason": "Budžets samazināts."})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.state, pledge.state_reason) == ("withdrawn", "Budžets samazināts.")
    assert pledge.history.last().role == "organisation"


def test_a_refused_withdrawal_says_why_and_keeps_the_reason(client, language, rep, organisation, fresh_idea):
    pledge = pledges.offer_pledge(rep, organisation, fresh_idea, kind="money", amount="800")
    pledges.confirm_pledge(None, pledge)
    budget_round = fresh_idea.round
    budget_round.voting_opened_at = timezone.now()
    budget_round.save(update_fields=["voting_opened_at"])
    client.force_login(rep)
    html = text(client.get(partners_url(language) + "mine/"))
    assert f'action="{partners_url(language)}pledges/{pledge.pk}/withdraw/"' not in html  # locked: no button
    response = client.post(
        f"{partners_url(language)}pledges/{pledge.pk}/withdraw/",
        {f"withdraw-{pledge.pk}-reason": "Mainījās plāni."},
    )
    assert response.status_code == 403
    html = text(response)
    assert "Mainījās plāni." in html
    assert 'class="form-errors"' in html
    if language == "en":
        assert "Voting has opened" in html
    assert Pledge.objects.get(pk=pledge.pk).state == "confirmed"


# The idea page --------------------------------------------------------------------------------------------


def pledge_data(organisation, **overrides):
    data = {
        "pledge-organisation": organisation.pk,
        "pledge-kind": "money",
        "pledge-amount": "2500",
        "pledge-hours": "",
        "pledge-description": "",
    }
    data.update(overrides)
    return data


def test_a_business_pledges_from_the_idea_page(
    client, language, rep, organisation, fresh_idea, idea_moderator
):
    page = demo_round_page(language)
    idea_url = page.idea_url(fresh_idea)
    client.force_login(rep)
    html = text(client.get(idea_url))
    assert f'action="{page.url}{fresh_idea.pk}/pledge/"' in html
    assert f'action="{page.url}{fresh_idea.pk}/declare-interest/"' in html
    response = client.post(idea_url + "pledge/", pledge_data(organisation))
    assert response.status_code == 302
    assert response["Location"] == idea_url + "#backing-heading"
    pledge = Pledge.objects.get(idea=fresh_idea)
    assert (pledge.organisation, pledge.kind, pledge.amount, pledge.state, pledge.offered_by) == (
        organisation,
        "money",
        Decimal("2500.00"),
        "offered",
        rep,
    )
    html = text(client.get(idea_url))
    assert 'id="backing-heading"' not in html  # offered only: nobody backs it yet

    pledges.confirm_pledge(idea_moderator, pledge)
    client.logout()
    html = text(client.get(idea_url))
    assert 'id="backing-heading"' in html
    assert f'href="{partners_url(language)}{organisation.slug}/"' in html
    line = re.search(r'<p class="cofunding-line">(.*?)</p>', html, re.S).group(1)
    for amount in ("10000", "2500", "7500"):
        assert formats.money(Decimal(amount), language) in line
    if language == "en":
        assert "confirmed co-funding" in line and "cost to the public budget" in line
    assert 'action="' + page.url + f'{fresh_idea.pk}/pledge/"' not in html  # not for visitors


def test_the_pledge_forms_errors_and_refusals_are_shown(client, rep, organisation):
    page = demo_round_page("en")
    own_idea = make_idea(page.budget_round, author=rep, status="published")
    client.force_login(rep)
    url = page.idea_url(own_idea) + "pledge/"
    assert client.get(url).status_code == 405
    response = client.post(url, pledge_data(organisation, **{"pledge-amount": "abc"}))
    assert response.status_code == 400
    assert 'id="id_pledge-amount_error"' in text(response)
    response = client.post(url, pledge_data(organisation, **{"pledge-amount": "1e400"}))
    assert response.status_code == 400
    # What only the service checks (in-kind help needs a description), on an idea without a conflict.
    other_idea = make_idea(page.budget_round, status="published")
    response = client.post(
        page.idea_url(other_idea) + "pledge/",
        pledge_data(
            organisation, **{"pledge-kind": "in_kind", "pledge-amount": "300", "pledge-description": ""}
        ),
    )
    assert response.status_code == 400
    assert 'id="id_pledge-description_error"' in text(response)
    # The representative wrote this idea: a conflict, said in words, with what was typed kept.
    response = client.post(url, pledge_data(organisation, **{"pledge-amount": "4321"}))
    assert response.status_code == 403
    html = text(response)
    assert "SIA Tīmekļa Koki proposed this idea, so it cannot back it" in html
    assert 'value="4321"' in html
    assert not Pledge.objects.filter(idea=own_idea).exists()


def test_only_verified_businesses_get_the_pledge_form(client, resident, fresh_idea, organisation):
    page = demo_round_page("en")
    url = page.idea_url(fresh_idea)
    response = client.post(url + "pledge/", pledge_data(organisation))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(resident)  # a resident, not a business
    assert f"{fresh_idea.pk}/pledge/" not in text(client.get(url))
    response = client.post(url + "pledge/", pledge_data(organisation))
    assert response.status_code == 403
    assert "Only representatives of a verified organisation" in text(response)
    person = verified_resident("web-pending")
    pending = make_organisation(person, state="pending")
    client.force_login(person)
    assert f"{fresh_idea.pk}/pledge/" not in text(client.get(url))
    assert client.post(url + "pledge/", pledge_data(pending)).status_code == 403
    # A representative cannot pledge for another organisation by changing the form.
    rep_two = verified_resident("web-rep-two")
    make_organisation(rep_two)
    client.force_login(rep_two)
    assert client.post(url + "pledge/", pledge_data(organisation)).status_code == 400
    assert not Pledge.objects.filter(idea=fresh_idea).exists()


def test_a_declared_interest_stops_the_pledge(client, language, rep, organisation, fresh_idea):
    page = demo_round_page(language)
    url = page.idea_url(fresh_idea)
    client.force_login(rep)
    response = client.post(
        url + "declare-interest/",
        {
            "interest-organisation": organisation.pk,
            "interest-kind": "supplier",
            "interest-description": "Mēs pārdodam stādus.",
        },
    )
    assert response.status_code == 302
    interest = DeclaredInterest.objects.get(idea=fresh_idea)
    assert (interest.organisation, interest.decision, interest.description) == (
        organisation,
        "pending",
        "Mēs pārdodam stādus.",
    )
    response = client.post(url + "pledge/", pledge_data(organisation))
    assert response.status_code == 403
    if language == "en":
        assert "declared an interest in this idea" in text(response)
    assert client.post(url + "declare-interest/", {"interest-kind": "bribe"}).status_code == 400


def test_the_history_merges_status_and_pledge_changes_by_date(client, language, organisation, fresh_idea):
    moment = timezone.now() - datetime.timedelta(days=10)
    published = StatusChange.objects.create(
        idea=fresh_idea, from_status="submitted", to_status="published", role="moderator"
    )
    pledge = pledges.offer_pledge(
        None, organisation, fresh_idea, kind="volunteering", hours=12, description="Talka."
    )
    pledges.decline_pledge(None, pledge, "Talka jau noorganizēta.")
    assessed = StatusChange.objects.create(
        idea=fresh_idea, from_status="published", to_status="under_assessment", role="staff"
    )
    StatusChange.objects.filter(pk=published.pk).update(created_at=moment)
    offered, declined = PledgeChange.objects.filter(pledge=pledge).order_by("pk")
    PledgeChange.objects.filter(pk=offered.pk).update(created_at=moment + datetime.timedelta(days=1))
    StatusChange.objects.filter(pk=assessed.pk).update(created_at=moment + datetime.timedelta(days=2))
    PledgeChange.objects.filter(pk=declined.pk).update(created_at=moment + datetime.timedelta(days=3))

    html = text(client.get(demo_round_page(language).idea_url(fresh_idea)))
    history = re.search(r'<ol class="history">(.*?)</ol>', html, re.S).group(1)
    entries = re.findall(r'<li class="history__(\w+)">', history)
    assert entries == ["status", "pledge", "status", "pledge"]
    assert history.count("SIA Tīmekļa Koki") == 2
    assert "Talka jau noorganizēta." in history
    if language == "en":
        items = re.findall(r"<li[^>]*>(.*?)</li>", history, re.S)
        assert "offered a pledge (volunteer hours, 12 hours)" in items[1]
        assert "pledge declined by the municipality" in items[3]


def test_cards_show_backers_without_more_queries_per_idea(client, home_en, resident):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en, slug="backed-round")
    budget_round = page.budget_round
    backers = [make_organisation(verified_resident(f"card-rep-{n}"), name=f"SIA Karte {n}") for n in range(2)]

    def backed_idea(number, organisations):
        idea = make_idea(budget_round, author=resident, title=f"Backed idea {number}")
        for organisation in organisations:
            pledges.confirm_pledge(
                None, pledges.offer_pledge(None, organisation, idea, kind="money", amount="100")
            )
        return idea

    backed_idea(0, backers)
    make_idea(budget_round, author=resident, title="Nobody backs this")

    def queries():
        client.get(page.url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.url)
        assert response.status_code == 200
        return len(captured), text(response)

    with_two, html = queries()
    assert "Backed by 2 partners · co-funded" in html
    assert html.count('class="badge badge--backed"') == 1
    for number in range(1, 11):
        backed_idea(number, backers[:1])
    with_twelve, html = queries()
    assert html.count('class="badge badge--backed"') == 11
    assert "Backed by 1 partner · co-funded" in html
    assert with_two == with_twelve, f"{with_two} queries with 2 ideas, {with_twelve} with 12"


# The demo -------------------------------------------------------------------------------------------------


def test_the_partners_demo_has_every_state_and_loads_once(home_lv, en):
    from ideas.demo_partners import load_partners_demo
    from ideas.models import PartnersPage

    budget_round = demo_round_page("lv").budget_round

    def counts():
        return [
            model.objects.count()
            for model in (Pledge, PledgeChange, DeclaredInterest, Organisation, PartnersPage)
        ]

    before = counts()
    load_partners_demo(home_lv, en, budget_round)
    assert counts() == before

    demo_pledges = Pledge.objects.filter(idea__round=budget_round)
    assert set(demo_pledges.values_list("state", flat=True)) == {
        "offered",
        "confirmed",
        "fulfilled",
        "withdrawn",
        "declined",
    }
    confirmed = set(demo_pledges.filter(state="confirmed").values_list("kind", flat=True))
    assert {"money", "in_kind", "volunteering"} <= confirmed
    assert demo_pledges.get(state="declined").state_reason
    assert not Pledge.objects.filter(organisation__state="pending").exists()
    decisions = dict(
        DeclaredInterest.objects.filter(idea__round=budget_round).values_list("decision", "decision_reason")
    )
    assert decisions.keys() == {"pending", "cleared"}
    assert decisions["cleared"]
    latvian = PartnersPage.objects.get(slug="partneri")
    english = latvian.get_translation(en)
    assert (latvian.title, english.title, english.slug) == ("Partneri", "Partners", "partners")
    assert latvian.live and english.live and latvian.show_in_menus and english.show_in_menus
