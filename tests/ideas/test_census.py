"""The census list import: keyed hashes only, all-or-nothing on bad rows, updates on a second run."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ideas.models import CensusEntry
from ideas.voting import keys

pytestmark = pytest.mark.django_db


def write(tmp_path, text):
    path = tmp_path / "census.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_census_is_stored_as_keyed_hashes(tmp_path):
    path = write(
        tmp_path, "personal_code,area,birth_year\n010203-12345,kekava,1980\n05050512345,balozi,2009\n"
    )
    before = CensusEntry.objects.count()  # the demo's made-up voters are on the list already
    call_command("import_census", path, stdout=io.StringIO())
    assert CensusEntry.objects.count() == before + 2
    people = {keys.person_key("010203-12345"), keys.person_key("050505-12345")}
    stored = set(CensusEntry.objects.filter(person_key__in=people).values_list("person_key", flat=True))
    assert stored == people
    assert not any("12345" in value for value in stored)


def test_a_bad_row_imports_nothing_and_names_its_line(tmp_path):
    path = write(
        tmp_path, "personal_code,area,birth_year\n010203-12345,kekava,1980\nnot-a-code,kekava,1990\n"
    )
    before = CensusEntry.objects.count()
    with translation.override("en"), pytest.raises(CommandError, match="line 3"):
        call_command("import_census", path, stdout=io.StringIO())
    assert CensusEntry.objects.count() == before
    assert not CensusEntry.objects.filter(person_key=keys.person_key("010203-12345")).exists()


def test_a_second_run_updates_and_replace_removes(tmp_path):
    call_command(
        "import_census",
        write(tmp_path, "personal_code,area,birth_year\n010203-12345,kekava,1980\n"),
        stdout=io.StringIO(),
    )
    call_command(
        "import_census",
        write(
            tmp_path, "personal_code,area,birth_year\n010203-12345,baldone,1980\n020304-12345,kekava,1970\n"
        ),
        "--replace",
        stdout=io.StringIO(),
    )
    assert CensusEntry.objects.get(person_key=keys.person_key("010203-12345")).area.code == "baldone"
    call_command(
        "import_census",
        write(tmp_path, "personal_code,area,birth_year\n020304-12345,kekava,1970\n"),
        "--replace",
        stdout=io.StringIO(),
    )
    assert list(CensusEntry.objects.values_list("birth_year", flat=True)) == [1970]
