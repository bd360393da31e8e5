"""The voting desk in the Wagtail admin (ideas/moderation/voting.py): who may use it, the key ceremony (the private
key shown once, never stored), exceptions to the census list, voting-code batches as PDF, hand-out (census and
age checked) and voiding, paper voters registered per polling place, ballots typed in and confirmed by a second
person with reconciliation per place, the census upload, closing the vote and counting it through the one front
door (closing.start_count: the desk and `manage.py count_round` alike) with the election commission's key; and
online, code and paper ballots landing in one count."""

import base64
import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from ideas.models import (
    Ballot,
    BudgetRound,
    BudgetRoundPage,
    CensusEntry,
    CensusUpload,
    Channel,
    CountedReceipt,
    CountJob,
    EligibilityOverride,
    Idea,
    PaperBallotEntry,
    PollingPlace,
    SealedBallot,
    VoterRecord,
    VotingCode,
)
from ideas.moderation import voting as desk
from ideas.phases import Phase
from ideas.statuses import Status
from ideas.voting import keys, paper, sealing
from ideas.voting.casting import cast
from ideas.voting.codes import hand_out, make_batch, vote_with_code
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident
from tests.ideas.test_moderation import messages_of, refused
from tests.ideas.voters import (
    area_round,
    child_birth_year,
    confirmed_resident,
    on_census,
    voting_round,
)

pytestmark = pytest.mark.django_db

KEY = re.compile(re.escape(sealing.PRIVATE_KEY_PREFIX) + r"[A-Za-z0-9+/=]+")


def url(name, *args):
    return reverse(f"voting_desk:{name}", args=args)


def staff_client(username):
    user = verified_resident(username, email=f"{username}@kekava.example", groups=["Moderators"])
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    client = Client()
    client.force_login(user)
    return client, user


def round_page(budget_round, home, slug):
    """The round's public page (the printed codes and the ballot live under it)."""
    page = BudgetRoundPage(title="Desk round", slug=slug, intro="<p>Vote.</p>", budget_round=budget_round)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def vote_url(page, name="vote"):
    return page.url + page.reverse_subpage(name)


def ticks(*ideas):
    return {f"idea_{idea.pk}": "on" for idea in ideas}


def close(budget_round):
    """Close voting as the desk's button does (the results phase starts now)."""
    from ideas.voting.closing import close_voting

    close_voting(budget_round, None)
    budget_round.refresh_from_db()


