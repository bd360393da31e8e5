"""Delivery of funded ideas (ideas/delivery.py): publishing the results starts it with the public money the vote
allocated; each step moves the idea on, needs its reasons, writes the public history, the audit log and e-mails
the author and the followers in their language; photos are re-encoded; only moderators, while the round's phase
allows implementation, may manage it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from wagtail.models import ModelLogEntry, Site

from ideas import delivery as services
from ideas.models import (
    BudgetRound,
    Delivery,
    DeliveryEvent,
    DeliveryPhoto,
    DeliveryUpdate,
    Follow,
    Idea,
    Milestone,
    ResidentProfile,
    RoundResult,
    StatusChange,
)
from ideas.partners.views import idea_history
from ideas.phases import Phase
from ideas.voting.results import publish_results
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident

pytestmark = pytest.mark.django_db

JUNE_1 = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _services_speak_english():
    """The services' messages and the history are read in English here, unless a test says otherwise."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return verified_resident("delivery-moderator", email="ilze@kekava.example", groups=["Moderators"])


@pytest.fixture
def implementing_round():
    return round_in_phase(Phase.IMPLEMENTATION)


def funded(budget_round, status="selected", cost="12000", cofunding="2000", **fields):
    """A funded idea with its delivery started as publishing the results does (the system, user None)."""
    idea = make_idea(
        budget_round,
        status=status,
        official_cost=Decimal(cost),
        cofunding=Decimal(cofunding),
        **fields,
    )
    services.start_delivery(idea, None)
    return Idea.objects.get(pk=idea.pk)


def logged(idea, action):
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Idea), object_id=str(idea.pk), action=action
    )


def delivery_history(idea):
    return [(entry.what, entry.reason) for entry in idea_history(idea) if entry.kind == "delivery"]


def photo_upload(name="site.jpg", exif_gps=False):
    image = Image.new("RGB", (320, 240), (40, 120, 60))
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "CameraMaker"  # Make
        exif[0x8825] = {1: "N", 2: (56.0, 50.0, 0.0)}  # GPS info
        kwargs["exif"] = exif
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# Publishing the results starts the delivery -----------------------------------------------------------------


def test_publishing_the_results_starts_the_delivery_of_selected_ideas_with_their_net_cost(staff):
    budget_round = round_in_phase(Phase.RESULTS)
    chosen = make_idea(
        budget_round,
        status="on_ballot",
        title="Lindens for Gaismas iela",
        official_cost=Decimal("12000"),
        cofunding=Decimal("2500"),
    )
    left_out = make_idea(budget_round, status="on_ballot", title="A fountain", official_cost=Decimal("9000"))
    result = RoundResult.objects.create(
        round=budget_round,
        rule="greedy",
        engine_version="test",
        pb_sha256="0" * 64,
        pb_file="",
        outcome={"selected": [chosen.pk], "votes": {str(chosen.pk): 10, str(left_out.pk): 3}},
        explanations={},
    )

    assert publish_results(budget_round, [result], staff) == 1

    chosen.refresh_from_db()
    assert chosen.status == "selected"
    delivery = Delivery.objects.get(idea=chosen)
    assert delivery.allocated == Decimal("9500.00")  # the cost less the confirmed co-funding
    assert delivery.state == Delivery.State.PLANNED
    assert logged(chosen, "ideas.delivery.start").count() == 1
    assert not Delivery.objects.filter(idea=left_out).exists()


def test_only_funded_ideas_are_delivered(implementing_round):
    idea = make_idea(implementing_round, status="not_selected")
    with pytest.raises(ValidationError):
        services.start_delivery(idea, None)
    assert not Delivery.objects.filter(idea=idea).exists()


def test_starting_twice_keeps_the_first_allocation(implementing_round):
    idea = funded(implementing_round)
    Idea.objects.filter(pk=idea.pk).update(official_cost=Decimal("50000"))
    idea.refresh_from_db()
    assert services.start_delivery(idea, None).allocated == Decimal("10000.00")
    assert logged(idea, "ideas.delivery.start").count() == 1


# State changes move the idea on, with its public history ----------------------------------------------------


