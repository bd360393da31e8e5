"""The counting engine (ideas/counting) on small hand-made elections: parsing, tally, every rule and its
tie-breaking, explanations, the command line, and the promise that the engine never imports Django."""

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ideas.counting import (
    ParseError,
    column_mismatches,
    count_election,
    count_votes,
    format_pb,
    money,
    parse_text,
    ranking,
    read_file,
)
from ideas.counting.cli import main
from ideas.counting.pabulib import parse_bytes

ROOT = Path(__file__).resolve().parents[2]


def make(
    costs, ballots, points=None, *, budget=100, vote_type="approval", rule="greedy", selected=None, **meta
):
    """An election from {id: cost}, ballots such as "A,B" (one per voter) and optional points per ballot,
    written with format_pb and read back, so every test also exercises the writer."""
    projects = []
    for pid, cost in costs.items():
        row = {"project_id": pid, "cost": cost}
        if selected is not None:
            row["selected"] = selected.get(pid, 0)
        projects.append(row)
    votes = []
    for number, ballot in enumerate(ballots):
        row = {"voter_id": f"v{number}", "vote": ballot}
        if points is not None:
            row["points"] = points[number]
        votes.append(row)
    text = format_pb({"budget": budget, "vote_type": vote_type, "rule": rule, **meta}, projects, votes)
    return parse_text(text, source="test.pb")


def selected(election, rule=None):
    """The ids an election's rule (or `rule`) selects, in order."""
    return count_election(election, rule).outcome.selected


# Parsing ---------------------------------------------------------------------------------------------------


def test_bom_crlf_blank_lines_quotes_decimals_and_string_ids():
    text = (
        "\ufeffMETA\r\nkey;value\r\n budget ; 1000.50 \r\n\r\nvote_type;approval\r\nrule;greedy\r\n"
        "PROJECTS\r\nproject_id;cost;name\r\n"
        '007; 500.25 ; "Park; ""Green"" corner"\r\n7;500.25;Plain\r\n   \r\n'
        "VOTES\r\nvoter_id;vote\r\nv1;007, 7\r\n\r\nv2;007\r\n"
    )
    election = parse_bytes(text.encode("utf-8"), source="crlf.pb")
    assert election.budget == Decimal("1000.50")
    assert list(election.projects) == ["007", "7"]  # ids stay strings: "007" is not 7
    assert election.projects["007"].fields["name"] == 'Park; "Green" corner'
    assert election.projects["007"].cost == Decimal("500.25")
    assert count_votes(election).votes == {"007": 2, "7": 1}
    summary = count_election(election).summary()
    assert summary["budget"] == "1000.50"
    assert summary["cost"] == "1000.50"  # both fit exactly: exact decimals, no float drift
    assert summary["selected"] == ["007", "7"]


def test_identical_ballots_are_grouped_with_counts():
    election = make({"A": 10, "B": 10}, ["A,B", "A,B", "B", "A,B"])
    assert election.voters == 4
    assert sorted((group.ids, group.count) for group in election.ballots) == [(("A", "B"), 3), (("B",), 1)]


def test_writer_quotes_what_needs_quoting():
    text = format_pb(
        {"budget": 10, "comment": 'a "quoted"; comment'},
        [{"project_id": "P;1", "cost": 5, "name": " padded "}],
        [{"voter_id": "1", "vote": "P;1"}],
    )
    assert '"P;1"' in text and '"a ""quoted""; comment"' in text
    election = parse_text(text)
    assert election.meta["comment"] == 'a "quoted"; comment'
    assert list(election.projects) == ["P;1"]


BASE = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\n2;30\nVOTES\nvoter_id;vote\n"


