"""Reading and writing Pabulib `.pb` files (https://pabulib.org/format), exactly and without Django.

A file has three sections in order, META, PROJECTS and VOTES, each a title line, a `;`-separated header row
and rows. Cells use CSV quoting with `"` (an inner quote is `""`), so names may hold `;`. Ballots are grouped
while reading: identical ballots become one `BallotGroup` with a count, which keeps the 60-90k ballot files
small in memory and lets every rule work on the groups instead of on single voters.

Any text survives writing and reading, in a normalised form (`cell_text`): a row is one line, and Pabulib's
own tools split lines with `str.splitlines`, so control characters (line breaks, tabs, NUL, ...), line and
paragraph separators and lone surrogates are written as spaces, and surrounding whitespace is dropped (the
reader strips every cell).

This parser is the one validation of a file, for `pabulib count` and `pabulib import` alike. Besides the
structure it refuses numbers that no real election has and that exact arithmetic cannot afford
(`Decimal("1e100000000")` is finite, but turning it into an int takes minutes): budget and costs are
amounts from 0 to MAX_AMOUNT with at most AMOUNT_PLACES decimals, points are whole numbers from 0 to
MAX_POINTS, a ballot names at most MAX_BALLOT_LENGTH projects, and the score threshold lies in
0..MAX_THRESHOLD. The limits are also what a Kopā round stores (DecimalField(12, 2), PositiveSmallIntegerField,
PositiveIntegerField), so every file that counts also imports. Voter ids are unique. META's rule may be any
name: one that the engine does not know is counted with greedy (ideas/counting/run.py says so).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal", "scoring")
# Ballot types whose ballots carry a `points` column that the tally needs.
POINTS_REQUIRED = ("cumulative", "scoring")
SECTIONS = ("META", "PROJECTS", "VOTES")
# Limits on numbers (see the module docstring); far above any real election.
MAX_AMOUNT = Decimal("9999999999.99")
AMOUNT_PLACES = 2
CENT = Decimal(1).scaleb(-AMOUNT_PLACES)
MAX_POINTS = 32767
MAX_BALLOT_LENGTH = 32767
MAX_THRESHOLD = 2**31 - 1
# A number is written plainly: ASCII digits, an optional sign, point and exponent, in a few characters.
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NUMBER_CHARS = 40
# The magnitude (power of ten) beyond which parse_number gives up: far beyond any count, still cheap.
MAX_MAGNITUDE = 30
# Unicode categories written as spaces: control characters, line and paragraph separators, surrogates.
BLANKED = frozenset({"Cc", "Zl", "Zp", "Cs"})

Points = int | Fraction


class ParseError(ValueError):
    """A `.pb` file that cannot be read; the message names the file and, where known, the line."""

    def __init__(self, source: str, line: int | None, problem: str):
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source} line {line}" if line else source
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Project:
    """One PROJECTS row: its id (always a string), exact cost, line in the file, and every cell by column."""

    id: str
    cost: Decimal
    line: int
    fields: Mapping[str, str]


class BallotGroup(NamedTuple):
    """Identical ballots: the project ids in ballot order, their points (None without a points column that
    the vote type uses) and how many voters cast exactly this ballot."""

    ids: tuple[str, ...]
    points: tuple[Points, ...] | None
    count: int


@dataclass
class Election:
    """A parsed `.pb` file: META, projects in file order, grouped ballots and the number of voters."""

    source: str
    meta: dict[str, str]
    projects: dict[str, Project]
    project_columns: tuple[str, ...]
    vote_columns: tuple[str, ...]
    ballots: list[BallotGroup]
    voters: int
    budget: Decimal
    vote_type: str
    rule: str
    threshold: Fraction | None = None
    meta_lines: dict[str, int] = field(default_factory=dict)

    def column(self, name: str) -> dict[str, str] | None:
        """A PROJECTS column as {project id: cell}, or None when the file has no such column."""
        if name not in self.project_columns:
            return None
        return {pid: project.fields.get(name, "") for pid, project in self.projects.items()}


def read_file(path: str | Path) -> Election:
    """Parse the `.pb` file at `path`; a bad file raises ParseError naming the file (and line)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ParseError(path.name, None, f"cannot be read ({error.strerror or error})") from error
    return parse_bytes(raw, source=path.name)