def test_work_under_way_moves_the_idea_to_implementation_and_completion_completes_it(
    implementing_round, staff
):
    idea = funded(implementing_round)

    services.update_delivery(idea, staff, state=Delivery.State.IN_PROGRESS, progress=30)
    idea.refresh_from_db()
    assert idea.status == "in_implementation"
    assert StatusChange.objects.filter(idea=idea, to_status="in_implementation").count() == 1

    delivery = services.update_delivery(idea, staff, state=Delivery.State.COMPLETED, completed_on=JUNE_1)
    idea.refresh_from_db()
    assert idea.status == "completed"
    assert (delivery.progress, delivery.completed_on) == (100, JUNE_1)

    history = [(entry.kind, entry.what) for entry in idea_history(idea)]
    assert ("status", "In implementation") in history
    assert ("status", "Completed") in history
    assert ("delivery", "Delivery: In progress") in history
    assert ("delivery", "Delivery progress: 30 %") in history
    assert ("delivery", "Delivery: Completed") in history


def test_completing_a_planned_delivery_takes_the_idea_through_implementation(implementing_round, staff):
    idea = funded(implementing_round)
    delivery = services.update_delivery(idea, staff, state=Delivery.State.COMPLETED)
    idea.refresh_from_db()
    assert idea.status == "completed"
    assert list(StatusChange.objects.filter(idea=idea).values_list("to_status", flat=True)) == [
        "in_implementation",
        "completed",
    ]
    assert delivery.completed_on == datetime.date.today()


def test_a_delay_keeps_the_idea_in_implementation_and_is_late_once_the_date_passes(implementing_round, staff):
    idea = funded(implementing_round)
    past = datetime.date.today() - datetime.timedelta(days=9)
    delivery = services.update_delivery(idea, staff, state=Delivery.State.DELAYED, planned_completion=past)
    idea.refresh_from_db()
    assert idea.status == "in_implementation"
    assert delivery.days_late() == 9
    assert ("Completion planned for " + past.strftime("%-d %B %Y"), "") in delivery_history(idea)


def test_cancelling_needs_a_public_reason(implementing_round, staff):
    idea = funded(implementing_round)

    with pytest.raises(ValidationError) as refused:
        services.update_delivery(idea, staff, state=Delivery.State.CANCELLED, cancel_reason="  ")
    assert set(refused.value.message_dict) == {"cancel_reason"}
    assert Delivery.objects.get(idea=idea).state == Delivery.State.PLANNED
    assert not DeliveryEvent.objects.filter(idea=idea).exists()

    reason = "The forest owner did not allow the bird boxes."
    services.update_delivery(idea, staff, state=Delivery.State.CANCELLED, cancel_reason=reason)
    assert Delivery.objects.get(idea=idea).cancel_reason == reason
    assert ("Delivery: Cancelled", reason) in delivery_history(idea)
    idea.refresh_from_db()
    assert idea.status == "selected"


def test_a_final_cost_above_the_allocation_needs_a_reason(implementing_round, staff):
    idea = funded(implementing_round)  # allocated: 12 000 less 2 000 co-funding

    with pytest.raises(ValidationError) as refused:
        services.update_delivery(idea, staff, final_cost=Decimal("12500"))
    assert set(refused.value.message_dict) == {"overrun_reason"}
    assert "€12,500" in refused.value.message_dict["overrun_reason"][0]
    assert Delivery.objects.get(idea=idea).final_cost is None

    reason = "Saplings became dearer."
    delivery = services.update_delivery(idea, staff, final_cost=Decimal("12500"), overrun_reason=reason)
    assert delivery.overrun == Decimal("2500")
    assert ("Final cost: €12,500", reason) in delivery_history(idea)


def test_a_final_cost_within_the_allocation_needs_no_reason(implementing_round, staff):
    idea = funded(implementing_round)
    delivery = services.update_delivery(idea, staff, final_cost=Decimal("10000"))
    assert delivery.final_cost == Decimal("10000") and delivery.overrun is None


def test_progress_stays_within_a_hundred(implementing_round, staff):
    idea = funded(implementing_round)
    with pytest.raises(ValidationError) as refused:
        services.update_delivery(idea, staff, progress=120)
    assert "progress" in refused.value.message_dict
    assert Delivery.objects.get(idea=idea).progress == 0


def test_an_unchanged_save_records_nothing(implementing_round, staff):
    idea = funded(implementing_round)
    services.update_delivery(idea, staff, state=Delivery.State.PLANNED, progress=0)
    assert not DeliveryEvent.objects.filter(idea=idea).exists()


