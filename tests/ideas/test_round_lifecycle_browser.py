"""A whole budget round run by staff in the Wagtail admin, in a real browser (Debian's chromium via Playwright),
with no shell step for anything staff do (issue 9): a moderator creates a round with its pages in both
languages, assesses ideas, builds the ballot, makes the counting keys, loads a census list, opens voting; two
residents vote on the public site; the moderator closes voting, counts with the key, checks the preview and
publishes it; residents see the results in Latvian and English; funded ideas go on to implementation.

For speed the ideas are made with the factories (residents' submission is tested elsewhere). The round has a
unique name and is removed at the end: the demo site is shared by every browser test of the session."""

import datetime
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from ideas.models import Ballot, BudgetRound, BudgetRoundPage, CensusEntry, CensusUpload, Idea, RoundResult
from ideas.statuses import Status
from ideas.voting import keys, sealing
from tests.factories import make_idea
from tests.ideas import voters

# Not in a test transaction: the browser's server writes to the same tables while the test runs, and an open
# transaction of the test would lock them (SQLite) or hide the test's ideas from the server (PostgreSQL). What the
# test writes is committed and removed at the end (lifecycle_people); DB access goes through django_db_blocker.
pytestmark = [pytest.mark.browser]

PASSWORD = "a long and careful passphrase"
RESIDENTS = [("cycle-voter-1", "171171-17171", 1980), ("cycle-voter-2", "181181-18181", 1990)]
KEY = re.compile(re.escape(sealing.PRIVATE_KEY_PREFIX) + r"[A-Za-z0-9+/=]+")


def at(days):
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%d %H:%M")


def _remove(name, usernames):
    for budget_round in BudgetRound.objects.filter(name=name):
        for page in BudgetRoundPage.objects.filter(budget_round=budget_round).order_by("-locale_id"):
            page.delete()
        RoundResult.objects.filter(round=budget_round).delete()
        Ballot.objects.filter(round=budget_round).delete()  # its choices protect the ideas
        Idea.objects.filter(round=budget_round).delete()
        budget_round.delete()
    get_user_model().objects.filter(username__in=usernames).delete()
    CensusEntry.objects.filter(person_key__in=[keys.person_key(code) for _u, code, _y in RESIDENTS]).delete()