def parse_bytes(raw: bytes, source: str = "<bytes>") -> Election:
    """Parse the bytes of a `.pb` file (UTF-8, an optional BOM)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ParseError(source, line, "is not valid UTF-8") from error
    return parse_text(text, source=source)


def _decimal(text: str) -> Decimal | None:
    """The number written plainly in `text` (see NUMBER, at most NUMBER_CHARS characters), or None; NaN and
    Infinity are not numbers. Its size is not checked: callers bound `adjusted()` before any arithmetic."""
    if len(text) > NUMBER_CHARS or not NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # an exponent beyond what Decimal can hold at all
        return None


def _not_a_number(text: str) -> str:
    """Why `text` is not a number (_decimal gave None), to follow the quoted cell in an error."""
    return "is too long for a number" if len(text) > NUMBER_CHARS else "is not a number"


def _places(value: Decimal) -> int:
    """The decimal places `value` needs: `12.50` needs 1, `1E+3` none."""
    _sign, digits, exponent = value.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    if not significant:
        return 0
    return max(0, -(exponent + len(digits) - len(significant)))


def _shown(text: str) -> str:
    """A cell quoted for an error message, cut short when long."""
    return repr(text if len(text) <= 50 else text[:50] + "...")


def _amount(text: str) -> tuple[Decimal | None, str]:
    """A budget or cost: (the amount, "") or (None, what is wrong with it, to follow the quoted cell)."""
    value = _decimal(text)
    if value is None:
        return None, _not_a_number(text)
    if value < 0:
        return None, "is negative"
    # adjusted() is the power of ten of the leading digit: checked before any comparison that could expand it.
    if value.adjusted() > MAX_AMOUNT.adjusted() or value > MAX_AMOUNT:
        return None, f"is above the limit of {MAX_AMOUNT}"
    if _places(value) > AMOUNT_PLACES:
        return None, f"has more than {AMOUNT_PLACES} decimal places"
    if value.as_tuple().exponent < -AMOUNT_PLACES:
        # `1200.000` or `0E-100000000`: the same amount in cents, so no sum drags a long exponent along.
        value = value.quantize(CENT)
    return value, ""


def _points(text: str) -> tuple[int | None, str]:
    """One entry of a points cell: (whole points, "") or (None, what is wrong with them)."""
    if text.isascii() and text.isdigit() and len(text) <= 5:
        value = int(text)
        return (value, "") if value <= MAX_POINTS else (None, f"is above the limit of {MAX_POINTS}")
    number = _decimal(text)
    if number is None:
        return None, _not_a_number(text)
    if number < 0:
        return None, "is negative"
    if number.adjusted() > 4 or number > MAX_POINTS:
        return None, f"is above the limit of {MAX_POINTS}"
    if _places(number) > 0:
        return None, "is not a whole number"
    return int(number), ""


def parse_number(text: str) -> Points | None:
    """A cell as an exact number (int when whole), or None when it is not a number or its magnitude is absurd
    (beyond 10**MAX_MAGNITUDE either way, except zero)."""
    value = _decimal(text)
    if value is None:
        return None
    if value and abs(value.adjusted()) > MAX_MAGNITUDE:
        return None
    return int(value) if _places(value) == 0 else Fraction(value)


def cell_text(value: object) -> str:
    """What a value becomes in a `.pb` cell, and so what reading the file gives back: `str(value)` with
    control characters, line and paragraph separators and lone surrogates replaced by spaces, and without
    surrounding whitespace ("" for None). Used by format_pb; see the module docstring for why."""
    text = "" if value is None else str(value)
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(char) in BLANKED else char for char in text)
    return text.strip()


def _split(source: str, number: int, line: str) -> list[str]:
    """The stripped cells of one line: a plain split when it holds no quote, else CSV quoting (a cell that
    starts with `"` runs to the next lone `"`, with `""` for a quote inside; any length, no line break)."""
    if '"' not in line:
        return [cell.strip() for cell in line.split(";")]
    line = line.rstrip("\r")
    cells = []
    start, end = 0, len(line)
    while True:
        while start < end and line[start] == " ":
            start += 1
        if line.startswith('"', start):
            parts, cursor = [], start + 1
            while True:
                close = line.find('"', cursor)
                if close < 0:
                    raise ParseError(source, number, "bad quoting (a quoted cell is not closed)")
                parts.append(line[cursor:close])
                if not line.startswith('"', close + 1):
                    break
                parts.append('"')
                cursor = close + 2
            delimiter = line.find(";", close + 1)
            after = line[close + 1 : delimiter if delimiter >= 0 else end]
            if after.strip():
                raise ParseError(source, number, "bad quoting (';' expected after a closing '\"')")
            cell = "".join(parts)
        else:
            delimiter = line.find(";", start)
            cell = line[start : delimiter if delimiter >= 0 else end]
        cells.append(cell.strip())
        if delimiter < 0:
            return cells
        start = delimiter + 1


@dataclass
class _Section:
    """A section while reading: its title line, header row and line, and rows (VOTES keeps none here)."""

    title_line: int
    header: list[str] = field(default_factory=list)
    header_line: int = 0
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def _title(cells: list[str]) -> str | None:
    """The section name when the row is a section title line, else None."""
    return cells[0] if cells[0] in SECTIONS and not any(cells[1:]) else None


def parse_text(text: str, source: str = "<text>") -> Election:
    """Parse the text of a `.pb` file; `source` names it in errors (usually the file name)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    # Only LF splits lines: CRLF leaves a `\r` that stripping the last cell removes.
    lines = text.split("\n")
    sections: dict[str, _Section] = {}
    current: str | None = None
    votes_start = None
    for index, line in enumerate(lines):
        number = index + 1
        if not line.strip():
            continue
        cells = _split(source, number, line)
        if not any(cells):
            continue
        title = _title(cells)
        if title:
            _check_order(source, number, title, sections)
            current = title
            sections[title] = _Section(number)
            continue
        if current is None:
            raise ParseError(source, number, "expected the META section title first")
        section = sections[current]
        if not section.header:
            section.header, section.header_line = cells, number
            if current == "VOTES":
                # The long section is read by its own fast loop.
                votes_start = index + 1
                break
        else:
            section.rows.append((number, cells))
    for name in SECTIONS:
        if name not in sections:
            raise ParseError(source, None, f"has no {name} section")
        if not sections[name].header:
            raise ParseError(source, sections[name].title_line, f"section {name} has no header row")

    meta, meta_lines = _parse_meta(source, sections["META"])
    if "budget" not in meta:
        raise ParseError(source, sections["META"].title_line, "META has no budget")
    budget, problem = _amount(meta["budget"])
    if budget is None:
        raise ParseError(source, meta_lines["budget"], f"budget {_shown(meta['budget'])} {problem}")
    vote_type = meta.get("vote_type", "approval").lower()
    if vote_type not in VOTE_TYPES:
        raise ParseError(source, meta_lines.get("vote_type"), f"unknown vote_type {meta['vote_type']!r}")
    threshold = None
    if meta.get("min_project_score_threshold"):
        threshold = _threshold(source, meta_lines["min_project_score_threshold"], meta)

    project_columns, projects = _parse_projects(source, sections["PROJECTS"])
    vote_columns, ballots, voters = _parse_votes(source, vote_type, projects, lines, votes_start, sections)
    return Election(
        source=source,
        meta=meta,
        projects=projects,
        project_columns=project_columns,
        vote_columns=vote_columns,
        ballots=ballots,
        voters=voters,
        budget=budget,
        vote_type=vote_type,
        rule=meta.get("rule", "") or "unknown",
        threshold=threshold,
        meta_lines=meta_lines,
    )