# Every step: history, audit log -----------------------------------------------------------------------------


def test_each_step_writes_a_public_history_entry_and_an_audit_entry(implementing_round, staff):
    idea = funded(implementing_round, trees_planted=20)

    services.update_delivery(
        idea, staff, state=Delivery.State.IN_PROGRESS, progress=40, planned_completion=JUNE_1
    )
    milestone = services.add_milestone(idea, staff, title="Saplings delivered", planned_date=JUNE_1)
    services.reach_milestone(milestone, staff, actual_date=JUNE_1 + datetime.timedelta(days=3))
    services.post_update(idea, staff, text="The holes are dug.")
    services.update_delivery(idea, staff, final_cost=Decimal("9000"))
    services.record_delivered_impact(idea, staff, trees_planted=22, co2_tonnes_per_year=Decimal("1.5"))

    events = list(DeliveryEvent.objects.filter(idea=idea).values_list("kind", flat=True))
    assert sorted(events) == sorted(DeliveryEvent.Kind.values)
    actions = {
        "state": "ideas.delivery.state",
        "progress": "ideas.delivery.progress",
        "schedule": "ideas.delivery.schedule",
        "milestone_added": "ideas.delivery.milestone",
        "milestone_reached": "ideas.delivery.milestone_reached",
        "update": "ideas.delivery.update",
        "cost": "ideas.delivery.cost",
        "impact": "ideas.delivery.impact",
    }
    for kind, action in actions.items():
        (entry,) = logged(idea, action)
        assert entry.user_id == staff.pk, action
        assert entry.data["kind"] == kind

    history = delivery_history(idea)
    assert len(history) == len(events)
    for sentence in (
        "Delivery: In progress",
        "Delivery progress: 40 %",
        "Completion planned for 1 June 2026",
        "Milestone “Saplings delivered” planned for 1 June 2026",
        "Milestone “Saplings delivered” reached on 4 June 2026",
        "Update posted",
        "Final cost: €9,000",
        "Delivered green impact recorded",
    ):
        assert (sentence, "") in history
    # The public history never names the staff member.
    assert {entry.who for entry in idea_history(idea) if entry.kind == "delivery"} == {"Municipal staff"}

    reached = Milestone.objects.get(pk=milestone.pk)
    assert reached.actual_date == datetime.date(2026, 6, 4) and reached.days_late() == 3
    delivery = Delivery.objects.get(idea=idea)
    assert delivery.delivered("trees_planted") == 22
    assert delivery.delivered("co2_tonnes_per_year") == Decimal("1.5")
    assert delivery.delivered("area_greened_m2") is None


def test_a_milestone_is_reached_once(implementing_round, staff):
    idea = funded(implementing_round)
    milestone = services.add_milestone(idea, staff, title="Design agreed", planned_date=JUNE_1)
    services.reach_milestone(milestone, staff, actual_date=JUNE_1)
    with pytest.raises(ValidationError):
        services.reach_milestone(milestone, staff, actual_date=JUNE_1 + datetime.timedelta(days=1))
    assert Milestone.objects.get(pk=milestone.pk).actual_date == JUNE_1
    assert logged(idea, "ideas.delivery.milestone_reached").count() == 1


def test_a_milestone_needs_a_title(implementing_round, staff):
    idea = funded(implementing_round)
    with pytest.raises(ValidationError) as refused:
        services.add_milestone(idea, staff, title="   ", planned_date=JUNE_1)
    assert "title" in refused.value.message_dict
    assert not Milestone.objects.filter(delivery__idea=idea).exists()


# E-mails ----------------------------------------------------------------------------------------------------


def with_profile(user, language, name):
    ResidentProfile.objects.update_or_create(
        user=user, defaults={"preferred_language": language, "display_name": name}
    )
    return user


