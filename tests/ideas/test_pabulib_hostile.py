"""Counting cannot be blocked by input (issue 8): any idea title survives the `.pb` export and the count, and
absurd or inconsistent files are refused fast, with the line, by `pabulib count` and `pabulib import` alike.

The writer (ideas/counting/pabulib.py `format_pb`) writes every cell as its `cell_text`: control characters,
line and paragraph separators and lone surrogates become spaces and surrounding whitespace is dropped, so each
row is one line for our reader and for Pabulib's own tools (which split lines with `str.splitlines`)."""

import csv
import io
import json
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.backends.base.operations import BaseDatabaseOperations
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ideas.counting import ParseError, cell_text, count_election, format_pb, parse_text, read_file
from ideas.counting.cli import main
from ideas.counting.pabulib import AMOUNT_PLACES, MAX_AMOUNT, MAX_POINTS, MAX_THRESHOLD, _split
from ideas.models import BallotRules, BudgetRound, Idea
from ideas.voting.pabulib_io import export_round
from ideas.voting.results import count_round

ROOT = Path(__file__).resolve().parents[2]

# No example database in the working tree; no deadline, since one example may be a long text.
PROPERTY = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Characters that once broke the file or that readers treat specially, mixed into arbitrary Unicode text.
HOSTILE = ["\n", "\r", "\r\n", ";", '"', '""', "\x00", "\t", " ", "#", ",", "\x0b", "\x0c", "\x1c", "\x85"]
HOSTILE += [
    "\u2028",
    "\u2029",
    "\ufeff",
    "\xa0",
    "😀",
    "ā",
    "\ud800",
    "\udfff",
    "META",
    "VOTES",
    "1e100000000",
]
TEXTS = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text()), max_size=12).map("".join)

# Titles the attacker used, and their kin.
TITLES = [
    "Line1\nLine2;…",
    '"',
    '""',
    ";",
    '";"',
    "a\rb",
    "\r\n",
    "nul\x00here",
    "tab\there",
    "emoji 😀🌳 and ā, č, ū",
    "  leading and trailing  ",
    "# not a comment",
    "\u2028line separator\u2029",
    "next line\x85",
    "VOTES",
    "x" * 200_000 + ';"' + "y" * 200_000,  # beyond the csv module's 128 KiB field limit
    "",
]


def normalised(text):
    """The documented normal form, written out independently of cell_text: control characters (Cc), line
    and paragraph separators (Zl, Zp) and lone surrogates (Cs) become spaces; surrounding whitespace goes."""
    blank = {"Cc", "Zl", "Zp", "Cs"}
    return "".join(" " if unicodedata.category(char) in blank else char for char in text).strip()


def project_ids(count):
    return [str(number) for number in range(1, count + 1)]


def write_and_read(titles, ids=None):
    """format_pb a file whose project names (and META description) are `titles`, then parse it back."""
    ids = ids or project_ids(len(titles))
    projects = [
        {"project_id": pid, "cost": 10 + number, "name": title}
        for number, (pid, title) in enumerate(zip(ids, titles, strict=True))
    ]
    votes = [{"voter_id": number + 1, "vote": pid} for number, pid in enumerate(ids)]
    meta = {"description": titles[0] if titles else "", "budget": 1000, "vote_type": "approval"}
    text = format_pb(meta, projects, votes)
    return text, parse_text(text, source="hostile.pb")


def assert_round_trip(titles, ids=None):
    ids = ids or project_ids(len(titles))
    text, election = write_and_read(titles, ids)
    # Every row is one line, also for readers that split with str.splitlines (Pabulib's own tools).
    assert text.splitlines() == text.split("\n")[:-1]
    assert list(election.projects) == [normalised(pid) for pid in ids]
    assert [project.cost for project in election.projects.values()] == [
        Decimal(10 + n) for n in range(len(ids))
    ]
    assert [project.fields["name"] for project in election.projects.values()] == [
        normalised(title) for title in titles
    ]
    if titles:
        assert election.meta["description"] == normalised(titles[0])
    assert election.voters == len(ids)
    # The file counts: every project has one vote and they all fit.
    count = count_election(election, "greedy")
    assert count.outcome.selected == [normalised(pid) for pid in ids]


# Any text survives the export ------------------------------------------------------------------------------


@pytest.mark.parametrize("title", TITLES, ids=lambda title: repr(title[:20]))
def test_hostile_titles_survive_writing_and_reading(title):
    assert_round_trip([title, "Plain"])


