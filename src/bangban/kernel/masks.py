"""Masks: what every list, page and export shows of an ID number or a phone
(`370323********1234`, `138****1234`): never more than 7 real characters, never longer than the text.
docs/domain.md (identifiers and personal data); the whole number is kept encrypted (`kernel.protection`)
and shown only to whom may reveal it."""

from __future__ import annotations

import re

_MASKED_LANDLINE = re.compile(r"(0[0-9]{2,3}-)([0-9]{7,8})((?:转|-)[0-9]{1,6})?")


def _mask(text: str) -> str:
    """At most 7 real characters: the first 3 and the last 4; 8 characters or fewer show only the
    last 2 (2 or fewer nothing)."""
    if len(text) <= 2:
        return "*" * len(text)
    if len(text) <= 8:
        return "*" * (len(text) - 2) + text[-2:]
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_id(number: str) -> str:
    """What a list, page or export shows of a document number: `370323********1234` for an
    18-character number, otherwise at most 3 leading and 4 trailing characters (see `_mask`). Never
    longer than the number."""
    if len(number) == 18:
        return number[:6] + "*" * 8 + number[-4:]
    return _mask(number)


def mask_phone(text: str) -> str:
    """What a list, page or export shows of a phone: `138****1234` for a mobile, the area code and
    the last 4 digits of a landline (`0533-***1201`, an extension stays visible), otherwise at most
    3 leading and 4 trailing characters (see `_mask`). Never longer than the text."""
    if len(text) == 11 and text.isascii() and text.isdigit() and text[0] == "1":
        return text[:3] + "****" + text[-4:]
    landline = _MASKED_LANDLINE.fullmatch(text)
    if landline:
        local = landline.group(2)
        return landline.group(1) + "*" * (len(local) - 4) + local[-4:] + (landline.group(3) or "")
    return _mask(text)
