"""Keyed hashes (HMAC-SHA256 with settings.VOTING_KEY, from the environment) that stand in for people.

Three different derivations, so that no stored value matches another without the key:
- person_key: a personal code (census list, residency checks, codes handed out);
- register_key: a person in a round's register of who voted;
- ballot_lookup: a person's sealed ballot in a round, so that a newer ballot replaces it.
"""

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PERSONAL_CODE = re.compile(r"\d{6}-?\d{5}", re.ASCII)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a printed code


def _hmac(purpose, *parts):
    if not settings.VOTING_KEY:
        raise ImproperlyConfigured("VOTING_KEY is not set; votes cannot be recorded without it.")
    message = "\x1f".join([purpose, *map(str, parts)]).encode()
    return hmac.new(settings.VOTING_KEY.encode(), message, hashlib.sha256).hexdigest()


def normalise_personal_code(code):
    """A Latvian personal code as 11 digits, or ValueError."""
    code = (code or "").strip().replace(" ", "")
    if not PERSONAL_CODE.fullmatch(code):
        raise ValueError("not a personal code")
    return code.replace("-", "")


def person_key(personal_code):
    return _hmac("person", normalise_personal_code(personal_code))


def register_key(round_id, person):
    return _hmac("register", round_id, person)


def ballot_lookup(round_id, person):
    return _hmac("ballot", round_id, person)


def code_hash(code):
    return _hmac("code", code.strip().upper().replace("-", "").replace(" ", ""))