def test_the_normalised_form_is_documented_by_examples():
    assert cell_text("Line1\nLine2;…") == "Line1 Line2;…"
    assert cell_text("  padded\t") == "padded"
    assert cell_text("a\x00b\rc\u2028d") == "a b c d"
    assert cell_text("emoji 😀 # ;") == "emoji 😀 # ;"  # printable text is kept as it is
    assert cell_text(None) == ""


@PROPERTY
@given(TEXTS)
def test_cell_text_is_the_documented_normal_form(text):
    assert cell_text(text) == normalised(text)


@PROPERTY
@given(st.lists(TEXTS, min_size=1, max_size=5))
@example(["Line1\nLine2;…"])
def test_any_titles_survive_writing_and_reading(titles):
    assert_round_trip(titles)


@PROPERTY
@given(
    st.lists(
        TEXTS.filter(lambda text: "," not in text and cell_text(text)),
        min_size=1,
        max_size=5,
        unique_by=cell_text,
    )
)
def test_any_project_ids_without_commas_survive_writing_and_reading(ids):
    # A vote lists project ids joined with `,`, so a Pabulib id cannot hold one; Kopā's ids are numbers.
    assert_round_trip([f"Idea {pid}" for pid in ids], ids)


@PROPERTY
@given(st.text(alphabet='a ;"\t'))
def test_the_reader_splits_quoted_lines_like_csv(line):
    # Our splitter (no 128 KiB field limit) agrees with the csv module wherever that reads the line (blank
    # lines are skipped before splitting).
    if not line.strip():
        return
    try:
        expected = next(csv.reader([line], delimiter=";", skipinitialspace=True, strict=True))
    except (csv.Error, StopIteration):
        return
    assert _split("line.pb", 1, line) == [cell.strip() for cell in expected]


def test_an_unclosed_quote_is_still_bad_quoting():
    with pytest.raises(ParseError, match=r"line 3: bad quoting"):
        parse_text('META\nkey;value\nbudget;"100\n')


# Absurd numbers and inconsistent files ---------------------------------------------------------------------

BASE = (
    "META\nkey;value\nbudget;100\nvote_type;cumulative\nrule;greedy\n"
    "PROJECTS\nproject_id;cost\n1;50\n2;30\n"
    "VOTES\nvoter_id;vote;points\na;1,2;3,2\nb;2;5\n"
)
# (what is replaced, by what, the line named, what the error says)
BAD = [
    ("budget;100", "budget;1e100000000", 3, "budget '1e100000000' is above the limit of 9999999999.99"),
    ("budget;100", "budget;-100", 3, "budget '-100' is negative"),
    ("budget;100", "budget;NaN", 3, "budget 'NaN' is not a number"),
    ("budget;100", "budget;Infinity", 3, "budget 'Infinity' is not a number"),
    ("budget;100", "budget;1_000", 3, "budget '1_000' is not a number"),
    ("budget;100", "budget;10000000000", 3, "is above the limit of 9999999999.99"),
    ("1;50", "1;1e100000000", 8, "project '1' has cost '1e100000000', which is above the limit"),
    (
        "1;50",
        "1;1e-100000000",
        8,
        "project '1' has cost '1e-100000000', which has more than 2 decimal places",
    ),
    ("1;50", "1;-50", 8, "project '1' has cost '-50', which is negative"),
    ("1;50", "1;sNaN", 8, "project '1' has cost 'sNaN', which is not a number"),
    ("1;50", "1;-Infinity", 8, "project '1' has cost '-Infinity', which is not a number"),
    ("1;50", "1;50.125", 8, "which has more than 2 decimal places"),
    ("1;50", "1;" + "9" * 5000, 8, "which is too long for a number"),
    ("b;2;5", "b;2;1e100000000", 13, "points '1e100000000' is above the limit of 32767"),
    ("b;2;5", "b;2;-5", 13, "points '-5' is negative"),
    ("b;2;5", "b;2;NaN", 13, "points 'NaN' is not a number"),
    ("b;2;5", "b;2;2.5", 13, "points '2.5' is not a whole number"),
    ("b;2;5", f"b;2;{MAX_POINTS + 1}", 13, "points '32768' is above the limit of 32767"),
    ("b;2;5", "b;2;" + "9" * 5000, 13, "is too long for a number"),
    ("b;2;5", "a;2;5", 13, "voter 'a' appears twice (first on line 12)"),
    ("b;2;5", ";2;5", 13, "vote has no voter_id"),
    (
        "b;2;5",
        "b;" + ",".join(["2"] * 40_000) + ";" + ",".join(["1"] * 40_000),
        13,
        "above the limit of 32767",
    ),
    ("rule;greedy", "min_project_score_threshold;1e100000000", 5, "is above the limit of 2147483647"),
    ("rule;greedy", "min_project_score_threshold;-1", 5, "min_project_score_threshold '-1' is negative"),
    ("rule;greedy", "min_project_score_threshold;1e-100000000", 5, "has more than 30 decimal places"),
    ("1;50", "1;1e999999999999999999999999", 8, "which is not a number"),
]
BAD_IDS = [problem[:30] for _old, _new, _line, problem in BAD]


