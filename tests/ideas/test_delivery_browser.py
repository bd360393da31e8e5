"""Following a funded idea to the ground, in a real browser (Debian's chromium via Playwright; issue 11): a
moderator adds a milestone, posts an update with a photo and records the delivered impact in the admin; the
author and a follower each get an e-mail in their language; the round's delivery page and the idea page show the
update, flag what is late and put the promised impact beside the delivered one, in Latvian and English, at 360 px
without sideways scrolling and with no axe (WCAG 2.1 A/AA) violation, and on a desktop.

What the test makes has unique names and is removed at the end: the demo site is shared by every browser test of
the session."""

import datetime
import io
import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from PIL import Image

from ideas.delivery import start_delivery, update_delivery
from ideas.models import BudgetRoundPage, Delivery, DeliveryPhoto, Follow, Idea, ResidentProfile
from ideas.phases import Phase
from tests.factories import make_idea, round_in_phase
from tests.home.test_phone_width import DESKTOP, PHONE, _round_page
from tests.ideas import voters
from tests.ideas.test_business_browser import check_page, submit

# Not in a test transaction: the browser's server must see what the test writes, and the e-mails are sent once
# the services' transactions commit (see tests/ideas/test_business_browser.py); the fixture removes everything.
pytestmark = [pytest.mark.browser]

PASSWORD = "a long and careful passphrase"
MILESTONE = "Koku stādīšana pabeigta"
UPDATE = "Pirmās desmit liepas ir iestādītas gar skolas ceļu."


@pytest.fixture
def funded_idea(django_db_setup, django_db_blocker):
    """A round in its implementation phase with its pages in both languages and one funded idea that promised
    10 trees, planned to be done 5 days ago (so late); its author reads Latvian, a follower English; a
    moderator."""
    tag = uuid.uuid4().hex[:6]
    state = {"tag": tag}
    with django_db_blocker.unblock():
        budget_round = round_in_phase(Phase.IMPLEMENTATION, name=f"Īstenošanas kārta {tag}")
        author = voters.confirmed_resident(
            f"dl-author-{tag}", "150380-48001", email=f"dl-author-{tag}@example.test"
        )
        follower = voters.confirmed_resident(
            f"dl-follower-{tag}", "160481-48002", email=f"dl-follower-{tag}@example.test"
        )
        ResidentProfile.objects.filter(user=author).update(preferred_language="lv", display_name="Anna")
        ResidentProfile.objects.filter(user=follower).update(preferred_language="en", display_name="Ben")
        idea = make_idea(
            budget_round,
            author=author,
            status="selected",
            title=f"Liepu aleja {tag}",
            estimated_cost=Decimal(8000),
            trees_planted=10,
            latitude=Decimal("56.8300"),
            longitude=Decimal("24.2300"),
        )
        Follow.objects.create(idea=idea, user=follower)
        start_delivery(idea)
        update_delivery(
            idea, None, planned_completion=datetime.date.today() - datetime.timedelta(days=5), progress=30
        )
        state["lv"], state["en"] = _round_page(
            budget_round, f"istenosanas-karta-{tag}", f"delivery-round-{tag}", "Īstenošana"
        )
        moderator = get_user_model().objects.create_user(
            f"dl-moderator-{tag}", f"dl-mod-{tag}@example.test", PASSWORD
        )
        moderator.groups.add(Group.objects.get(name="Moderators"))
        state.update(round=budget_round, idea=idea, author=author, follower=follower, moderator=moderator)
    yield state
    with django_db_blocker.unblock():
        for page in BudgetRoundPage.objects.filter(budget_round=budget_round).order_by("-locale_id"):
            page.delete()
        for photo in DeliveryPhoto.objects.filter(update__delivery__idea__round=budget_round):
            photo.file.delete(save=False)
        Idea.objects.filter(round=budget_round).delete()
        budget_round.delete()
        get_user_model().objects.filter(username__endswith=f"-{tag}").delete()


def serve_media(context):
    """Uploaded files live in the tests' in-memory storage, which the test server does not serve: the browser gets
    them from it directly."""
    from urllib.parse import urlparse

    from django.conf import settings
    from django.core.files.storage import default_storage

    def handle(route):
        name = urlparse(route.request.url).path.removeprefix(settings.MEDIA_URL)
        if not default_storage.exists(name):
            route.fulfill(status=404)
            return
        with default_storage.open(name) as stored:
            route.fulfill(status=200, body=stored.read(), content_type="image/jpeg")

    context.route("**/media/**", handle)
    return context


