"""One front door per resident action (ideas/participation.py): support, withdraw, comment and reply, official
answers, follow and unfollow, reports on ideas and comments.

Each action runs the same scenario through the website and through the API, in every phase and for every
role, and both doors must give the same outcome (done, refused, invalid, log in first), the same message and
the same stored state, audit entries and e-mails included. What the outcome should be is stated here
independently (not read from ideas/phases.py or ideas/rules.py), so a door that goes its own way fails.
"""

import html

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from rest_framework.test import APIClient
from wagtail.log_actions import registry as log_actions
from wagtail.models import ModelLogEntry

from ideas import participation
from ideas.models import BudgetRoundPage, Comment, Follow, Report, Support
from ideas.phases import Phase
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident

pytestmark = pytest.mark.django_db

P = Phase
ROLES = ["anonymous", "unverified", "resident", "moderator"]
VERIFIED = {"resident", "moderator"}
COMMENTING = {P.SUBMISSION, P.REVIEW, P.SUPPORT, P.RESULTS, P.IMPLEMENTATION}
MODERATING = {P.UPCOMING, P.SUBMISSION, P.REVIEW, P.SUPPORT}

DONE, REFUSED, INVALID, LOGIN = "done", "refused", "invalid", "log in"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # API throttles count requests in the cache; many requests run here.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people():
    return {
        "anonymous": None,
        "unverified": UserFactory(username="p-unverified"),
        "resident": verified_resident("p-resident"),
        "moderator": verified_resident("p-moderator", groups=["Moderators"]),
    }


def round_page(budget_round, home_en):
    page = BudgetRoundPage(
        title="Parity round",
        slug=f"parity-{budget_round.pk}",
        intro="<p>Ideas.</p>",
        budget_round=budget_round,
    )
    home_en.add_child(instance=page)
    page.save_revision().publish()
    return page


# The two doors ---------------------------------------------------------------------------------------------


class Outcome:
    """What a door answered: its kind (DONE, REFUSED, INVALID, LOGIN) and the message shown to the person."""

    def __init__(self, kind, message=""):
        self.kind, self.message = kind, message

    def __repr__(self):
        return f"{self.kind}: {self.message}"


class WebDoor:
    """The website: the idea page's forms, posted as a browser would."""

    name = "web"

    def __init__(self, page, user):
        self.page, self.user = page, user
        self.client = Client()
        if user is not None:
            self.client.force_login(user)

    def _post(self, path, data=None):
        response = self.client.post(self.page.url + path, data or {})
        if response.status_code == 302:
            if "/login/" in response["Location"]:
                return Outcome(LOGIN)
            return Outcome(DONE)
        if response.status_code == 403:
            return Outcome(REFUSED, str(response.context["reason"]))
        if response.status_code == 400:
            form = response.context.get("comment_form") or response.context.get("form")
            return Outcome(INVALID, " ".join(error for errors in form.errors.values() for error in errors))
        return Outcome(f"HTTP {response.status_code}")

    def support(self, idea):
        return self._post(f"{idea.pk}/support/")

    def withdraw(self, idea):
        return self._post(f"{idea.pk}/support/", {"withdraw": "1"})

    def follow(self, idea):
        return self._post(f"{idea.pk}/follow/")

    def unfollow(self, idea):
        return self._post(f"{idea.pk}/follow/", {"unfollow": "1"})

    def comment(self, idea, text, parent=None, official=False):
        data = {"text": text, "parent": parent.pk if parent else ""}
        if official:
            data["official"] = "1"
        return self._post(f"{idea.pk}/comment/", data)

    def report_idea(self, idea, reason):
        return self._post(f"{idea.pk}/report/", {"reason": reason})

    def report_comment(self, comment, reason):
        return self._post(f"comments/{comment.pk}/report/", {"reason": reason})


