"""Protecting personal data at rest: encryption for storage, keyed digests for finding it again
(docs/architecture.md "Applicants"; docs/domain.md "Identifiers and personal data"; decision 0030).

- Identity numbers, birth dates and phones are stored only encrypted (Fernet: AES-128-CBC with
  HMAC-SHA256, from `cryptography`), beside a mask (`370323********1234`, `138****1234`) where a page
  shows one. Nothing stored in clear completes a mask: the birth date is the 8 hidden digits of an ID
  number, so it is encrypted too; only flags derived from it (elderly) are kept in clear.
- A returning applicant is found by an HMAC-SHA256 digest of the normalised number (`lookup_digest`),
  a phone by one of the normalised phone (`phone_digest`), each keyed with a key of its own: a digest
  reveals nothing without the key and cannot be reversed by trying every birth date and sequence (or
  every mobile number), which a plain hash could.
- Every key is derived (HKDF-SHA256, one label per purpose) from `BANGBAN_DATA_KEY`, or from
  `SECRET_KEY` when that is not set. Set `BANGBAN_DATA_KEY` in production and keep it: the data
  cannot be read without it. To change it, move the old one to `BANGBAN_DATA_KEYS_PREVIOUS`
  (comma-separated) and run `bangban rotate-data-key` (`bangban.kernel.rotation`): data stays
  readable meanwhile (`decrypt` tries every key) and is found by the digests of every key
  (`lookup_digests`, `phone_digests`) until the command has re-encrypted it and recomputed its digests
  with the current key.
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

# The encryption label predates birth dates and phones; every encrypted column uses it (changing it
# would make every stored value unreadable).
ENCRYPTION = b"bangban:identity-number-encryption:v1"
LOOKUP = b"bangban:identity-number-lookup:v1"
PHONE_LOOKUP = b"bangban:phone-lookup:v1"


class UnreadableNumber(Exception):
    """A stored value could not be decrypted with any configured key."""


def _derive(master: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        master.encode()
    )


def _masters() -> list[str]:
    """The configured master keys, the current one first."""
    current = getattr(settings, "BANGBAN_DATA_KEY", "") or settings.SECRET_KEY
    previous = list(getattr(settings, "BANGBAN_DATA_KEYS_PREVIOUS", []) or [])
    return [current, *(key for key in previous if key and key != current)]


@functools.cache
def _fernet(masters: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(master, ENCRYPTION))) for master in masters]
    )


@functools.cache
def _key(master: str, purpose: bytes) -> bytes:
    return _derive(master, purpose)


def encrypt(text: str) -> str:
    """The stored form of an (already normalised) number, phone or ISO date, with the current key."""
    return _fernet(tuple(_masters())).encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text back from its stored form; UnreadableNumber when no configured key opens it."""
    try:
        return _fernet(tuple(_masters())).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise UnreadableNumber from error


def decrypt_or_blank(token: str) -> str:
    """`decrypt` of a column that may be blank ("" stays "")."""
    return decrypt(token) if token else ""


def open_token(token: str) -> tuple[str, bool]:
    """(the text, whether it was encrypted with the current key) of a stored form: what the rotation
    needs to leave a value already on the current key alone. UnreadableNumber when no key opens it."""
    try:
        return _fernet((_masters()[0],)).decrypt(token.encode("ascii")).decode(), True
    except (InvalidToken, ValueError):
        return decrypt(token), False


def rotate(token: str) -> str:
    """The stored form re-encrypted with the current key (after a key change)."""
    try:
        return _fernet(tuple(_masters())).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as error:
        raise UnreadableNumber from error


def _hmac(master: str, purpose: bytes, text: str) -> str:
    return hmac.new(_key(master, purpose), text.encode(), hashlib.sha256).hexdigest()


def lookup_digest(document_type: str, number: str) -> str:
    """The keyed digest of a normalised number of a kind of document (`resident_id`, `passport`,
    `credit_code` …; 64 hex characters) with the current key: the same number on two kinds of
    document is two identities."""
    return _hmac(_masters()[0], LOOKUP, f"{document_type}:{number}")


def lookup_digests(document_type: str, number: str) -> list[str]:
    """`lookup_digest` with every configured key, the current one first: what finds a row stored
    before a key change whose digest the rotation has not recomputed yet."""
    return [_hmac(master, LOOKUP, f"{document_type}:{number}") for master in _masters()]


def phone_digest(phone: str) -> str:
    """The keyed digest of a normalised phone (`identifiers.normalise_phone`), with a key of its own
    (64 hex characters), with the current key."""
    return _hmac(_masters()[0], PHONE_LOOKUP, phone)


def phone_digests(phone: str) -> list[str]:
    """`phone_digest` with every configured key, the current one first (see `lookup_digests`)."""
    return [_hmac(master, PHONE_LOOKUP, phone) for master in _masters()]