def test_the_author_and_a_follower_are_told_each_in_their_language(staff, run_on_commit):
    # The demo's finished round has pages in both languages (the e-mails link to the idea) and is in its
    # results phase, in which moderators manage delivery.
    budget_round = BudgetRound.objects.get(name="Zaļāka apkaime 2025")
    author = with_profile(verified_resident("delivery-author", email="juris@example.test"), "lv", "Juris")
    follower = with_profile(verified_resident("delivery-follower", email="anna@example.test"), "en", "Anna")
    with_profile(staff, "lv", "Ilze Moderatore")
    idea = funded(budget_round, author=author, title="Liepas Gaismas ielā")
    Follow.objects.create(idea=idea, user=follower)
    Follow.objects.create(idea=idea, user=author)  # the author is told once
    root = Site.objects.get(is_default_site=True).root_url.rstrip("/")

    with run_on_commit():
        services.add_milestone(idea, staff, title="Stādi piegādāti", planned_date=JUNE_1)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {author.email, follower.email}

    english = by_address[follower.email]
    assert english.subject == "News on the delivery of “Liepas Gaismas ielā”"
    assert "Hello Anna," in english.body
    assert "Milestone “Stādi piegādāti” planned for 1 June 2026" in english.body
    assert f"{root}/en/greener-neighbourhood-2025/{idea.pk}/" in english.body

    latvian = by_address[author.email]
    assert "Juris" in latvian.body
    assert "2026. gada 1. jūnijs" in latvian.body
    assert "1 June 2026" not in latvian.body
    assert f"{root}/zalaka-apkaime-2025/{idea.pk}/" in latvian.body
    assert "/en/" not in latvian.body

    for message in mail.outbox:
        for staff_detail in ("Ilze", staff.username, staff.email):
            assert staff_detail not in message.subject + message.body


def test_nothing_is_sent_for_a_refused_step(implementing_round, staff, run_on_commit):
    author = verified_resident("refused-author", email="refused@example.test")
    idea = funded(implementing_round, author=author)
    with run_on_commit(), pytest.raises(ValidationError):
        services.update_delivery(idea, staff, state=Delivery.State.CANCELLED)
    assert mail.outbox == []


# Photos -----------------------------------------------------------------------------------------------------


def test_photos_are_re_encoded_without_camera_data(implementing_round, staff):
    idea = funded(implementing_round)
    upload = photo_upload(exif_gps=True)
    assert Image.open(io.BytesIO(upload.read())).getexif(), "the test photo carries EXIF"
    upload.seek(0)

    update = services.post_update(
        idea, staff, text="The lindens are planted.", photos=[(upload, "  Lindens along the street  ")]
    )

    (photo,) = update.photos.all()
    assert photo.alt_text == "Lindens along the street"
    assert photo.file.name.startswith("delivery/") and "site" not in photo.file.name
    with photo.file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == "JPEG"
        assert not image.getexif()
    assert (photo.width, photo.height) == (320, 240)
    assert update.posted_by == staff
    assert DeliveryEvent.objects.get(idea=idea, kind="update").data == {"update": update.pk, "photos": 1}


def test_a_file_that_is_not_a_picture_refuses_the_whole_update(implementing_round, staff):
    idea = funded(implementing_round)
    stored_before = len(default_storage.listdir("delivery")[1]) if default_storage.exists("delivery") else 0
    fake = SimpleUploadedFile("plan.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        services.post_update(
            idea, staff, text="Plans.", photos=[(photo_upload(), "The site"), (fake, "The plan")]
        )

    assert "plan.jpg" in " ".join(refused.value.messages)
    assert not DeliveryUpdate.objects.filter(delivery__idea=idea).exists()
    assert not DeliveryPhoto.objects.filter(update__delivery__idea=idea).exists()
    assert not DeliveryEvent.objects.filter(idea=idea).exists()
    stored_after = len(default_storage.listdir("delivery")[1]) if default_storage.exists("delivery") else 0
    assert stored_after == stored_before


def test_each_photo_needs_a_description_and_at_most_six_go_with_an_update(implementing_round, staff):
    idea = funded(implementing_round)
    with pytest.raises(ValidationError) as refused:
        services.post_update(idea, staff, text="Planted.", photos=[(photo_upload(), " ")])
    assert "photos" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.post_update(
            idea,
            staff,
            text="Planted.",
            photos=[(photo_upload(), "A tree")] * (services.MAX_PHOTOS_PER_UPDATE + 1),
        )
    assert "photos" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.post_update(idea, staff, text="  ")
    assert "text" in refused.value.message_dict
    assert not DeliveryUpdate.objects.filter(delivery__idea=idea).exists()


# Who may manage delivery -------------------------------------------------------------------------------------

