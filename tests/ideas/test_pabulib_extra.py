"""The counting engine on real elections that are not in shared/: Pabulib files from the public repository
pabulib/pabulib_files (pabulib.org), listed with their source commit and SHA-256 in pabulib_extra.json.

The files are not in this repository. Put them in a folder (by default `extra_pb` beside the project, or set
PABULIB_EXTRA_DIR) to run these tests; without them the tests skip. For each listed file: the tally equals the
file's own `votes`/`score` columns, and a file whose stated rule is derivable from it reproduces its official
`selected` column. The list records which files are verifiable; whether they match is computed, never stored.
"""

import hashlib
import json
import os
from pathlib import Path

import pytest

from ideas.counting import column_mismatches, count_election, count_votes, read_file

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(os.environ.get("PABULIB_EXTRA_DIR", ROOT.parent / "extra_pb"))
MANIFEST = json.loads((Path(__file__).with_name("pabulib_extra.json")).read_text(encoding="utf-8"))
FILES = MANIFEST["files"]

pytestmark = pytest.mark.skipif(
    not FOLDER.is_dir(),
    reason=f"the extra Pabulib files are not at {FOLDER} (set PABULIB_EXTRA_DIR; see pabulib_extra.json)",
)


def load(entry):
    path = FOLDER / entry["file"]
    if not path.is_file():
        pytest.skip(f"{entry['file']} is not in {FOLDER}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
        pytest.skip(f"{entry['file']} in {FOLDER} is another version than the one listed")
    return read_file(path)


@pytest.mark.parametrize("entry", FILES, ids=lambda entry: entry["file"])
def test_tally_equals_the_files_columns(entry):
    election = load(entry)
    assert column_mismatches(election, count_votes(election)) == []


@pytest.mark.parametrize("entry", FILES, ids=lambda entry: entry["file"])
def test_every_verifiable_file_reproduces_its_official_result(entry):
    count = count_election(load(entry))
    assert count.verifiable is entry["verifiable"]
    if count.verifiable:
        assert count.matches_official is True, (count.rule, count.outcome.selected, count.official)
    else:
        assert count.matches_official is None


def test_the_list_is_not_empty_and_names_its_sources():
    assert len(FILES) >= 40
    assert all(len(entry["commit"]) == 40 for entry in FILES)
    assert len({entry["file"] for entry in FILES}) == len(FILES)
    shared = ROOT.parent / "shared" / "pabulib"
    if shared.is_dir():
        assert not {entry["file"] for entry in FILES} & {path.name for path in shared.glob("*.pb")}