def bad_text(old, new):
    assert old in BASE
    return BASE.replace(old, new, 1)


def test_the_base_file_counts_and_the_limits_are_what_a_round_stores():
    assert count_election(parse_text(BASE)).tally.score == {"1": 3, "2": 7}
    # Every file that counts also imports: the parser's limits are the fields' limits.
    for field in (Idea._meta.get_field("estimated_cost"), BudgetRound._meta.get_field("total_budget")):
        largest = (
            Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(10) ** -field.decimal_places
        )
        assert (largest, field.decimal_places) == (MAX_AMOUNT, AMOUNT_PLACES)
    # Django's portable ranges (SQLite itself would store any integer).
    ranges = BaseDatabaseOperations.integer_field_ranges
    assert ranges["PositiveSmallIntegerField"] == (0, MAX_POINTS)
    assert ranges["PositiveIntegerField"] == (0, MAX_THRESHOLD)


def test_odd_but_valid_spellings_of_numbers_are_read_exactly():
    text = (
        BASE.replace("budget;100", "budget;1E+3")
        .replace("1;50", "1;1200.000")
        .replace("2;30", "2;0E-100000000")
        .replace("b;2;5", "b;2;+5")
    )
    election = parse_text(text)
    assert election.budget == 1000
    assert [str(project.cost) for project in election.projects.values()] == ["1200.00", "0.00"]
    count = count_election(election)
    assert (count.outcome.selected, str(count.cost)) == (["2"], "0.00")
    assert count.tally.score == {"1": 3, "2": 7}


