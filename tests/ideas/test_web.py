"""Residents' pages of a round: list, map, filters, the idea page, submitting with a map point and a photo,
comments, support, follow, reports, hostile input, and a list whose query count does not grow."""

import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from PIL import Image

from ideas.models import BudgetRoundPage, Comment, Follow, Idea, Report, Support
from ideas.phases import Phase
from ideas.services import change_status
from tests.factories import make_idea, round_in_phase

pytestmark = pytest.mark.django_db

HOSTILE = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    '" onmouseover="alert(1)',
]


def committed(function, *args, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(*args, **kwargs)


def round_page(budget_round, home_en, slug="test-round"):
    page = BudgetRoundPage(title="Test round", slug=slug, intro="<p>Ideas.</p>", budget_round=budget_round)
    home_en.add_child(instance=page)
    page.save_revision().publish()
    return page


def photo_upload(name="bench.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 130, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def idea_form_data(**overrides):
    from ideas.models import Area, Category

    data = {
        "title": "Benches along the Daugava path",
        "summary": "Five benches where the path has none.",
        "description": "Older people walk here every day.\nSee https://example.lv/plan for the route.",
        "category": Category.objects.get(code="recreation", locale__language_code="lv").pk,
        "area": Area.objects.get(code="kekava", locale__language_code="lv").pk,
        "address": "Daugavas promenāde, Ķekava",
        "latitude": "56.830100",
        "longitude": "24.230200",
        "estimated_cost": "6000",
        "trees_planted": "",
        "area_greened_m2": "",
        "path_length_m": "",
        "co2_tonnes_per_year": "",
        "images-TOTAL_FORMS": "2",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "5",
        "images-0-alt_text": "",
        "images-1-alt_text": "",
    }
    data.update(overrides)
    return data


def test_the_whole_path_of_an_idea(client, home_en, resident, other_resident, idea_moderator):
    budget_round = round_in_phase(Phase.SUBMISSION)
    page = round_page(budget_round, home_en)

    # A verified resident submits an idea with a map point and a photo.
    client.force_login(resident)
    response = client.post(
        page.url + "new/",
        {
            **idea_form_data(),
            "images-0-file": photo_upload(),
            "images-0-alt_text": "The path without benches",
            "submit": "1",
        },
        follow=True,
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    idea = Idea.objects.get(title="Benches along the Daugava path")
    assert idea.status == "submitted"
    assert idea.author == resident
    assert str(idea.latitude) == "56.830100"
    image = idea.images.get()
    assert image.alt_text == "The path without benches"
    assert image.width == 800
    assert page.url + f"{idea.pk}/" in response.redirect_chain[-1][0]

    # Not public yet: another resident cannot see it.
    client.force_login(other_resident)
    assert client.get(page.url + f"{idea.pk}/").status_code == 404

    # A moderator publishes it; the phase moves on to support.
    committed(change_status, idea, "published", user=idea_moderator)
    budget_round.support_starts = budget_round.submission_starts
    budget_round.review_starts = budget_round.submission_starts
    budget_round.submission_starts = budget_round.submission_starts.replace(year=2000)
    budget_round.save()
    assert budget_round.current_phase() == "support"

    # Another resident comments, supports and follows.
    html = client.get(page.url + f"{idea.pk}/").content.decode()
    assert "Benches along the Daugava path" in html
    assert '<a href="https://example.lv/plan" rel="nofollow">https://example.lv/plan</a>' in html
    client.post(page.url + f"{idea.pk}/comment/", {"text": "Great idea, I walk there too."})
    client.post(page.url + f"{idea.pk}/support/")
    client.post(page.url + f"{idea.pk}/support/")  # twice changes nothing
    client.post(page.url + f"{idea.pk}/follow/")
    assert Support.objects.filter(idea=idea).count() == 1
    assert Follow.objects.filter(idea=idea, user=other_resident).exists()
    comment = Comment.objects.get(idea=idea)
    html = client.get(page.url + f"{idea.pk}/").content.decode()
    assert "Great idea, I walk there too." in html
    assert "1 resident supports this idea" in html

    # Someone reports the comment; a moderator hides it.
    client.force_login(resident)
    response = client.post(page.url + f"comments/{comment.pk}/report/", {"reason": "Off topic."})
    assert response.status_code == 302
    assert Report.objects.get(comment=comment).reason == "Off topic."
    comment.is_hidden, comment.hidden_reason = True, "Off topic."
    comment.save()
    html = client.get(page.url + f"{idea.pk}/").content.decode()
    assert "Great idea, I walk there too." not in html

    # The supporter withdraws.
    client.force_login(other_resident)
    client.post(page.url + f"{idea.pk}/support/", {"withdraw": "1"})
    assert not Support.objects.filter(idea=idea).exists()


def test_drafts_are_saved_previewed_and_edited(client, home_en, resident):
    page = round_page(round_in_phase(Phase.SUBMISSION), home_en)
    client.force_login(resident)
    response = client.post(page.url + "new/", idea_form_data(save="1"))
    idea = Idea.objects.get(author=resident)
    assert response.status_code == 302 and idea.status == "draft"
    preview = client.get(page.url + f"{idea.pk}/").content.decode()
    assert "Preview: this draft is visible only to you." in preview
    response = client.post(page.url + f"{idea.pk}/edit/", idea_form_data(title="Six benches", save="1"))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Six benches" and idea.status == "draft"
    committed(client.post, page.url + f"{idea.pk}/submit/")
    idea.refresh_from_db()
    assert idea.status == "submitted"
    assert client.get(page.url + f"{idea.pk}/edit/").status_code == 403, "submitted ideas are not edited"


def test_a_draft_saves_with_a_title_alone_and_submitting_asks_for_the_rest(client, home_en, resident):
    page = round_page(round_in_phase(Phase.SUBMISSION), home_en)
    client.force_login(resident)
    blank = dict.fromkeys(("summary", "description", "category", "area", "estimated_cost"), "")
    response = client.post(page.url + "new/", idea_form_data(title="Half an idea", save="1", **blank))
    assert response.status_code == 302, "Save a draft at any time"
    idea = Idea.objects.get(author=resident)
    assert (idea.title, idea.status, idea.category, idea.estimated_cost) == (
        "Half an idea",
        "draft",
        None,
        None,
    )
    preview = client.get(page.url + f"{idea.pk}/")
    assert preview.status_code == 200
    assert client.get(page.url + f"{idea.pk}/edit/").status_code == 200

    # Submitting from the form needs every field, and says which are missing.
    half = idea_form_data(title="Half an idea", submit="1", **blank)
    response = client.post(page.url + f"{idea.pk}/edit/", half)
    assert response.status_code == 400
    errors = re.findall(
        r'class="field__error" id="id_(\w+)_error">This field is required', response.content.decode()
    )
    assert sorted(errors) == ["area", "category", "description", "estimated_cost", "summary"]
    # Submitting the saved draft directly is refused by the service, with the missing fields named.
    response = client.post(page.url + f"{idea.pk}/submit/", follow=True)
    idea.refresh_from_db()
    assert idea.status == "draft"
    assert "Fill in these before submitting: summary, description, category, area, estimated cost (EUR)." in (
        response.content.decode()
    )
    # A draft without a title is still refused.
    response = client.post(page.url + "new/", idea_form_data(title="", save="1", **blank))
    assert response.status_code == 400
    # Completed, it goes through.
    client.post(page.url + f"{idea.pk}/edit/", idea_form_data(title="Whole idea", save="1"))
    committed(client.post, page.url + f"{idea.pk}/submit/")
    idea.refresh_from_db()
    assert idea.status == "submitted"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"estimated_cost": "999999"}, "at most"),
        ({"estimated_cost": "-5"}, "greater than or equal to 0"),
        ({"latitude": "56.8", "longitude": ""}, "both the latitude and the longitude"),
        ({"latitude": "123", "longitude": "24"}, "less than or equal to 90"),
        ({"images-0-alt_text": ""}, "Describe the image"),
    ],
)
def test_invalid_ideas_are_refused_with_a_clear_message(client, home_en, resident, overrides, message):
    page = round_page(round_in_phase(Phase.SUBMISSION), home_en)
    client.force_login(resident)
    data = {**idea_form_data(), "images-0-file": photo_upload(), "images-0-alt_text": "A path", "save": "1"}
    data.update(overrides)
    response = client.post(page.url + "new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Idea.objects.filter(author=resident).exists()


def test_fake_and_oversized_images_are_refused(client, home_en, resident, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = round_page(round_in_phase(Phase.SUBMISSION), home_en)
    client.force_login(resident)
    fake = SimpleUploadedFile("photo.jpg", b"GIF89a<script>", content_type="image/jpeg")
    response = client.post(
        page.url + "new/", {**idea_form_data(), "images-0-file": fake, "images-0-alt_text": "x", "save": "1"}
    )
    assert response.status_code == 400
    assert "not a picture we can read" in response.content.decode()
    settings.IDEA_IMAGE_MAX_BYTES = 1024
    response = client.post(
        page.url + "new/",
        {**idea_form_data(), "images-0-file": photo_upload(), "images-0-alt_text": "x", "save": "1"},
    )
    assert "too large" in response.content.decode()
    assert not Idea.objects.filter(author=resident).exists()


def test_unverified_and_anonymous_cannot_submit(client, home_en, unverified):
    page = round_page(round_in_phase(Phase.SUBMISSION), home_en)
    response = client.get(page.url + "new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(unverified)
    response = client.get(page.url + "new/")
    assert response.status_code == 403
    assert "Please verify your e-mail address first" in response.content.decode()


def test_submission_is_closed_outside_its_phase(client, home_en, resident):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en)
    client.force_login(resident)
    response = client.post(page.url + "new/", idea_form_data(save="1"))
    assert response.status_code == 403
    assert not Idea.objects.filter(author=resident).exists()


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_input_renders_inert(client, home_en, resident, other_resident, payload):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en)
    idea = make_idea(
        page.budget_round, author=resident, title=f"Bench {payload}", description=f"See {payload}"
    )
    Comment.objects.create(idea=idea, author=other_resident, text=f"Reply {payload}")
    for url in (page.url, page.url + f"{idea.pk}/", page.url + "?view=map"):
        html = client.get(url).content.decode()
        body = html[html.index("<main") :]
        assert "<script>alert" not in body
        assert "onerror=" not in body.replace("onerror=&quot;", "")
        assert 'href="javascript:' not in body
        assert "<img src=x" not in body
        assert not re.search(r'<[^>]+\sonmouseover="alert', body)


def test_list_filters_search_and_empty_state(client, home_en):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en)
    budget_round = page.budget_round
    from ideas.models import Category

    mobility = Category.objects.get(code="green-mobility", locale__language_code="lv")
    make_idea(budget_round, title="Cycle lane to the station", category=mobility, summary="A lane.")
    make_idea(budget_round, title="Linden trees", summary="Trees.")
    make_idea(budget_round, title="Hidden draft", status="draft")
    make_idea(budget_round, title="Rejected one", status="rejected", status_reason="Private land.")

    def titles(query=""):
        html = client.get(page.url + query).content.decode()
        return re.findall(r'<h3 class="card__title"(?: lang="\w+")?><a href="[^"]+">([^<]+)</a>', html)

    assert sorted(titles()) == ["Cycle lane to the station", "Linden trees"]
    assert titles("?category=green-mobility") == ["Cycle lane to the station"]
    assert titles("?q=linden") == ["Linden trees"]
    assert titles("?status=rejected") == ["Rejected one"]
    assert "Hidden draft" not in client.get(page.url + "?status=draft").content.decode()
    empty = client.get(page.url + "?q=nothingmatcheshere").content.decode()
    assert "No ideas match these filters." in empty


