"""Co-funding in the count (issue 10, part 3): a confirmed money pledge lowers what an idea costs the public
budget on the ballot (online, code and paper), in the count and its .pb file and on the results page, which
shows both costs and explains it; never below zero; locked once voting opens; and a pledge never changes who may
vote or how a vote counts. Everything runs through the services: ideas/partners/pledges.py, the voting desk's
ideas/voting/closing.py, casting, paper, codes and results."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ideas.counting import count_election, parse_text
from ideas.counting.explain import cofunding
from ideas.demo_results import COFUNDED_TITLE, ROUND_NAME, load_past_round
from ideas.models import (
    Ballot,
    CensusEntry,
    Channel,
    Idea,
    Organisation,
    PaperBallotEntry,
    Pledge,
    PollingPlace,
    RoundResult,
    SealedBallot,
    VoterRecord,
    VotingCode,
)
from ideas.models.rounds import CountingRule
from ideas.participation import Refused
from ideas.partners.organisations import register_organisation, verify_organisation
from ideas.partners.pledges import confirm_pledge, offer_pledge, withdraw_pledge
from ideas.phases import Phase
from ideas.statuses import Status
from ideas.voting import closing, codes, keys, paper
from ideas.voting.casting import VoteRefused, cast, check_choices
from ideas.voting.eligibility import why_not_eligible
from ideas.voting.pabulib_io import export_round, import_election
from ideas.voting.results import publish_results
from tests.factories import make_idea, verified_resident
from tests.ideas import voters
from tests.ideas.test_ballot_page import review_and_cast, round_page, ticks, vote_url

pytestmark = pytest.mark.django_db

NB = "\u00a0"
REPRESENTATIVE_CODE = "150585-91001"


@pytest.fixture(autouse=True)
def _services_speak_english():
    """The services' messages are read in English here (the pages choose their language by their address)."""
    with translation.override("en"):
        yield


@pytest.fixture
def moderator():
    return verified_resident("cofund-moderator", groups=["Moderators"])


@pytest.fixture
def business(moderator):
    """A verified organisation and its representative, a resident confirmed as a person on the census list."""
    representative = voters.confirmed_resident("cofund-rep", REPRESENTATIVE_CODE, email="rep@veikals.example")
    organisation = register_organisation(
        representative,
        name="SIA Kopā Veikals",
        registration_number="40103955501",
        contact_name="Ilze Kalna",
        contact_email="ilze@veikals.example",
    )
    verify_organisation(moderator, organisation)
    return organisation, representative


def support_round(
    rule=CountingRule.GREEDY, budget="20000", costs=(("Playground", 12000), ("Shelter", 10000))
):
    """A round in its support phase (pledges still taken) with counting keys and ideas on the ballot."""
    budget_round = voters.voting_round(
        Phase.SUPPORT, total_budget=Decimal(budget), max_cost_per_idea=Decimal(budget), counting_rule=rule
    )
    ideas = [
        make_idea(budget_round, status="on_ballot", title=title, estimated_cost=Decimal(cost))
        for title, cost in costs
    ]
    return budget_round, ideas


def cofund(business, moderator, idea, amount):
    """The organisation offers money on the idea and staff confirm it: the idea's co-funding follows."""
    organisation, representative = business
    pledge = offer_pledge(representative, organisation, idea, kind=Pledge.Kind.MONEY, amount=amount)
    confirm_pledge(moderator, pledge)
    idea.refresh_from_db()
    return pledge


def person(number):
    """A made-up person on the census list (codes unlike the demo's)."""
    return voters.on_census(f"0{number % 9 + 1}0380-9{number:04d}")


def vote_and_count(budget_round, moderator, ballots, rule):
    """Open the vote at the desk, cast `ballots` ({idea id: 1} each) online, close, count and publish; returns
    the published RoundResult."""
    assert closing.open_voting(budget_round, moderator)
    for number, choices in enumerate(ballots):
        cast(budget_round, person(number), channel=Channel.ONLINE, choices=choices)
    assert closing.close_voting(budget_round, moderator)
    job = closing.start_count(
        budget_round, rule, moderator, budget_round.test_private_key, in_background=False
    )
    results = list(RoundResult.objects.filter(pk__in=job.result_ids))
    assert publish_results(budget_round, results, moderator) == 1
    return results[0]