def test_unknown_project_in_a_vote_names_file_and_line():
    text = BASE + "a;1\nb;1,123\nc;9\nd;1,123\n"
    with pytest.raises(ParseError) as caught:
        parse_text(text, source="Poland_X.pb")
    assert str(caught.value) == "Poland_X.pb line 12: vote names unknown project '123'"
    assert caught.value.line == 12


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (BASE.replace("budget;100\n", ""), 1, "META has no budget"),
        (BASE.replace("budget;100", "budget;lots"), 3, "budget 'lots' is not a number"),
        (BASE.replace("vote_type;approval", "vote_type;ranked"), 4, "unknown vote_type 'ranked'"),
        (BASE.replace("2;30", "2;thirty"), 8, "project '2' has cost 'thirty'"),
        (BASE.replace("2;30", "1;30"), 8, "project '1' appears twice (first on line 7)"),
        (BASE.replace("project_id;cost", "id;cost"), 6, "PROJECTS header has no 'project_id' column"),
        (BASE + "a;1;extra\n", 11, "has 3 cells but the header has 2"),
        (BASE + 'a;"1\n', 11, "bad quoting"),
        (BASE + "a;1,,2\n", 11, "has an empty project id"),
        (BASE + "VOTES\n", 11, "section VOTES appears twice"),
        (
            BASE.replace("PROJECTS\nproject_id;cost\n1;50\n2;30\n", ""),
            5,
            "section VOTES comes before PROJECTS",
        ),
        ("1;2\n" + BASE, 1, "expected the META section title first"),
        (BASE.split("VOTES")[0], None, "has no VOTES section"),
        (
            BASE.replace("approval", "cumulative").replace("voter_id;vote", "voter_id;vote;points")
            + "a;1,2;3\n",
            11,
            "vote names 2 projects but gives 1 points",
        ),
        (BASE.replace("approval", "cumulative"), 10, "cumulative VOTES need a 'points' column"),
    ],
)
def test_bad_files_raise_errors_naming_the_line(text, line, problem):
    with pytest.raises(ParseError) as caught:
        parse_text(text, source="bad.pb")
    assert caught.value.line == line
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"bad.pb line {line}: " if line else "bad.pb: ")


def test_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(ParseError, match=r"^missing\.pb: cannot be read"):
        read_file(tmp_path / "missing.pb")
    latin = tmp_path / "latin.pb"
    latin.write_bytes((BASE + "a;1\n").encode() + "b;ł\n".encode("iso-8859-2"))
    with pytest.raises(ParseError, match=r"^latin\.pb line 12: is not valid UTF-8"):
        read_file(latin)


# Tally -----------------------------------------------------------------------------------------------------


def test_approval_tally_counts_a_project_named_twice_twice():
    election = make({"A": 1, "B": 1}, ["A,B,A", "B"])
    tally = count_votes(election)
    assert tally.votes == {"A": 2, "B": 2}
    assert tally.score == tally.votes == tally.key


def test_cumulative_tally_sums_points_and_ranks_by_score():
    election = make({"A": 1, "B": 1, "C": 1}, ["A,B", "B", "C"], ["2,1", "3", "5"], vote_type="cumulative")
    tally = count_votes(election)
    assert tally.votes == {"A": 1, "B": 2, "C": 1}
    assert tally.score == {"A": 2, "B": 4, "C": 5}
    assert ranking(election, tally) == ["C", "B", "A"]


def test_ordinal_without_points_gives_length_down_to_one():
    election = make({"A": 1, "B": 1, "C": 1}, ["A,B,C", "C,A"], vote_type="ordinal")
    tally = count_votes(election)
    assert tally.score == {"A": 3 + 1, "B": 2, "C": 1 + 2}
    assert tally.votes == {"A": 2, "B": 1, "C": 2}
    assert ranking(election, tally) == ["A", "C", "B"]


def test_ordinal_with_points_uses_them():
    election = make({"A": 1, "B": 1}, ["A,B", "B,A"], ["10,1", "7,2"], vote_type="ordinal")
    assert count_votes(election).score == {"A": 12, "B": 8}


def test_choose_one_and_the_files_own_columns_are_checked():
    text = (
        "META\nkey;value\nbudget;10\nvote_type;choose-1\nPROJECTS\nproject_id;cost;votes;score\n"
        "A;5;2;2\nB;5;1;3\nVOTES\nvoter_id;vote\n1;A\n2;A\n3;B\n"
    )
    election = parse_text(text)
    assert count_votes(election).score == {"A": 2, "B": 1}
    assert column_mismatches(election, count_votes(election)) == ["score of B: file '3', tally 1"]


# Greedy rules ----------------------------------------------------------------------------------------------


def test_greedy_skips_what_does_not_fit_and_breaks_ties_by_file_order():
    ballots = ["X,Y", "X,Y", "Z"]
    assert selected(make({"X": 60, "Y": 60, "Z": 30}, ballots)) == ["X", "Z"]
    assert selected(make({"Y": 60, "X": 60, "Z": 30}, ballots)) == ["Y", "Z"]
    # PROJECTS rows need not be sorted by votes.
    assert selected(make({"Z": 30, "X": 60, "Y": 60}, ballots)) == ["X", "Z"]