# An independent statement of the brief: moderators, in the phases after the vote (not a copy of phases.py).
MAY_MANAGE_IN = {Phase.RESULTS, Phase.IMPLEMENTATION}
ROLES = ["anonymous", "resident", "moderator", "editor"]


@pytest.fixture
def people():
    return {
        "anonymous": AnonymousUser(),
        "resident": verified_resident("d-resident"),
        "moderator": verified_resident("d-moderator", groups=["Moderators"]),
        "editor": verified_resident("d-editor", groups=["Editors"]),
    }


@pytest.mark.parametrize("phase", list(Phase), ids=str)
def test_only_moderators_manage_delivery_in_the_phases_after_the_vote(phase, people):
    budget_round = round_in_phase(phase)
    assert budget_round.current_phase() == phase
    idea = funded(budget_round)
    mismatches = []
    for role in ROLES:
        user = people[role]
        expected = role == "moderator" and phase in MAY_MANAGE_IN
        if user.has_perm("ideas.manage_delivery", idea) != expected:
            mismatches.append(f"has_perm for {role}: expected {expected}")
        try:
            services.add_milestone(idea, user, title=f"Step by {role}", planned_date=JUNE_1)
        except PermissionDenied:
            allowed = False
        else:
            allowed = True
        if allowed != expected:
            mismatches.append(f"add_milestone for {role}: expected {expected}")
    assert mismatches == []
    expected_titles = ["Step by moderator"] if phase in MAY_MANAGE_IN else []
    assert (
        list(Milestone.objects.filter(delivery__idea=idea).values_list("title", flat=True)) == expected_titles
    )


def test_every_service_refuses_a_resident(implementing_round):
    idea = funded(implementing_round)
    milestone = services.add_milestone(idea, None, title="Design agreed", planned_date=JUNE_1)
    resident = verified_resident("d-nosy")
    attempts = [
        lambda: services.start_delivery(idea, resident),
        lambda: services.update_delivery(idea, resident, progress=50),
        lambda: services.add_milestone(idea, resident, title="Mine", planned_date=JUNE_1),
        lambda: services.reach_milestone(milestone, resident, actual_date=JUNE_1),
        lambda: services.post_update(idea, resident, text="Done!"),
        lambda: services.record_delivered_impact(idea, resident, trees_planted=1000),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    delivery = Delivery.objects.get(idea=idea)
    assert (delivery.progress, delivery.delivered_trees_planted) == (0, None)
    assert Milestone.objects.get(pk=milestone.pk).actual_date is None
    assert DeliveryEvent.objects.filter(idea=idea).count() == 1  # the system's milestone only


def test_an_inactive_moderator_manages_nothing(implementing_round):
    idea = funded(implementing_round)
    moderator = UserFactory(username="d-gone", groups=["Moderators"], is_active=False)
    assert not moderator.has_perm("ideas.manage_delivery", idea)


def test_a_completed_delivery_is_not_reopened(implementing_round, staff):
    idea = funded(implementing_round)
    services.update_delivery(idea, staff, state=Delivery.State.COMPLETED, completed_on=JUNE_1)
    with pytest.raises(ValidationError) as refused:
        services.update_delivery(idea, staff, state=Delivery.State.PLANNED)
    assert set(refused.value.message_dict) == {"state"}
    idea.refresh_from_db()
    assert idea.status == "completed" and idea.delivery.state == Delivery.State.COMPLETED
    # Its other facts may still be corrected.
    services.update_delivery(idea, staff, final_cost=Decimal("9000"))
    assert Delivery.objects.get(idea=idea).final_cost == Decimal("9000")


def test_a_cancelled_idea_counts_neither_its_allocation_nor_its_promise(implementing_round, staff):
    from ideas.delivery_views import impact_rows, round_summary

    kept = funded(implementing_round, trees_planted=5)
    dropped = funded(implementing_round, trees_planted=7)
    services.update_delivery(dropped, staff, state=Delivery.State.CANCELLED, cancel_reason="No land.")
    pairs = [(idea, Delivery.objects.get(idea=idea)) for idea in (kept, dropped)]
    [trees] = [row for row in impact_rows(pairs) if row.name == "trees_planted"]
    assert trees.promised == 5
    [trees] = [row for row in round_summary(implementing_round)["impact"] if row.name == "trees_planted"]
    assert trees.promised == 5