def _threshold(source: str, line: int, meta: dict[str, str]) -> Fraction:
    """META's min_project_score_threshold: a number from 0 to MAX_THRESHOLD (fractions allowed)."""
    text = meta["min_project_score_threshold"]
    value = _decimal(text)
    if value is None:
        problem = _not_a_number(text)
    elif value < 0:
        problem = "is negative"
    elif value.adjusted() > 9 or value > MAX_THRESHOLD:
        problem = f"is above the limit of {MAX_THRESHOLD}"
    elif _places(value) > MAX_MAGNITUDE:
        # A fraction with a denominator of 10**100000000 would take minutes to build.
        problem = f"has more than {MAX_MAGNITUDE} decimal places"
    else:
        return Fraction(value)
    raise ParseError(source, line, f"min_project_score_threshold {_shown(text)} {problem}")


def _check_order(source: str, number: int, title: str, sections: dict) -> None:
    """Fail on a section title that repeats or comes out of order."""
    if title in sections:
        raise ParseError(source, number, f"section {title} appears twice")
    expected = SECTIONS[len(sections)]
    if title != expected:
        raise ParseError(source, number, f"section {title} comes before {expected}")


def _check_width(source: str, line: int, cells: list[str], header: list[str]) -> list[str]:
    """The row padded to the header's width (missing trailing cells are empty); more cells is an error."""
    if len(cells) > len(header):
        raise ParseError(source, line, f"has {len(cells)} cells but the header has {len(header)}")
    if len(cells) < len(header):
        cells = cells + [""] * (len(header) - len(cells))
    return cells


