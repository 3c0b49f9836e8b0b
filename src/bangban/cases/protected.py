"""The ledger's protected columns, for `bangban rotate-data-key` (`bangban.kernel.rotation`): what is
encrypted and which digests follow from it (decision 0030)."""

from __future__ import annotations

from bangban.kernel import protection
from bangban.kernel.rotation import ProtectedColumns


def _applicant_digests(row, clear: dict[str, str]) -> dict[str, str]:
    """An applicant's identity digest (an organisation's credit code is kept in clear) and phone
    digest, with the current key."""
    if row.document_type == "credit_code":
        identity = protection.lookup_digest("credit_code", row.credit_code)
    else:
        identity = protection.lookup_digest(row.document_type, clear["number_encrypted"])
    phone = clear["phone_encrypted"]
    return {
        "lookup_digest": identity,
        "phone_digest": protection.phone_digest(phone) if phone else "",
    }


def _case_digests(row, clear: dict[str, str]) -> dict[str, str]:
    phone = clear["contact_phone_encrypted"]
    return {"contact_phone_digest": protection.phone_digest(phone) if phone else ""}


PROTECTED = [
    ProtectedColumns(
        model="cases.Applicant",
        encrypted=("number_encrypted", "birth_on_encrypted", "phone_encrypted"),
        digests=("lookup_digest", "phone_digest"),
        reads=("document_type", "credit_code"),
        compute=_applicant_digests,
    ),
    ProtectedColumns(
        model="cases.Case",
        encrypted=("contact_phone_encrypted",),
        digests=("contact_phone_digest",),
        compute=_case_digests,
    ),
]
