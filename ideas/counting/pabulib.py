"""Reading and writing Pabulib `.pb` files (https://pabulib.org/format), exactly and without Django.

A file has three sections in order, META, PROJECTS and VOTES, each a title line, a `;`-separated header row
and rows. Cells use CSV quoting with `"` (an inner quote is `""`), so names may hold `;`. Ballots are grouped
while reading: identical ballots become one `BallotGroup` with a count, which keeps the 60-90k ballot files
small in memory and lets every rule work on the groups instead of on single voters.
"""

from __future__ import annotations

import csv
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
    """The finite decimal number written in `text`, or None."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_number(text: str) -> Points | None:
    """A points cell as an exact number (int when whole), or None when it is not a number."""
    try:
        return int(text)
    except ValueError:
        value = _decimal(text)
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else Fraction(value)


def _split(source: str, number: int, line: str) -> list[str]:
    """The stripped cells of one line: a plain split when it holds no quote, else CSV rules (a quoted cell
    may hold `;` and `""` but no line break)."""
    if '"' not in line:
        return [cell.strip() for cell in line.split(";")]
    try:
        cells = next(csv.reader([line.rstrip("\r")], delimiter=";", skipinitialspace=True, strict=True))
    except csv.Error as error:
        raise ParseError(source, number, f"bad quoting ({error})") from error
    return [cell.strip() for cell in cells]


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
    budget = _decimal(meta.get("budget", ""))
    if "budget" not in meta:
        raise ParseError(source, sections["META"].title_line, "META has no budget")
    if budget is None or budget < 0:
        raise ParseError(source, meta_lines["budget"], f"budget {meta['budget']!r} is not a number >= 0")
    vote_type = meta.get("vote_type", "approval").lower()
    if vote_type not in VOTE_TYPES:
        raise ParseError(source, meta_lines.get("vote_type"), f"unknown vote_type {meta['vote_type']!r}")
    threshold = None
    if meta.get("min_project_score_threshold"):
        value = parse_number(meta["min_project_score_threshold"])
        if value is None:
            raise ParseError(
                source,
                meta_lines["min_project_score_threshold"],
                "min_project_score_threshold is not a number",
            )
        threshold = Fraction(value)

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
                source, line, f"project {pid!r} appears twice (first on line {projects[pid].line})"
            )
        cost = _decimal(cells[cost_index])
        if cost is None or cost < 0:
            raise ParseError(
                source, line, f"project {pid!r} has cost {cells[cost_index]!r}, not a number >= 0"
            )
        projects[pid] = Project(pid, cost, line, dict(zip(header, cells, strict=True)))
    return tuple(header), projects


def _parse_votes(source, vote_type, projects, lines, start, sections):
    """Grouped ballots and the number of voters, from the lines after the VOTES header.

    Identical (vote, points) cells are counted first and each distinct one is parsed once; a problem is
    reported at the first line that shows it.
    """
    header, header_line = sections["VOTES"].header, sections["VOTES"].header_line
    _require(source, header_line, header, "VOTES", ("voter_id", "vote"))
    width = len(header)
    vote_index = header.index("vote")
    uses_points = vote_type in POINTS_REQUIRED or (vote_type == "ordinal" and "points" in header)
    if vote_type in POINTS_REQUIRED and "points" not in header:
        raise ParseError(source, header_line, f"{vote_type} VOTES need a 'points' column")
    points_index = header.index("points") if uses_points else -1
    needed = max(vote_index, points_index) + 1

    raw: dict[tuple[str, str], list[int]] = {}
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
        key = (cells[vote_index].strip(), cells[points_index].strip() if points_index >= 0 else "")
        seen = raw.get(key)
        if seen is None:
            raw[key] = [index + 1, 1]
        else:
            seen[1] += 1

    groups: dict[tuple, int] = {}
    voters = 0
    known = frozenset(projects)
    for (vote, points_cell), (line, count) in raw.items():
        ids = tuple(vote.split(",")) if vote else ()
        if not known.issuperset(ids):
            ids = tuple(item.strip() for item in ids)  # spaces around commas are allowed, just rare
            for pid in ids:
                if pid not in known:
                    if not pid:
                        raise ParseError(source, line, f"vote {vote!r} has an empty project id")
                    raise ParseError(source, line, f"vote names unknown project {pid!r}")
        points = None
        if points_index >= 0:
            items = [item.strip() for item in points_cell.split(",")] if points_cell else []
            if len(items) != len(ids):
                raise ParseError(
                    source, line, f"vote names {len(ids)} projects but gives {len(items)} points"
                )
            values = []
            for item in items:
                value = parse_number(item)
                if value is None:
                    raise ParseError(source, line, f"points {item!r} is not a number")
                values.append(value)
            points = tuple(values)
        key = (ids, points)
        groups[key] = groups.get(key, 0) + count
        voters += count
    ballots = [BallotGroup(ids, points, count) for (ids, points), count in groups.items()]
    return tuple(header), ballots, voters


def _cell(value: object) -> str:
    """A value written as a `.pb` cell, quoted when it holds `;`, a quote or a line break."""
    text = "" if value is None else str(value)
    if any(char in text for char in ';"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def format_pb(
    meta: Mapping[str, object],
    projects: Sequence[Mapping[str, object]],
    votes: Sequence[Mapping[str, object]],
) -> str:
    """A `.pb` file's text from META items, PROJECTS rows and VOTES rows (dicts; the first row's keys, or
    `project_id;cost` and `voter_id;vote`, give the header). List cells are written as given: join them
    with `,` before calling."""
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