def _require(source: str, line: int, header: list[str], section: str, names: Sequence[str]) -> None:
    """Fail on a header row that lacks one of the mandatory columns."""
    for name in names:
        if name not in header:
            raise ParseError(source, line, f"{section} header has no {name!r} column")
    if len(set(header)) != len(header):
        raise ParseError(source, line, f"{section} header repeats a column")


def _parse_meta(source: str, section: _Section) -> tuple[dict, dict]:
    """META rows as {key: value} and {key: line}."""
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    # The header row itself is `key;value`; anything else means the rows start without one.
    if [cell.lower() for cell in section.header[:2]] != ["key", "value"]:
        raise ParseError(source, section.header_line, "META header must be 'key;value'")
    for line, cells in section.rows:
        if len(cells) > 2 and any(cells[2:]):
            raise ParseError(source, line, "META row has more than key and value")
        key = cells[0]
        meta[key] = cells[1] if len(cells) > 1 else ""
        lines[key] = line
    return meta, lines


def _parse_projects(source: str, section: _Section):
    """PROJECTS rows as {id: Project} in file order."""
    header = section.header
    _require(source, section.header_line, header, "PROJECTS", ("project_id", "cost"))
    id_index, cost_index = header.index("project_id"), header.index("cost")
    projects: dict[str, Project] = {}
    for line, cells in section.rows:
        cells = _check_width(source, line, cells, header)
        pid = cells[id_index]
        if not pid:
            raise ParseError(source, line, "project has no id")
        if pid in projects:
            raise ParseError(
                source, line, f"project {_shown(pid)} appears twice (first on line {projects[pid].line})"
            )
        cost, problem = _amount(cells[cost_index])
        if cost is None:
            raise ParseError(
                source, line, f"project {_shown(pid)} has cost {_shown(cells[cost_index])}, which {problem}"
            )
        projects[pid] = Project(pid, cost, line, dict(zip(header, cells, strict=True)))
    return tuple(header), projects


