"""The voting desk in the Wagtail admin (ideas/moderation/voting.py): who may use it in which phase, voting-code
batches as PDF, hand-out and voiding, paper ballots typed in and confirmed by a second person, the census
upload, closing the vote and counting it as a background task; and an online, a code and a paper ballot landing
in one count."""

import io
from decimal import Decimal

import pypdf
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from ideas.models import (
    Ballot,
    BudgetRound,
    CensusEntry,
    CensusUpload,
    Channel,
    CountJob,
    Idea,
    PaperBallotEntry,
    VoterRecord,
    VotingCode,
)
from ideas.moderation import voting as desk
from ideas.phases import Phase
from ideas.statuses import Status
from ideas.voting import keys
from ideas.voting.casting import cast
from ideas.voting.codes import hand_out, make_batch
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident
from tests.ideas.test_ballot_page import round_page, ticks, vote_url
from tests.ideas.test_moderation import messages_of, refused

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"voting_desk:{name}", args=args)


def staff_client(username):
    user = verified_resident(username, email=f"{username}@kekava.example", groups=["Moderators"])
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def first_staff():
    return staff_client("desk-one")


@pytest.fixture
def second_staff():
    return staff_client("desk-two")


@pytest.fixture
def voting_round():
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("20000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Desk idea {n}", estimated_cost=Decimal(cost))
        for n, cost in enumerate([9000, 8000, 7000])
    ]
    return budget_round, ideas


def round_logs(budget_round, action):
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BudgetRound),
        object_id=str(budget_round.pk),
        action=action,
    )


# Who may do what, in which phase ------------------------------------------------------------------------

# The phase x role matrix of the desk's permissions is in test_permissions.py.


def test_a_paper_ballot_is_confirmed_only_by_someone_else(first_staff, second_staff, voting_round):
    budget_round, ideas = voting_round
    entry = PaperBallotEntry.objects.create(
        round=budget_round, choices={str(ideas[0].pk): 1}, entered_by=first_staff[1]
    )
    assert not first_staff[1].has_perm("ideas.confirm_paper_ballot", entry)
    assert second_staff[1].has_perm("ideas.confirm_paper_ballot", entry)


def test_residents_and_editors_cannot_open_the_desk(client, voting_round):
    budget_round, _ideas = voting_round
    for user in (verified_resident("desk-resident"), UserFactory(username="desk-editor", groups=["Editors"])):
        client.force_login(user)
        for name, args in (("index", ()), ("round", (budget_round.pk,)), ("census", ())):
            assert refused(client.get(url(name, *args))), (user, name)


