"""Applicants (申请人): what a helper types about one, checked and stored so that nothing in clear
completes a mask (decision 0030), and the applicant found again by a keyed digest of the document
number. Registration and the historical import use these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bangban.kernel import protection
from bangban.kernel.days import EARLIEST_PERSONAL
from bangban.kernel.statements import Param, Statement

from .. import identifiers
from ..identifiers import DocumentType, IdentifierError
from ..models import Applicant, ApplicantGram, applicant_grams

CREDIT_CODE = "credit_code"


@dataclass(frozen=True)
class ApplicantData:
    """What a helper types about an applicant. `number` is the document number as typed (a credit code
    for an organisation); `birth_on` only for documents that do not carry it."""

    kind: str
    name: str
    document_type: str
    number: str
    phone: str = ""
    birth_on: dt.date | None = None
    disabled: bool = False
    needs: str = ""
    legal_representative: str = ""
    contact_name: str = ""


def phone_columns(phone: str, prefix: str = "phone") -> dict[str, str]:
    """The stored columns of a normalised phone ("" for none): `<prefix>_encrypted`, `_masked` (what
    pages show) and `_digest` (what finds it); never the phone in clear (decision 0030)."""
    return {
        f"{prefix}_encrypted": protection.encrypt(phone) if phone else "",
        f"{prefix}_masked": identifiers.mask_phone(phone) if phone else "",
        f"{prefix}_digest": protection.phone_digest(phone) if phone else "",
    }


def _applicant_values(data: ApplicantData, today: dt.date) -> tuple[dict, dict[str, list[str]]]:
    """What is known of an applicant (number encrypted, masked and digested; birth date and phone
    still in clear: `_stored` encrypts them), and the problems."""
    errors: dict[str, list[str]] = {}
    values: dict = {"kind": data.kind, "name": data.name.strip()}
    if data.kind not in Applicant.Kind.values:
        errors["kind"] = [_("申请人类别应为个人或企业（单位）。")]
    if not values["name"]:
        errors["name"] = [_("请填写申请人姓名或名称。")]
    elif len(values["name"]) > 100:
        errors["name"] = [_("姓名或名称不能超过 100 个字符。")]
    try:
        if data.kind == Applicant.Kind.ORGANISATION:
            if data.document_type != CREDIT_CODE:
                raise IdentifierError(_("企业（单位）请填写统一社会信用代码。"), "required")
            code = identifiers.normalise_credit_code(data.number)
            values.update(
                document_type=CREDIT_CODE,
                credit_code=code,
                number_masked=code,
                lookup_digest=protection.lookup_digest(CREDIT_CODE, code),
                lookup_digests=protection.lookup_digests(CREDIT_CODE, code),
            )
        else:
            if data.document_type not in DocumentType.values:
                raise IdentifierError(_("请选择证件类型。"), "required")
            document = identifiers.parse_document(data.document_type, data.number, today)
            birth_on = document.birth_on or data.birth_on
            values.update(
                document_type=document.document_type,
                number_encrypted=protection.encrypt(document.number),
                number_masked=identifiers.mask_id(document.number),
                lookup_digest=protection.lookup_digest(document.document_type, document.number),
                lookup_digests=protection.lookup_digests(document.document_type, document.number),
                birth_on=birth_on,
                sex=document.sex or "",
            )
            if birth_on is not None and birth_on > today:
                errors["birth_on"] = [_("出生日期不能晚于今天。")]
            elif birth_on is not None and birth_on < EARLIEST_PERSONAL:
                errors["birth_on"] = [_("出生日期不能早于 1900 年 1 月 1 日。")]
    except IdentifierError as error:
        errors["number"] = [error.message]
    phone = data.phone.strip()
    if phone:
        try:
            phone = identifiers.normalise_phone(phone)
        except IdentifierError as error:
            errors["phone"] = [error.message]
    values.update(
        phone=phone,
        disabled=bool(data.disabled),
        needs=data.needs.strip()[:200],
        legal_representative=data.legal_representative.strip()[:50],
        contact_name=data.contact_name.strip()[:50],
    )
    return values, errors


#: What `_applicant_values` knows in clear or for finding only, and `_stored` turns into columns.
_UNSTORED = ("birth_on", "phone", "lookup_digests")


def _stored(values: dict) -> dict:
    """The columns of an applicant from `_applicant_values`: the birth date and the phone encrypted
    (the phone masked and digested too), nothing in clear that completes a mask."""
    birth_on = values.get("birth_on")
    stored = {name: value for name, value in values.items() if name not in _UNSTORED}
    stored["birth_on_encrypted"] = protection.encrypt(birth_on.isoformat()) if birth_on else ""
    stored.update(phone_columns(values.get("phone", "")))
    return stored


def index_applicants(applicants, *, replace: bool = True) -> None:
    """Write the grams (`ApplicantGram`) of these applicants' names as the objects hold them, in
    one insert (and, with `replace`, one delete of their old grams first; a new applicant has none):
    called in the transaction of every write of a name (decision 0070)."""
    applicants = list(applicants)
    if not applicants:
        return
    if replace:
        ApplicantGram.objects.filter(applicant__in=[a.pk for a in applicants]).delete()
    ApplicantGram.objects.bulk_create(
        [
            ApplicantGram(applicant_id=a.pk, gram=gram)
            for a in applicants
            for gram in sorted(applicant_grams(a.name))
        ],
        batch_size=5000,
    )


def _find_applicant(values: dict, lock: bool = False) -> Applicant | None:
    """The applicant with this identity: by its digest under any configured key (a row stored
    before a key change is found until `bangban rotate-data-key` has recomputed its digest)."""
    digests = values["lookup_digests"]
    found = _FIND[lock].objects(digests, len(digests))
    return found[0] if found else None


def _finding(lock: bool) -> Statement:
    rows = Applicant.objects.select_for_update() if lock else Applicant.objects.all()
    return Statement(
        lambda n: rows.filter(lookup_digest__in=[Param(i) for i in range(n)]).order_by("pk")[:1]
    )


#: The applicant of one identity, with its row locked or not, compiled once per number of digests
#: (one per configured key: decision 0071).
_FIND = {True: _finding(True), False: _finding(False)}


def _identify(values: dict) -> Applicant:
    """The applicant with this identity, brought up to date with what the helper typed, or a new one.
    Encrypted columns are compared in clear (each encryption differs) and written only when the
    value changed; the name's grams are written with a new applicant (one insert) and rewritten
    only when the name changed."""
    existing = _find_applicant(values, lock=True)
    if existing is None:
        try:
            with transaction.atomic():
                applicant = Applicant.objects.create(**_stored(values))
        except IntegrityError:  # registered by someone else a moment ago
            existing = _find_applicant(values, lock=True)
        else:
            index_applicants([applicant], replace=False)
            return applicant
    stored = _stored(values)
    changed = [
        name
        for name, value in stored.items()
        if not name.endswith("_encrypted") and getattr(existing, name) != value
    ]
    if existing.birth_date() != values.get("birth_on"):
        changed.append("birth_on_encrypted")
    if existing.decrypted_phone() != values.get("phone", ""):
        changed.append("phone_encrypted")
    for name in changed:
        setattr(existing, name, stored[name])
    if changed:
        existing.save(update_fields=[*changed, "updated_at"])
    if "name" in changed:
        index_applicants([existing])
    return existing
