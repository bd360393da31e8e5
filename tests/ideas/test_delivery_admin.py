"""Staff screens for the delivery of funded ideas (ideas/moderation/delivery.py): Participation → Delivery lists
the funded ideas with their status and flags late ones; one screen per idea changes its status and cost, plans
and reaches milestones, posts updates with photos and records the delivered impact, each through
ideas/delivery.py; refused input comes back with the error on its field and the input kept; residents and
editors are refused, and moderators read only when the round's phase does not allow implementation."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image
from wagtail.users.models import UserProfile

from ideas import delivery as services
from ideas.models import Delivery, DeliveryEvent, DeliveryUpdate, Idea, Milestone
from ideas.phases import Phase
from tests.factories import make_idea, round_in_phase, verified_resident
from tests.ideas.test_moderation import messages_of, refused

pytestmark = pytest.mark.django_db

JUNE_1 = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _admin_speaks_english():
    """The admin's strings and the services' messages are read in English here."""
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
    return staff("delivery-admin-moderator", "Moderators")


@pytest.fixture
def editor():
    return staff("delivery-admin-editor", "Editors")


@pytest.fixture
def resident():
    return staff("delivery-admin-resident")


@pytest.fixture
def implementing_round():
    return round_in_phase(Phase.IMPLEMENTATION, name="Round being delivered")


def funded(budget_round, title="Lindens for Gaismas iela", **fields):
    values = {"official_cost": Decimal("12000"), "trees_planted": 20, **fields}
    idea = make_idea(budget_round, status="selected", title=title, **values)
    services.start_delivery(idea, None)
    return Idea.objects.get(pk=idea.pk)


def said(response):
    """The admin messages of a response (Wagtail's messages end with the markup of their buttons)."""
    return [message.strip() for message in messages_of(response)]


def index_url(**query):
    url = reverse("delivery:index")
    if query:
        url += "?" + "&".join(f"{name}={value}" for name, value in query.items())
    return url


def detail_url(idea):
    return reverse("delivery:detail", args=[idea.pk])


def jpeg(name="site.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (40, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def delivery_fields(**values):
    """A full POST of the status form, as the browser sends it."""
    data = {
        "action": "delivery",
        "delivery-state": "planned",
        "delivery-progress": "0",
        "delivery-planned_completion": "",
        "delivery-completed_on": "",
        "delivery-final_cost": "",
        "delivery-overrun_reason": "",
        "delivery-cancel_reason": "",
    }
    data.update({f"delivery-{name}": value for name, value in values.items()})
    return data


# The list ----------------------------------------------------------------------------------------------------


def test_the_list_shows_funded_ideas_per_round_and_flags_late_ones(moderator, implementing_round):
    client, user = moderator
    late = funded(implementing_round, title="Late benches")
    services.update_delivery(
        late,
        user,
        state=Delivery.State.DELAYED,
        progress=40,
        planned_completion=datetime.date.today() - datetime.timedelta(days=9),
    )
    on_time = funded(implementing_round, title="Timely trees")
    services.update_delivery(
        on_time, user, planned_completion=datetime.date.today() + datetime.timedelta(days=30)
    )
    services.update_delivery(on_time, user, final_cost=Decimal("13000"), overrun_reason="Dearer saplings.")
    make_idea(implementing_round, status="not_selected", title="Unfunded fountain")

    response = client.get(index_url(round=implementing_round.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Round being delivered" in html
    assert "Unfunded fountain" not in html
    late_row = row_of(html, late)
    assert "data-late" in late_row and "Late by 9 days" in late_row
    assert "Delayed" in late_row and "40 %" in late_row
    on_time_row = row_of(html, on_time)
    assert "data-late" not in on_time_row
    assert "€12,000" in on_time_row and "€13,000" in on_time_row and "€1,000 over" in on_time_row
    assert detail_url(late) in late_row


def row_of(html, idea):
    start = html.index(f'data-delivery-row="{idea.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_list_filters_by_status_and_says_when_nothing_matches(moderator, implementing_round):
    client, user = moderator
    started = funded(implementing_round, title="Started path")
    services.update_delivery(started, user, state=Delivery.State.IN_PROGRESS)
    waiting = funded(implementing_round, title="Waiting bench")
    no_row = make_idea(implementing_round, status="selected", title="Older selected idea")

    in_progress = client.get(index_url(round=implementing_round.pk, state="in_progress")).content.decode()
    assert "Started path" in in_progress and "Waiting bench" not in in_progress

    planned = client.get(index_url(round=implementing_round.pk, state="planned")).content.decode()
    assert "Waiting bench" in planned and "Older selected idea" in planned and "Started path" not in planned
    assert f'data-delivery-row="{no_row.pk}"' in planned and f'data-delivery-row="{waiting.pk}"' in planned

    cancelled = client.get(index_url(round=implementing_round.pk, state="cancelled")).content.decode()
    assert "No funded idea matches these filters." in cancelled
    assert "data-delivery-row" not in cancelled


def test_the_list_is_paginated(moderator, implementing_round, monkeypatch):
    from ideas.moderation import delivery as screens

    monkeypatch.setattr(screens, "PER_PAGE", 2)
    client, _user = moderator
    for number in range(3):
        funded(implementing_round, title=f"Idea {number}")
    first = client.get(index_url(round=implementing_round.pk)).content.decode()
    second = client.get(index_url(round=implementing_round.pk, p=2)).content.decode()
    assert first.count("data-delivery-row=") == 2 and "Page 1 of 2" in first
    assert second.count("data-delivery-row=") == 1


# One idea's delivery -----------------------------------------------------------------------------------------


def test_a_moderator_changes_the_status_and_the_idea_follows(moderator, implementing_round):
    client, _user = moderator
    idea = funded(implementing_round)

    response = client.post(
        detail_url(idea), delivery_fields(state="in_progress", progress="35", planned_completion="2026-06-01")
    )

    assert response.status_code == 302
    assert said(response) == ["The delivery is saved."]
    delivery = Delivery.objects.get(idea=idea)
    assert (delivery.state, delivery.progress, delivery.planned_completion) == ("in_progress", 35, JUNE_1)
    idea.refresh_from_db()
    assert idea.status == "in_implementation"
    page = client.get(detail_url(idea)).content.decode()
    assert "Delivery progress: 35 %" in page  # the public history on the screen


def test_an_invalid_form_keeps_the_input_and_shows_the_error_on_its_field(moderator, implementing_round):
    client, _user = moderator
    idea = funded(implementing_round)

    response = client.post(
        detail_url(idea),
        delivery_fields(state="cancelled", progress="55", final_cost="12 500,50", overrun_reason=""),
    )

    assert response.status_code == 400
    form = response.context["delivery_form"]
    assert form.errors["cancel_reason"] == ["Say why the delivery is cancelled: residents will read it."]
    assert "above the allocated" in form.errors["overrun_reason"][0]
    html = response.content.decode()
    assert "Say why the delivery is cancelled: residents will read it." in html
    assert 'value="55"' in html and 'value="12 500,50"' in html
    assert 'value="cancelled" selected' in html
    delivery = Delivery.objects.get(idea=idea)
    assert (delivery.state, delivery.progress, delivery.final_cost) == ("planned", 0, None)
    assert not DeliveryEvent.objects.filter(idea=idea).exists()


def test_a_moderator_plans_a_milestone_and_marks_it_reached(moderator, implementing_round):
    client, _user = moderator
    idea = funded(implementing_round)

    response = client.post(
        detail_url(idea),
        {
            "action": "milestone",
            "milestone-title": "Saplings delivered",
            "milestone-planned_date": "2026-06-01",
        },
    )
    assert response.status_code == 302
    assert said(response) == ["The milestone “Saplings delivered” is planned."]
    milestone = Milestone.objects.get(delivery__idea=idea)
    assert (milestone.title, milestone.planned_date, milestone.actual_date) == (
        "Saplings delivered",
        JUNE_1,
        None,
    )

    page = client.get(detail_url(idea)).content.decode()
    assert f'name="reach-{milestone.pk}-actual_date"' in page

    response = client.post(
        detail_url(idea),
        {"action": "reach", "milestone": milestone.pk, f"reach-{milestone.pk}-actual_date": "2026-06-04"},
    )
    assert response.status_code == 302
    assert said(response) == ["The milestone “Saplings delivered” is marked reached."]
    milestone.refresh_from_db()
    assert milestone.actual_date == datetime.date(2026, 6, 4)
    page = client.get(detail_url(idea)).content.decode()
    assert f'name="reach-{milestone.pk}-actual_date"' not in page
    assert "3 days late" in page


def test_a_milestone_without_a_title_is_refused_and_keeps_the_date(moderator, implementing_round):
    client, _user = moderator
    idea = funded(implementing_round)
    response = client.post(
        detail_url(idea),
        {"action": "milestone", "milestone-title": "", "milestone-planned_date": "2026-06-01"},
    )
    assert response.status_code == 400
    assert "title" in response.context["milestone_form"].errors
    assert 'value="2026-06-01"' in response.content.decode()
    assert not Milestone.objects.filter(delivery__idea=idea).exists()


def test_a_milestone_of_another_idea_cannot_be_reached_from_here(moderator, implementing_round):
    client, _user = moderator
    idea = funded(implementing_round)
    other = funded(implementing_round, title="Another idea")
    milestone = services.add_milestone(other, None, title="Theirs", planned_date=JUNE_1)
    response = client.post(
        detail_url(idea),
        {"action": "reach", "milestone": milestone.pk, f"reach-{milestone.pk}-actual_date": "2026-06-01"},
    )
    assert response.status_code == 404
    milestone.refresh_from_db()
    assert milestone.actual_date is None


def test_a_moderator_posts_an_update_with_a_photo(moderator, implementing_round):
    client, user = moderator
    idea = funded(implementing_round)

    response = client.post(
        detail_url(idea),
        {
            "action": "update",
            "update-text": "The lindens are planted.",
            "update-photo_1": jpeg(),
            "update-alt_1": "Young lindens along the street",
        },
    )

    assert response.status_code == 302
    assert said(response) == ["The update is posted."]
    update = DeliveryUpdate.objects.get(delivery__idea=idea)
    assert update.text == "The lindens are planted." and update.posted_by == user
    (photo,) = update.photos.all()
    assert photo.alt_text == "Young lindens along the street"
    page = client.get(detail_url(idea)).content.decode()
    assert "The lindens are planted." in page
    assert 'alt="Young lindens along the street"' in page


def test_a_photo_without_a_description_or_a_non_picture_is_refused_and_the_text_kept(
    moderator, implementing_round
):
    client, _user = moderator
    idea = funded(implementing_round)

    response = client.post(
        detail_url(idea),
        {"action": "update", "update-text": "Holes dug.", "update-photo_1": jpeg(), "update-alt_1": ""},
    )
    assert response.status_code == 400
    form = response.context["update_form"]
    assert form.errors["alt_1"] == ["Describe the photo for people who cannot see it."]
    assert "Holes dug." in response.content.decode()

    fake = SimpleUploadedFile("plan.jpg", b"not a picture", content_type="image/jpeg")
    response = client.post(
        detail_url(idea),
        {"action": "update", "update-text": "Holes dug.", "update-photo_1": fake, "update-alt_1": "The plan"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "“plan.jpg” is not a picture we can read." in html
    assert 'value="The plan"' in html
    assert not DeliveryUpdate.objects.filter(delivery__idea=idea).exists()


def test_a_moderator_records_the_delivered_impact_beside_the_promise(moderator, implementing_round):
    client, _user = moderator
    idea = funded(implementing_round, area_greened_m2=400)

    page = client.get(detail_url(idea)).content.decode()
    assert "The idea promised: 20" in page and "The idea promised: 400" in page
    assert "The idea promised nothing here." in page

    response = client.post(
        detail_url(idea),
        {
            "action": "impact",
            "impact-trees_planted": "22",
            "impact-area_greened_m2": "420",
            "impact-path_length_m": "",
            "impact-co2_tonnes_per_year": "1.5",
        },
    )

    assert response.status_code == 302
    assert said(response) == ["The delivered impact is saved."]
    delivery = Delivery.objects.get(idea=idea)
    assert delivery.delivered_trees_planted == 22 and delivery.delivered_area_greened_m2 == 420
    assert delivery.delivered_path_length_m is None
    assert delivery.delivered_co2_tonnes_per_year == Decimal("1.5")
    page = client.get(detail_url(idea)).content.decode()
    start = page.index('data-impact-row="trees_planted"')
    assert "<td>20</td><td>22</td>" in page[start : page.index("</tr>", start)]

    response = client.post(detail_url(idea), {"action": "impact", "impact-trees_planted": "-3"})
    assert response.status_code == 400
    assert "trees_planted" in response.context["impact_form"].errors
    assert Delivery.objects.get(idea=idea).delivered_trees_planted == 22


def test_the_first_visit_starts_the_delivery_of_an_idea_without_one(moderator, implementing_round):
    client, _user = moderator
    idea = make_idea(implementing_round, status="selected", official_cost=Decimal("8000"))
    assert client.get(detail_url(idea)).status_code == 200
    assert Delivery.objects.get(idea=idea).allocated == Decimal("8000")


def test_an_idea_that_was_not_funded_has_no_delivery_screen(moderator, implementing_round):
    client, _user = moderator
    idea = make_idea(implementing_round, status="not_selected")
    assert client.get(detail_url(idea)).status_code == 404
    assert not Delivery.objects.filter(idea=idea).exists()


def test_the_moderation_page_links_to_the_delivery_of_funded_ideas(moderator, implementing_round):
    client, _user = moderator
    idea = funded(implementing_round)
    unfunded = make_idea(implementing_round, status="not_selected")

    funded_page = client.get(reverse("wagtailsnippets_ideas_idea:edit", args=[idea.pk])).content.decode()
    assert f'href="{detail_url(idea)}" data-delivery-link' in funded_page
    unfunded_page = client.get(
        reverse("wagtailsnippets_ideas_idea:edit", args=[unfunded.pk])
    ).content.decode()
    assert "data-delivery-link" not in unfunded_page


# Who may enter ----------------------------------------------------------------------------------------------


def test_the_menu_shows_delivery_to_moderators_only(moderator, editor):
    assert reverse("delivery:index") in moderator[0].get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("delivery:index") not in editor[0].get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("who", ["resident", "editor"])
def test_residents_and_editors_are_refused_everywhere(who, request, implementing_round):
    client, _user = request.getfixturevalue(who)
    idea = funded(implementing_round)
    assert refused(client.get(index_url()))
    assert refused(client.get(detail_url(idea)))
    posts = [
        delivery_fields(state="in_progress", progress="50"),
        {"action": "milestone", "milestone-title": "Sneaky", "milestone-planned_date": "2026-06-01"},
        {"action": "update", "update-text": "Done!"},
        {"action": "impact", "impact-trees_planted": "1000"},
    ]
    for data in posts:
        assert refused(client.post(detail_url(idea), data))
    if who == "editor":
        # An editor reaches the admin: the delivery screens answer with a plain 403.
        assert client.get(detail_url(idea)).status_code == 403
    delivery = Delivery.objects.get(idea=idea)
    assert (delivery.state, delivery.progress, delivery.delivered_trees_planted) == ("planned", 0, None)
    assert not DeliveryEvent.objects.filter(idea=idea).exists()
    assert not Milestone.objects.filter(delivery__idea=idea).exists()


def test_outside_the_implementation_phases_a_moderator_only_reads(moderator):
    client, _user = moderator
    budget_round = round_in_phase(Phase.SUPPORT)
    idea = make_idea(budget_round, status="selected", official_cost=Decimal("5000"))

    response = client.get(detail_url(idea))

    assert response.status_code == 200
    html = response.content.decode()
    assert "data-read-only" in html
    assert 'data-form="' not in html
    assert not Delivery.objects.filter(idea=idea).exists()  # reading starts nothing
    response = client.post(
        detail_url(idea),
        {"action": "milestone", "milestone-title": "Too early", "milestone-planned_date": "2026-06-01"},
    )
    assert response.status_code == 403
    assert not Milestone.objects.filter(delivery__idea=idea).exists()


@pytest.mark.parametrize("milestone", ["abc", "", "1e3", "-1"])
def test_a_malformed_milestone_number_is_not_found(moderator, implementing_round, milestone):
    client, _user = moderator
    idea = funded(implementing_round)
    response = client.post(detail_url(idea), {"action": "reach", "milestone": milestone})
    assert response.status_code == 404