@pytest.fixture
def lifecycle_people(django_db_setup, django_db_blocker):
    """Two residents confirmed as persons (not on the census list yet: staff load it in the test), committed;
    all the test made is removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    state = {"tag": tag, "name": f"Browser round {tag}"}

    def make():
        users = []
        for username, code, year in RESIDENTS:
            user = voters.confirmed_resident(
                f"{username}-{tag}",
                code,
                email=f"{username}-{tag}@example.test",
                birth_year=year,
                census=False,
            )
            user.set_password(PASSWORD)
            user.save()
            users.append(user)
        return users

    with django_db_blocker.unblock():
        uploads_before = set(CensusUpload.objects.values_list("pk", flat=True))
        state["users"] = make()
        # A moderator of the test's own: other tests of the session may change the demo's accounts.
        moderator = get_user_model().objects.create_user(
            f"cycle-moderator-{tag}", f"cycle-moderator-{tag}@example.test", PASSWORD
        )
        moderator.groups.add(Group.objects.get(name="Moderators"))
        state["moderator"] = moderator.username
    yield state
    with django_db_blocker.unblock():
        _remove(state["name"], [user.username for user in state["users"]] + [state["moderator"]])
        # The census file staff upload in the test leaves an audit row; later tests count them.
        CensusUpload.objects.exclude(pk__in=uploads_before).delete()


def submit(page, selector="main form button[type='submit']"):
    with page.expect_navigation():
        page.locator(selector).last.click()


def test_staff_run_a_round_end_to_end_in_the_admin(
    site_server, chromium, browser_page, lifecycle_people, django_db_blocker
):
    admin = browser_page
    name, tag = lifecycle_people["name"], lifecycle_people["tag"]
    # Earlier browser tests sign in from the same address; their attempts count against the login limits kept in
    # the cache (ideas/limits.py), which this test must not inherit.
    cache.clear()
    admin.goto(site_server + "/admin/login/")
    admin.locator("input[name='username']").fill(lifecycle_people["moderator"])
    admin.locator("input[name='password']").fill(PASSWORD)
    submit(admin, "form button[type='submit']")
    assert "/admin/login/" not in admin.url, admin.locator("main").inner_text()[:500]

    # 1. A new round in one step: the round and its page in Latvian and English.
    admin.goto(site_server + "/admin/participation/new-round/")
    fields = {
        "name": name,
        "total_budget": "10000",
        "minimum_supports": "0",
        "submission_starts": at(-30),
        "review_starts": at(-20),
        "support_starts": at(-10),
        "voting_starts": at(5),
        "results_published": at(20),
        "implementation_starts": at(40),
        "title_lv": f"Pārlūka kārta {tag}",
        "intro_lv": "Balsojiet par idejām.",
        "title_en": f"Browser round {tag}",
        "intro_en": "Vote for the ideas.",
    }
    for field, value in fields.items():
        admin.locator(f"#id_{field}").fill(value)
    admin.locator("#id_counting_rule").select_option("greedy")
    submit(admin)
    with django_db_blocker.unblock():
        budget_round = BudgetRound.objects.get(name=name)
        lv_url = BudgetRoundPage.objects.get(budget_round=budget_round, locale__language_code="lv").url
        en_url = BudgetRoundPage.objects.get(budget_round=budget_round, locale__language_code="en").url
        # Ideas as residents would have sent them (their submission is tested elsewhere).
        ideas = [
            make_idea(budget_round, status="published", title=f"{title} {tag}", estimated_cost=cost)
            for title, cost in (("Benches", 4000), ("Pond", 8000))
        ]
    assert admin.url.endswith(f"/admin/participation/voting/{budget_round.pk}/")

    # 2. Staff assess the ideas feasible on their moderation pages.
    for idea in ideas:
        admin.goto(site_server + f"/admin/snippets/ideas/idea/edit/{idea.pk}/")
        form = admin.locator("form[data-moderation-action='assess']")
        form.locator("input[name='assess-result'][value='feasible']").check()
        form.locator("input[name='assess-official_cost']").fill(str(idea.estimated_cost))
        form.locator("textarea[name='assess-explanation']").fill("The parks department can do it.")
        with admin.expect_navigation():
            form.locator("button[type='submit']").click()

    # 3. The ballot builder: both feasible ideas are ticked (no minimum of supports here).
    admin.goto(site_server + f"/admin/participation/voting/{budget_round.pk}/ballot/")
    assert admin.locator("input[name='ideas']:checked").count() == 2
    submit(admin)

    # 4. The key ceremony: the private key is shown once, in the page.
    admin.goto(site_server + f"/admin/participation/voting/{budget_round.pk}/keys/")
    submit(admin)
    private_key = KEY.search(admin.content()).group(0)

    # 5. A tiny census list, uploaded at the desk.
    with django_db_blocker.unblock():
        area_code = voters.home_area().code
    csv_text = "personal_code,area,birth_year\n" + "".join(
        f"{code},{area_code},{year}\n" for _user, code, year in RESIDENTS
    )
    admin.goto(site_server + "/admin/participation/voting/census/")
    admin.locator("input[name='file']").set_input_files(
        files=[{"name": "census.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    submit(admin)

    # 6. Open voting, after the summary and a confirmation.
    admin.goto(site_server + f"/admin/participation/voting/{budget_round.pk}/")
    with admin.expect_navigation():
        admin.locator("[data-open-voting]").click()
    assert admin.locator("[data-summary]").count() == 1 and admin.locator("[data-problems]").count() == 0
    admin.locator("input[name='confirm']").check()
    submit(admin)
    with django_db_blocker.unblock():
        budget_round.refresh_from_db()
    assert budget_round.voting_opened_at is not None

    # 7. Two residents vote on the public site: both choose the benches, nobody the pond.
    for user, chosen in zip(lifecycle_people["users"], ([ideas[0]], [ideas[0]]), strict=True):
        context = chromium.new_context(locale="en-GB")
        resident = context.new_page()
        resident.goto(site_server + "/en/accounts/login/")
        resident.locator("main input[name='login']").fill(user.email)
        resident.locator("main input[name='password']").fill(PASSWORD)
        submit(resident)
        resident.goto(site_server + en_url + "vote/")
        for idea in chosen:
            resident.locator(f"#id_idea_{idea.pk}").check()
        submit(resident, "form[data-ballot] button[type='submit']")
        submit(resident, "button[name='cast']")
        assert resident.locator("[data-receipt]").count() == 1
        context.close()

    # 8. Close voting, confirmed; the button is gone afterwards.
    admin.goto(site_server + f"/admin/participation/voting/{budget_round.pk}/")
    with admin.expect_navigation():
        admin.locator("[data-close-voting]").click()
    admin.locator("input[name='confirm']").check()
    submit(admin)
    assert admin.locator("[data-close-voting]").count() == 0

    # 9. Count with the key (the round's rule is the default), check the preview, publish it.
    admin.goto(site_server + f"/admin/participation/voting/{budget_round.pk}/count/")
    assert admin.locator("select[name='rule']").input_value() == "greedy"
    admin.locator("textarea[name='private_key']").fill(private_key)
    submit(admin)
    assert admin.locator("[data-preview]").count() == 1
    assert f"Benches {tag}" in admin.locator("[data-preview]").text_content()
    assert admin.locator("[data-published='no']").count() == 1
    response = admin.request.get(site_server + en_url + "results/")
    assert response.status == 404, "a preview is not public"
    admin.locator("input[name='confirm']").check()
    submit(admin)
    assert admin.locator("[data-published='yes']").count() == 1

    # 10. Residents see the results in Latvian and English.
    for url in (lv_url, en_url):
        admin.goto(site_server + url + "results/")
        assert f"Benches {tag}" in admin.content()
    with django_db_blocker.unblock():
        statuses = dict(Idea.objects.filter(round=budget_round).values_list("pk", "status"))
    # The benches (2 votes) are funded; the pond, without a vote, is not (the round's minimum is one vote).
    assert statuses == {ideas[0].pk: Status.SELECTED, ideas[1].pk: Status.NOT_SELECTED}

    # 11. The funded idea goes on to implementation.
    admin.goto(site_server + f"/admin/participation/voting/{budget_round.pk}/")
    with admin.expect_navigation():
        admin.locator("[data-implementation]").click()
    admin.locator("input[name='confirm']").check()
    submit(admin)
    with django_db_blocker.unblock():
        assert Idea.objects.get(pk=ideas[0].pk).status == Status.IN_IMPLEMENTATION


@pytest.mark.django_db
def test_the_new_round_step_is_in_the_participation_menu(client):
    """(Also makes pytest-django set up the database when this module runs alone: the browser test above does
    not ask for a test transaction.)"""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="moderator"))
    assert "/admin/participation/new-round/" in client.get("/admin/").content.decode()