def text_of(html):
    """The page's text as a reader gets it: without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def explained(result, idea):
    from ideas.voting.results_page import explanation_text

    return explanation_text(result.explanations[str(idea.pk)])


# 1. An idea that did not fit is funded once a pledge is confirmed ---------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "without", "with_pledge"),
    [
        (
            CountingRule.GREEDY,
            "Not funded: €8,000 was left when its turn came, and it costs €10,000.",
            "Funded in step 2: partners' co-funding of €3,000 lowered its cost to the budget to €7,000, which fit "
            "in the €8,000 left. Its full cost of €10,000 would not have fit.",
        ),
        (
            CountingRule.EQUAL_SHARES_ADD1,
            # add1 raised every voter's share while the funded ideas still fit: up to 2 499 € each.
            "Not funded: its supporters had €9,996 of their share left, and it needed €10,000.",
            "Funded in step 2: partners' co-funding of €3,000 lowered its cost to the budget to €7,000, which its 4 "
            "supporters paid together.",
        ),
    ],
)
def test_an_idea_that_did_not_fit_is_funded_once_a_pledge_is_confirmed(
    business, moderator, rule, without, with_pledge
):
    """Six voters want the playground (12 000 €), four the shelter (10 000 €); the budget is 20 000 €. The same
    ballots, counted without and with 3 000 € pledged on the shelter."""

    def counted(pledged):
        budget_round, (playground, shelter) = support_round(rule)
        if pledged:
            cofund(business, moderator, shelter, 3000)
            assert shelter.cofunding == 3000 and shelter.net_cost == 7000 and shelter.cost == 10000
        ballots = [{playground.pk: 1}] * 6 + [{shelter.pk: 1}] * 4
        return vote_and_count(budget_round, moderator, ballots, rule), playground, shelter

    result, playground, shelter = counted(pledged=False)
    assert result.outcome["selected"] == [playground.pk]
    assert explained(result, shelter) == without
    assert Idea.objects.get(pk=shelter.pk).status == Status.NOT_SELECTED

    result, playground, shelter = counted(pledged=True)
    assert sorted(result.outcome["selected"]) == sorted([playground.pk, shelter.pk])
    assert explained(result, shelter) == with_pledge
    assert Idea.objects.get(pk=shelter.pk).status == Status.SELECTED
    # The budget pays the net costs; the partners' money is on top.
    assert Decimal(result.outcome["cost"]) == 19000 and Decimal(result.outcome["cofunding"]) == 3000
    stored = result.explanations[str(shelter.pk)]
    assert (
        stored["cofunded"] is True
        and stored["official_cost"] == "10000.00"
        and stored["cofunding"] == "3000.00"
    )
    assert "cofunded" not in result.explanations[str(playground.pk)]
    # Votes count the same with or without the pledge: one per ballot naming the idea.
    assert result.outcome["votes"] == {str(playground.pk): 6, str(shelter.pk): 4}


def test_a_co_funded_idea_still_short_says_so():
    from ideas.voting.results_page import explanation_text

    with translation.override("en"):
        text = explanation_text(
            {
                "funded": False,
                "reason": "budget_left",
                "left": "5000.00",
                "cost": "7000.00",
                "cofunded": True,
                "official_cost": "10000.00",
                "cofunding": "3000.00",
            }
        )
    assert text == (
        "Not funded: €5,000 was left when its turn came, and even after partners' co-funding of €3,000 it costs "
        "the budget €7,000."
    )


# 2. The ballot counts net costs ---------------------------------------------------------------------------------


def test_a_choice_fits_the_ballot_only_thanks_to_co_funding(client, home_en, business, moderator):
    budget_round, (playground, shelter) = support_round()
    both = {playground.pk: 1, shelter.pk: 1}
    with pytest.raises(VoteRefused) as refused:
        check_choices(budget_round, both)
    assert "The chosen ideas cost €22,000, more than the budget of €20,000." in refused.value.messages
    cofund(business, moderator, shelter, 1000)
    with pytest.raises(VoteRefused) as refused:
        check_choices(budget_round, both)
    assert "The chosen ideas cost €21,000, more than the budget of €20,000." in refused.value.messages
    cofund(business, moderator, shelter, 2000)
    check_choices(budget_round, both)  # 12 000 € + 7 000 € from the budget: it fits now
    assert closing.open_voting(budget_round, moderator)

    # Online: the ballot shows both costs in words, and the basket counts the net cost.
    page = round_page(budget_round, home_en, slug="cofunded-ballot")
    client.force_login(voters.confirmed_resident("cofund-voter", "120475-93001"))
    html = client.get(vote_url(page)).content.decode()
    assert "Cost: €10,000 — €3,000 co-funded by partners — €7,000 from the budget" in text_of(html)
    assert 'data-cost="7000.00"' in html
    assert "only the part paid from the budget counts" in html
    assert "€20,000 of the budget left" in html and "cost to the budget %(cost)s" in html
    review = client.post(vote_url(page), ticks(playground, shelter))
    review_html = review.content.decode()
    assert review.status_code == 200, review_html[:2000]
    assert "Shelter — €10,000 — €3,000 co-funded by partners — €7,000 from the budget" in text_of(review_html)
    assert "cost to the budget €19,000" in review_html and "€1,000 of the budget left" in review_html
    done = review_and_cast(client, page, ticks(playground, shelter))
    assert done.status_code == 200 and "Thank you for voting" in done.content.decode()

    # With a one-time code, and on paper (typed in and confirmed by two staff members).
    code = codes.make_batch(budget_round, 1, "Library")[0]
    voters.on_census("130476-93002")
    codes.hand_out(budget_round, code, "130476-93002")
    codes.vote_with_code(budget_round, keys.code_hash(code), both)
    place = PollingPlace.objects.create(round=budget_round, name="Library")
    voters.on_census("140477-93003")
    paper.register_paper_voter(budget_round, "140477-93003", place)
    entry = paper.enter(budget_round, both, moderator, place)
    paper.confirm(entry, verified_resident("cofund-second", groups=["Moderators"]))
    assert SealedBallot.objects.filter(round=budget_round).count() == 3
    assert PaperBallotEntry.objects.get(pk=entry.pk).state == PaperBallotEntry.State.CONFIRMED


def test_pledges_are_locked_once_voting_opens(business, moderator):
    budget_round, (playground, shelter) = support_round()
    organisation, representative = business
    confirmed = cofund(business, moderator, shelter, 3000)
    waiting = offer_pledge(representative, organisation, playground, kind=Pledge.Kind.MONEY, amount=5000)
    assert closing.open_voting(budget_round, moderator)
    with pytest.raises(Refused):
        confirm_pledge(moderator, waiting)
    with pytest.raises(Refused, match="Voting has opened"):
        withdraw_pledge(representative, confirmed)
    assert [
        idea.net_cost for idea in Idea.objects.filter(pk__in=[playground.pk, shelter.pk]).order_by("pk")
    ] == [
        12000,
        7000,
    ]


def test_net_cost_is_never_below_zero(client, home_en, business, moderator):
    """Partners pay the whole cost, and staff lower the official cost afterwards: the budget pays nothing for
    it, never a negative amount (a pledge larger than the cost is refused, ideas/partners/pledges.py)."""
    budget_round, (playground, shelter) = support_round()
    cofund(business, moderator, shelter, 15000 - 5000)
    shelter.official_cost = 10000
    shelter.save()
    # Co-funding stays what was confirmed; the official cost drops below it (assessment corrected).
    type(shelter).objects.filter(pk=shelter.pk).update(cofunding=15000)
    shelter.refresh_from_db()
    assert shelter.net_cost == 0 and shelter.cofunding == 15000
    assert closing.open_voting(budget_round, moderator)
    page = round_page(budget_round, home_en, slug="fully-cofunded")
    client.force_login(voters.confirmed_resident("cofund-voter", "120475-93001"))
    html = client.get(vote_url(page)).content.decode()
    assert "Cost: €10,000 — €15,000 co-funded by partners — €0 from the budget" in text_of(html)
    cast(budget_round, person(1), channel=Channel.ONLINE, choices={playground.pk: 1, shelter.pk: 1})
    voters.close_and_open(budget_round)
    text = export_round(budget_round)
    election = parse_text(text)
    row = election.projects[str(shelter.pk)]
    assert row.cost == 0 and row.fields["official_cost"] == "10000" and row.fields["cofunding"] == "15000"
    assert "-" not in row.fields["cost"]
    count = count_election(election, "greedy")
    assert str(shelter.pk) in count.outcome.selected and count.cost == 12000


# 3. The .pb file ------------------------------------------------------------------------------------------------


def _without_columns(text, names):
    """The file as a tool that knows nothing of co-funding sees it: PROJECTS without the `names` columns."""
    lines, section, drop = [], None, []
    for line in text.splitlines():
        if line in ("META", "PROJECTS", "VOTES"):
            section = line
            lines.append(line)
            continue
        cells = line.split(";")
        if section == "PROJECTS":
            if not drop:
                drop = [cells.index(name) for name in names]
            cells = [cell for index, cell in enumerate(cells) if index not in drop]
        lines.append(";".join(cells))
    return "\n".join(lines) + "\n"


def test_the_pb_export_round_trips_with_the_co_funding_columns(business, moderator):
    budget_round, (playground, shelter) = support_round()
    plain_round, plain_ideas = support_round()
    cofund(business, moderator, shelter, 3000)
    for target, ideas in ((budget_round, (playground, shelter)), (plain_round, plain_ideas)):
        assert closing.open_voting(target, moderator)
        for number in range(6):
            choices = {ideas[0].pk: 1} if number < 4 else {ideas[1].pk: 1}
            cast(target, person(number), channel=Channel.ONLINE, choices=choices)
        voters.close_and_open(target)

    text = export_round(budget_round)
    assert "project_id;cost;official_cost;cofunding;votes;score;name" in text.splitlines()
    assert f"{shelter.pk};7000;10000;3000;2;2;Shelter" in text.splitlines()
    assert f"{playground.pk};12000;12000;0;4;4;Playground" in text.splitlines()
    election = parse_text(text, source="cofunded.pb")
    assert election.project_columns == (
        "project_id",
        "cost",
        "official_cost",
        "cofunding",
        "votes",
        "score",
        "name",
    )
    assert election.projects[str(shelter.pk)].cost == 7000
    assert cofunding(election) == {str(shelter.pk): (Decimal(10000), Decimal(3000))}
    # Any Pabulib tool counts the same: the extra columns change nothing.
    plain = parse_text(_without_columns(text, ("official_cost", "cofunding")), source="plain.pb")
    for rule in ("greedy", "equalshares/add1"):
        assert count_election(election, rule).outcome.selected == count_election(plain, rule).outcome.selected
    assert count_election(election, "greedy").outcome.selected == [str(playground.pk), str(shelter.pk)]
    # Our own import reads it back, at the cost that was counted.
    imported = import_election(election, name="Re-imported")
    costs = sorted(Idea.objects.filter(round=imported.round).values_list("estimated_cost", flat=True))
    assert costs == [Decimal(7000), Decimal(12000)] and imported.ballots == 6
    # A round without co-funding exports the file it always did: no extra columns.
    plain_text = export_round(plain_round)
    assert "official_cost" not in plain_text and "cofunding" not in plain_text
    assert "project_id;cost;votes;score;name" in plain_text.splitlines()


# 4. A pledge never changes who may vote or how votes count ---------------------------------------------------------


def test_a_business_representative_votes_as_a_resident_once(client, home_en, business, moderator):
    _organisation, representative = business
    budget_round, (playground, shelter) = support_round()
    eligible_before = why_not_eligible(representative, budget_round)
    cofund(business, moderator, shelter, 3000)
    assert why_not_eligible(representative, budget_round) == eligible_before is None
    assert closing.open_voting(budget_round, moderator)
    page = round_page(budget_round, home_en, slug="representative-votes")
    client.force_login(representative)
    done = review_and_cast(client, page, ticks(shelter))
    assert done.status_code == 200
    assert VoterRecord.objects.filter(round=budget_round).count() == 1
    # Once: not again on paper, nor with a code, whoever they act for.
    place = PollingPlace.objects.create(round=budget_round, name="Town hall")
    with pytest.raises(VoteRefused, match="already voted"):
        paper.register_paper_voter(budget_round, REPRESENTATIVE_CODE, place)
    code = codes.make_batch(budget_round, 1, "Desk")[0]
    codes.hand_out(budget_round, code, REPRESENTATIVE_CODE)
    with pytest.raises(VoteRefused, match="already voted"):
        codes.vote_with_code(budget_round, keys.code_hash(code), {playground.pk: 1})
    assert VotingCode.objects.get(code_hash=keys.code_hash(code)).state != VotingCode.State.USED
    # Their ballot counts once, as any resident's.
    cast(budget_round, person(7), channel=Channel.ONLINE, choices={playground.pk: 1})
    voters.close_and_open(budget_round)
    count = count_election(parse_text(export_round(budget_round)), "greedy")
    assert count.tally.votes == {str(playground.pk): 1, str(shelter.pk): 1}
    assert Ballot.objects.filter(round=budget_round).count() == 2


def test_the_organisation_itself_has_no_way_to_vote(business, moderator):
    organisation, _representative = business
    budget_round, (_playground, shelter) = support_round()
    cofund(business, moderator, shelter, 3000)
    assert closing.open_voting(budget_round, moderator)
    # Nothing ties an organisation to the register, the census list, codes or ballots.
    voting_models = {VoterRecord, SealedBallot, Ballot, CensusEntry, VotingCode, PaperBallotEntry}
    related = {field.related_model for field in Organisation._meta.get_fields() if field.is_relation}
    assert not related & voting_models
    # Its registration number is not a person: the polling place cannot register it, nor hand it a code.
    place = PollingPlace.objects.create(round=budget_round, name="Town hall")
    with pytest.raises(ValidationError):
        paper.register_paper_voter(budget_round, organisation.registration_number, place)
    code = codes.make_batch(budget_round, 1, "Desk")[0]
    with pytest.raises(ValidationError):
        codes.hand_out(budget_round, code, organisation.registration_number)
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_eligibility_is_unchanged_by_representing_a_backer(client, home_en, moderator, business):
    """A representative who is not on the census list may pledge, and still may not vote."""
    organisation, _representative = business
    outsider = voters.confirmed_resident("cofund-outsider", "160590-93009", census=False)
    budget_round, (_playground, shelter) = support_round()
    before = why_not_eligible(outsider, budget_round)
    assert before
    from ideas.models import Representative

    Representative.objects.create(organisation=organisation, user=outsider)
    pledge = offer_pledge(outsider, organisation, shelter, kind=Pledge.Kind.MONEY, amount=2000)
    confirm_pledge(moderator, pledge)
    assert why_not_eligible(outsider, budget_round) == before
    assert closing.open_voting(budget_round, moderator)
    page = round_page(budget_round, home_en, slug="outsider-round")
    client.force_login(outsider)
    response = client.post(vote_url(page), {**ticks(shelter), "cast": "1"})
    assert response.status_code == 403
    assert not VoterRecord.objects.filter(round=budget_round).exists()


# 5. The results page shows both costs, as counted ------------------------------------------------------------------


def cofunding_line(html, title):
    """The co-funding line under an idea's bar on the results page, as plain text."""
    block = html.split(f">{title}</a>")[1].split("</li>")[0]
    match = re.search(r'<p class="result-bar__cofunding">(.*?)</p>', block, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else None


def test_the_results_page_shows_both_costs_in_both_languages(client, home_en, home_lv, business, moderator):
    budget_round, (playground, shelter) = support_round()
    cofund(business, moderator, shelter, 3000)
    ballots = [{playground.pk: 1}] * 6 + [{shelter.pk: 1}] * 4
    result = vote_and_count(budget_round, moderator, ballots, CountingRule.GREEDY)
    english = round_page(budget_round, home_en, slug="cofunded-results", title="Co-funded round")
    latvian = round_page(budget_round, home_lv, slug="lidzfinansets", title="Līdzfinansēta kārta")
    # The page shows what was counted, whatever the idea says today.
    Idea.objects.filter(pk=shelter.pk).update(official_cost=Decimal(99000), cofunding=0)

    html = client.get(english.url + "results/").content.decode()
    assert '<html lang="en">' in html
    assert (
        cofunding_line(html, "Shelter") == "€10,000 — €3,000 co-funded by partners — €7,000 from the budget"
    )
    assert cofunding_line(html, "Playground") is None
    assert (
        "Funded in step 2: partners&#x27; co-funding of €3,000 lowered its cost to the budget to €7,000, which "
        "fit in the €8,000 left. Its full cost of €10,000 would not have fit." in html
    )
    assert "€19,000 of €20,000" in html and "co-funding paid €3,000 more" in html
    assert "99,000" not in html
    assert result.pb_sha256 in html

    html = client.get(latvian.url + "results/").content.decode()
    assert '<html lang="lv">' in html
    # The words are translated in the translation pass; the amounts are written the Latvian way already.
    line = cofunding_line(html, "Shelter")
    assert all(f"{amount}{NB}000{NB}€" in line for amount in (10, 3, 7)), line
    assert line.index(f"10{NB}000") < line.index(f"3{NB}000") < line.index(f"7{NB}000")
    assert f"19{NB}000{NB}€ no 20{NB}000{NB}€" in html and "99" + NB + "000" not in html


# 6. The demo's finished round -------------------------------------------------------------------------------------


def test_the_demo_round_has_an_idea_funded_thanks_to_co_funding(client):
    shelter = Idea.objects.get(round__name=ROUND_NAME, title=COFUNDED_TITLE)
    pledge = Pledge.objects.get(idea=shelter)
    assert pledge.kind == Pledge.Kind.MONEY and pledge.state == Pledge.State.FULFILLED
    assert pledge.organisation.is_verified and shelter.cofunding == pledge.amount
    assert shelter.status in (Status.SELECTED, Status.IN_IMPLEMENTATION, Status.COMPLETED), "funded"

    html = client.get("/en/greener-neighbourhood-2025/results/").content.decode()
    official, net = shelter.cost, shelter.net_cost
    assert cofunding_line(html, COFUNDED_TITLE) == (
        f"€{official:,.0f} — €{pledge.amount:,.0f} co-funded by partners — €{net:,.0f} from the budget"
    )
    assert (
        f"partners&#x27; co-funding of €{pledge.amount:,.0f} lowered its cost to the budget to €{net:,.0f}"
        in html
    )
    latvian = client.get("/zalaka-apkaime-2025/results/").content.decode()
    line = cofunding_line(latvian, COFUNDED_TITLE)
    assert f"{official:,.0f}".replace(",", NB) + f"{NB}€" in line and f"{net:,.0f}".replace(",", NB) in line

    # Loading the demo again adds nothing.
    assert load_past_round().pk == shelter.round_id
    assert Pledge.objects.filter(idea__round__name=ROUND_NAME).count() == 1
    assert RoundResult.objects.filter(round__name=ROUND_NAME).count() == 1