def jpeg_bytes():
    output = io.BytesIO()
    Image.new("RGB", (800, 500), (60, 140, 70)).save(output, format="JPEG")
    return output.getvalue()


def test_staff_record_delivery_and_residents_follow_it(site_server, chromium, funded_idea, django_db_blocker):
    state, problems = funded_idea, []
    idea = state["idea"]
    cache.clear()  # earlier browser tests' login attempts count against the same address's limits
    mail.outbox.clear()

    # 1. A moderator adds a milestone, posts an update with a photo and records the delivered impact.
    admin = chromium.new_context(locale="en-GB", viewport=DESKTOP).new_page()
    admin.goto(site_server + "/admin/login/")
    admin.locator("input[name='username']").fill(state["moderator"].username)
    admin.locator("input[name='password']").fill(PASSWORD)
    submit(admin, "form button[type='submit']")
    screen = site_server + f"/admin/participation/delivery/{idea.pk}/"
    admin.goto(screen)
    reached = datetime.date.today() - datetime.timedelta(days=1)
    admin.locator("input[name='milestone-title']").fill(MILESTONE)
    admin.locator("input[name='milestone-planned_date']").fill(reached.isoformat())
    submit(admin, "form:has(input[name='milestone-title']) button[type='submit']")
    admin.locator("textarea[name='update-text']").fill(UPDATE)
    admin.locator("input[name='update-photo_1']").set_input_files(
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    admin.locator("input[name='update-alt_1']").fill("Jaunas liepas gar ceļu")
    submit(admin, "form:has(textarea[name='update-text']) button[type='submit']")
    admin.locator("input[name='impact-trees_planted']").fill("12")
    submit(admin, "form:has(input[name='impact-trees_planted']) button[type='submit']")
    with django_db_blocker.unblock():
        delivery = Delivery.objects.get(idea=idea)
        assert delivery.milestones.get().title == MILESTONE
        update = delivery.updates.get()
        assert update.text == UPDATE and update.photos.count() == 1
        # The photo is re-encoded under a random name: the camera's file name is gone.
        assert "IMG_0001" not in update.photos.get().file.name
        assert delivery.delivered_trees_planted == 12
        assert delivery.is_late

    # 2. The author (Latvian) and the follower (English) heard of each step, each in their language.
    to_author = [message for message in mail.outbox if message.to == [state["author"].email]]
    to_follower = [message for message in mail.outbox if message.to == [state["follower"].email]]
    assert len(to_author) == len(to_follower) == 3, [message.subject for message in mail.outbox]
    assert any(MILESTONE in message.body for message in to_follower)
    assert all(idea.title in message.subject for message in to_author + to_follower)
    assert all("News on the delivery" in message.subject for message in to_follower)
    assert not any("News on the delivery" in message.subject for message in to_author), (
        "Latvian for the author"
    )

    # 3. Residents see it: the round's delivery page and the idea page, in both languages, phone and desktop.
    for language, viewport in (("lv", PHONE), ("en", PHONE), ("en", DESKTOP), ("lv", DESKTOP)):
        context = chromium.new_context(locale="lv-LV" if language == "lv" else "en-GB", viewport=viewport)
        page = serve_media(context).new_page()
        label = f"({language}, {viewport['width']})"
        page.goto(site_server + state[language].url + "delivery/")
        main = page.locator("main")
        assert idea.title in main.inner_text()
        late = page.locator(".delivery-late")
        assert late.count() >= 1 and re.search(r"\b5\b", late.first.inner_text()), "late by 5 days"
        check_page(page, problems, f"round delivery {label}")

        page.goto(site_server + state[language].url + f"{idea.pk}/")
        text = page.locator("main").inner_text()
        assert UPDATE in text and MILESTONE in text
        photo = page.locator("main img[alt='Jaunas liepas gar ceļu']")
        assert photo.count() == 1 and photo.evaluate("img => img.complete && img.naturalWidth > 0")
        trees = page.locator("main .delivery-impact tr[data-impact='trees_planted']")
        assert trees.locator("[data-promised]").inner_text().strip() == "10"
        assert trees.locator("[data-delivered]").inner_text().strip() == "12"
        check_page(page, problems, f"idea with its delivery {label}")
        page.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_demo_delivery_page_is_live_in_both_languages(client):
    """Also makes pytest-django set up the test database (with the demo) before this module's browser test."""
    from ideas.models import DeliveryPage

    pages = DeliveryPage.objects.live()
    assert sorted(pages.values_list("locale__language_code", flat=True)) == ["en", "lv"]
    for page in pages:
        assert client.get(page.url).status_code == 200
