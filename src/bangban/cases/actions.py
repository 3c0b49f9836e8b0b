"""Writes on the ledger. One transaction each, the case row locked where two people could act at once;
each appends exactly one event and queues the applicant's message through the outbox.

Scope is asked by the callers through `cases.scope`; these functions hold the ledger's own rules
(the workflow table, the clock, who may be responsible) and raise `CaseError` naming every problem.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.catalog.models import ServiceItem
from bangban.messaging.actions import queue_message
from bangban.network.models import SERVING_ROLES, Membership, ServicePoint
from bangban.staff.qualification import HelperNotQualified, ensure_qualified

from . import identifiers, protection
from .identifiers import DocumentType, IdentifierError
from .models import Applicant, Case, CaseCounter, CaseEvent, CaseMaterial
from .workflow import State

CREDIT_CODE = "credit_code"


class CaseError(Exception):
    """A rule of the ledger was broken. `errors` maps a field name to Chinese messages."""

    def __init__(self, errors: Mapping[str, str | list[str]]):
        self.errors = {k: [m] if isinstance(m, str) else list(m) for k, m in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(m)}" for k, m in self.errors.items()))


# --- Applicants ------------------------------------------------------------------------------------


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


def _applicant_values(data: ApplicantData, today: dt.date) -> tuple[dict, dict[str, list[str]]]:
    """The stored values of an applicant (number encrypted, masked and digested), and the problems."""
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
                birth_on=birth_on,
                sex=document.sex or "",
            )
            if birth_on is not None and birth_on > today:
                errors["birth_on"] = [_("出生日期不能晚于今天。")]
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


def _identify(values: dict) -> Applicant:
    """The applicant with this identity, brought up to date with what the helper typed, or a new one."""
    digest = values["lookup_digest"]
    existing = Applicant.objects.select_for_update().filter(lookup_digest=digest).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Applicant.objects.create(**values)
        except IntegrityError:  # registered by someone else a moment ago
            existing = Applicant.objects.select_for_update().get(lookup_digest=digest)
    changed = [
        name
        for name, value in values.items()
        if name not in ("number_encrypted", "lookup_digest") and getattr(existing, name) != value
    ]
    for name in changed:
        setattr(existing, name, values[name])
    if changed:
        existing.save(update_fields=[*changed, "updated_at"])
    return existing


# --- Registration ----------------------------------------------------------------------------------


def next_sequence(county_id: int, day: dt.date) -> int:
    """The next case number of a county on a day: one statement on a counter row, inside the
    caller's transaction, so numbers are gap-free and never given twice (ARCHITECTURE.md "SQLite")."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (county_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - table name only
            f"ON CONFLICT (county_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [county_id, day],
        )
        return cursor.fetchone()[0]


def case_number(county_code: str, day: dt.date, sequence: int) -> str:
    """`370323-20261125-0042` (DOMAIN.md "Case numbers"): 4 digits, longer when needed."""
    return f"{county_code}-{day:%Y%m%d}-{sequence:04d}"


def _serves_at(user, point: ServicePoint) -> bool:
    return Membership.objects.filter(user=user, role__in=SERVING_ROLES, point=point).exists()


@dataclass(frozen=True)
class Registration:
    """What a helper enters to register a case."""

    applicant: ApplicantData
    item: ServiceItem
    kind: str
    mode: str
    channel: str
    received_on: dt.date
    responsible: object  # a user serving at the point; usually the helper registering
    contact_phone: str = ""


def register_case(point: ServicePoint, *, registration: Registration, by) -> Case:
    """Register a matter at `point` (登记). The item is told as its current revision stands today;
    the first responsible helper must serve at the point and be qualified; the deadline counts from
    acceptance, so a new case has none yet. Raises CaseError naming every problem; writes nothing
    then."""
    r = registration
    today = timezone.localdate()
    values, errors = _applicant_values(r.applicant, today)
    item = (
        ServiceItem.objects.select_related("current")
        .filter(pk=getattr(r.item, "pk", None), active=True, county_id=point.county_id)
        .first()
    )
    if item is None or item.current is None:
        errors["item"] = [_("事项不存在、已停用或不属于本县。")]
    if r.kind not in Case.Kind.values:
        errors["kind"] = [_("请选择帮办或代办。")]
    if r.channel not in Case.Channel.values:
        errors["channel"] = [_("请选择来源渠道。")]
    if item is not None and item.current is not None:
        supported = r.mode in item.current.modes
        if not supported:
            labels = "、".join(item.current.mode_labels)
            errors["mode"] = [_("该事项不支持这种服务方式，可选：%(modes)s。") % {"modes": labels}]
    if not isinstance(r.received_on, dt.date) or r.received_on > today:
        errors["received_on"] = [_("收到材料日期不能晚于今天。")]
    contact = (r.contact_phone or values.get("phone") or "").strip()
    if contact and "phone" not in errors:
        try:
            contact = identifiers.normalise_phone(contact)
        except IdentifierError as error:
            errors["contact_phone"] = [error.message]
    if r.responsible is None or not _serves_at(r.responsible, point):
        errors["responsible"] = [_("首问负责人须是本服务点的帮办代办员。")]
    else:
        try:
            ensure_qualified(r.responsible, today)
        except HelperNotQualified as error:
            errors["responsible"] = [
                _("首问负责人不具备上岗资格：%(reasons)s") % {"reasons": error}
            ]
    if errors:
        raise CaseError(errors)

    with transaction.atomic():
        applicant = _identify(values)
        sequence = next_sequence(point.county_id, today)
        case = Case.objects.create(
            number=case_number(point.county.code, today, sequence),
            county_id=point.county_id,
            registered_on=today,
            sequence=sequence,
            applicant=applicant,
            contact_phone=contact,
            elderly=bool(applicant.birth_on and identifiers.is_elderly(applicant.birth_on, today)),
            disabled=applicant.disabled,
            item=item,
            revision=item.current,
            kind=r.kind,
            mode=r.mode,
            channel=r.channel,
            registering_point=point,
            handling_point=point,
            entered_by=by,
            responsible=r.responsible,
            handling_helper=r.responsible,
            status=State.REGISTERED,
            received_on=r.received_on,
            public_token=secrets.token_urlsafe(32),
        )
        CaseMaterial.objects.bulk_create(
            CaseMaterial(case=case, material=m, position=m.position)
            for m in item.current.materials.all()
        )
        CaseEvent.objects.create(
            case=case,
            by=by,
            action="register",
            from_status="",
            to_status=State.REGISTERED,
            data={"item": item.pk, "revision": item.current.number, "point": point.pk},
        )
        if contact and identifiers.is_mobile(contact):
            queue_message(
                recipient=contact,
                body=_("【帮办代办】您的“%(item)s”已登记，办件编号 %(number)s。")
                % {"item": item.current.name, "number": case.number},
                reference=f"case:{case.number}",
            )
    return case
