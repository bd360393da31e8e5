"""The public API /api/v1/: reading rounds, areas, categories and ideas; residents' drafts, comments and
supports; tokens; the schema and its docs page; throttling; a fixed number of queries for the list."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from ideas.filters import order_ideas
from ideas.models import (
    Area,
    BudgetRound,
    BudgetRoundPage,
    Category,
    Comment,
    Idea,
    IdeaImage,
    ResidentProfile,
    StatusChange,
    Support,
)
from tests.factories import UserFactory, make_idea, verified_resident

pytestmark = pytest.mark.django_db

IDEAS = "/api/v1/ideas/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttling counts requests in the cache; every test starts with none counted.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def category(code):
    return Category.objects.get(locale__language_code="lv", code=code)


def area(code):
    return Area.objects.get(locale__language_code="lv", code=code)


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def draft_payload(budget_round, **fields):
    payload = {
        "round": budget_round.pk,
        "title": "A bench by the pond",
        "summary": "Two benches where people rest on their walk.",
        "description": "There is nowhere to sit along the pond.",
        "category": "recreation",
        "area": "balozi",
        "estimated_cost": "1500.00",
    }
    payload.update(fields)
    return payload


# The list: filters, search, ordering ---------------------------------------------------------------------


def test_list_shows_listed_statuses_unless_a_public_status_is_asked_for(api, support_round, resident):
    published = make_idea(support_round, author=resident, status="published")
    feasible = make_idea(support_round, status="feasible")
    rejected = make_idea(support_round, status="rejected", status_reason="Not ours.")
    make_idea(support_round, author=resident, status="draft")
    make_idea(support_round, author=resident, status="submitted")

    assert set(ids(api.get(IDEAS, {"round": support_round.pk}))) == {published.pk, feasible.pk}
    assert ids(api.get(IDEAS, {"round": support_round.pk, "status": "rejected"})) == [rejected.pk]

    response = api.get(IDEAS, {"status": "draft", "lang": "en"})
    assert response.status_code == 400
    assert response.json()["status"] == ["“draft” is not a status of a public idea."]


def test_list_filters_by_category_area_and_round(api, support_round, submission_round):
    green = make_idea(support_round, category=category("green-mobility"), area=area("kekava"))
    park = make_idea(support_round, category=category("greenery"), area=area("balozi"))
    elsewhere = make_idea(submission_round, category=category("green-mobility"), area=area("balozi"))

    assert set(ids(api.get(IDEAS, {"category": "green-mobility"}))) >= {green.pk, elsewhere.pk}
    assert park.pk not in ids(api.get(IDEAS, {"category": "green-mobility"}))
    assert ids(api.get(IDEAS, {"category": "green-mobility", "round": support_round.pk})) == [green.pk]
    assert set(ids(api.get(IDEAS, {"area": "balozi", "round": support_round.pk}))) == {park.pk}
    assert ids(api.get(IDEAS, {"area": "balozi", "category": "greenery", "round": submission_round.pk})) == []


def test_search_needs_every_word_somewhere_in_the_idea(api, support_round):
    bench = make_idea(
        support_round,
        title="Benches by the river",
        summary="Places to sit.",
        description="Old people walk here every day.",
        address="Rīgas iela 22, Baloži",
    )
    make_idea(support_round, title="River clean-up", summary="Nets for rubbish.", description="Every spring.")
    in_round = {"round": support_round.pk}

    assert ids(api.get(IDEAS, {**in_round, "q": "river benches"})) == [bench.pk]
    assert ids(api.get(IDEAS, {**in_round, "q": "BENCHES old"})) == [bench.pk]  # any case
    assert ids(api.get(IDEAS, {**in_round, "q": "Rīgas sit"})) == [bench.pk]  # address and summary
    assert len(ids(api.get(IDEAS, {**in_round, "q": "river"}))) == 2
    assert ids(api.get(IDEAS, {**in_round, "q": "river swimming"})) == []


def test_invalid_filter_values_are_400_naming_each_parameter(api):
    response = api.get(
        IDEAS,
        {
            "category": "nope",
            "area": "atlantis",
            "round": "abc",
            "ordering": "best",
            "seed": "-1",
            "lang": "en",
        },
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["category"] == ["There is no category with the code “nope”."]
    assert errors["area"] == ["There is no area with the code “atlantis”."]
    assert errors["round"] == ["There is no budget round with the id “abc”."]
    assert errors["ordering"] == ["“best” is not a known order; use newest, most_supported or random."]
    assert set(errors) == {"category", "area", "round", "ordering", "seed"}


def test_orderings_newest_and_most_supported(api, support_round):
    now = timezone.now()
    old = make_idea(support_round, published_at=now - datetime.timedelta(days=3))
    middle = make_idea(support_round, published_at=now - datetime.timedelta(days=2))
    new = make_idea(support_round, published_at=now - datetime.timedelta(days=1))
    for number in range(2):
        Support.objects.create(idea=old, user=UserFactory(username=f"supporter-{number}"))
    Support.objects.create(idea=middle, user=UserFactory(username="supporter-2"))
    in_round = {"round": support_round.pk}

    assert ids(api.get(IDEAS, in_round)) == [new.pk, middle.pk, old.pk]
    assert ids(api.get(IDEAS, {**in_round, "ordering": "newest"})) == [new.pk, middle.pk, old.pk]
    assert ids(api.get(IDEAS, {**in_round, "ordering": "most_supported"})) == [old.pk, middle.pk, new.pk]
    supports = [item["support_count"] for item in api.get(IDEAS, in_round).json()["results"]]
    assert supports == [0, 1, 2]


def test_random_order_is_stable_for_a_seed_and_differs_between_seeds(api, support_round):
    created = {make_idea(support_round, title=f"Idea {number}").pk for number in range(12)}
    params = {"round": support_round.pk, "ordering": "random"}

    first = ids(api.get(IDEAS, {**params, "seed": 7}))
    assert set(first) == created
    assert ids(api.get(IDEAS, {**params, "seed": 7})) == first
    other = ids(api.get(IDEAS, {**params, "seed": 8}))
    assert set(other) == created
    assert other != first

    # The function the website uses gives the same orders.
    queryset = Idea.objects.filter(round=support_round)
    assert [idea.pk for idea in order_ideas(queryset, "random", 7)] == first
    assert [idea.pk for idea in order_ideas(queryset, "random", 8)] == other


def test_names_follow_lang_parameter_or_accept_language(api, published_idea):
    published_idea.category = category("greenery")
    published_idea.save()

    def category_name(response):
        return next(item for item in response.json() if item["code"] == "greenery")["name"]

    assert category_name(api.get("/api/v1/categories/", {"lang": "en"})) == "Greenery and nature"
    assert category_name(api.get("/api/v1/categories/", {"lang": "lv"})) == "Apstādījumi un daba"
    assert category_name(api.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="en")) == "Greenery and nature"
    assert api.get("/api/v1/areas/kekavas-pagasts/", {"lang": "en"}).json()["name"] == "Ķekava parish"

    detail = api.get(f"{IDEAS}{published_idea.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["category"] == {"code": "greenery", "name": "Greenery and nature"}
    response = api.get("/api/v1/areas/", {"lang": "de"})
    assert response.status_code == 400
    assert "lang" in response.json()


def test_a_request_leaves_the_active_language_as_it_was(api):
    with translation.override("lv"):
        assert api.get("/api/v1/areas/", {"lang": "en"}).status_code == 200
        assert translation.get_language() == "lv"


def test_rounds_show_phase_dates_and_budgets(api):
    demo = BudgetRound.objects.get(name="Zaļāka apkaime 2026")
    data = api.get(f"/api/v1/rounds/{demo.pk}/", {"lang": "en"}).json()
    assert data["current_phase"] == "support"
    assert data["max_cost_per_idea"] == "40000.00"
    assert data["total_budget"] == "150000.00"
    assert {"area": "kekavas-pagasts", "area_name": "Ķekava parish", "amount": "20000.00"} in data[
        "area_budgets"
    ]
    assert data["support_starts"] is not None


# One idea ------------------------------------------------------------------------------------------------


def test_a_draft_is_visible_to_its_author_and_moderators_only(
    api, support_round, resident, other_resident, idea_moderator
):
    draft = make_idea(support_round, author=resident, status="draft")
    url = f"{IDEAS}{draft.pk}/"

    assert api.get(url).status_code == 404
    assert client_for(other_resident).get(url).status_code == 404
    assert client_for(resident).get(url).json()["status"] == "draft"
    assert client_for(idea_moderator).get(url).status_code == 200
    assert draft.pk not in ids(client_for(resident).get(IDEAS))  # the list is the public one


def test_idea_shows_author_name_never_email_and_web_url(api, resident):
    demo = BudgetRound.objects.get(name="Zaļāka apkaime 2026")
    ResidentProfile.objects.create(user=resident, display_name="Anna K.")
    idea = make_idea(demo, author=resident, title="Lindens for Baldone")
    orphan = make_idea(demo, author=None)
    IdeaImage.objects.create(idea=idea, file="ideas/x/photo.jpg", width=10, height=10, alt_text="The street")

    response = api.get(f"{IDEAS}{idea.pk}/")
    data = response.json()
    assert data["author_name"] == "Anna K."
    assert resident.email not in response.content.decode()
    assert data["url"] == "http://testserver" + idea.get_absolute_url()
    assert data["images"][0]["alt_text"] == "The street"
    assert data["images"][0]["url"].startswith("http://testserver/")
    assert api.get(f"{IDEAS}{orphan.pk}/", {"lang": "en"}).json()["author_name"] == "former resident"

    listed = api.get(IDEAS, {"round": demo.pk, "q": "Lindens for Baldone"}).json()["results"]
    assert [item["url"] for item in listed] == [data["url"]]


# Drafts: create, edit, submit ----------------------------------------------------------------------------


def test_verified_resident_creates_a_draft(resident, submission_round):
    response = client_for(resident).post(IDEAS, draft_payload(submission_round), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert data["category"]["code"] == "recreation"
    idea = Idea.objects.get(pk=data["id"])
    assert idea.author == resident
    assert idea.round == submission_round
    assert idea.area == area("balozi")


def test_only_verified_residents_create_drafts(api, unverified, submission_round):
    assert api.post(IDEAS, draft_payload(submission_round), format="json").status_code in (401, 403)
    assert (
        client_for(unverified).post(IDEAS, draft_payload(submission_round), format="json").status_code == 403
    )
    assert not Idea.objects.filter(round=submission_round).exists()


def test_no_drafts_outside_the_submission_phase(resident, support_round):
    response = client_for(resident).post(IDEAS, draft_payload(support_round), format="json")
    assert response.status_code == 403
    assert not Idea.objects.filter(round=support_round).exists()


def test_draft_validation_messages(resident, submission_round):
    client = client_for(resident)

    def errors(**fields):
        response = client.post(f"{IDEAS}?lang=en", draft_payload(submission_round, **fields), format="json")
        assert response.status_code == 400
        return response.json()

    assert errors(estimated_cost="30000.01")["estimated_cost"] == [
        "An idea in this round may cost at most €30,000; the estimate is €30,000.01."
    ]
    assert errors(estimated_cost="-1")["estimated_cost"] == ["The estimated cost cannot be negative."]
    assert errors(category="sport")["category"] == ["There is no category with the code “sport”."]
    assert errors(area="atlantis")["area"] == ["There is no area with the code “atlantis”."]
    assert errors(latitude="56.83")["longitude"] == [
        "Give both the latitude and the longitude of the place, or neither."
    ]
    assert not Idea.objects.filter(round=submission_round).exists()

    at_limit = draft_payload(submission_round, estimated_cost="30000", latitude="56.83", longitude="24.23")
    assert client.post(IDEAS, at_limit, format="json").status_code == 201


def test_author_edits_own_draft(resident, submission_round):
    draft = make_idea(submission_round, author=resident, status="draft")
    client = client_for(resident)

    response = client.patch(
        f"{IDEAS}{draft.pk}/", {"title": "Better title", "area": "baldone"}, format="json"
    )
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert (draft.title, draft.area.code) == ("Better title", "baldone")

    payload = draft_payload(submission_round, title="Whole new text")
    del payload["round"]
    assert client.put(f"{IDEAS}{draft.pk}/", payload, format="json").status_code == 200
    draft.refresh_from_db()
    assert draft.title == "Whole new text"

    over = client.patch(f"{IDEAS}{draft.pk}/", {"estimated_cost": "99999"}, format="json")
    assert over.status_code == 400
    assert "estimated_cost" in over.json()


def test_nobody_edits_someone_elses_idea_or_a_submitted_one(resident, other_resident, submission_round):
    draft = make_idea(submission_round, author=resident, status="draft")
    published = make_idea(submission_round, author=resident, status="published")
    submitted = make_idea(submission_round, author=resident, status="submitted")
    change = {"title": "Hijacked"}

    assert client_for(other_resident).patch(f"{IDEAS}{draft.pk}/", change, format="json").status_code == 404
    assert (
        client_for(other_resident).patch(f"{IDEAS}{published.pk}/", change, format="json").status_code == 403
    )
    assert client_for(resident).patch(f"{IDEAS}{submitted.pk}/", change, format="json").status_code == 403
    assert APIClient().patch(f"{IDEAS}{published.pk}/", change, format="json").status_code in (401, 403)
    assert not Idea.objects.filter(title="Hijacked").exists()


def test_submitting_a_draft_changes_status_and_records_history(resident, other_resident, submission_round):
    draft = make_idea(submission_round, author=resident, status="draft")
    url = f"{IDEAS}{draft.pk}/submit/"

    assert client_for(other_resident).post(url).status_code == 404
    assert APIClient().post(url).status_code in (401, 403)
    response = client_for(resident).post(url)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.submitted_at is not None
    step = StatusChange.objects.get(idea=draft)
    assert (step.from_status, step.to_status, step.role) == ("draft", "submitted", StatusChange.Role.AUTHOR)

    assert client_for(resident).post(url).status_code == 403  # no longer a draft
    assert StatusChange.objects.filter(idea=draft).count() == 1


# Comments ------------------------------------------------------------------------------------------------


def test_comments_list_hides_text_of_removed_comments(api, published_idea, other_resident):
    visible = Comment.objects.create(idea=published_idea, author=other_resident, text="Good idea!")
    Comment.objects.create(idea=published_idea, author=other_resident, parent=visible, text="Indeed.")
    Comment.objects.create(
        idea=published_idea,
        author=other_resident,
        text="Something rude",
        is_hidden=True,
        hidden_reason="Insults another resident",
    )

    response = api.get(f"{IDEAS}{published_idea.pk}/comments/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Something rude" not in content
    assert "Insults another resident" not in content
    first, removed = response.json()["results"]
    assert first["text"] == "Good idea!"
    assert [reply["text"] for reply in first["replies"]] == ["Indeed."]
    assert removed["is_removed"] is True
    assert removed["text"] is None
    assert removed["author_name"] is None
    assert api.get(f"{IDEAS}{published_idea.pk}/").json()["comment_count"] == 2


def test_residents_comment_and_reply_one_level_deep(published_idea, other_resident, support_round):
    client = client_for(other_resident)
    url = f"{IDEAS}{published_idea.pk}/comments/?lang=en"

    top = client.post(url, {"text": "Where exactly?"}, format="json")
    assert top.status_code == 201, top.content
    reply = client.post(url, {"text": "By the school.", "parent": top.json()["id"]}, format="json")
    assert reply.status_code == 201
    assert reply.json()["parent"] == top.json()["id"]

    deeper = client.post(url, {"text": "Which school?", "parent": reply.json()["id"]}, format="json")
    assert deeper.status_code == 400
    assert deeper.json()["parent"] == [
        "Replies cannot be answered in turn; reply to the comment they belong to."
    ]
    other_idea = make_idea(support_round)
    foreign = Comment.objects.create(idea=other_idea, author=other_resident, text="Elsewhere")
    wrong = client.post(url, {"text": "Hm", "parent": foreign.pk}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["parent"] == ["You can only reply to a comment on the same idea."]
    assert Comment.objects.filter(idea=published_idea).count() == 2


def test_comment_permissions(api, unverified, resident, other_resident, support_round):
    draft = make_idea(support_round, author=resident, status="draft")
    published = make_idea(support_round, author=resident)
    text = {"text": "Hello"}

    assert api.post(f"{IDEAS}{published.pk}/comments/", text, format="json").status_code in (401, 403)
    assert client_for(unverified).post(f"{IDEAS}{published.pk}/comments/", text).status_code == 403
    assert client_for(other_resident).get(f"{IDEAS}{draft.pk}/comments/").status_code == 404
    assert client_for(other_resident).post(f"{IDEAS}{draft.pk}/comments/", text).status_code == 404
    assert not Comment.objects.filter(idea__in=[draft, published]).exists()


# Supports ------------------------------------------------------------------------------------------------


def test_support_and_withdraw_are_idempotent(published_idea, other_resident):
    client = client_for(other_resident)
    url = f"{IDEAS}{published_idea.pk}/support/"

    first = client.post(url)
    assert first.status_code == 201
    assert first.json() == {"supported": True, "support_count": 1}
    again = client.post(url)
    assert again.status_code == 200
    assert again.json() == {"supported": True, "support_count": 1}
    assert Support.objects.filter(idea=published_idea).count() == 1

    assert client.delete(url).json() == {"supported": False, "support_count": 0}
    repeat = client.delete(url)
    assert repeat.status_code == 200
    assert repeat.json() == {"supported": False, "support_count": 0}


def test_no_support_outside_the_support_phase_or_anonymously(api, submission_round, published_idea, resident):
    early = make_idea(submission_round, author=resident)
    assert client_for(resident).post(f"{IDEAS}{early.pk}/support/").status_code == 403
    assert api.post(f"{IDEAS}{published_idea.pk}/support/").status_code in (401, 403)
    assert api.delete(f"{IDEAS}{published_idea.pk}/support/").status_code in (401, 403)
    assert not Support.objects.filter(idea__in=[early, published_idea]).exists()


# Tokens --------------------------------------------------------------------------------------------------


def test_token_for_email_and_password_authenticates_writes(api, resident, submission_round):
    response = api.post(
        "/api/v1/auth/token/",
        {"email": "anna@example.test", "password": "correct horse battery staple"},
        format="json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert Token.objects.get(user=resident).key == token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post(IDEAS, draft_payload(submission_round), format="json").status_code == 201


def test_token_refused_for_wrong_password_or_inactive_account(api, resident):
    wrong = api.post(
        "/api/v1/auth/token/?lang=en", {"email": "anna@example.test", "password": "guess"}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["non_field_errors"] == ["Unable to log in with this e-mail address and password."]

    UserFactory(username="gone", email="gone@example.test", is_active=False)
    inactive = api.post(
        "/api/v1/auth/token/",
        {"email": "gone@example.test", "password": "correct horse battery staple"},
        format="json",
    )
    assert inactive.status_code == 400
    assert not Token.objects.exists()


# Schema, docs, throttling --------------------------------------------------------------------------------


def test_schema_and_docs_are_served_without_a_cdn(api):
    schema = api.get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/ideas/{id}/support/" in text
    assert "/admin/" not in text

    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar" in html
    for external in ("cdn.", "unpkg", "jsdelivr"):
        assert external not in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert api.options("/api/v1/docs/").status_code == 405


def test_anonymous_and_user_requests_are_throttled(monkeypatch, api, resident):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "4/minute"})

    assert [api.get("/api/v1/areas/").status_code for _ in range(4)] == [200, 200, 200, 429]
    client = client_for(resident)
    assert [client.get("/api/v1/areas/").status_code for _ in range(5)] == [200, 200, 200, 200, 429]


# Queries -------------------------------------------------------------------------------------------------


def test_list_runs_the_same_number_of_queries_for_10_and_1000_ideas(api, home_lv, support_round):
    # A round of its own (the demo round has ideas already), with a page so that ideas have web URLs.
    page = BudgetRoundPage(
        title="Query round", slug="query-round", intro="<p>Ideas.</p>", budget_round=support_round
    )
    home_lv.add_child(instance=page)
    page.save_revision().publish()
    author = verified_resident("prolific")
    ResidentProfile.objects.create(user=author, display_name="Prolific")
    categories = list(Category.objects.filter(locale__language_code="lv"))
    areas = list(Area.objects.filter(locale__language_code="lv"))

    def add_ideas(start, count):
        ideas = Idea.objects.bulk_create(
            Idea(
                round=support_round,
                author=author if number % 2 else None,
                title=f"Idea {number}",
                summary="Summary",
                description="Description",
                category=categories[number % len(categories)],
                area=areas[number % len(areas)],
                estimated_cost=Decimal(100 + number),
                status="published",
                published_at=timezone.now(),
            )
            for number in range(start, start + count)
        )
        IdeaImage.objects.bulk_create(
            IdeaImage(idea=idea, file=f"ideas/{idea.pk}/a.jpg", width=10, height=10, alt_text="Photo")
            for idea in ideas
        )
        Support.objects.bulk_create(Support(idea=idea, user=author) for idea in ideas)

    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(IDEAS, {"round": support_round.pk, "ordering": "most_supported", "lang": "en"})
        assert response.status_code == 200
        return len(queries), response.json()

    add_ideas(0, 10)
    queries_for_list()  # warm up caches (site root paths, locales)
    with_10, data_10 = queries_for_list()
    add_ideas(10, 990)
    with_1000, data_1000 = queries_for_list()

    assert (data_10["count"], len(data_10["results"])) == (10, 10)
    assert data_1000["count"] == 1000
    assert len(data_1000["results"]) == 20
    assert all(item["url"].startswith("http://testserver/query-round/") for item in data_1000["results"])
    assert all(item["images"] and item["support_count"] == 1 for item in data_1000["results"])
    assert with_10 == with_1000
