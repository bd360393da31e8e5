"""The light Latvian stemmer and word forms behind site search (ideas/text/latvian.py)."""

import pytest

from ideas.text.latvian import stem, word_forms, words


@pytest.mark.parametrize(
    "forms",
    [
        ["seniori", "senioriem", "senioru", "seniors", "seniora", "seniorus"],
        ["skola", "skolas", "skolai", "skolu", "skolā", "skolām", "skolās"],
        ["brālis", "brāļa", "brāļu", "brāļiem", "brālim"],
        ["soliņš", "soliņi", "soliņu", "soliņiem"],
        ["ābele", "ābeles", "ābeļu", "ābelēm"],
        ["koks", "koki", "koku", "kokiem", "kokus"],
    ],
)
def test_the_forms_of_a_word_share_one_stem(forms):
    assert len({stem(form) for form in forms}) == 1, {form: stem(form) for form in forms}


def test_different_words_keep_different_stems():
    assert stem("skola") != stem("skolēns")
    assert stem("parks") != stem("park") + "s"


def test_short_words_are_left_alone():
    assert stem("un") == "un"
    assert stem("ar") == "ar"
    assert stem("iela") == "iel"


def test_word_forms_start_with_the_word_and_include_the_common_forms():
    forms = word_forms("Seniori")
    assert forms[0] == "seniori"
    assert {"senioriem", "senioru", "seniors", "seniorus"} <= set(forms)
    assert {"brāļu", "brāļiem", "brālis"} <= set(word_forms("brālis"))
    assert all(stem(form) == "senior" for form in forms)


def test_words_are_split_on_anything_but_letters_and_digits():
    assert words("Soliņi, senioriem; 2026. gads!") == ["soliņi", "senioriem", "2026", "gads"]
