"""Latvian word forms for site search: a light suffix stemmer and the word forms that share a stem.

No Django imports. Why this exists: PostgreSQL 15 ships Snowball stemmers for some 30 languages but none for
Latvian (`\\dFd` lists lithuanian_stem, no latvian_stem; Snowball itself has no Latvian algorithm), and SQLite's
FTS5 only lower-cases and drops diacritics. So "seniori" would never find "senioriem", nor "skola" "skolas".

The stemmer is a light one in the manner of Kreslins' Latvian stemmer (1996; the one Lucene's LatvianStemmer
follows): remove the longest matching inflectional ending when enough of the word is left, and undo the
consonant change (palatalisation) some endings bring ("brāļu" → "brāl"); a stem always ends in the plain
consonant, so that "soliņš" and "soliņi" share "solin".

Search uses it on the query only (home/search.py): each word becomes the set of its forms, i.e. its stem with
every nominal ending, and with its last consonant palatalised. The full-text index stays as
the search backend built it, on PostgreSQL and SQLite alike, and needs no rebuild.
"""

from __future__ import annotations

import re

VOWELS = frozenset("aeiouāēīōū")

# (ending, vowels the word must have more of than this, whether the ending palatalises the stem), longest first
# within the same tail so that "senioriem" loses "iem", not "m".
ENDINGS = (
    ("ajiem", 3, False),
    ("ajai", 3, False),
    ("ajam", 2, False),
    ("ajām", 2, False),
    ("ajos", 2, False),
    ("ajās", 2, False),
    ("iem", 2, True),
    ("ajā", 2, False),
    ("ais", 2, False),
    ("ai", 2, False),
    ("ei", 2, False),
    ("ām", 1, False),
    ("am", 1, False),
    ("ēm", 1, False),
    ("īm", 1, False),
    ("im", 1, False),
    ("um", 1, False),
    ("us", 1, True),
    ("as", 1, False),
    ("ās", 1, False),
    ("es", 1, False),
    ("os", 1, True),
    ("ij", 1, False),
    ("īs", 1, False),
    ("ēs", 1, False),
    ("is", 1, False),
    ("ie", 1, False),
    ("u", 1, True),
    ("a", 1, True),
    ("i", 1, True),
    ("e", 1, False),
    ("ā", 1, False),
    ("ē", 1, False),
    ("ī", 1, False),
    ("ū", 1, False),
    ("o", 1, False),
    ("s", 0, False),
    ("š", 0, False),
)

# Plain consonant (cluster) at the end of a stem -> its palatalised form before a palatalising ending.
PALATALISED = (
    ("sn", "šņ"),
    ("zn", "žņ"),
    ("sl", "šļ"),
    ("zl", "žļ"),
    ("ln", "ļņ"),
    ("ll", "ļļ"),
    ("nn", "ņņ"),
    ("st", "š"),
    ("p", "pj"),
    ("b", "bj"),
    ("m", "mj"),
    ("v", "vj"),
    ("c", "č"),
    ("l", "ļ"),
    ("n", "ņ"),
)

MIN_STEM = 3  # an ending is only removed when at least this many letters stay
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _vowels(word: str) -> int:
    return sum(1 for char in word if char in VOWELS)


def _unpalatalise(stem: str, ending: str) -> str:
    """The plain stem of a palatalised one ("brāļ" + "u" → "brāl")."""
    if ending == "u":
        # Only the genitive plural turns "st" into "š" and "nn" into "ņņ".
        if stem.endswith("š") and not stem.endswith(("šņ", "šļ")):
            return stem[:-1] + "st"
        if stem.endswith("ņņ"):
            return stem[:-2] + "nn"
    if stem.endswith(("pj", "bj", "mj", "vj")):
        return stem[:-1]
    for plain, changed in PALATALISED:
        if len(changed) == 2 and stem.endswith(changed) and changed not in ("pj", "bj", "mj", "vj"):
            return stem[: -len(changed)] + plain
    if stem.endswith("č"):
        return stem[:-1] + "c"
    if stem.endswith("ļ"):
        return stem[:-1] + "l"
    if stem.endswith("ņ"):
        return stem[:-1] + "n"
    return stem


def stem(word: str) -> str:
    """The stem of one word, lower-cased: "Seniori" → "senior", "skolām" → "skol", "brāļu" → "brāl"."""
    word = word.lower()
    vowels = _vowels(word)
    for ending, needed, palatalises in ENDINGS:
        if vowels > needed and len(word) >= len(ending) + MIN_STEM and word.endswith(ending):
            # The plain consonant whatever the ending, so that "soliņš" and "soliņi" share "solin".
            return _unpalatalise(word[: -len(ending)], ending if palatalises else "")
    return word


def _palatalised(base: str) -> str | None:
    for plain, changed in PALATALISED:
        if base.endswith(plain):
            return base[: -len(plain)] + changed
    return None


def word_forms(word: str) -> list[str]:
    """The word itself and the forms that share its stem, in a stable order (the word first).

    Every generated form stems back to the same stem, so that a form the stemmer would not recognise is never
    searched for.
    """
    word = word.lower()
    base = stem(word)
    forms = [word]
    candidates = [base] + [base + ending for ending, _needed, _pal in ENDINGS]
    changed = _palatalised(base)
    if changed:
        candidates += [changed + ending for ending, _needed, _pal in ENDINGS]
    for form in candidates:
        if form not in forms and stem(form) == base:
            forms.append(form)
    return forms


def words(text: str) -> list[str]:
    """The words of a text (letters and digits), lower-cased, in order."""
    return [match.group(0).lower() for match in WORD.finditer(text or "")]