def test_greedy_no_skip_stops_at_the_first_misfit():
    election = make({"A": 60, "B": 50, "C": 30}, ["A,B,C", "A,B", "A"], rule="greedy-no-skip")
    count = count_election(election)
    assert count.outcome.selected == ["A"]
    assert count.outcome.explanations["B"] == {
        "project": "B",
        "funded": False,
        "reason": "budget_left",
        "rank": 2,
        "left": "40.00",
        "cost": "50.00",
        "stop": True,
    }
    assert count.outcome.explanations["C"]["reason"] == "walk_stopped"
    assert count.outcome.explanations["C"]["at"] == "B"
    assert selected(election, "greedy") == ["A", "C"]


def test_sentinel_is_never_selected_and_never_stops_a_walk():
    costs = {"S": 999999999, "A": 50, "B": 60}
    ballots = ["S,A,B", "S,A", "S"]
    no_skip = make(costs, ballots, rule="greedy-no-skip")
    assert selected(no_skip) == ["A"]
    assert count_election(no_skip).outcome.explanations["S"]["reason"] == "sentinel"
    rich = make(costs, ballots, budget=5_000_000_000)
    assert selected(rich) == ["A", "B"]
    assert selected(rich, "equalshares") == ["A", "B"]


def test_threshold_is_inclusive_and_applies_inside_no_skip():
    ballots = ["A,B,C"] * 2 + ["A,C"] + ["A"] * 2
    costs = {"A": 50, "B": 5, "C": 40}
    election = make(costs, ballots, rule="greedy-no-skip", min_project_score_threshold=3)
    count = count_election(election)
    # C has exactly 3 votes: eligible. B (2 votes) would fit but is below the threshold.
    assert count.outcome.selected == ["A", "C"]
    assert count.outcome.explanations["B"] == {
        "project": "B",
        "funded": False,
        "reason": "below_threshold",
        "rank": 3,
        "score": 2,
        "threshold": 3,
    }
    assert selected(make(costs, ballots, rule="greedy-no-skip")) == ["A", "C", "B"]
    assert selected(make(costs, ballots, rule="greedy-threshold", min_project_score_threshold=4)) == ["A"]


def test_threshold_applies_to_points_for_cumulative_ballots():
    election = make(
        {"A": 10, "B": 10},
        ["A", "A", "B"],
        ["1", "1", "6"],
        vote_type="cumulative",
        rule="greedy-threshold",
        min_project_score_threshold=5,
    )
    assert selected(election) == ["B"]  # A has more votes but only 2 points


POZNAN = "#1: ... Finally, if the remaining budget is enough to fund at least 80% of that project, we fund it as well"


@pytest.mark.parametrize(("cost_b", "expected"), [(50, ["A", "B"]), (51, ["A"])])
def test_poznan_funds_the_first_misfit_from_80_percent(cost_b, expected):
    ballots = ["A,B,C,D", "A,B,C", "A,B", "A"]
    marks = {"A": 1, "B": 2, "C": 3} if cost_b == 50 else {"A": 1, "B": 3}
    election = make(
        {"A": 60, "B": cost_b, "C": 30, "D": 20},
        ballots,
        rule="greedy-custom",
        comment=POZNAN,
        selected=marks,
    )
    count = count_election(election)
    assert count.outcome.selected == expected
    assert count.verifiable and count.matches_official
    if cost_b == 50:
        assert count.official == ["A", "B"] and count.reserves == ["C"]
        assert count.outcome.explanations["B"]["tier"] == 2
        assert count.outcome.explanations["B"]["topped_up"] == "10.00"
    # Reserves must be the next best-ranked: a wrong mark is a mismatch.
    wrong_marks = {"A": 1, "B": 2, "D": 3}
    wrong = make(
        {"A": 60, "B": 50, "C": 30, "D": 20},
        ballots,
        rule="greedy-custom",
        comment=POZNAN,
        selected=wrong_marks,
    )
    assert count_election(wrong).matches_official is False


@pytest.mark.parametrize("rule", ["greedy-custom", "greedy-exclusive", "unknown", "a-rule-from-the-future"])
def test_rules_the_file_cannot_define_are_counted_with_plain_greedy_but_not_verified(rule):
    election = make(
        {"A": 60, "B": 50, "C": 30, "D": 20},
        ["A,B,C,D", "A,B,C", "A,B", "A"],
        rule=rule,
        selected={"A": 1, "C": 1},
    )
    count = count_election(election)
    assert count.outcome.selected == ["A", "C"]
    assert count.outcome.details["counted_as"] == "greedy"
    assert count.outcome.details["stated_rule"] == rule
    assert count.verifiable is False and count.matches_official is None
    assert count.summary()["official"] == ["A", "C"]