def _parse_votes(source, vote_type, projects, lines, start, sections):
    """Grouped ballots and the number of voters, from the lines after the VOTES header.

    Identical (vote, points) cells are counted first and each distinct one is parsed once; a problem is
    reported at the first line that shows it. Voter ids are checked line by line: each once, none empty.
    """
    header, header_line = sections["VOTES"].header, sections["VOTES"].header_line
    _require(source, header_line, header, "VOTES", ("voter_id", "vote"))
    width = len(header)
    vote_index, voter_index = header.index("vote"), header.index("voter_id")
    uses_points = vote_type in POINTS_REQUIRED or (vote_type == "ordinal" and "points" in header)
    if vote_type in POINTS_REQUIRED and "points" not in header:
        raise ParseError(source, header_line, f"{vote_type} VOTES need a 'points' column")
    points_index = header.index("points") if uses_points else -1
    needed = max(vote_index, points_index, voter_index) + 1

    raw: dict[tuple[str, str], list[int]] = {}
    voter_lines: dict[str, int] = {}
    for index in range(start or len(lines), len(lines)):
        line = lines[index]
        cells = line.split(";") if '"' not in line else _split(source, index + 1, line)
        if len(cells) < needed or not cells[vote_index].strip():
            stripped = [cell.strip() for cell in cells]
            if not any(stripped):
                continue  # a blank line
            title = _title(stripped)
            if title:
                _check_order(source, index + 1, title, sections)
            cells = stripped + [""] * (needed - len(stripped))
        elif len(cells) > width:
            _check_width(source, index + 1, cells, header)
        voter = cells[voter_index].strip()
        first = voter_lines.setdefault(voter, index + 1)
        if first != index + 1:
            raise ParseError(
                source, index + 1, f"voter {_shown(voter)} appears twice (first on line {first})"
            )
        if not voter:
            raise ParseError(source, index + 1, "vote has no voter_id")
        key = (cells[vote_index].strip(), cells[points_index].strip() if points_index >= 0 else "")
        seen = raw.get(key)
        if seen is None:
            raw[key] = [index + 1, 1]
        else:
            seen[1] += 1

    groups: dict[tuple, int] = {}
    voters = 0
    known = frozenset(projects)
    read_points: dict[str, int] = {}
    for (vote, points_cell), (line, count) in raw.items():
        ids = tuple(vote.split(",")) if vote else ()
        if len(ids) > MAX_BALLOT_LENGTH:
            raise ParseError(
                source, line, f"vote names {len(ids)} projects, above the limit of {MAX_BALLOT_LENGTH}"
            )
        if not known.issuperset(ids):
            ids = tuple(item.strip() for item in ids)  # spaces around commas are allowed, just rare
            for pid in ids:
                if pid not in known:
                    if not pid:
                        raise ParseError(source, line, f"vote {_shown(vote)} has an empty project id")
                    raise ParseError(source, line, f"vote names unknown project {_shown(pid)}")
        points = None
        if points_index >= 0:
            items = [item.strip() for item in points_cell.split(",")] if points_cell else []
            if len(items) != len(ids):
                raise ParseError(
                    source, line, f"vote names {len(ids)} projects but gives {len(items)} points"
                )
            values = []
            for item in items:
                value = read_points.get(item)
                if value is None:
                    value, problem = _points(item)
                    if value is None:
                        raise ParseError(source, line, f"points {_shown(item)} {problem}")
                    read_points[item] = value
                values.append(value)
            points = tuple(values)
        key = (ids, points)
        groups[key] = groups.get(key, 0) + count
        voters += count
    ballots = [BallotGroup(ids, points, count) for (ids, points), count in groups.items()]
    return tuple(header), ballots, voters


def _cell(value: object) -> str:
    """A value written as a `.pb` cell: its cell_text, quoted when it holds `;` or a quote."""
    text = cell_text(value)
    if ";" in text or '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def format_pb(
    meta: Mapping[str, object],
    projects: Sequence[Mapping[str, object]],
    votes: Sequence[Mapping[str, object]],
) -> str:
    """A `.pb` file's text from META items, PROJECTS rows and VOTES rows (dicts; the first row's keys, or
    `project_id;cost` and `voter_id;vote`, give the header). List cells are written as given: join them
    with `,` before calling. Every cell is written as its cell_text, so any text reads back (normalised)."""
    lines = ["META", "key;value"]
    lines += [f"{_cell(key)};{_cell(value)}" for key, value in meta.items()]
    for title, rows, required in (
        ("PROJECTS", projects, ("project_id", "cost")),
        ("VOTES", votes, ("voter_id", "vote")),
    ):
        columns = list(rows[0]) if rows else list(required)
        lines += [title, ";".join(_cell(column) for column in columns)]
        lines += [";".join(_cell(row.get(column, "")) for column in columns) for row in rows]
    return "\n".join(lines) + "\n"