def test_the_desk_is_in_the_menu_and_shows_the_register_by_channel(first_staff, voting_round):
    client, _user = first_staff
    budget_round, ideas = voting_round
    cast(budget_round, keys.person_key("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    assert url("index") in client.get(reverse("wagtailadmin_home")).content.decode()
    assert budget_round.name in client.get(url("index")).content.decode()
    html = client.get(url("round", budget_round.pk)).content.decode()
    assert "Register of voters" in html and "1 ballot will be counted." in html
    assert "Close voting now" in html


# Voting codes -----------------------------------------------------------------------------------------------


def test_a_new_batch_is_a_pdf_whose_codes_vote(first_staff, voting_round, home_en):
    client, _user = first_staff
    budget_round, ideas = voting_round
    without_page = client.post(
        url("codes", budget_round.pk), {"action": "new_batch", "batch-batch": "Early", "batch-count": "2"}
    )
    assert (
        without_page.status_code == 400
        and "the printed codes tell people where to vote" in without_page.content.decode()
    )
    assert not VotingCode.objects.exists()
    page = round_page(budget_round, home_en, slug="codes-round")
    response = client.post(
        url("codes", budget_round.pk),
        {"action": "new_batch", "batch-batch": "Ķekava library", "batch-count": "12"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 2  # ten cards a page
    text = "\n".join(page.extract_text() for page in pdf.pages)
    printed = [line.strip() for line in text.splitlines() if len(line.strip()) == 14 and line.count("-") == 2]
    assert len(printed) == 12
    stored = set(VotingCode.objects.filter(round=budget_round).values_list("code_hash", flat=True))
    assert {keys.code_hash(code) for code in printed} == stored
    assert budget_round.name in text and f"http://testserver{page.url}vote/code/" in text.replace(" ", "")
    assert round_logs(budget_round, "ideas.voting.codes_issued").get().data == {
        "batch": "Ķekava library",
        "count": 12,
    }
    # A printed code, handed out at the desk, votes once.
    client.post(
        url("codes", budget_round.pk),
        {"action": "hand_out", "hand_out-code": printed[0], "hand_out-personal_code": "020202-22222"},
    )
    from ideas.voting.codes import vote_with_code

    assert vote_with_code(budget_round, printed[0], {ideas[0].pk: 1}).channel == Channel.CODE


def test_batch_form_errors_and_duplicate_names(first_staff, voting_round):
    client, _user = first_staff
    budget_round, _ideas = voting_round
    response = client.post(
        url("codes", budget_round.pk), {"action": "new_batch", "batch-batch": "", "batch-count": "0"}
    )
    assert response.status_code == 400 and not VotingCode.objects.exists()
    make_batch(budget_round, 1, "Kiosk")
    response = client.post(
        url("codes", budget_round.pk), {"action": "new_batch", "batch-batch": "Kiosk", "batch-count": "5"}
    )
    assert response.status_code == 400 and "already has a batch with this name" in response.content.decode()
    assert VotingCode.objects.count() == 1


def test_a_missing_font_voids_the_batch_it_could_not_print(first_staff, voting_round, settings, home_en):
    client, _user = first_staff
    budget_round, _ideas = voting_round
    round_page(budget_round, home_en, slug="font-round")
    settings.PDF_FONT = "/nonexistent/font.ttf"
    response = client.post(
        url("codes", budget_round.pk), {"action": "new_batch", "batch-batch": "Lost", "batch-count": "3"}
    )
    assert response.status_code == 302
    assert "font for PDF files is missing" in " ".join(messages_of(response))
    assert set(VotingCode.objects.values_list("state", flat=True)) == {VotingCode.State.VOID}


def test_hand_out_checks_the_code_and_the_personal_code(first_staff, voting_round):
    client, _user = first_staff
    budget_round, _ideas = voting_round
    [code] = make_batch(budget_round, 1, "Workshop")
    bad_person = client.post(
        url("codes", budget_round.pk),
        {"action": "hand_out", "hand_out-code": code, "hand_out-personal_code": "12"},
    )
    assert bad_person.status_code == 400 and "A personal code has 11 digits" in bad_person.content.decode()
    wrong_code = client.post(
        url("codes", budget_round.pk),
        {"action": "hand_out", "hand_out-code": "AAAA-AAAA-AAAA", "hand_out-personal_code": "020202-22222"},
    )
    assert wrong_code.status_code == 400 and "not valid" in wrong_code.content.decode()
    done = client.post(
        url("codes", budget_round.pk),
        {"action": "hand_out", "hand_out-code": code, "hand_out-personal_code": "020202-22222"},
    )
    assert done.status_code == 302
    handed = VotingCode.objects.get()
    assert handed.state == VotingCode.State.ISSUED and handed.person_key == keys.person_key("020202-22222")
    assert round_logs(budget_round, "ideas.voting.code_handed_out").count() == 1


def test_voiding_a_batch_leaves_used_codes_alone(first_staff, voting_round):
    client, _user = first_staff
    budget_round, ideas = voting_round
    codes = make_batch(budget_round, 3, "Fair")
    hand_out(budget_round, codes[0], "030303-33333")
    from ideas.voting.codes import vote_with_code

    vote_with_code(budget_round, codes[0], {ideas[0].pk: 1})
    hand_out(budget_round, codes[1], "040404-44444")
    response = client.post(url("codes", budget_round.pk), {"action": "void", "batch": "Fair"})
    assert "2 unused codes of “Fair” are void." in " ".join(messages_of(response))
    assert sorted(VotingCode.objects.values_list("state", flat=True)) == ["used", "void", "void"]


# Paper ballots -------------------------------------------------------------------------------------------


def test_paper_ballots_are_typed_in_and_confirmed_by_a_second_person(first_staff, second_staff, voting_round):
    client, user = first_staff
    other, other_user = second_staff
    budget_round, ideas = voting_round
    register = {"action": "register", "voter-personal_code": "050505-55555", "voter-birth_year": "1970"}
    assert client.post(url("paper", budget_round.pk), register).status_code == 302
    again = client.post(url("paper", budget_round.pk), register)
    assert again.status_code == 400 and "already voted in this round" in again.content.decode()
    assert VoterRecord.objects.filter(round=budget_round, channel=Channel.PAPER).count() == 1

    over = client.post(
        url("paper", budget_round.pk),
        {
            "action": "enter",
            f"paper-idea_{ideas[0].pk}": "on",
            f"paper-idea_{ideas[1].pk}": "on",
            f"paper-idea_{ideas[2].pk}": "on",
        },
    )
    assert over.status_code == 400 and "more than the budget" in over.content.decode()
    entered = client.post(
        url("paper", budget_round.pk), {"action": "enter", f"paper-idea_{ideas[0].pk}": "on"}
    )
    assert entered.status_code == 302
    entry = PaperBallotEntry.objects.get(state=PaperBallotEntry.State.PENDING)
    assert entry.entered_by == user

    own = client.post(url("paper", budget_round.pk), {"action": "confirm", "entry": entry.pk})
    assert "A second person must confirm" in " ".join(messages_of(own))
    assert not Ballot.objects.filter(round=budget_round).exists()
    page = other.get(url("paper", budget_round.pk)).content.decode()
    assert "Desk idea 0" in page and f"Confirm ballot {entry.pk}" in page
    other.post(url("paper", budget_round.pk), {"action": "confirm", "entry": entry.pk})
    ballot = Ballot.objects.get(round=budget_round)
    assert ballot.channel == Channel.PAPER
    assert list(ballot.choices.values_list("idea_id", flat=True)) == [ideas[0].pk]
    entry.refresh_from_db()
    assert entry.state == PaperBallotEntry.State.CONFIRMED and entry.confirmed_by == other_user
    assert round_logs(budget_round, "ideas.voting.paper_confirmed").count() == 1


def test_a_rejected_entry_is_not_counted(first_staff, second_staff, voting_round):
    client, _user = first_staff
    other, _other_user = second_staff
    budget_round, ideas = voting_round
    client.post(url("paper", budget_round.pk), {"action": "enter", f"paper-idea_{ideas[1].pk}": "on"})
    entry = PaperBallotEntry.objects.get()
    other.post(url("paper", budget_round.pk), {"action": "reject", "entry": entry.pk})
    entry.refresh_from_db()
    assert entry.state == PaperBallotEntry.State.REJECTED
    assert not Ballot.objects.filter(round=budget_round).exists()


# The census list -----------------------------------------------------------------------------------------


def test_census_upload_loads_hashes_and_keeps_an_audit_row(first_staff):
    client, user = first_staff
    csv = "personal_code,area,birth_year\n010203-12345,kekava,1980\n050505-12345,baldone,2001\n"
    response = client.post(url("census"), {"file": SimpleUploadedFile("census.csv", csv.encode())})
    assert response.status_code == 302
    assert set(CensusEntry.objects.values_list("person_key", flat=True)) == {
        keys.person_key("010203-12345"),
        keys.person_key("050505-12345"),
    }
    upload = CensusUpload.objects.get()
    assert (upload.uploaded_by, upload.file_name, upload.loaded, upload.total) == (user, "census.csv", 2, 2)
    assert "census.csv" in client.get(url("census")).content.decode()


def test_a_bad_census_file_loads_nothing_and_says_which_line(first_staff):
    client, _user = first_staff
    csv = "personal_code,area,birth_year\n010203-12345,kekava,1980\n010203-1234X,nowhere,1980\n"
    response = client.post(url("census"), {"file": SimpleUploadedFile("census.csv", csv.encode())})
    assert response.status_code == 400 and "(line 3)" in response.content.decode()
    missing = client.post(url("census"), {"file": SimpleUploadedFile("c.csv", b"code,area\n1,2\n")})
    assert missing.status_code == 400 and "missing: personal_code, birth_year" in missing.content.decode()
    latin = client.post(
        url("census"),
        {
            "file": SimpleUploadedFile(
                "c.csv", "personal_code,area,birth_year\n010203-12345,\xe9,1980\n".encode("latin-1")
            )
        },
    )
    assert latin.status_code == 400 and "not UTF-8" in latin.content.decode()
    assert not CensusEntry.objects.exists() and not CensusUpload.objects.exists()


# Closing and counting ------------------------------------------------------------------------------------


def test_counting_waits_for_the_close_and_for_pending_paper(
    first_staff, second_staff, voting_round, django_capture_on_commit_callbacks
):
    client, _user = first_staff
    budget_round, ideas = voting_round
    assert "after voting has closed" in client.get(url("count", budget_round.pk)).content.decode()
    assert refused(client.post(url("count", budget_round.pk), {"rule": "greedy"}))
    client.post(url("paper", budget_round.pk), {"action": "enter", f"paper-idea_{ideas[0].pk}": "on"})
    client.post(url("round", budget_round.pk))  # close voting now
    budget_round.refresh_from_db()
    assert budget_round.current_phase() == Phase.RESULTS
    assert round_logs(budget_round, "ideas.voting.close").count() == 1
    response = client.post(url("count", budget_round.pk), {"rule": "greedy"})
    assert (
        response.status_code == 400
        and "1 typed-in paper ballot still waits for a second person" in response.content.decode()
    )
    assert not CountJob.objects.exists()


def test_online_code_and_paper_ballots_land_in_one_count(
    first_staff, second_staff, voting_round, home_en, django_capture_on_commit_callbacks
):
    client, _user = first_staff
    other, _other = second_staff
    budget_round, ideas = voting_round
    # Online: two residents.
    for person, idea in (("060606-66666", ideas[0]), ("070707-77777", ideas[0])):
        cast(budget_round, keys.person_key(person), channel=Channel.ONLINE, choices={idea.pk: 1})
    # Code: a printed code handed out at the desk, used on the web without an account.
    [code] = make_batch(budget_round, 1, "Library")
    client.post(
        url("codes", budget_round.pk),
        {"action": "hand_out", "hand_out-code": code, "hand_out-personal_code": "080808-88888"},
    )
    page = round_page(budget_round, home_en, slug="one-count")
    resident = Client()
    resident.post(vote_url(page, "vote_with_code"), {"code": code})
    resident.post(vote_url(page, "code_ballot"), ticks(ideas[1], ideas[2]))
    assert resident.post(vote_url(page, "code_review"), {"cast": "1"}).status_code == 302
    # Paper: registered, typed in, confirmed by someone else.
    client.post(
        url("paper", budget_round.pk),
        {"action": "register", "voter-personal_code": "090909-99999", "voter-birth_year": "1950"},
    )
    client.post(url("paper", budget_round.pk), {"action": "enter", f"paper-idea_{ideas[2].pk}": "on"})
    other.post(
        url("paper", budget_round.pk), {"action": "confirm", "entry": PaperBallotEntry.objects.get().pk}
    )
    assert dict(
        Ballot.objects.filter(round=budget_round)
        .values_list("channel")
        .annotate(n=__import__("django").db.models.Count("pk"))
    ) == {"online": 2, "code": 1, "paper": 1}
    # Close, count from the desk (the task runs when the request's transaction commits).
    client.post(url("round", budget_round.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("count", budget_round.pk), {"rule": "greedy"})
    job = CountJob.objects.get()
    assert response.status_code == 302 and response.url == url("job", budget_round.pk, job.pk)
    assert job.state == CountJob.State.DONE and job.parts_done == job.parts_total == 1
    html = client.get(response.url).content.decode()
    assert "Done" in html and "http-equiv" not in html
    result = budget_round.results.get()
    assert result.outcome["voters"] == 4
    assert result.outcome["votes"] == {str(ideas[0].pk): 2, str(ideas[1].pk): 1, str(ideas[2].pk): 2}
    # Greedy: 9000 (2 votes) and 7000 (2 votes) fit in 20000; 8000 no longer does.
    assert result.outcome["selected"] == [ideas[0].pk, ideas[2].pk]
    statuses = dict(Idea.objects.filter(round=budget_round).values_list("pk", "status"))
    assert statuses == {
        ideas[0].pk: Status.SELECTED,
        ideas[1].pk: Status.NOT_SELECTED,
        ideas[2].pk: Status.SELECTED,
    }
    assert round_logs(budget_round, "ideas.voting.count").get().data == {"rule": "greedy"}
    # Counting again (here with Equal Shares) adds a snapshot; the first one stays as it was.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("count", budget_round.pk), {"rule": "equalshares"})
    assert sorted(budget_round.results.values_list("rule", flat=True)) == ["equalshares", "greedy"]
    assert "equalshares" in desk.RULE_LABELS


def test_a_running_job_shows_progress_and_refreshes(first_staff, voting_round):
    client, user = first_staff
    budget_round, _ideas = voting_round
    job = CountJob.objects.create(
        round=budget_round,
        rule="greedy",
        requested_by=user,
        parts_total=3,
        parts_done=1,
        state=CountJob.State.RUNNING,
        current_part="Baldone",
    )
    html = client.get(url("job", budget_round.pk, job.pk)).content.decode()
    assert 'http-equiv="refresh"' in html and "1 of 3 parts counted" in html and "Baldone" in html
    assert 'role="status"' in html


def test_a_failed_count_is_reported_on_the_job(voting_round, monkeypatch):
    from ideas.voting import closing, results

    budget_round, _ideas = voting_round
    job = CountJob.objects.create(round=budget_round, rule="greedy")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(results, "count_round", broken)
    with pytest.raises(RuntimeError):
        closing.run_count_job.call(job.pk)  # the task fails too, so that a worker's backend records it
    job.refresh_from_db()
    assert job.state == CountJob.State.FAILED and job.error == "disk full" and job.finished_at


def test_with_a_worker_the_count_runs_in_the_background(
    first_staff, voting_round, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """With the database task backend the request only queues the count: the desk shows it waiting, and a
    worker process (`manage.py db_worker`) does the counting."""
    from django.core.management import call_command

    # django-tasks rebuilds its backends when the setting changes (and again when the fixture restores it).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client, _user = first_staff
    budget_round, ideas = voting_round
    cast(budget_round, keys.person_key("111111-11111"), channel=Channel.ONLINE, choices={ideas[1].pk: 1})
    client.post(url("round", budget_round.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("count", budget_round.pk), {"rule": "equalshares"})
    job = CountJob.objects.get()
    assert job.state == CountJob.State.QUEUED
    waiting = client.get(response.url).content.decode()
    assert "Waiting to start" in waiting and 'http-equiv="refresh"' in waiting
    assert "being counted already" in client.get(url("count", budget_round.pk)).content.decode()
    # The worker closes connections that are not in autocommit mode (close_old_connections ->
    # close_if_unusable_or_obsolete); inside this test's transaction that would be the test's own connection.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.state == CountJob.State.DONE and job.result_ids
    assert budget_round.results.get().outcome["selected"] == [ideas[1].pk]


def test_a_count_lost_with_its_worker_does_not_block_the_round(first_staff, voting_round):
    import datetime

    from django.utils import timezone

    from ideas.voting import closing

    client, _user = first_staff
    budget_round, _ideas = voting_round
    client.post(url("round", budget_round.pk))  # close voting
    budget_round.refresh_from_db()
    job = CountJob.objects.create(round=budget_round, rule="greedy", state=CountJob.State.RUNNING)
    with translation.override("en"):
        assert closing.why_not_countable(budget_round) == "This round is being counted already."
    CountJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    assert closing.why_not_countable(budget_round) is None


def test_paper_ballots_stop_once_the_round_is_counted(first_staff, second_staff, voting_round):
    from ideas.voting import paper
    from ideas.voting.casting import VoteRefused
    from ideas.voting.results import count_round

    client, user = first_staff
    other, _other_user = second_staff
    budget_round, ideas = voting_round
    client.post(url("paper", budget_round.pk), {"action": "enter", f"paper-idea_{ideas[0].pk}": "on"})
    waiting = PaperBallotEntry.objects.get()
    client.post(url("round", budget_round.pk))  # close voting
    budget_round.refresh_from_db()
    with pytest.raises(VoteRefused):
        paper.register_paper_voter(budget_round, "121212-12121", birth_year=1990)
    count_round(budget_round)
    with pytest.raises(VoteRefused, match="counted"), translation.override("en"):
        paper.enter(budget_round, {ideas[1].pk: 1}, user)
    response = other.post(url("paper", budget_round.pk), {"action": "confirm", "entry": waiting.pk})
    assert "paper ballots can no longer be entered" in " ".join(messages_of(response))
    html = client.get(url("paper", budget_round.pk)).content.decode()
    assert "paper ballots can no longer be entered" in html and 'value="enter"' not in html
    assert not Ballot.objects.filter(round=budget_round).exists()
