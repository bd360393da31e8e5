"""Sealing ballots with the election commission's key pair (libsodium sealed boxes through PyNaCl).

The commission makes a key pair at the voting desk before voting opens (the key ceremony, README): the public
key is stored on the round and seals every ballot; the private key is shown once and never stored on the
server. Only the private key opens a sealed ballot (ideas/voting/ballot_box.py), so neither a database reader
nor someone holding the server's environment (SECRET_KEY, VOTING_KEY) can read a ballot during the vote.

Plain Python, no Django: what goes in and out is bytes, text and {idea id: points}.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

# Every sealed ballot has the same size whatever it holds (padded to a whole number of blocks; a ballot of
# 300 ideas at most points still fits one block), so the length of an envelope says nothing about its contents.
BLOCK = 4096
PRIVATE_KEY_PREFIX = "kopa-counting-key-1:"


class KeyProblem(ValueError):
    """A private key that is malformed, or that does not belong to the round; the message is for staff."""


def new_key_pair() -> tuple[str, str]:
    """(public key, private key) as text: the public key in base64, the private key prefixed so that a
    pasted key is recognised."""
    private = PrivateKey.generate()
    return _b64(bytes(private.public_key)), PRIVATE_KEY_PREFIX + _b64(bytes(private))


def key_id(public_key: str) -> str:
    """A short name of a public key for staff and the audit log (the first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(public_key.encode()).hexdigest()[:16]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _private(private_key: str) -> PrivateKey:
    # The saved key file has explanations around the key: take the word that is the key.
    words = [word for word in (private_key or "").split() if word.startswith(PRIVATE_KEY_PREFIX)]
    if len(words) != 1:
        raise KeyProblem("not a counting key: it should hold one line starting with " + PRIVATE_KEY_PREFIX)
    text = words[0]
    try:
        raw = base64.b64decode(text[len(PRIVATE_KEY_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise KeyProblem("the key is damaged (not base64)") from error
    if len(raw) != PrivateKey.SIZE:
        raise KeyProblem("the key is damaged (wrong length)")
    return PrivateKey(raw)


def check_private_key(private_key: str, public_key: str) -> PrivateKey:
    """The private key, when it is well formed and is the other half of `public_key`; else KeyProblem."""
    private = _private(private_key)
    if _b64(bytes(private.public_key)) != public_key:
        raise KeyProblem("this key belongs to another round or another key ceremony")
    return private


def seal(public_key: str, choices: dict[int, int]) -> bytes:
    """The choices ({idea id: points or place}) sealed for the holder of the private key, padded to BLOCK."""
    text = json.dumps(
        sorted((int(idea), int(points)) for idea, points in choices.items()), separators=(",", ":")
    )
    raw = text.encode()
    # JSON ignores trailing white space: padding with spaces keeps the plaintext a plain JSON document.
    size = -(-(len(raw) + 1) // BLOCK) * BLOCK
    raw += b" " * (size - len(raw))
    return SealedBox(PublicKey(base64.b64decode(public_key))).encrypt(raw)


def unseal(private: PrivateKey, sealed: bytes) -> dict[int, int]:
    """The choices inside an envelope; KeyProblem when the key does not open it or it was tampered with."""
    try:
        raw = SealedBox(private).decrypt(bytes(sealed))
    except CryptoError as error:
        raise KeyProblem("a sealed ballot does not open with this key") from error
    return {int(idea): int(points) for idea, points in json.loads(raw.decode())}


def fingerprint(sealed: bytes) -> str:
    """The SHA-256 of an envelope, in hex: the voter's receipt and, once counted, a line of the public list."""
    return hashlib.sha256(bytes(sealed)).hexdigest()


def receipt(fingerprint_hex: str) -> str:
    """The receipt a voter keeps: the first 20 hex digits of the fingerprint in groups, e.g. 3F2A-9C41-…"""
    head = fingerprint_hex[:20].upper()
    return "-".join(head[i : i + 4] for i in range(0, 20, 4))


def normalise_receipt(text: str) -> str:
    """A typed receipt as lower-case hex without separators, to compare with the start of fingerprints."""
    return "".join(ch for ch in (text or "").lower() if ch in "0123456789abcdef")
