"""Every interface string has a Latvian translation, with Latvian's three plural forms."""

from pathlib import Path

import polib
import pytest

CATALOGUE = Path(__file__).resolve().parent.parent / "site" / "locale" / "lv" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(CATALOGUE))


def test_latvian_catalogue_is_complete(catalogue):
    assert len(catalogue) > 100
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_latvian_plurals_have_three_forms(catalogue):
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=3;")
    plurals = [entry for entry in catalogue if entry.msgid_plural]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == [0, 1, 2], entry.msgid
        assert all(entry.msgstr_plural.values()), entry.msgid


def test_compiled_catalogue_is_up_to_date(catalogue):
    compiled = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    assert {entry.msgid: entry.msgstr for entry in compiled if not entry.msgid_plural} == {
        entry.msgid: entry.msgstr
        for entry in catalogue
        if entry.msgid and not entry.msgid_plural and not entry.obsolete
    }