def test_map_view_lists_located_ideas_as_data(client, home_en):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en)
    make_idea(page.budget_round, title="On the map", latitude="56.81", longitude="24.2")
    make_idea(page.budget_round, title="Nowhere in particular")
    html = client.get(page.url + "?view=map").content.decode()
    points = re.search(r'<script id="ideas-map-points" type="application/json">(.*?)</script>', html).group(1)
    assert "On the map" in points and "Nowhere in particular" not in points
    assert "vendor/leaflet/leaflet.js" in html
    assert "unpkg" not in html and "cdn" not in html


def test_merged_idea_redirects_to_the_one_it_joined(client, home_en):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en)
    target = make_idea(page.budget_round, title="Target")
    merged = make_idea(page.budget_round, title="Duplicate")
    change_status(merged, "merged", merged_into=target)
    response = client.get(page.url + f"{merged.pk}/")
    assert response.status_code == 301
    assert response["Location"] == page.url + f"{target.pk}/"


def test_english_round_page(client):
    page = BudgetRoundPage.objects.get(slug="greener-neighbourhood-2026")
    html = client.get(page.url).content.decode()
    assert '<html lang="en">' in html
    assert "Supporting ideas" in html


def count_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_1000_ideas(client, home_en, resident):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en)
    budget_round = page.budget_round
    base = make_idea(budget_round, author=resident)
    Idea.objects.bulk_create([Idea(**_copy_fields(base, n)) for n in range(9)])
    with_10 = count_queries(client, page.url)
    Idea.objects.bulk_create([Idea(**_copy_fields(base, n)) for n in range(990)])
    assert Idea.objects.filter(round=budget_round).count() == 1000
    with_1000 = count_queries(client, page.url)
    assert with_10 == with_1000, f"{with_10} queries with 10 ideas, {with_1000} with 1,000"