def database_holds(text):
    """The first table of the whole test database with a value containing `text`, else None."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    if text in str(value):
                        return table
    return None


@pytest.fixture
def first_staff():
    return staff_client("desk-one")


@pytest.fixture
def second_staff():
    return staff_client("desk-two")


@pytest.fixture
def desk_round():
    budget_round = voting_round(total_budget=Decimal("20000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Desk idea {n}", estimated_cost=Decimal(cost))
        for n, cost in enumerate([9000, 8000, 7000])
    ]
    place = PollingPlace.objects.create(round=budget_round, name="Ķekava school")
    return budget_round, ideas, place


def round_logs(budget_round, action):
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BudgetRound),
        object_id=str(budget_round.pk),
        action=action,
    )


def sealed_in(budget_round):
    return SealedBallot.objects.filter(round=budget_round).count()


# Who may do what, in which phase ------------------------------------------------------------------------

# The phase x role matrix of the desk's permissions is in test_permissions.py.


def test_a_paper_ballot_is_confirmed_only_by_someone_else(first_staff, second_staff, desk_round):
    budget_round, ideas, place = desk_round
    entry = PaperBallotEntry.objects.create(
        round=budget_round, polling_place=place, choices={str(ideas[0].pk): 1}, entered_by=first_staff[1]
    )
    assert not first_staff[1].has_perm("ideas.confirm_paper_ballot", entry)
    assert second_staff[1].has_perm("ideas.confirm_paper_ballot", entry)


def test_residents_and_editors_cannot_open_the_desk(client, desk_round):
    budget_round, _ideas, _place = desk_round
    pages = [("index", ()), ("census", ())] + [
        (name, (budget_round.pk,)) for name in ("round", "keys", "exceptions", "codes", "paper", "count")
    ]
    for user in (verified_resident("desk-resident"), UserFactory(username="desk-editor", groups=["Editors"])):
        client.force_login(user)
        for name, args in pages:
            assert refused(client.get(url(name, *args))), (user, name)
        assert refused(client.post(url("keys", budget_round.pk)))
        assert refused(
            client.post(url("exceptions", budget_round.pk), {"personal_code": "010203-12345", "reason": "x"})
        )
    assert not EligibilityOverride.objects.filter(round=budget_round).exists()


def test_the_desk_is_in_the_menu_and_shows_the_register_by_channel(first_staff, desk_round):
    client, _user = first_staff
    budget_round, ideas, _place = desk_round
    cast(budget_round, on_census("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    assert url("index") in client.get(reverse("wagtailadmin_home")).content.decode()
    assert budget_round.name in client.get(url("index")).content.decode()
    html = client.get(url("round", budget_round.pk)).content.decode()
    assert "Register of voters" in html and "1 sealed ballot is in the ballot box." in html
    assert url("close", budget_round.pk) in html and url("keys", budget_round.pk) in html
    assert url("exceptions", budget_round.pk) in html


# The key ceremony ---------------------------------------------------------------------------------------------


def test_the_private_key_is_shown_once_and_never_stored(first_staff):
    client, _user = first_staff
    budget_round = round_in_phase(Phase.SUPPORT, name="Keys round")
    before = client.get(url("keys", budget_round.pk)).content.decode()
    assert "no counting keys yet" in before and "Make the counting keys" in before

    response = client.post(url("keys", budget_round.pk))
    assert response.status_code == 200
    assert "no-store" in [part.strip() for part in response["Cache-Control"].split(",")]
    html = response.content.decode()
    [private_key] = set(KEY.findall(html))
    budget_round.refresh_from_db()
    assert budget_round.counting_public_key
    sealing.check_private_key(private_key, budget_round.counting_public_key)  # the pair belongs together
    # The download holds the same key, with the round's name and the key's fingerprint.
    key_file = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1)).decode()
    assert private_key in key_file and sealing.key_id(budget_round.counting_public_key) in key_file
    assert round_logs(budget_round, "ideas.voting.keys_made").get().data == {
        "key": sealing.key_id(budget_round.counting_public_key)
    }
    # Nowhere in the database: not on the round, not in the audit log, not in a session, not anywhere.
    secret = private_key.removeprefix(sealing.PRIVATE_KEY_PREFIX)
    assert secret not in budget_round.counting_public_key
    for log_entry in ModelLogEntry.objects.filter(object_id=str(budget_round.pk)):
        assert secret not in str(log_entry.data) and secret not in log_entry.label
    assert database_holds(secret) is None
    # Shown only in the answer to the POST: the page shows the fingerprint from now on.
    after = client.get(url("keys", budget_round.pk)).content.decode()
    assert secret not in after and sealing.key_id(budget_round.counting_public_key) in after


def test_the_key_page_itself_forbids_caching(first_staff, rf):
    """The admin's URLs add no-store to every page; the answer holding the key says so itself, so that it
    stays uncached wherever the view is mounted."""
    _client, user = first_staff
    budget_round = round_in_phase(Phase.SUPPORT, name="Keys round")
    request = rf.post(url("keys", budget_round.pk))
    request.user = user
    response = desk.KeysView.as_view()(request, pk=budget_round.pk)
    assert KEY.search(response.render().content.decode())
    assert "no-store" in response["Cache-Control"]


def test_keys_cannot_change_once_a_ballot_is_sealed(first_staff, desk_round):
    client, _user = first_staff
    budget_round, ideas, _place = desk_round
    public_key = budget_round.counting_public_key
    cast(budget_round, on_census("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    assert "Make new counting keys" not in client.get(url("keys", budget_round.pk)).content.decode()
    response = client.post(url("keys", budget_round.pk))
    assert response.status_code == 302 and response.url == url("keys", budget_round.pk)
    assert "new keys could not open them" in " ".join(messages_of(response))
    assert not KEY.search(response.content.decode())
    budget_round.refresh_from_db()
    assert budget_round.counting_public_key == public_key
    assert round_logs(budget_round, "ideas.voting.keys_made").count() == 1  # the one made before voting
    # Once voting has closed, the desk's rule refuses too (keys are made before voting).
    close(budget_round)
    assert refused(client.post(url("keys", budget_round.pk)))
    budget_round.refresh_from_db()
    assert budget_round.counting_public_key == public_key


# Exceptions to the census list ------------------------------------------------------------------------------


def test_an_exception_at_the_desk_lets_a_person_off_the_list_get_a_code(first_staff, desk_round):
    client, user = first_staff
    budget_round, ideas, _place = desk_round
    [code] = make_batch(budget_round, 1, "Newcomers")
    hand = {"action": "hand_out", "hand_out-code": code, "hand_out-personal_code": "020202-22222"}
    not_listed = client.post(url("codes", budget_round.pk), hand)
    assert not_listed.status_code == 400 and "not on the municipality" in not_listed.content.decode()

    no_reason = client.post(
        url("exceptions", budget_round.pk), {"personal_code": "020202-22222", "reason": ""}
    )
    assert (
        no_reason.status_code == 400 and not EligibilityOverride.objects.filter(round=budget_round).exists()
    )
    reason = "Moved to Ķekava in May; rental contract checked."
    granted = client.post(
        url("exceptions", budget_round.pk), {"personal_code": "020202-22222", "reason": reason}
    )
    assert granted.status_code == 302
    override = EligibilityOverride.objects.get(round=budget_round)
    assert (override.person_key, override.granted_by, override.reason) == (
        keys.person_key("020202-22222"),
        user,
        reason,
    )
    logged = round_logs(budget_round, "ideas.voting.eligibility_override").get()
    assert logged.user == user and logged.data["reason"] == reason and "22222" not in str(logged.data)
    listing = client.get(url("exceptions", budget_round.pk)).content.decode()
    assert "rental contract checked" in listing and "020202" not in listing
    again = client.post(
        url("exceptions", budget_round.pk), {"personal_code": "020202-22222", "reason": "Twice"}
    )
    assert again.status_code == 400 and "already has an exception" in again.content.decode()

    assert client.post(url("codes", budget_round.pk), hand).status_code == 302
    assert vote_with_code(budget_round, keys.code_hash(code), {ideas[0].pk: 1})


def test_an_exception_in_a_round_by_area_names_the_area(first_staff):
    client, _user = first_staff
    budget_round, (_north, south) = area_round()
    form = {"personal_code": "020202-22222", "reason": "Documents checked"}
    without = client.post(url("exceptions", budget_round.pk), form)
    assert without.status_code == 400 and "Choose the area" in without.content.decode()
    assert client.post(url("exceptions", budget_round.pk), form | {"area": south.code}).status_code == 302
    assert EligibilityOverride.objects.get(round=budget_round).area == south


# Voting codes -----------------------------------------------------------------------------------------------


def test_a_new_batch_is_a_pdf_whose_codes_vote(first_staff, desk_round, home_en):
    client, _user = first_staff
    budget_round, ideas, _place = desk_round
    without_page = client.post(
        url("codes", budget_round.pk), {"action": "new_batch", "batch-batch": "Early", "batch-count": "2"}
    )
    assert (
        without_page.status_code == 400
        and "the printed codes tell people where to vote" in without_page.content.decode()
    )
    assert not VotingCode.objects.filter(round=budget_round).exists()
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
    # A printed code, handed out at the desk to a person on the census list, votes once.
    on_census("020202-22222")
    client.post(
        url("codes", budget_round.pk),
        {"action": "hand_out", "hand_out-code": printed[0], "hand_out-personal_code": "020202-22222"},
    )
    assert vote_with_code(budget_round, keys.code_hash(printed[0]), {ideas[0].pk: 1})
    assert VoterRecord.objects.get(round=budget_round).channel == Channel.CODE


def test_batch_form_errors_and_duplicate_names(first_staff, desk_round):
    client, _user = first_staff
    budget_round, _ideas, _place = desk_round
    response = client.post(
        url("codes", budget_round.pk), {"action": "new_batch", "batch-batch": "", "batch-count": "0"}
    )
    assert response.status_code == 400 and not VotingCode.objects.filter(round=budget_round).exists()
    make_batch(budget_round, 1, "Kiosk")
    response = client.post(
        url("codes", budget_round.pk), {"action": "new_batch", "batch-batch": "Kiosk", "batch-count": "5"}
    )
    assert response.status_code == 400 and "already has a batch with this name" in response.content.decode()
    assert VotingCode.objects.filter(round=budget_round).count() == 1


def test_a_missing_font_voids_the_batch_it_could_not_print(first_staff, desk_round, settings, home_en):
    client, _user = first_staff
    budget_round, _ideas, _place = desk_round
    round_page(budget_round, home_en, slug="font-round")
    settings.PDF_FONT = "/nonexistent/font.ttf"
    response = client.post(
        url("codes", budget_round.pk), {"action": "new_batch", "batch-batch": "Lost", "batch-count": "3"}
    )
    assert response.status_code == 302
    assert "font for PDF files is missing" in " ".join(messages_of(response))
    states = VotingCode.objects.filter(round=budget_round).values_list("state", flat=True)
    assert set(states) == {VotingCode.State.VOID}


def test_hand_out_checks_the_code_the_personal_code_and_eligibility(first_staff, desk_round):
    client, _user = first_staff
    budget_round, _ideas, _place = desk_round
    [code] = make_batch(budget_round, 1, "Workshop")

    def hand(personal_code, the_code=code):
        return client.post(
            url("codes", budget_round.pk),
            {"action": "hand_out", "hand_out-code": the_code, "hand_out-personal_code": personal_code},
        )

    bad_person = hand("12")
    assert bad_person.status_code == 400 and "A personal code has 11 digits" in bad_person.content.decode()
    on_census("020202-22222")
    wrong_code = hand("020202-22222", "AAAA-AAAA-AAAA")
    assert wrong_code.status_code == 400 and "not valid" in wrong_code.content.decode()
    not_listed = hand("030303-33333")
    assert not_listed.status_code == 400 and "not on the municipality" in not_listed.content.decode()
    on_census("040404-44444", birth_year=child_birth_year(11))
    child = hand("040404-44444")
    assert child.status_code == 400 and "from the age of 16" in child.content.decode()
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.NEW
    assert not round_logs(budget_round, "ideas.voting.code_handed_out").exists()

    assert hand("020202-22222").status_code == 302
    handed = VotingCode.objects.get(round=budget_round)
    assert handed.state == VotingCode.State.ISSUED and handed.person_key == keys.person_key("020202-22222")
    assert round_logs(budget_round, "ideas.voting.code_handed_out").count() == 1


def test_voiding_a_batch_leaves_used_codes_alone(first_staff, desk_round):
    client, _user = first_staff
    budget_round, ideas, _place = desk_round
    codes = make_batch(budget_round, 3, "Fair")
    on_census("030303-33333")
    on_census("040404-44444")
    hand_out(budget_round, codes[0], "030303-33333")
    vote_with_code(budget_round, keys.code_hash(codes[0]), {ideas[0].pk: 1})
    hand_out(budget_round, codes[1], "040404-44444")
    response = client.post(url("codes", budget_round.pk), {"action": "void", "batch": "Fair"})
    assert "2 unused codes of “Fair” are void." in " ".join(messages_of(response))
    states = VotingCode.objects.filter(round=budget_round).values_list("state", flat=True)
    assert sorted(states) == ["used", "void", "void"]


# Paper ballots -------------------------------------------------------------------------------------------


def test_paper_voters_are_registered_at_their_polling_place_if_they_may_vote(first_staff, desk_round):
    client, _user = first_staff
    budget_round, _ideas, place = desk_round

    def register(personal_code, polling_place=place.pk):
        return client.post(
            url("paper", budget_round.pk),
            {
                "action": "register",
                "voter-personal_code": personal_code,
                "voter-polling_place": polling_place,
            },
        )

    on_census("050505-55555")
    no_place = register("050505-55555", "")
    assert no_place.status_code == 400
    not_listed = register("060606-66666")
    assert not_listed.status_code == 400 and "not on the municipality" in not_listed.content.decode()
    on_census("070707-77777", birth_year=child_birth_year(11))
    child = register("070707-77777")
    assert child.status_code == 400 and "from the age of 16" in child.content.decode()
    assert not VoterRecord.objects.filter(round=budget_round).exists()

    assert register("050505-55555").status_code == 302
    again = register("050505-55555")
    assert again.status_code == 400 and "already voted in this round" in again.content.decode()
    record = VoterRecord.objects.get(round=budget_round)
    assert (record.channel, record.polling_place) == (Channel.PAPER, place)
    assert round_logs(budget_round, "ideas.voting.paper_voter").get().data == {"polling_place": place.name}


def test_paper_ballots_are_typed_in_confirmed_by_a_second_person_and_reconciled(
    first_staff, second_staff, desk_round
):
    client, user = first_staff
    other, other_user = second_staff
    budget_round, ideas, place = desk_round
    on_census("050505-55555")
    client.post(
        url("paper", budget_round.pk),
        {"action": "register", "voter-personal_code": "050505-55555", "voter-polling_place": place.pk},
    )
    no_place = client.post(
        url("paper", budget_round.pk), {"action": "enter", f"paper-idea_{ideas[0].pk}": "on"}
    )
    assert no_place.status_code == 400 and "Choose the polling place" in no_place.content.decode()
    over = client.post(
        url("paper", budget_round.pk),
        {"action": "enter", "polling_place": place.pk} | {f"paper-idea_{idea.pk}": "on" for idea in ideas},
    )
    assert over.status_code == 400 and "more than the budget" in over.content.decode()
    assert not PaperBallotEntry.objects.filter(round=budget_round).exists()
    for idea in (ideas[0], ideas[1]):  # one voter, two ballot papers typed in
        entered = client.post(
            url("paper", budget_round.pk),
            {"action": "enter", "polling_place": place.pk, f"paper-idea_{idea.pk}": "on"},
        )
        assert entered.status_code == 302
    first, second = PaperBallotEntry.objects.filter(round=budget_round).order_by("pk")
    assert (first.entered_by, first.polling_place) == (user, place)

    own = client.post(url("paper", budget_round.pk), {"action": "confirm", "entry": first.pk})
    assert "A second person must confirm" in " ".join(messages_of(own))
    assert sealed_in(budget_round) == 0
    page = other.get(url("paper", budget_round.pk)).content.decode()
    assert "Desk idea 0" in page and f"Confirm ballot {first.pk}" in page and "Confirm what waits" in page
    other.post(url("paper", budget_round.pk), {"action": "confirm", "entry": first.pk})
    assert sealed_in(budget_round) == 1
    first.refresh_from_db()
    assert first.state == PaperBallotEntry.State.CONFIRMED and first.confirmed_by == other_user
    assert first.choices == {}
    assert round_logs(budget_round, "ideas.voting.paper_confirmed").count() == 1
    # The second paper from the same place has no registered voter left: it is not confirmed.
    refused_second = other.post(url("paper", budget_round.pk), {"action": "confirm", "entry": second.pk})
    assert "as many confirmed paper ballots as registered paper voters (1)" in " ".join(
        messages_of(refused_second)
    )
    assert sealed_in(budget_round) == 1
    second.refresh_from_db()
    assert second.state == PaperBallotEntry.State.PENDING
    row = re.search(r"<th scope=\"row\">Ķekava school</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "0", "2", "0"]
    other.post(url("paper", budget_round.pk), {"action": "reject", "entry": second.pk})
    html = client.get(url("paper", budget_round.pk)).content.decode()
    row = re.search(r"<th scope=\"row\">Ķekava school</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1", "0", "1"] and "Reconciled" in row


def test_a_rejected_entry_is_not_counted(first_staff, second_staff, desk_round):
    client, _user = first_staff
    other, _other_user = second_staff
    budget_round, ideas, place = desk_round
    client.post(
        url("paper", budget_round.pk),
        {"action": "enter", "polling_place": place.pk, f"paper-idea_{ideas[1].pk}": "on"},
    )
    entry = PaperBallotEntry.objects.get(round=budget_round)
    other.post(url("paper", budget_round.pk), {"action": "reject", "entry": entry.pk})
    entry.refresh_from_db()
    assert entry.state == PaperBallotEntry.State.REJECTED and entry.choices == {}
    assert sealed_in(budget_round) == 0


# The census list -----------------------------------------------------------------------------------------


def test_census_upload_loads_hashes_and_keeps_an_audit_row(first_staff):
    client, user = first_staff
    csv = "personal_code,area,birth_year\n010203-12345,kekava,1980\n050505-12345,baldone,2001\n"
    response = client.post(url("census"), {"file": SimpleUploadedFile("census.csv", csv.encode())})
    assert response.status_code == 302
    people = {keys.person_key("010203-12345"), keys.person_key("050505-12345")}
    assert CensusEntry.objects.filter(person_key__in=people).count() == 2
    upload = CensusUpload.objects.get()
    assert (upload.uploaded_by, upload.file_name, upload.loaded) == (user, "census.csv", 2)
    assert "census.csv" in client.get(url("census")).content.decode()


def test_a_bad_census_file_loads_nothing_and_says_which_line(first_staff):
    client, _user = first_staff
    before = CensusEntry.objects.count()
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
    assert CensusEntry.objects.count() == before and not CensusUpload.objects.exists()


# Closing and counting ------------------------------------------------------------------------------------


def test_counting_waits_for_the_close_and_for_pending_paper(first_staff, desk_round):
    client, _user = first_staff
    budget_round, ideas, place = desk_round
    assert "after voting has closed" in client.get(url("count", budget_round.pk)).content.decode()
    assert refused(client.post(url("count", budget_round.pk), {"rule": "greedy"}))
    client.post(
        url("paper", budget_round.pk),
        {"action": "enter", "polling_place": place.pk, f"paper-idea_{ideas[0].pk}": "on"},
    )
    client.post(url("close", budget_round.pk), {"confirm": "on"})  # close voting now
    budget_round.refresh_from_db()
    assert budget_round.current_phase() == Phase.RESULTS
    assert round_logs(budget_round, "ideas.voting.close").count() == 1
    response = client.post(
        url("count", budget_round.pk), {"rule": "greedy", "private_key": budget_round.test_private_key}
    )
    assert (
        response.status_code == 400
        and "1 typed-in paper ballot still waits for a second person" in response.content.decode()
    )
    assert not CountJob.objects.filter(round=budget_round).exists()
    assert not round_logs(budget_round, "ideas.voting.count").exists()
    budget_round.refresh_from_db()
    assert budget_round.ballot_box_opened_at is None


def test_a_wrong_or_missing_key_opens_nothing(first_staff, desk_round):
    client, _user = first_staff
    budget_round, ideas, _place = desk_round
    cast(budget_round, on_census("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    cast(budget_round, on_census("020202-22222"), channel=Channel.ONLINE, choices={ideas[1].pk: 1})
    close(budget_round)
    form = client.get(url("count", budget_round.pk)).content.decode()
    assert "2 sealed ballots wait in the box" in form and 'name="private_key"' in form
    assert 'name="key_file"' in form
    another_rounds_key = voting_round(name="Another round").test_private_key
    for key, problem in (
        ("", "The ballot box is sealed"),
        ("not a key at all", "or the key is damaged"),
        (another_rounds_key, "counting key, or the key is damaged"),
    ):
        response = client.post(url("count", budget_round.pk), {"rule": "greedy", "private_key": key})
        assert response.status_code == 400 and problem in response.content.decode(), key
    uploaded = client.post(
        url("count", budget_round.pk),
        {"rule": "greedy", "key_file": SimpleUploadedFile("key.txt", another_rounds_key.encode())},
    )
    assert uploaded.status_code == 400 and "counting key, or the key is damaged" in uploaded.content.decode()
    budget_round.refresh_from_db()
    assert budget_round.ballot_box_opened_at is None and sealed_in(budget_round) == 2
    assert not Ballot.objects.filter(round=budget_round).exists()
    assert not CountedReceipt.objects.filter(round=budget_round).exists()
    assert not CountJob.objects.filter(round=budget_round).exists()
    assert not round_logs(budget_round, "ideas.voting.count").exists()


def test_the_saved_key_file_opens_the_box_and_counts_what_was_cast(
    first_staff, desk_round, django_capture_on_commit_callbacks
):
    client, user = first_staff
    budget_round, ideas, _place = desk_round
    receipts = [
        cast(budget_round, on_census(person), channel=Channel.ONLINE, choices=choices)
        for person, choices in (
            ("010101-11111", {ideas[0].pk: 1}),
            ("020202-22222", {ideas[0].pk: 1, ideas[2].pk: 1}),
            ("030303-33333", {ideas[1].pk: 1}),
        )
    ]
    close(budget_round)
    # The file as the key ceremony offered it for download.
    key_file = render_to_string(
        "ideas/admin/voting/counting_key.txt",
        {
            "budget_round": budget_round,
            "private_key": budget_round.test_private_key,
            "key_id": sealing.key_id(budget_round.counting_public_key),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("count", budget_round.pk),
            {"rule": "greedy", "key_file": SimpleUploadedFile("kopa-key.txt", key_file.encode())},
        )
    job = CountJob.objects.get(round=budget_round)
    assert response.status_code == 302 and response.url == url("job", budget_round.pk, job.pk)
    assert job.state == CountJob.State.DONE and job.requested_by == user
    budget_round.refresh_from_db()
    assert budget_round.ballot_box_opened_at and sealed_in(budget_round) == 0
    assert set(CountedReceipt.objects.filter(round=budget_round).values_list("fingerprint", flat=True)) == {
        receipt.fingerprint for receipt in receipts
    }
    outcome = budget_round.results.get().outcome
    assert outcome["voters"] == 3
    assert outcome["votes"] == {str(ideas[0].pk): 2, str(ideas[1].pk): 1, str(ideas[2].pk): 1}
    assert round_logs(budget_round, "ideas.voting.box_opened").get().data == {"ballots": 3, "voters": 3}
    assert round_logs(budget_round, "ideas.voting.count").get().user == user
    # Counting again needs no key: the box is open.
    assert 'name="private_key"' not in client.get(url("count", budget_round.pk)).content.decode()


def test_online_code_and_paper_ballots_land_in_one_count(
    first_staff, second_staff, desk_round, home_en, django_capture_on_commit_callbacks
):
    client, _user = first_staff
    other, _other = second_staff
    budget_round, ideas, place = desk_round
    page = round_page(budget_round, home_en, slug="one-count")
    # Online: one resident on the ballot page, one through the service.
    olga = Client()
    olga.force_login(confirmed_resident("olga", "060606-66666"))
    done = olga.post(vote_url(page), ticks(ideas[0]) | {"cast": "1"})
    assert done.status_code == 200
    online_receipt = re.search(r"data-receipt>([0-9A-F-]+)<", done.content.decode()).group(1)
    cast(budget_round, on_census("070707-77777"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    # Code: a printed code handed out at the desk, used on the web without an account.
    [code] = make_batch(budget_round, 1, "Library")
    on_census("080808-88888")
    client.post(
        url("codes", budget_round.pk),
        {"action": "hand_out", "hand_out-code": code, "hand_out-personal_code": "080808-88888"},
    )
    resident = Client()
    assert resident.post(vote_url(page, "vote_with_code"), {"code": code}).status_code == 302
    review = resident.post(vote_url(page, "code_ballot"), ticks(ideas[1], ideas[2]))
    assert review.status_code == 200
    code_done = resident.post(vote_url(page, "code_ballot"), ticks(ideas[1], ideas[2]) | {"cast": "1"})
    assert code_done.status_code == 200 and "data-receipt" in code_done.content.decode()
    # Paper: registered at the polling place, typed in, confirmed by someone else.
    on_census("090909-99999")
    client.post(
        url("paper", budget_round.pk),
        {"action": "register", "voter-personal_code": "090909-99999", "voter-polling_place": place.pk},
    )
    client.post(
        url("paper", budget_round.pk),
        {"action": "enter", "polling_place": place.pk, f"paper-idea_{ideas[2].pk}": "on"},
    )
    other.post(
        url("paper", budget_round.pk),
        {"action": "confirm", "entry": PaperBallotEntry.objects.get(round=budget_round).pk},
    )
    register = dict(
        VoterRecord.objects.filter(round=budget_round).values_list("channel").annotate(n=Count("pk"))
    )
    assert register == {"online": 2, "code": 1, "paper": 1}
    assert sealed_in(budget_round) == 4
    # Close, count from the desk with the commission's key (the task runs when the request commits).
    client.post(url("close", budget_round.pk), {"confirm": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("count", budget_round.pk), {"rule": "greedy", "private_key": budget_round.test_private_key}
        )
    job = CountJob.objects.get(round=budget_round)
    assert response.status_code == 302 and response.url == url("job", budget_round.pk, job.pk)
    assert job.state == CountJob.State.DONE and job.parts_done == job.parts_total == 1
    html = client.get(response.url).content.decode()
    assert "Done" in html and "http-equiv" not in html
    result = budget_round.results.get()
    assert result.outcome["voters"] == 4
    assert result.outcome["votes"] == {str(ideas[0].pk): 2, str(ideas[1].pk): 1, str(ideas[2].pk): 2}
    # Greedy: 9000 (2 votes) and 7000 (2 votes) fit in 20000; 8000 no longer does.
    assert result.outcome["selected"] == [ideas[0].pk, ideas[2].pk]
    # A private preview until published from the job page, after a confirmation (issue 9).
    assert result.published_at is None and "Publish results" in html
    assert set(Idea.objects.filter(round=budget_round).values_list("status", flat=True)) == {Status.ON_BALLOT}
    unconfirmed = client.post(url("publish", budget_round.pk, job.pk))
    assert unconfirmed.status_code == 400 and budget_round.results.get().published_at is None
    client.post(url("publish", budget_round.pk, job.pk), {"confirm": "on"})
    assert budget_round.results.get().published_at is not None
    statuses = dict(Idea.objects.filter(round=budget_round).values_list("pk", "status"))
    assert statuses == {
        ideas[0].pk: Status.SELECTED,
        ideas[1].pk: Status.NOT_SELECTED,
        ideas[2].pk: Status.SELECTED,
    }
    counted = CountedReceipt.objects.filter(round=budget_round).values_list("fingerprint", flat=True)
    assert len(counted) == 4
    assert [fp for fp in counted if sealing.receipt(fp) == online_receipt]
    assert round_logs(budget_round, "ideas.voting.count").get().data == {"rule": "greedy", "job": job.pk}
    # Counting again (here with Equal Shares) adds a snapshot; the first one stays as it was.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("count", budget_round.pk), {"rule": "equalshares"})
    assert sorted(budget_round.results.values_list("rule", flat=True)) == ["equalshares", "greedy"]
    assert "equalshares" in desk.RULE_LABELS
    assert Ballot.objects.filter(round=budget_round).count() == 4


def test_a_running_job_shows_progress_and_refreshes(first_staff, desk_round):
    client, user = first_staff
    budget_round, _ideas, _place = desk_round
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


def test_a_failed_count_is_reported_on_the_job(desk_round, monkeypatch):
    from ideas.voting import closing, results

    budget_round, _ideas, _place = desk_round
    job = CountJob.objects.create(round=budget_round, rule="greedy")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(results, "count_round", broken)
    with pytest.raises(RuntimeError):
        closing.run_count_job.call(job.pk)  # the task fails too, so that a worker's backend records it
    job.refresh_from_db()
    assert job.state == CountJob.State.FAILED and job.error == "disk full" and job.finished_at


def test_with_a_worker_the_count_runs_in_the_background(
    first_staff, desk_round, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """With the database task backend the request opens the box and queues the count: the desk shows it
    waiting, and a worker process (`manage.py db_worker`) does the counting; the key never enters the queue."""
    from django_tasks_db.models import DBTaskResult

    # django-tasks rebuilds its backends when the setting changes (and again when the fixture restores it).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client, _user = first_staff
    budget_round, ideas, _place = desk_round
    cast(budget_round, on_census("111111-11111"), channel=Channel.ONLINE, choices={ideas[1].pk: 1})
    client.post(url("close", budget_round.pk), {"confirm": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("count", budget_round.pk),
            {"rule": "equalshares", "private_key": budget_round.test_private_key},
        )
    job = CountJob.objects.get(round=budget_round)
    assert job.state == CountJob.State.QUEUED
    secret = budget_round.test_private_key.removeprefix(sealing.PRIVATE_KEY_PREFIX)
    assert DBTaskResult.objects.exists()
    assert not [task for task in DBTaskResult.objects.all() if secret in str(task.args_kwargs)]
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


def test_a_count_lost_with_its_worker_does_not_block_the_round(first_staff, desk_round):
    import datetime

    from django.utils import timezone

    from ideas.voting import closing

    client, _user = first_staff
    budget_round, _ideas, _place = desk_round
    client.post(url("close", budget_round.pk), {"confirm": "on"})  # close voting
    budget_round.refresh_from_db()
    job = CountJob.objects.create(round=budget_round, rule="greedy", state=CountJob.State.RUNNING)
    with translation.override("en"):
        assert closing.why_not_countable(budget_round) == "This round is being counted already."
    CountJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    assert closing.why_not_countable(budget_round) is None


def test_paper_ballots_stop_once_the_round_is_counted(first_staff, second_staff, desk_round):
    from ideas.voting import closing
    from ideas.voting.casting import VoteRefused

    client, user = first_staff
    other, _other_user = second_staff
    budget_round, ideas, place = desk_round
    on_census("121212-12121")
    client.post(url("close", budget_round.pk), {"confirm": "on"})  # close voting
    budget_round.refresh_from_db()
    with pytest.raises(VoteRefused):
        paper.register_paper_voter(budget_round, "121212-12121", place)
    closing.start_count(budget_round, "greedy", user, budget_round.test_private_key, in_background=False)
    budget_round.refresh_from_db()
    with pytest.raises(VoteRefused, match="counted"), translation.override("en"):
        paper.enter(budget_round, {ideas[1].pk: 1}, user, place)
    # An entry typed in at the very moment of the count can no longer be confirmed.
    late = PaperBallotEntry.objects.create(
        round=budget_round, polling_place=place, choices={str(ideas[0].pk): 1}, entered_by=user
    )
    response = other.post(url("paper", budget_round.pk), {"action": "confirm", "entry": late.pk})
    assert "paper ballots can no longer be entered" in " ".join(messages_of(response))
    html = client.get(url("paper", budget_round.pk)).content.decode()
    assert "paper ballots can no longer be entered" in html and 'value="enter"' not in html
    assert not Ballot.objects.filter(round=budget_round).exists() and sealed_in(budget_round) == 0
    late.refresh_from_db()
    assert late.state == PaperBallotEntry.State.PENDING and late.confirmed_by is None


# manage.py count_round: the same front door as the desk (issue 8) -----------------------------------------


def count_command(budget_round, *args):
    out = io.StringIO()
    with translation.override("en"):
        call_command("count_round", str(budget_round.pk), *args, stdout=out)
    return out.getvalue()


def test_the_count_command_is_refused_while_voting_is_open_or_paper_waits(desk_round, tmp_path):
    budget_round, ideas, place = desk_round
    key_file = tmp_path / "key.txt"
    key_file.write_text(budget_round.test_private_key)
    cast(budget_round, on_census("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    with pytest.raises(CommandError, match="after voting has closed"):
        count_command(budget_round, "--key-file", str(key_file))
    paper.enter(budget_round, {ideas[1].pk: 1}, UserFactory(username="typist"), place)
    close(budget_round)
    with pytest.raises(CommandError, match="1 typed-in paper ballot still waits"):
        count_command(budget_round, "--key-file", str(key_file))
    budget_round.refresh_from_db()
    assert budget_round.ballot_box_opened_at is None and sealed_in(budget_round) == 1
    assert not budget_round.results.exists() and not CountJob.objects.filter(round=budget_round).exists()
    assert not round_logs(budget_round, "ideas.voting.count").exists()


def test_the_count_command_needs_the_right_key_file_and_loses_no_ballot(desk_round, tmp_path):
    budget_round, ideas, _place = desk_round
    for person, idea in (("010101-11111", ideas[0]), ("020202-22222", ideas[2])):
        cast(budget_round, on_census(person), channel=Channel.ONLINE, choices={idea.pk: 1})
    close(budget_round)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(voting_round(name="Another round").test_private_key)
    damaged = tmp_path / "damaged.txt"
    damaged.write_text(sealing.PRIVATE_KEY_PREFIX + "not*base64")
    for args, problem in (
        ((), "The ballot box is sealed"),
        (("--key-file", str(tmp_path / "missing.txt")), "cannot read the key file"),
        (("--key-file", str(wrong)), "not the round's counting key"),
        (("--key-file", str(damaged)), "not the round's counting key"),
    ):
        with pytest.raises(CommandError, match=problem):
            count_command(budget_round, *args)
    budget_round.refresh_from_db()
    assert budget_round.ballot_box_opened_at is None and sealed_in(budget_round) == 2
    assert not Ballot.objects.filter(round=budget_round).exists()
    assert not round_logs(budget_round, "ideas.voting.count").exists()

    right = tmp_path / "right.txt"
    right.write_text(f"Counting key of the round\n\n{budget_round.test_private_key}\n")
    output = count_command(budget_round, "--key-file", str(right), "--rule", "greedy")
    assert output.strip()
    budget_round.refresh_from_db()
    assert budget_round.ballot_box_opened_at and sealed_in(budget_round) == 0
    assert Ballot.objects.filter(round=budget_round).count() == 2
    result = budget_round.results.get()
    assert result.outcome["votes"] == {str(ideas[0].pk): 1, str(ideas[1].pk): 0, str(ideas[2].pk): 1}
    assert round_logs(budget_round, "ideas.voting.box_opened").get().user is None
    job = CountJob.objects.get(round=budget_round)
    assert round_logs(budget_round, "ideas.voting.count").get().data == {"rule": "greedy", "job": job.pk}
    assert job.state == CountJob.State.DONE and job.result_ids == [result.pk]
    # A recount needs no key any more.
    count_command(budget_round, "--rule", "equalshares")
    assert round_logs(budget_round, "ideas.voting.count").count() == 2


def test_a_count_failing_on_the_command_line_is_a_clear_error_on_its_job(desk_round, tmp_path, monkeypatch):
    from ideas.voting import results

    budget_round, ideas, _place = desk_round
    cast(budget_round, on_census("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    close(budget_round)
    key_file = tmp_path / "key.txt"
    key_file.write_text(budget_round.test_private_key)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(results, "count_round", broken)
    with pytest.raises(CommandError, match="disk full"):
        count_command(budget_round, "--key-file", str(key_file))
    job = CountJob.objects.get(round=budget_round)
    assert job.state == CountJob.State.FAILED and job.error == "disk full"
    # The box was opened before the count failed: the ballots are safe, and a new count needs no key.
    assert Ballot.objects.filter(round=budget_round).count() == 1
    monkeypatch.undo()
    count_command(budget_round)
    assert budget_round.results.get().outcome["voters"] == 1