class ApiDoor:
    """The public API /api/v1/, in English like the /en/ pages of the website door."""

    name = "api"

    def __init__(self, page, user):
        self.user = user
        self.client = APIClient()
        if user is not None:
            self.client.force_login(user)

    def _send(self, method, path, data=None):
        response = getattr(self.client, method)(f"/api/v1/ideas/{path}?lang=en", data, format="json")
        body = response.json() if response.get("Content-Type") == "application/json" else {}
        if response.status_code in (200, 201):
            return Outcome(DONE)
        if response.status_code in (401, 403) and self.user is None:
            return Outcome(LOGIN)
        if response.status_code == 403:
            return Outcome(REFUSED, body["detail"])
        if response.status_code == 400:
            return Outcome(INVALID, " ".join(error for errors in body.values() for error in errors))
        return Outcome(f"HTTP {response.status_code}")

    def support(self, idea):
        return self._send("post", f"{idea.pk}/support/")

    def withdraw(self, idea):
        return self._send("delete", f"{idea.pk}/support/")

    def follow(self, idea):
        return self._send("post", f"{idea.pk}/follow/")

    def unfollow(self, idea):
        return self._send("delete", f"{idea.pk}/follow/")

    def comment(self, idea, text, parent=None, official=False):
        data = {"text": text, "parent": parent.pk if parent else None, "is_official": official}
        return self._send("post", f"{idea.pk}/comments/", data)

    def report_idea(self, idea, reason):
        return self._send("post", f"{idea.pk}/report/", {"reason": reason})

    def report_comment(self, comment, reason):
        return self._send("post", f"{comment.idea_id}/comments/{comment.pk}/report/", {"reason": reason})


# Scenarios: each prepares a fresh idea, then acts through one door -----------------------------------------


def _with_thread(idea):
    """A top-level comment, a reply to it and a hidden comment, written by someone else."""
    writer = verified_resident("p-writer")
    top = Comment.objects.create(idea=idea, author=writer, text="Where exactly?")
    reply = Comment.objects.create(idea=idea, author=writer, parent=top, text="By the school.")
    hidden = Comment.objects.create(
        idea=idea, author=writer, text="Rude.", is_hidden=True, hidden_reason="Rude"
    )
    return {"top": top, "reply": reply, "hidden": hidden}


def support(door, idea, user):
    return door.support(idea)


def withdraw(door, idea, user):
    if user is not None:
        Support.objects.create(idea=idea, user=user)
    return door.withdraw(idea)


def follow(door, idea, user):
    return door.follow(idea)


def unfollow(door, idea, user):
    if user is not None:
        Follow.objects.create(idea=idea, user=user)
    return door.unfollow(idea)


def comment(door, idea, user):
    return door.comment(idea, "Good idea, I walk there every day.")


def reply(door, idea, user):
    return door.comment(idea, "Next to the bus stop.", parent=_with_thread(idea)["top"])


def reply_to_reply(door, idea, user):
    return door.comment(idea, "Which school?", parent=_with_thread(idea)["reply"])


def reply_to_hidden(door, idea, user):
    return door.comment(idea, "What did they say?", parent=_with_thread(idea)["hidden"])


def official_answer(door, idea, user):
    return door.comment(idea, "We will build it in May.", official=True)


def report_idea(door, idea, user):
    return door.report_idea(idea, "Advertises a shop.")


def report_comment(door, idea, user):
    return door.report_comment(_with_thread(idea)["top"], "Off topic.")


def report_reply(door, idea, user):
    return door.report_comment(_with_thread(idea)["reply"], "Off topic.")


def report_hidden_comment(door, idea, user):
    return door.report_comment(_with_thread(idea)["hidden"], "Rude.")


def _as_member(allowed_phases, outcome=DONE):
    """`outcome` for verified residents in `allowed_phases`; others are refused or asked to log in."""

    def expected(role, phase):
        if role == "anonymous":
            return LOGIN
        if role in VERIFIED and phase in allowed_phases:
            return outcome
        return REFUSED

    return expected


ALL_BUT_UPCOMING = set(Phase) - {P.UPCOMING}

# Independent statement of the rules: (scenario, expected outcome by role and phase).
ACTIONS = {
    "support": (support, _as_member({P.SUPPORT})),
    "withdraw": (withdraw, _as_member({P.SUPPORT})),
    "follow": (follow, _as_member(ALL_BUT_UPCOMING)),
    # Stopping the e-mails is always possible, also without a verified address.
    "unfollow": (unfollow, lambda role, phase: LOGIN if role == "anonymous" else DONE),
    "comment": (comment, _as_member(COMMENTING)),
    "reply": (reply, _as_member(COMMENTING)),
    # One level of replies, and no answers to removed comments: refused at both doors.
    "reply_to_reply": (reply_to_reply, _as_member(COMMENTING, INVALID)),
    "reply_to_hidden": (reply_to_hidden, _as_member(COMMENTING, INVALID)),
    "official_answer": (
        official_answer,
        lambda role, phase: (
            LOGIN
            if role == "anonymous"
            else DONE
            if role == "moderator" and phase in COMMENTING & MODERATING
            else REFUSED
        ),
    ),
    "report_idea": (report_idea, _as_member(ALL_BUT_UPCOMING)),
    "report_comment": (report_comment, _as_member(ALL_BUT_UPCOMING)),
    "report_reply": (report_reply, _as_member(ALL_BUT_UPCOMING)),
    "report_hidden_comment": (
        report_hidden_comment,
        lambda role, phase: LOGIN if role == "anonymous" else REFUSED,
    ),
}