def test_official_column_two_counts_only_for_poznan():
    election = make({"A": 60, "B": 50}, ["A,B", "A"], rule="greedy", selected={"A": 1, "B": 2})
    count = count_election(election)
    assert count.official == ["A"] and count.matches_official is True


def test_a_rule_override_is_counted_but_not_verified():
    election = make({"A": 60, "B": 50}, ["A,B", "A"], rule="greedy", selected={"A": 1})
    with pytest.raises(ValueError, match="unknown rule 'mystery'"):
        count_election(election, "mystery")
    count = count_election(election, "equalshares")
    assert count.rule == "equalshares" and count.verifiable is False and count.matches_official is None
    assert count_election(election, "greedy").matches_official is True


def test_greedy_explanations_are_data():
    outcome = count_election(make({"A": 60, "B": 50, "C": 30}, ["A,B,C", "A,B", "A"])).outcome
    assert outcome.explanations == {
        "A": {"project": "A", "funded": True, "step": 1, "rank": 1, "cost": "60.00", "left": "40.00"},
        "B": {
            "project": "B",
            "funded": False,
            "reason": "budget_left",
            "rank": 2,
            "left": "40.00",
            "cost": "50.00",
        },
        "C": {"project": "C", "funded": True, "step": 2, "rank": 3, "cost": "30.00", "left": "10.00"},
    }


# Method of Equal Shares ------------------------------------------------------------------------------------


def test_equal_shares_pays_from_supporters_and_explains_shortfalls():
    election = make({"A": 200, "B": 150, "C": 90}, ["A", "A", "B,C"], budget=300, rule="equalshares")
    outcome = count_election(election).outcome
    # Everybody holds 100: A costs its two supporters 100 each (effective votes 2), C costs its one 90.
    assert outcome.selected == ["A", "C"]
    assert outcome.explanations["A"]["payments"] == {
        "total": "200.00",
        "supporters": 2,
        "max_per_voter": "100.00",
        "paid_all": 2,
    }
    assert outcome.explanations["C"]["step"] == 2
    assert outcome.explanations["B"] == {
        "project": "B",
        "funded": False,
        "reason": "supporters_short",
        "held": "10.00",
        "needed": "150.00",
    }


def test_equal_shares_tie_lower_cost_first():
    election = make({"P": 100, "Q": 60}, ["P", "P", "Q", "Q"], budget=400, rule="equalshares")
    assert selected(election) == ["Q", "P"]  # both cost their supporters half their cost each


def test_equal_shares_tie_more_votes_next():
    # Z drains v0..v3; then X (2 supporters) and Y (3 supporters, one broke) each cost 50 per paying voter.
    ballots = ["Z,Y", "Z", "Z", "Z", "X,Y", "X,Y"]
    election = make({"Z": 400, "X": 100, "Y": 100}, ballots, budget=600, rule="equalshares")
    assert selected(election) == ["Z", "Y", "X"]


def test_equal_shares_tie_more_votes_with_cumulative_points():
    election = make(
        {"X": 60, "Y": 60},
        ["X", "Y", "Y"],
        ["3", "1", "2"],
        budget=300,
        vote_type="cumulative",
        rule="equalshares",
    )
    # 20 per point for both; Y has two voters.
    assert selected(election) == ["Y", "X"]


def test_equal_shares_with_equal_points_splits_per_head():
    election = make(
        {"X": 60, "Y": 90},
        ["X", "Y", "Y"],
        ["2", "2", "2"],
        budget=300,
        vote_type="cumulative",
        rule="equalshares",
    )
    outcome = count_election(election).outcome
    # 22.50 per point for Y (45 per supporter) beats 30 per point for X.
    assert outcome.selected == ["Y", "X"]
    assert outcome.explanations["Y"]["payments"]["max_per_voter"] == "45.00"
    assert outcome.explanations["X"]["payments"]["max_per_voter"] == "60.00"


def test_equal_shares_tie_file_order_last():
    ballots = ["P", "P", "Q", "Q"]
    assert selected(make({"P": 100, "Q": 100}, ballots, budget=400, rule="equalshares")) == ["P", "Q"]
    assert selected(make({"Q": 100, "P": 100}, ballots, budget=400, rule="equalshares")) == ["Q", "P"]


