"""The `pabulib` command line, shared by `manage.py pabulib` and `python -m ideas.counting`.

`count FILE [FILE ...] [--rule RULE] [--json]` counts each file without any database. With `--json` it
prints one JSON line per file (see `Count.summary`), or `{"file": ..., "error": ...}` for a file that cannot
be counted; without it, one readable line per file. A rule the engine does not know is counted with greedy,
and both forms say so (`counted_as`). The other files are still counted after a failure, and
the exit status is 1 when any file failed. Further subcommands can be added next to `count`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .pabulib import ParseError, read_file
from .run import RULES, count_election


def add_count_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of the `count` subcommand."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="Pabulib .pb files to count")
    parser.add_argument("--rule", choices=RULES, help="count with this rule instead of the file's own")
    parser.add_argument("--json", action="store_true", help="print one JSON line per file")


def _text_line(summary: dict) -> str:
    """A readable one-line summary of a counted file."""
    if summary["matches_official"] is True:
        verdict = "matches the official result"
    elif summary["matches_official"] is False:
        verdict = "DIFFERS from the official result"
    elif summary["official"] is None:
        verdict = "no official result in the file"
    else:
        verdict = "not verifiable"
    rule = summary["rule"]
    if "counted_as" in summary:
        rule = f"{rule} (counted as {summary['counted_as']})"
    return (
        f"{summary['file']}: {rule}, {len(summary['selected'])} selected, "
        f"cost {summary['cost']} of {summary['budget']}; {verdict}"
    )


def run_count(files: Sequence[str], rule: str | None, as_json: bool, out: TextIO) -> int:
    """Count each file and print its line; returns the exit status (1 when any file failed)."""
    failed = 0
    for name in files:
        try:
            summary = count_election(read_file(name), rule).summary()
        except (ParseError, ValueError) as error:
            failed += 1
            summary = {"file": Path(name).name, "error": str(error)}
            out.write(
                (json.dumps(summary, ensure_ascii=False) if as_json else f"{name}: error: {error}") + "\n"
            )
            continue
        out.write((json.dumps(summary, ensure_ascii=False) if as_json else _text_line(summary)) + "\n")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    """The standalone parser, with the same subcommands as `manage.py pabulib`."""
    parser = argparse.ArgumentParser(prog="pabulib", description="Pabulib participatory-budgeting files")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_count_arguments(actions.add_parser("count", help="count files without the database"))
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit status."""
    options = build_parser().parse_args(argv)
    return run_count(options.files, options.rule, options.json, out or sys.stdout)