def test_absurd_numbers_are_refused_fast_by_the_count_command(tmp_path):
    # In a child process with a timeout: the old parser took minutes on `1e100000000`.
    paths = []
    for number, (old, new, _line, _problem) in enumerate(BAD):
        path = tmp_path / f"bad{number}.pb"
        path.write_text(bad_text(old, new), encoding="utf-8")
        paths.append(str(path))
    code = (
        "import json, sys, time\n"
        "from ideas.counting import count_election, read_file\n"
        "for path in sys.argv[1:]:\n"
        "    started = time.perf_counter()\n"
        "    try:\n"
        "        count_election(read_file(path))\n"
        "        error = None\n"
        "    except Exception as caught:\n"
        "        error = [getattr(caught, 'line', None), f'{type(caught).__name__}: {caught}']\n"
        "    print(json.dumps([error, time.perf_counter() - started]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *paths], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(BAD)
    for (error, seconds), (_old, _new, line, problem), path in zip(lines, BAD, paths, strict=True):
        assert error is not None, f"{problem}: not refused"
        assert error[0] == line and problem in error[1], error
        assert error[1].startswith(f"ParseError: {Path(path).name} line {line}: ")
        assert seconds < 0.5, f"{problem}: refused after {seconds:.2f} s"
    # Long cells are cut short in the message.
    assert max(len(error[1]) for error, _seconds in lines) < 300, max(len(e[1]) for e, _s in lines)


@pytest.mark.parametrize(("old", "new", "line", "problem"), BAD, ids=BAD_IDS)
def test_count_and_import_refuse_the_same_files(old, new, line, problem, tmp_path, db):
    path = tmp_path / "bad.pb"
    path.write_text(bad_text(old, new), encoding="utf-8")
    out = io.StringIO()
    assert main(["count", str(path), "--json"], out=out) == 1
    counted = json.loads(out.getvalue())["error"]
    assert counted.startswith(f"bad.pb line {line}: ") and problem in counted
    rounds = BudgetRound.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("pabulib", "import", str(path), stdout=io.StringIO())
    assert str(caught.value) == counted
    assert BudgetRound.objects.count() == rounds


def test_an_unknown_rule_is_counted_with_greedy_by_both_commands_and_they_say_so(tmp_path, db):
    path = tmp_path / "future.pb"
    path.write_text(BASE.replace("rule;greedy", "rule;quadratic-funding"), encoding="utf-8")
    out = io.StringIO()
    assert main(["count", str(path)], out=out) == 0
    assert out.getvalue().startswith("future.pb: quadratic-funding (counted as greedy), 2 selected")
    out = io.StringIO()
    assert main(["count", str(path), "--json"], out=out) == 0
    summary = json.loads(out.getvalue())
    assert summary["rule"] == "quadratic-funding" and summary["counted_as"] == "greedy"
    out = io.StringIO()
    call_command("pabulib", "import", str(path), stdout=out)
    assert (
        "future.pb: rule 'quadratic-funding' is not a Pabulib rule; it is counted with greedy"
        in out.getvalue()
    )
    # A known rule says nothing of the kind, and its summary has no counted_as.
    known = tmp_path / "known.pb"
    known.write_text(BASE, encoding="utf-8")
    out = io.StringIO()
    call_command("pabulib", "import", str(known), stdout=out)
    assert "counted with" not in out.getvalue()
    assert "counted_as" not in count_election(read_file(known)).summary()


def test_meta_limits_with_absurd_numbers_import_as_no_limit(tmp_path, db):
    path = tmp_path / "limits.pb"
    path.write_text(
        BASE.replace("rule;greedy", "max_sum_points;1e100000000\nmax_points;-3"), encoding="utf-8"
    )
    call_command("pabulib", "import", str(path), stdout=io.StringIO())
    rules = BallotRules.objects.get(round=BudgetRound.objects.latest("pk"), area=None)
    assert (rules.points_total, rules.max_points_per_idea) == (None, None)


# A round with hostile titles exports, parses and counts ----------------------------------------------------


@pytest.mark.django_db
def test_a_round_with_hostile_titles_exports_parses_and_counts(tmp_path):
    # An imported round (in its results phase, ballots ready to count) whose ideas then get the titles an
    # attacker gave through the API.
    # Titles an idea can hold: at most 120 characters, and no NUL, which forms and the API refuse
    # (ProhibitNullCharactersValidator) and PostgreSQL cannot store; the pure tests above cover those.
    titles = [title for title in TITLES if len(title) <= 120 and "\x00" not in title]
    projects = "".join(f"{number};{1000 + number}\n" for number in range(1, len(titles) + 1))
    source = tmp_path / "plain.pb"
    source.write_text(
        "META\nkey;value\nbudget;20000\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        f"{projects}VOTES\nvoter_id;vote\n1;1,2\n2;2,3\n3;3\n",
        encoding="utf-8",
    )
    call_command("pabulib", "import", str(source), stdout=io.StringIO())
    budget_round = BudgetRound.objects.latest("pk")
    budget_round.name = 'Round "1";\nspring'
    budget_round.save()
    ideas = list(Idea.objects.filter(round=budget_round).order_by("pk"))
    for idea, title in zip(ideas, titles, strict=True):
        idea.title = title
        idea.save()
    text = export_round(budget_round)
    assert text.splitlines() == text.split("\n")[:-1]
    election = parse_text(text, source="round.pb")
    assert {pid: project.fields["name"] for pid, project in election.projects.items()} == {
        str(idea.pk): cell_text(title) for idea, title in zip(ideas, titles, strict=True)
    }
    assert election.meta["description"] == 'Round "1"; spring'
    # The desk's count parses this same text and counts it.
    result = count_round(budget_round)
    # Everything fits: the two ideas with two votes first, then the rest in file order.
    assert result.outcome["selected"] == [ideas[1].pk, ideas[2].pk, ideas[0].pk] + [
        idea.pk for idea in ideas[3:]
    ]
    assert result.outcome["votes"][str(ideas[1].pk)] == 2
    # The file `pabulib export` writes reads back too.
    target = tmp_path / "round.pb"
    call_command("pabulib", "export", str(budget_round.pk), "--output", str(target), stdout=io.StringIO())
    assert list(read_file(target).projects) == [str(idea.pk) for idea in ideas]