def test_equal_shares_never_funds_free_unsupported_or_sentinel_projects():
    election = make(
        # The largest budget a file may state (MAX_AMOUNT): the sentinel would fit, but is never funded.
        {"A": 0, "B": 100, "S": 999999999, "C": 100},
        ["A,S,C", "S,C"],
        budget="9999999999.99",
        rule="equalshares",
    )
    outcome = count_election(election).outcome
    assert outcome.selected == ["C"]
    reasons = {pid: item.get("reason") for pid, item in outcome.explanations.items()}
    assert reasons == {"A": "zero_cost", "B": "no_supporters", "S": "sentinel", "C": None}


def test_equal_shares_refuses_ordinal_ballots():
    election = make({"A": 1}, ["A"], vote_type="ordinal")
    with pytest.raises(ValueError, match="equal shares needs approval"):
        count_election(election, "equalshares")


def test_add1_raises_the_budget_one_unit_per_voter_while_it_fits():
    election = make({"A": 60, "B": 40, "C": 30}, ["A", "B,C"], rule="equalshares/add1")
    # At 50 each only C fits; from 60 each A joins (90 in all); at 70 B would too (130 > 100): keep 69.
    assert selected(election, "equalshares") == ["C"]
    count = count_election(election)
    assert count.outcome.selected == ["C", "A"]
    assert count.outcome.details["per_voter"] == "69.00"
    assert count.outcome.details["add1_steps"] == 19
    assert count.summary()["cost"] == "90"


def test_add1_guard_when_everything_fits():
    # One supporter must pay 5,000,000 from 10,000: a unit-by-unit loop would take millions of rounds.
    ballots = ["A"] + ["B"] * 999
    election = make({"A": 5_000_000, "B": 100}, ballots, budget=10_000_000, rule="equalshares/add1")
    count = count_election(election)
    assert count.outcome.selected == ["B", "A"]
    assert count.outcome.details["everything_fits"] is True


def test_comparison_switches_to_greedy_only_when_strictly_more_voters_prefer_it():
    costs = {"A": 100, "B": 30, "C": 30}
    count = count_election(make(costs, ["A", "A", "B,C"], rule="equalshares-comparison"))
    assert count.outcome.selected == ["A"]
    assert count.outcome.details["comparison"] == {
        "prefer_equal_shares": 1,
        "prefer_greedy": 2,
        "chosen": "greedy",
    }
    assert count.outcome.explanations["B"]["reason"] == "budget_left"  # greedy's explanations go with it
    tied = count_election(make(costs, ["A", "A", "B,C", "B"], rule="equalshares-comparison"))
    assert tied.outcome.selected == ["B"]
    assert tied.outcome.details["comparison"]["chosen"] == "equal_shares"


def test_results_hold_no_floats():
    election = make(
        {"A": "33.33", "B": 10}, ["A", "A,B", "B"], budget="50.5", rule="equalshares/add1-comparison"
    )
    count = count_election(election)

    def walk(value):
        """Fail on any float inside nested dicts and lists."""
        assert not isinstance(value, float), value
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(count.summary())
    walk(count.outcome.explanations)
    walk(count.outcome.details)
    assert money(Decimal("2") / Decimal("3")) == "0.66"


# Command line and independence from Django -----------------------------------------------------------------


def test_main_prints_a_json_line_per_file_and_fails_on_a_bad_one(tmp_path):
    good = tmp_path / "good.pb"
    good.write_text(BASE + "a;1\nb;1,2\n", encoding="utf-8")
    bad = tmp_path / "bad.pb"
    bad.write_text(BASE + "a;1\nb;3\n", encoding="utf-8")
    out = io.StringIO()
    status = main(["count", str(bad), str(good), "--json"], out=out)
    assert status == 1
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first == {"file": "bad.pb", "error": "bad.pb line 12: vote names unknown project '3'"}
    assert second["selected"] == ["1", "2"] and second["rule"] == "unknown" and second["official"] is None
    out = io.StringIO()
    assert main(["count", str(good), "--rule", "equalshares"], out=out) == 0
    assert out.getvalue().startswith("good.pb: equalshares, ")


def test_the_engine_imports_no_django():
    code = (
        "import importlib, pkgutil, sys\n"
        "import ideas.counting as package\n"
        "for module in pkgutil.iter_modules(package.__path__):\n"
        "    if module.name != '__main__':\n"
        "        importlib.import_module('ideas.counting.' + module.name)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
