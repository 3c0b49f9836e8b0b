"""Protecting identity numbers at rest: encryption for storage, a keyed digest for finding a returning
applicant again (ARCHITECTURE.md "Applicants"; DOMAIN.md "Identifiers and personal data").

- An ID number is stored only encrypted (Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`),
  beside its mask (`370323********1234`), which is what every list, page and export shows.
- A returning applicant is found by an HMAC-SHA256 digest of the normalised number, keyed with a key of
  its own: the digest reveals nothing without the key and cannot be reversed by trying every birth
  date and sequence, which a plain hash of an ID number could.
- Both keys are derived (HKDF-SHA256, one label per purpose) from `BANGBAN_DATA_KEY`, or from
  `SECRET_KEY` when that is not set. Set `BANGBAN_DATA_KEY` in production and keep it: the numbers
  cannot be read without it. To change it, move the old one to `BANGBAN_DATA_KEYS_PREVIOUS` (comma-
  separated): numbers stay readable and are re-encrypted with the new key by `rotate`. Digests are
  made with the current key only: after a key change they must be recomputed from the decrypted
  numbers (docs/decisions/0015-applicant-data-protection.md).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ENCRYPTION = b"bangban:identity-number-encryption:v1"
LOOKUP = b"bangban:identity-number-lookup:v1"


class UnreadableNumber(Exception):
    """A stored number could not be decrypted with any configured key."""


def _derive(master: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        master.encode()
    )


def _masters() -> list[str]:
    current = getattr(settings, "BANGBAN_DATA_KEY", "") or settings.SECRET_KEY
    previous = list(getattr(settings, "BANGBAN_DATA_KEYS_PREVIOUS", []) or [])
    return [current, *previous]


@functools.cache
def _fernet(masters: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(master, ENCRYPTION))) for master in masters]
    )


@functools.cache
def _lookup_key(master: str) -> bytes:
    return _derive(master, LOOKUP)


def encrypt(number: str) -> str:
    """The stored form of an (already normalised) identity number."""
    return _fernet(tuple(_masters())).encrypt(number.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The number back from its stored form; UnreadableNumber when no configured key opens it."""
    try:
        return _fernet(tuple(_masters())).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise UnreadableNumber from error


def rotate(token: str) -> str:
    """The stored form re-encrypted with the current key (after a key change)."""
    try:
        return _fernet(tuple(_masters())).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as error:
        raise UnreadableNumber from error


def lookup_digest(document_type: str, number: str) -> str:
    """The keyed digest of a normalised number of a kind of document (`resident_id`, `passport`,
    `credit_code` …; 64 hex characters): the same number on two kinds of document is two identities."""
    key = _lookup_key(_masters()[0])
    return hmac.new(key, f"{document_type}:{number}".encode(), hashlib.sha256).hexdigest()