def _copy_fields(idea, number):
    fields = {f.attname: getattr(idea, f.attname) for f in Idea._meta.concrete_fields if f.attname != "id"}
    fields["title"] = f"Idea {number}"
    return fields


def test_author_gets_emails_about_their_idea(home_en, resident, idea_moderator):
    budget_round = round_in_phase(Phase.SUBMISSION)
    idea = make_idea(budget_round, author=resident, status="submitted")
    committed(change_status, idea, "published", user=idea_moderator)
    assert [message.to for message in mail.outbox] == [["anna@example.test"]]


def test_home_page_features_the_current_round(client):
    html = client.get("/en/").content.decode()
    assert "Participatory budget: Greener neighbourhood 2026" in html
    assert "Supporting ideas" in html
    assert 'href="/en/greener-neighbourhood-2026/"' in html


def test_idea_breadcrumbs_lead_back_to_the_round(client):
    page = BudgetRoundPage.objects.get(slug="greener-neighbourhood-2026")
    idea = Idea.objects.filter(round=page.budget_round, status="published").first()
    html = client.get(page.idea_url(idea)).content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert f'<a href="{page.url}">{page.title}</a>' in crumbs
    assert f'aria-current="page">{idea.title}<' in crumbs


def test_random_order_stays_the_same_for_one_visitor(client):
    page = BudgetRoundPage.objects.get(slug="greener-neighbourhood-2026")

    def titles():
        html = client.get(page.url + "?ordering=random").content.decode()
        return re.findall(r'<h3 class="card__title"(?: lang="\w+")?><a href="[^"]+">([^<]+)</a>', html)

    first = titles()
    assert len(first) == 12
    assert titles() == first
    newest = re.findall(
        r'<h3 class="card__title"(?: lang="\w+")?><a href="[^"]+">([^<]+)</a>',
        client.get(page.url).content.decode(),
    )
    assert newest != first, "random is not the newest-first order"