def stored_state(idea, people, first_log_id):
    """What an action left behind on `idea`, with people by role so that two ideas compare."""
    role_of = {user.pk: role for role, user in people.items() if user is not None}

    def who(user_id):
        return role_of.get(user_id, "someone else")

    comments = Comment.objects.filter(idea=idea).order_by("pk")
    reports = Report.objects.filter(idea=idea) | Report.objects.filter(comment__idea=idea)
    return {
        "supports": sorted(
            who(user_id) for user_id in Support.objects.filter(idea=idea).values_list("user_id", flat=True)
        ),
        "follows": sorted(
            who(user_id) for user_id in Follow.objects.filter(idea=idea).values_list("user_id", flat=True)
        ),
        "comments": [
            (c.text, c.parent.text if c.parent_id else None, c.is_official, c.is_hidden, who(c.author_id))
            for c in comments
        ],
        "reports": sorted(
            ("idea" if r.idea_id else f"comment {r.comment.text}", r.reason, who(r.reporter_id))
            for r in reports
        ),
        "audit": sorted(
            (entry.action, who(entry.user_id))
            for entry in ModelLogEntry.objects.filter(pk__gt=first_log_id)
            if entry.action.startswith(("ideas.support.", "ideas.follow.", "ideas.comment.", "ideas.report."))
        ),
        "emails": sorted(message.to[0] for message in mail.outbox),
    }


def run(door_class, page, people, role, scenario):
    """Act once through one door on a fresh idea; the outcome and what was stored."""
    name = f"p-author-{door_class.name}-{role}"
    author = UserFactory(username=name, email=f"{name}@example.test")
    idea = make_idea(page.budget_round, author=author, status="published")
    user = people[role]
    mail.outbox = []
    first_log_id = ModelLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = scenario(door_class(page, user), idea, user)
    state = stored_state(idea, people, first_log_id)
    # The author's address differs per idea; only whether they were written to matters.
    state["emails"] = ["author" if address == author.email else address for address in state["emails"]]
    return outcome, state


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("phase", list(Phase), ids=str)
def test_both_doors_agree_in_every_phase_and_role(action, phase, people, home_en):
    page = round_page(round_in_phase(phase), home_en)
    scenario, expected_for = ACTIONS[action]
    mismatches = []
    for role in ROLES:
        web, web_state = run(WebDoor, page, people, role, scenario)
        api, api_state = run(ApiDoor, page, people, role, scenario)
        expected = expected_for(role, phase)
        if web.kind != expected or api.kind != expected:
            mismatches.append(f"{role}: expected {expected}, web {web!r}, api {api!r}")
        elif html.unescape(web.message) != api.message:
            mismatches.append(f"{role}: messages differ: web {web.message!r}, api {api.message!r}")
        if web_state != api_state:
            mismatches.append(f"{role}: stored state differs: web {web_state}, api {api_state}")
        if expected == DONE and not web_state["audit"]:
            mismatches.append(f"{role}: nothing written to the audit log")
        if expected != DONE and web_state["audit"]:
            mismatches.append(f"{role}: audit entries without a change: {web_state['audit']}")
    assert mismatches == []


# The findings of issue 8, one by one ----------------------------------------------------------------------


def test_website_does_not_withdraw_support_outside_the_support_phase(home_en, resident):
    budget_round = round_in_phase(Phase.VOTING)
    page = round_page(budget_round, home_en)
    idea = make_idea(budget_round, status="published")
    Support.objects.create(idea=idea, user=resident)
    client = Client()
    client.force_login(resident)

    response = client.post(page.url + f"{idea.pk}/support/", {"withdraw": "1"})

    assert response.status_code == 403
    assert response.context["reason"] == "This is not possible in the current phase of the round."
    assert Support.objects.filter(idea=idea, user=resident).exists()
    # The page does not offer what would be refused.
    html_page = client.get(page.url + f"{idea.pk}/").content.decode()
    assert "Withdraw my support" not in html_page
    assert "You support this idea." in html_page


@pytest.mark.parametrize("door_class", [WebDoor, ApiDoor], ids=["web", "api"])
def test_a_reply_to_a_reply_is_refused_not_attached(door_class, home_en, resident, support_round):
    page = round_page(support_round, home_en)
    idea = make_idea(support_round, status="published")
    thread = _with_thread(idea)

    outcome = door_class(page, resident).comment(idea, "Which school?", parent=thread["reply"])

    assert outcome.kind == INVALID
    assert outcome.message == "Replies cannot be answered in turn; reply to the comment they belong to."
    assert not Comment.objects.filter(text="Which school?").exists()


@pytest.mark.parametrize("door_class", [WebDoor, ApiDoor], ids=["web", "api"])
def test_a_hidden_comment_cannot_be_answered(door_class, home_en, resident, support_round):
    page = round_page(support_round, home_en)
    idea = make_idea(support_round, status="published")
    thread = _with_thread(idea)

    outcome = door_class(page, resident).comment(idea, "What did they say?", parent=thread["hidden"])

    assert outcome.kind == INVALID
    assert outcome.message == "This comment was removed and cannot be answered."
    assert not Comment.objects.filter(text="What did they say?").exists()


def test_reporting_an_idea_on_the_website(client, home_en, resident, support_round):
    page = round_page(support_round, home_en)
    idea = make_idea(support_round, status="published")
    client.force_login(resident)

    form = client.get(page.url + f"{idea.pk}/report/")
    assert form.status_code == 200
    assert idea.title in html.unescape(form.content.decode())
    response = client.post(page.url + f"{idea.pk}/report/", {"reason": "Advertises a shop."})

    assert response.status_code == 302
    report = Report.objects.get(idea=idea)
    assert (report.reporter, report.reason) == (resident, "Advertises a shop.")
    assert ModelLogEntry.objects.filter(action="ideas.report.add", object_id=str(report.pk)).exists()


# The front door itself -------------------------------------------------------------------------------------


def test_every_audit_action_has_a_label_for_the_admin():
    for action in (
        "ideas.support.give",
        "ideas.support.withdraw",
        "ideas.follow.start",
        "ideas.follow.stop",
        "ideas.comment.add",
        "ideas.report.add",
    ):
        assert log_actions.action_exists(action), action


def test_services_refuse_with_the_residents_message(support_round, unverified, resident):
    idea = make_idea(support_round, status="published")
    with pytest.raises(participation.Refused) as refusal:
        participation.give_support(unverified, idea)
    assert "verify your e-mail address" in refusal.value.message
    rejected = make_idea(support_round, status="rejected")
    with pytest.raises(participation.Refused) as refusal:
        participation.give_support(resident, rejected)
    assert refusal.value.message == "Only published ideas that are still in the running can be supported."
    with pytest.raises(participation.Invalid) as invalid:
        participation.add_comment(resident, idea, "   ")
    assert invalid.value.message_dict == {"text": ["Write something before sending."]}
    assert not Support.objects.filter(idea__in=[idea, rejected]).exists()


def test_repeating_an_action_changes_nothing_and_logs_once(support_round, resident):
    idea = make_idea(support_round, status="published")
    assert participation.give_support(resident, idea) is True
    assert participation.give_support(resident, idea) is False
    assert participation.withdraw_support(resident, idea) is True
    assert participation.withdraw_support(resident, idea) is False
    assert participation.follow(resident, idea) is True
    assert participation.follow(resident, idea) is False
    actions = list(
        ModelLogEntry.objects.filter(user_id=resident.pk, action__startswith="ideas.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["ideas.support.give", "ideas.support.withdraw", "ideas.follow.start"]


def test_schema_documents_follow_and_report(client):
    schema = client.get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/ideas/{id}/follow/",
        "/api/v1/ideas/{id}/report/",
        "/api/v1/ideas/{idea_id}/comments/{id}/report/",
    ):
        assert path in schema, path
    assert "is_official" in schema
