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
from pathlib import PurePath

from django.core.files import File
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.catalog.models import Material, ServiceItem
from bangban.kernel import protection
from bangban.kernel.days import EARLIEST_EVENT, EARLIEST_PERSONAL
from bangban.messaging.actions import queue_message
from bangban.network import access
from bangban.network.models import SERVING_ROLES, Department, Role, ServicePoint
from bangban.staff.models import Helper
from bangban.staff.qualification import (
    HelperNotQualified,
    reasons_from_training,
    reasons_not_qualified,
    with_training,
)
from bangban.workdays import calendar
from bangban.workdays.arithmetic import Deadline

from . import identifiers, workflow
from .identifiers import DocumentType, IdentifierError
from .models import (
    DEEMABLE,
    LEVEL_OF_KIND,
    Applicant,
    Authorisation,
    Case,
    CaseCounter,
    CaseEvent,
    CaseMaterial,
    IdentityView,
    Notice,
    NoticeLine,
    Transfer,
    deadline_values,
    deemed_cutoff,
    next_working_day,
    notice_in_time,
)
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


def _find_applicant(values: dict, lock: bool = False) -> Applicant | None:
    """The applicant with this identity: by its digest under any configured key (a row stored
    before a key change is found until `bangban rotate-data-key` has recomputed its digest)."""
    rows = Applicant.objects.select_for_update() if lock else Applicant.objects
    return rows.filter(lookup_digest__in=values["lookup_digests"]).order_by("pk").first()


def _identify(values: dict) -> Applicant:
    """The applicant with this identity, brought up to date with what the helper typed, or a new one.
    Encrypted columns are compared in clear (each encryption differs) and written only when the
    value changed."""
    existing = _find_applicant(values, lock=True)
    if existing is None:
        try:
            with transaction.atomic():
                return Applicant.objects.create(**_stored(values))
        except IntegrityError:  # registered by someone else a moment ago
            existing = _find_applicant(values, lock=True)
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
    return existing


# --- Registration ----------------------------------------------------------------------------------


def next_sequence(county_id: int, day: dt.date, series: str = CaseCounter.Series.CASE) -> int:
    """The next number of a county on a day in a series (cases, notices): one statement on a counter
    row, inside the caller's transaction, so numbers are gap-free and never given twice
    (ARCHITECTURE.md "SQLite")."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (county_id, day, series, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 - table name only
            f"ON CONFLICT (county_id, day, series) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [county_id, day, series],
        )
        return cursor.fetchone()[0]


def case_number(county_code: str, day: dt.date, sequence: int, prefix: str = "") -> str:
    """`370323-20261125-0042` (DOMAIN.md "Case numbers"): 4 digits, longer when needed; a notice's
    number has N before the sequence (`370323-20261125-N0007`)."""
    return f"{county_code}-{day:%Y%m%d}-{prefix}{sequence:04d}"


def _serves_at(user, point: ServicePoint) -> bool:
    """Does `user` serve at `point`? From the memberships the gate reads once per user object (no
    query for the user of the request, whose memberships the gate has read already)."""
    return any(m.role in SERVING_ROLES and m.point_id == point.pk for m in access.memberships(user))


SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
SCAN_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class AuthorisationData:
    """The 委托书 of a 代办 case, as the helper records it; `scan` is the uploaded signed page."""

    principal: str
    scope: str
    authorised_on: dt.date
    scan: File | None
    valid_until: dt.date | None = None


def _authorisation_errors(data: AuthorisationData | None, today: dt.date) -> dict[str, list[str]]:
    if data is None:
        return {"authorisation": [_("代办须有申请人签署的委托书。")]}
    errors: dict[str, list[str]] = {}
    if not data.principal.strip() or len(data.principal) > 100:
        errors["authorisation.principal"] = [_("请填写委托人。")]
    if not data.scope.strip() or len(data.scope) > 500:
        errors["authorisation.scope"] = [_("请写明委托的事项和权限（不超过 500 字）。")]
    if not isinstance(data.authorised_on, dt.date) or data.authorised_on > today:
        errors["authorisation.authorised_on"] = [_("委托日期不能晚于今天。")]
    elif data.authorised_on < EARLIEST_EVENT:
        errors["authorisation.authorised_on"] = [_("委托日期不能早于 2000 年 1 月 1 日。")]
    elif data.valid_until is not None and data.valid_until < today:
        errors["authorisation.valid_until"] = [_("委托已过期。")]
    if data.scan is None:
        errors["authorisation.scan"] = [_("请上传签字的委托书扫描件。")]
    elif problem := scan_problem(data.scan):
        errors["authorisation.scan"] = [problem]
    return errors


def scan_problem(scan: File) -> str:
    """Why an authorisation scan is not acceptable (its type or size), or ""."""
    if (
        not str(scan.name).lower().endswith(SCAN_EXTENSIONS)
        or not 0 < (scan.size or 0) <= SCAN_MAX_BYTES
    ):
        return _("扫描件应为不超过 20 MB 的 PDF、JPG 或 PNG 文件。")
    return ""


def _registered_item(item, point: ServicePoint) -> ServiceItem | None:
    """The item of a registration if it is active and of the point's county. An item read with its
    current revision (`select_related("current")`, as the API reads it) is checked as it is; any other
    is read again with its revision."""
    if isinstance(item, ServiceItem) and ServiceItem.current.is_cached(item):
        return item if item.active and item.county_id == point.county_id else None
    return (
        ServiceItem.objects.select_related("current")
        .filter(pk=getattr(item, "pk", None), active=True, county_id=point.county_id)
        .first()
    )


def _not_qualified(user, on: dt.date) -> str:
    """Why `user` is not qualified to serve on `on` (上岗资格, DOMAIN.md "Definitions"), as one
    text, or "" when they are: one query (`staff.qualification.with_training`, the reasons of
    `ensure_qualified`)."""
    helper = with_training(Helper.objects.filter(user=user), on).first()
    reasons = (
        reasons_not_qualified(None, on) if helper is None else reasons_from_training(helper, on)
    )
    return str(HelperNotQualified(reasons)) if reasons else ""


def _responsible_errors(user, point: ServicePoint, today: dt.date) -> list[str]:
    """Why `user` may not be a new case's first responsible helper at `point`: they must serve there
    and be qualified."""
    if user is None or not _serves_at(user, point):
        return [_("首问负责人须是本服务点的帮办代办员。")]
    reasons = _not_qualified(user, today)
    if reasons:
        return [_("首问负责人不具备上岗资格：%(reasons)s") % {"reasons": reasons}]
    return []


#: The earliest day of receipt a case may have (the calendar's first year; the API says the same).
EARLIEST_RECEIPT = EARLIEST_EVENT


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
    authorisation: AuthorisationData | None = None  # required for 代办


def registration_errors(point: ServicePoint, registration: Registration) -> dict[str, list[str]]:
    """Every problem `register_case` would report for this registration, without writing anything:
    the registration form asks it when its own fields fail too, so that all its errors are shown at
    once, not in rounds."""
    return _registration_checks(point, registration, timezone.localdate())[3]


def _registration_checks(point: ServicePoint, r: Registration, today: dt.date):
    """(the applicant's values, the item, the contact phone, every problem) of a registration."""
    values, errors = _applicant_values(r.applicant, today)
    item = _registered_item(r.item, point)
    if item is None or item.current is None:
        errors["item"] = [_("事项不存在、已停用或不属于本县。")]
    if r.kind not in Case.Kind.values:
        errors["kind"] = [_("请选择帮办或代办。")]
    elif r.kind == Case.Kind.PROXY:
        errors.update(_authorisation_errors(r.authorisation, today))
    if r.channel not in Case.Channel.values:
        errors["channel"] = [_("请选择来源渠道。")]
    if item is not None and item.current is not None:
        supported = r.mode in item.current.modes
        if not supported:
            labels = "、".join(item.current.mode_labels)
            errors["mode"] = [_("该事项不支持这种服务方式，可选：%(modes)s。") % {"modes": labels}]
    if not isinstance(r.received_on, dt.date) or r.received_on > today:
        errors["received_on"] = [_("收到材料日期不能晚于今天。")]
    elif r.received_on < EARLIEST_RECEIPT:
        # The working-day calendar starts in 2000; deemed acceptance would count across centuries.
        errors["received_on"] = [_("收到材料日期不能早于 2000 年 1 月 1 日。")]
    contact = (r.contact_phone or values.get("phone") or "").strip()
    if contact and "phone" not in errors:
        try:
            contact = identifiers.normalise_phone(contact)
        except IdentifierError as error:
            errors["contact_phone"] = [error.message]
    responsible_errors = _responsible_errors(r.responsible, point, today)
    if responsible_errors:
        errors["responsible"] = responsible_errors
    return values, item, contact, errors


def register_case(point: ServicePoint, *, registration: Registration, by) -> Case:
    """Register a matter at `point` (登记). The item is told as its current revision stands today;
    the first responsible helper must serve at the point and be qualified; the deadline counts from
    acceptance, so a new case has none yet — unless its materials were received so long ago that
    the notice window has passed: it is registered deemed accepted on the day of receipt (行政许可法
    §32), with its deadlines (a second event, by the system). Raises CaseError naming every
    problem; writes nothing then."""
    today = timezone.localdate()
    values, item, contact, errors = _registration_checks(point, registration, today)
    if errors:
        raise CaseError(errors)
    r = registration

    with transaction.atomic():
        applicant = _identify(values)
        sequence = next_sequence(point.county_id, today)
        case = Case.objects.create(
            number=case_number(point.county.code, today, sequence),
            county_id=point.county_id,
            registered_on=today,
            sequence=sequence,
            applicant=applicant,
            **phone_columns(contact, "contact_phone"),
            elderly=bool(
                values.get("birth_on") and identifiers.is_elderly(values["birth_on"], today)
            ),
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
            deemed_deadline=deadline_values(item.current, r.received_on)["promised_deadline"],
            public_token=secrets.token_urlsafe(32),
        )
        if r.kind == Case.Kind.PROXY:
            a = r.authorisation
            authorisation = Authorisation(
                case=case,
                principal=a.principal.strip(),
                scope=a.scope.strip(),
                authorised_on=a.authorised_on,
                valid_until=a.valid_until,
            )
            authorisation.scan.save(a.scan.name, a.scan, save=False)
            authorisation.save()
        # Left on the case for the caller's answer (a new case's whole checklist, ids included).
        case.registered_materials = CaseMaterial.objects.bulk_create(
            [
                CaseMaterial(case=case, material=m, position=m.position)
                for m in item.current.materials.all()
            ]
        )
        CaseEvent.objects.create(
            case=case,
            by=by,
            action="register",
            from_status="",
            to_status=State.REGISTERED,
            data={"item": item.pk, "revision": item.current.number, "point": point.pk},
        )
        case = _deem_first(case, today)
        if contact and identifiers.is_mobile(contact):
            queue_message(
                recipient=contact,
                body=_("【帮办代办】您的“%(item)s”已登记，办件编号 %(number)s。")
                % {"item": item.current.name, "number": case.number},
                reference=f"case:{case.number}",
            )
    return case


# --- The workflow and the clock --------------------------------------------------------------------


def _may_perform(case: Case, transition: workflow.Transition, by) -> bool:
    """Whether `by` (None: the system) stands as one of the transition's actors to the case."""
    return workflow.LEDGER.relations(case, by).any_of(transition.actors)


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update()
        .select_related("county", "handling_point", "revision", "applicant")
        .get(pk=case.pk)
    )


def _check(case: Case, action: str, by) -> workflow.Transition:
    """The transition of `action` if the table allows it now (`workflow.LEDGER.check`: the case's
    state, `by` among its actors, its named conditions); CaseError otherwise, at the refusal's field
    (the API answers 403 for "by", 409 else: someone else may have acted first)."""
    refusal = workflow.LEDGER.check(case, action, by)
    if refusal is not None:
        raise CaseError({refusal.field: refusal.message})
    return workflow.transition(action)


def _deadline_values(case: Case, accepted_on: dt.date) -> dict:
    """The promised and legal deadlines counted from the acceptance day (`models.deadline_values`)."""
    return deadline_values(case.revision, accepted_on)


def _snapshot(case: Case, names) -> dict:
    return {name: _json(getattr(case, name)) for name in names}


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _apply(case: Case, action: str, by, changes: dict, data: dict | None = None) -> Case:
    """Write `changes` and the state the table says, and append the one event of the action."""
    before_status = case.status
    target = workflow.target_of(action, case.status)
    changes = {**changes, "status": target}
    before = _snapshot(case, changes)
    for name, value in changes.items():
        setattr(case, name, value)
    case.save(update_fields=list(changes))
    CaseEvent.objects.create(
        case=case,
        by=by,
        action=action,
        from_status=before_status,
        to_status=target,
        data={
            **(data or {}),
            "before": before,
            "after": _snapshot(case, changes),
        },
    )
    return case


def _notify(case: Case, text: str) -> None:
    phone = case.decrypted_contact_phone()
    if phone and identifiers.is_mobile(phone):
        queue_message(
            recipient=phone,
            body=_("【帮办代办】办件 %(number)s：%(text)s") % {"number": case.number, "text": text},
            reference=f"case:{case.number}",
        )


def _day(on: dt.date | None) -> dt.date:
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise CaseError({"on": _("日期不能晚于今天。")})
    return day


def accept_case(case: Case, *, by, on: dt.date | None = None) -> Case:
    """受理: the materials are complete (those 容缺后补 may be outstanding under a commitment, not for an
    applicant with a dishonesty record), and not dated before the day they were: the last day a
    required material was received. The clock runs from the acceptance day — or, for a case
    already deemed accepted, from the day of receipt, which it keeps."""
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "accept", by)
        day = _day(on)
        lines = list(case.materials.select_related("material").order_by("position"))
        problems = _missing_materials(case, lines)
        if problems:
            raise CaseError({"materials": problems})
        accepted_on = case.accepted_on or day
        if accepted_on < case.received_on:
            raise CaseError({"on": _("受理日期不能早于收到材料的日期。")})
        complete_on = _complete_on(lines)
        if case.accepted_on is None and complete_on is not None and day < complete_on:
            raise CaseError(
                {
                    "on": _("受理日期不能早于材料收齐的日期（%(day)s）。")
                    % {"day": f"{complete_on:%Y-%m-%d}"}
                }
            )
        changes = {
            "accepted_on": accepted_on,
            **_deadline_values(case, accepted_on),
            **_no_longer_deemable(case),
        }
        case = _apply(case, "accept", by, changes)
        _notify(
            case,
            _("已受理，承诺于 %(day)s 前办结。") % {"day": f"{case.promised_deadline:%Y-%m-%d}"},
        )
    return case


def _complete_on(lines: list[CaseMaterial]) -> dt.date | None:
    """The day the materials became complete: the last day a material that is not optional was
    received (those outstanding under a 容缺 commitment do not count), None when no day is known."""
    days = [
        line.received_on
        for line in lines
        if line.status == CaseMaterial.Status.RECEIVED
        and line.received_on is not None
        and line.material.necessity != Material.Necessity.OPTIONAL
    ]
    return max(days, default=None)


def _missing_materials(case: Case, lines: list[CaseMaterial]) -> list[str]:
    """Why the materials (`lines`, the checklist with its materials) are not complete enough to
    accept, one message per material."""
    problems = []
    for line in lines:
        necessity = line.material.necessity
        status = line.status
        if necessity == Material.Necessity.OPTIONAL or status in (
            CaseMaterial.Status.RECEIVED,
            CaseMaterial.Status.NOT_NEEDED,
        ):
            continue
        if necessity == Material.Necessity.DEFERRABLE and status == CaseMaterial.Status.DEFERRED:
            if case.applicant.dishonest:
                problems.append(
                    _("申请人有失信记录，“%(name)s”不能容缺后补。") % {"name": line.material.name}
                )
            continue
        problems.append(_("“%(name)s”尚未收齐。") % {"name": line.material.name})
    return problems


def suspend_case(case: Case, *, by, reason: str, on: dt.date | None = None) -> Case:
    """中止: stop the clock (a correction after acceptance, a procedure the law excludes …)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise CaseError({"reason": _("请写明中止的原因（不超过 200 字）。")})
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "suspend", by)
        day = _day(on)
        if day < case.accepted_on:
            raise CaseError({"on": _("中止日期不能早于受理日期。")})
        case = _apply(case, "suspend", by, {"suspended_on": day}, {"reason": reason})
        _notify(case, _("已中止办理：%(reason)s") % {"reason": reason})
    return case


def resume_case(case: Case, *, by, on: dt.date | None = None) -> Case:
    """恢复: restart the clock; the working days in (suspended day, resumed day] move both deadlines."""
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "resume", by)
        day = _day(on)
        if day < case.suspended_on:
            raise CaseError({"on": _("恢复日期不能早于中止日期。")})
        promised = calendar.after_suspension(
            Deadline(case.promised_deadline, case.promised_provisional), case.suspended_on, day
        )
        legal = calendar.after_suspension(
            Deadline(case.legal_deadline, case.legal_provisional), case.suspended_on, day
        )
        changes = {
            "suspended_on": None,
            "promised_deadline": promised.date,
            "promised_provisional": promised.provisional,
            "legal_deadline": legal.date,
            "legal_provisional": legal.provisional,
        }
        data = {"suspended_on": _json(case.suspended_on), "on": day.isoformat()}
        case = _apply(case, "resume", by, changes, data)
        _notify(
            case, _("已恢复办理，承诺于 %(day)s 前办结。") % {"day": f"{promised.date:%Y-%m-%d}"}
        )
    return case


def extend_case(case: Case, *, by, working_days: int, reason: str, approver: str) -> Case:
    """延长: add approved working days to the promised deadline, with a reason and an approver."""
    errors = {}
    if (
        not isinstance(working_days, int)
        or isinstance(working_days, bool)
        or not 1 <= working_days <= 60
    ):
        errors["working_days"] = [_("延长的工作日应为 1 到 60。")]
    if not (reason or "").strip() or len(reason) > 200:
        errors["reason"] = [_("请写明延长的原因（不超过 200 字）。")]
    if not (approver or "").strip() or len(approver) > 50:
        errors["approver"] = [_("请写明批准人。")]
    if errors:
        raise CaseError(errors)
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "extend", by)
        promised = calendar.after_extension(
            Deadline(case.promised_deadline, case.promised_provisional), working_days
        )
        changes = {"promised_deadline": promised.date, "promised_provisional": promised.provisional}
        data = {
            "working_days": working_days,
            "reason": reason.strip(),
            "approver": approver.strip(),
        }
        case = _apply(case, "extend", by, changes, data)
        _notify(
            case, _("经批准延期，承诺于 %(day)s 前办结。") % {"day": f"{promised.date:%Y-%m-%d}"}
        )
    return case


def complete_case(case: Case, *, by, on: dt.date | None = None) -> Case:
    """办结. Not while a 容缺后补 material is still outstanding (the result is handed over only then)."""
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "complete", by)
        day = _day(on)
        if day < case.accepted_on:
            raise CaseError({"on": _("办结日期不能早于受理日期。")})
        outstanding = [
            line.material.name
            for line in case.materials.select_related("material")
            if line.status == CaseMaterial.Status.DEFERRED
        ]
        if outstanding:
            raise CaseError(
                {
                    "materials": _("容缺后补的材料尚未补齐：%(names)s。")
                    % {"names": "、".join(outstanding)}
                }
            )
        changes = {"completed_on": day, "closed_at": timezone.now()}
        case = _apply(case, "complete", by, changes)
        _notify(case, _("已办结。请对本次服务进行评价。"))
    return case


def withdraw_case(case: Case, *, by, reason: str) -> Case:
    """撤回: the applicant withdraws the matter."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise CaseError({"reason": _("请写明撤回的原因（不超过 200 字）。")})
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "withdraw", by)
        changes = {"closed_at": timezone.now(), **_no_longer_deemable(case)}
        case = _apply(case, "withdraw", by, changes, {"reason": reason})
        _notify(case, _("已撤回。"))
    return case


def set_material_status(
    case: Case,
    *,
    statuses: Mapping[int, str],
    by,
    deferred_until: dt.date | None = None,
    commitment: bool = False,
    received_on: dt.date | None = None,
) -> Case:
    """收取材料: record what was received of the checklist (material id → status) and on which day
    (`received_on`, default today: not before the case's day of receipt, not after today), kept on
    each line turned 已收取 — acceptance cannot be dated before the last required one. It keeps the
    state; it is an event like every action, even when nothing changed.

    A material may be 容缺后补 (deferred) only when the item allows it for that material, the
    applicant has no dishonesty record, has signed the written commitment (`commitment`) and a day
    to supply it by is set (`deferred_until`, today or later) — DOMAIN.md "Definitions". After
    acceptance the only change left is a deferred material arriving (deferred → received)."""
    today = timezone.localdate()
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case, today)
        _check(case, "materials_received", by)
        lines = {
            line.material_id: line
            for line in case.materials.select_related("material").select_for_update()
        }
        accepted = case.status in (State.IN_PROGRESS, State.SUSPENDED)
        errors: dict[str, list[str]] = {}
        deferring = False
        for material_id, status in statuses.items():
            key = f"materials.{material_id}"
            line = lines.get(material_id)
            if line is None:
                errors[key] = [_("不是本办件的材料。")]
            elif status not in CaseMaterial.Status.values:
                errors[key] = [_("材料状态无效。")]
            elif status == line.status:
                continue
            elif accepted and not (
                line.status == CaseMaterial.Status.DEFERRED
                and status == CaseMaterial.Status.RECEIVED
            ):
                errors[key] = [_("已受理的办件只能登记容缺材料的补交。")]
            elif status == CaseMaterial.Status.DEFERRED:
                deferring = True
                if line.material.necessity != Material.Necessity.DEFERRABLE:
                    errors[key] = [
                        _("“%(name)s”不是可容缺后补的材料。") % {"name": line.material.name}
                    ]
                elif case.applicant.dishonest:
                    errors[key] = [
                        _("申请人有失信记录，“%(name)s”不能容缺后补。")
                        % {"name": line.material.name}
                    ]
        if deferring:
            if not commitment:
                errors["commitment"] = [_("容缺后补须由申请人签署书面承诺。")]
            if deferred_until is None:
                errors["deferred_until"] = [_("请填写容缺材料的补交期限。")]
            elif deferred_until < today:
                errors["deferred_until"] = [_("补交期限不能早于今天。")]
        day = today if received_on is None else received_on
        if not isinstance(day, dt.date) or day > today:
            errors["received_on"] = [_("收取日期不能晚于今天。")]
        elif day < case.received_on:
            errors["received_on"] = [
                _("收取日期不能早于收到材料的日期（%(day)s）。")
                % {"day": f"{case.received_on:%Y-%m-%d}"}
            ]
        if errors:
            raise CaseError(errors)
        changed = {}
        received = False
        for material_id, status in statuses.items():
            line = lines[material_id]
            if line.status != status:
                changed[str(material_id)] = [line.status, status]
                line.status = status
                fields = ["status", "received_on"]
                line.received_on = day if status == CaseMaterial.Status.RECEIVED else None
                received = received or status == CaseMaterial.Status.RECEIVED
                if status == CaseMaterial.Status.DEFERRED:
                    line.deferred_until = deferred_until
                    fields.append("deferred_until")
                line.save(update_fields=fields)
        data: dict = {"materials": changed}
        if received:
            data["received_on"] = day.isoformat()
        if deferring:
            data.update(deferred_until=deferred_until.isoformat(), commitment=True)
        CaseEvent.objects.create(
            case=case,
            by=by,
            action="materials_received",
            from_status=case.status,
            to_status=case.status,
            data=data,
        )
    return case


# --- One-time notice and deemed acceptance ---------------------------------------------------------

# `models.NOTICE_WINDOW`: a notice within 5 working days of receipt keeps acceptance for the day the
# materials are complete; later, the application counts as accepted on the day of receipt.


@dataclass(frozen=True)
class NoticeItem:
    """One material a notice asks for: the checklist line, why, and a free note."""

    line_id: int
    reason: str
    note: str = ""


#: What deemed acceptance sets (besides clearing `deemed_deadline`).
DEEMED_FIELDS = (
    "accepted_on",
    "acceptance_deemed",
    "promised_deadline",
    "promised_provisional",
    "legal_deadline",
    "legal_provisional",
)


def _deemed(case: Case, today: dt.date) -> dict:
    """The changes of deemed acceptance on the day of receipt, when the window has passed without a
    notice and the case is not accepted yet (`models.deemed_due`: a case keeps its
    `deemed_deadline` exactly while it may still be deemed); nothing otherwise. No query."""
    if case.accepted_on is not None or case.status not in DEEMABLE:
        return {}
    if case.deemed_deadline is None or notice_in_time(case.received_on, today):
        return {}
    return {
        "accepted_on": case.received_on,
        "acceptance_deemed": True,
        **_deadline_values(case, case.received_on),
        "deemed_deadline": None,
    }


def _no_longer_deemable(case: Case) -> dict:
    """The change that says a case can no longer be deemed accepted (accepted, noticed in time,
    closed): its `deemed_deadline` cleared, when it has one."""
    return {"deemed_deadline": None} if case.deemed_deadline is not None else {}


def _deem_first(case: Case, today: dt.date | None = None) -> Case:
    """视为受理 where it is due, before anything else is done to a (locked) case: every action, the
    hourly job and registration call it first, so an action after the window sees the case
    accepted as the law has it (DOMAIN.md "The clock of a case"). Its own event, by the system,
    the same whoever comes first; no query when nothing is due."""
    changes = _deemed(case, today or timezone.localdate())
    if not changes:
        return case
    _check(case, "deem_accepted", None)
    return _apply(case, "deem_accepted", None, changes)


def issue_notice(
    case: Case,
    *,
    items: list[NoticeItem],
    supply_by: dt.date,
    by,
    repeat_reason: str = "",
) -> Notice:
    """一次性告知: one written notice listing every missing or wrong material with the reason and the day
    to supply them by. A notice later than 5 working days after receipt comes after the case's
    deemed acceptance on the day of receipt (`_deem_first`), its clock running (DOMAIN.md "The clock
    of a case"); one in time keeps it from deemed acceptance for good. A second notice needs a
    reason and is recorded as repeated (重复告知)."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not items:
        errors["items"] = [_("请至少列出一项需要补正的材料。")]
    for n, item in enumerate(items, start=1):
        if item.reason not in NoticeLine.Reason.values:
            errors[f"items.{n}.reason"] = [_("请选择补正原因。")]
        if len(item.note or "") > 200:
            errors[f"items.{n}.note"] = [_("说明不能超过 200 字。")]
    if not isinstance(supply_by, dt.date) or supply_by < today:
        errors["supply_by"] = [_("补正期限不能早于今天。")]
    if errors:
        raise CaseError(errors)
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case, today)
        _check(case, "notice", by)
        lines = {line.pk: line for line in case.materials.select_for_update()}
        unknown = [n for n, item in enumerate(items, start=1) if item.line_id not in lines]
        if unknown:
            raise CaseError({f"items.{n}.line_id": _("不是本办件的材料。") for n in unknown})
        if len({item.line_id for item in items}) != len(items):
            raise CaseError({"items": _("同一项材料只能列一次。")})
        repeated = case.notices.exists()
        reason = (repeat_reason or "").strip()
        if repeated and not reason:
            raise CaseError(
                {"repeat_reason": _("已告知过一次：再次告知须写明原因（将记为重复告知）。")}
            )
        within = notice_in_time(case.received_on, today)
        sequence = next_sequence(case.county_id, today, CaseCounter.Series.NOTICE)
        notice = Notice.objects.create(
            case=case,
            number=case_number(case.county.code, today, sequence, prefix="N"),
            issued_on=today,
            issued_by=by,
            supply_by=supply_by,
            repeated=repeated,
            repeat_reason=reason[:200] if repeated else "",
            within_window=within,
        )
        NoticeLine.objects.bulk_create(
            NoticeLine(notice=notice, line_id=i.line_id, reason=i.reason, note=i.note.strip())
            for i in items
        )
        for item in items:
            line = lines[item.line_id]
            line.status = (
                CaseMaterial.Status.MISSING
                if item.reason == NoticeLine.Reason.MISSING
                else CaseMaterial.Status.WRONG
            )
            line.save(update_fields=["status"])
        # In time, the case can no longer be deemed accepted (late, it has been, just above).
        changes = _no_longer_deemable(case) if within else {}
        _apply(
            case,
            "notice",
            by,
            changes,
            {"notice": notice.number, "repeated": repeated, "within_window": within},
        )
        names = "、".join(lines[i.line_id].material.name for i in items)
        _notify(
            case,
            _("请于 %(day)s 前补正以下材料：%(names)s。")
            % {"day": f"{supply_by:%Y-%m-%d}", "names": names},
        )
    return notice


def apply_deemed_acceptance(case: Case, *, today: dt.date | None = None) -> Case:
    """视为受理 (the scheduled job, by the system): a case neither accepted nor given a notice within
    5 working days of receipt counts as accepted on the day of receipt, its clock running since."""
    with transaction.atomic():
        return _deem_first(_locked(case), today)


# --- Deadline corrections when the calendar changes ----------------------------------------------------


def recomputed_deadlines(case: Case) -> dict:
    """The deadlines of an accepted case counted afresh on the calendar as it is now: the limits from
    the acceptance day, then each completed suspension and each extension in the order they happened
    (their events). What the deadline fields would hold had today's calendar been known all along."""
    values = _deadline_values(case, case.accepted_on)
    promised = Deadline(values["promised_deadline"], values["promised_provisional"])
    legal = Deadline(values["legal_deadline"], values["legal_provisional"])
    for event in case.events.filter(action__in=("resume", "extend")).order_by("at", "pk"):
        if event.action == "extend":
            promised = calendar.after_extension(promised, int(event.data["working_days"]))
            continue
        suspended = dt.date.fromisoformat(event.data["suspended_on"])
        resumed = event.data.get("on") or timezone.localdate(event.at).isoformat()
        resumed = dt.date.fromisoformat(resumed)
        promised = calendar.after_suspension(promised, suspended, resumed)
        legal = calendar.after_suspension(legal, suspended, resumed)
    return {
        "promised_deadline": promised.date,
        "promised_provisional": promised.provisional,
        "legal_deadline": legal.date,
        "legal_provisional": legal.provisional,
    }


def correct_deadlines(first: dt.date, last: dt.date) -> int:
    """期限更正 (by the system) after the calendar changed for the days `first`..`last` — typically an
    admin entering next year's holidays, which turns provisional deadlines final. Every open,
    accepted case whose clock spans those days is counted afresh; each one whose deadlines change
    gets one `correct_deadline` event with before and after (the only way a deadline may move
    earlier), and the applicant is told the new promised day. Closed cases keep their history.
    The `deemed_deadline` of a case still awaiting acceptance is counted afresh too, quietly: it is
    no deadline of the case yet, only what the warnings filter reads until it is deemed accepted
    (which counts its deadlines again). Returns the number of cases corrected."""
    _recount_deemed_deadlines(first, last)
    candidates = (
        Case.objects.open()
        .filter(accepted_on__isnull=False, accepted_on__lte=last)
        .filter(models.Q(promised_deadline__gte=first) | models.Q(legal_deadline__gte=first))
        .values_list("pk", flat=True)
    )
    corrected = 0
    for pk in list(candidates):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.status not in workflow.OPEN or case.accepted_on is None:
                continue
            changes = {
                name: value
                for name, value in recomputed_deadlines(case).items()
                if getattr(case, name) != value
            }
            if not changes:
                continue
            _check(case, "correct_deadline", None)
            data = {"calendar_from": first.isoformat(), "calendar_to": last.isoformat()}
            moved = "promised_deadline" in changes
            case = _apply(case, "correct_deadline", None, changes, data)
            if moved:
                _notify(
                    case,
                    _("节假日安排公布后，承诺办结日期更正为 %(day)s。")
                    % {"day": f"{case.promised_deadline:%Y-%m-%d}"},
                )
            corrected += 1
    return corrected


def _recount_deemed_deadlines(first: dt.date, last: dt.date) -> None:
    """`deemed_deadline` counted afresh for the cases that may still be deemed accepted and whose
    count from the day of receipt spans the days `first`..`last`."""
    pending = Case.objects.filter(
        status__in=DEEMABLE,
        deemed_deadline__gte=first,
        received_on__lte=last,
    ).select_related("revision")
    for case in pending.iterator(chunk_size=500):
        counted = deadline_values(case.revision, case.received_on)["promised_deadline"]
        if counted != case.deemed_deadline:
            Case.objects.filter(pk=case.pk, deemed_deadline__isnull=False).update(
                deemed_deadline=counted
            )


# --- Deadline warnings (黄牌 / 红牌) -------------------------------------------------------------------


def _warning_recipients(case: Case, red: bool) -> list[str]:
    """The mobile work phones to warn: the handling and the first responsible helper; when overdue
    also the handling point's leads, the town admins above it and the county's admins."""
    people = models.Q(user_id__in=[case.responsible_id, case.handling_helper_id])
    if red:
        point = case.handling_point
        above = [int(pk) for pk in point.ancestry.strip("/").split("/") if pk]
        people |= models.Q(user__memberships__role=Role.POINT_LEAD, user__memberships__point=point)
        people |= models.Q(
            user__memberships__role=Role.TOWN_ADMIN,
            user__memberships__point_id__in=[*above, point.pk],
        )
        people |= models.Q(
            user__memberships__role=Role.REGION_ADMIN, user__memberships__region=case.county_id
        )
    phones = (
        Helper.objects.filter(people).exclude(work_phone="").values_list("work_phone", flat=True)
    )
    return sorted({identifiers.normalise_phone(p) for p in phones if identifiers.is_mobile(p)})


def send_warnings(*, today: dt.date | None = None) -> int:
    """Warn about every open case that turned yellow (the deadline is today or the next working day)
    or red (the deadline day has ended), once per level and deadline: one `warning` event on the
    case (level, deadline, how many were texted) and a text to each person to warn
    (`_warning_recipients`). A deadline that moves (extension, suspension, correction) warns again.
    A case due for deemed acceptance is deemed first (`_deem_first`), so it is warned about the
    deadline it now has. Returns the number of warnings recorded."""
    today = today or timezone.localdate()
    due = [
        ("red", Case.objects.overdue(today)),
        ("yellow", Case.objects.near_deadline(today)),
    ]
    sent = 0
    for level, cases in due:
        for case in cases.select_related("handling_point").iterator(chunk_size=500):
            deadline = (case.promised_deadline or case.deemed_deadline).isoformat()
            with transaction.atomic():
                case = _deem_first(_locked(case), today)
                if case.status not in workflow.OPEN or case.promised_deadline is None:
                    continue
                already = case.events.filter(
                    action="warning", data__level=level, data__deadline=deadline
                )
                if case.promised_deadline.isoformat() != deadline or already.exists():
                    continue
                recipients = _warning_recipients(case, level == "red")
                CaseEvent.objects.create(
                    case=case,
                    by=None,
                    action="warning",
                    from_status=case.status,
                    to_status=case.status,
                    data={"level": level, "deadline": deadline, "recipients": len(recipients)},
                )
                if level == "red":
                    text = _(
                        "【帮办代办】红牌：办件 %(number)s（%(item)s）已超过承诺期限 %(day)s，请立即办理。"
                    )
                else:
                    text = _(
                        "【帮办代办】黄牌：办件 %(number)s（%(item)s）承诺期限为 %(day)s，请抓紧办理。"
                    )
                body = text % {
                    "number": case.number,
                    "item": case.revision.name,
                    "day": deadline,
                }
                for phone in recipients:
                    queue_message(recipient=phone, body=body, reference=f"case:{case.number}")
                sent += 1
    return sent


# --- Transfers (联动) ---------------------------------------------------------------------------------


def direction_between(a: ServicePoint, b: ServicePoint) -> str:
    """Vertical between levels of the network (county ↔ town ↔ village), horizontal within one."""
    same = LEVEL_OF_KIND[ServicePoint.Kind(a.kind)] == LEVEL_OF_KIND[ServicePoint.Kind(b.kind)]
    return Transfer.Direction.HORIZONTAL if same else Transfer.Direction.VERTICAL


def transfer_case(
    case: Case, *, to_point: ServicePoint, reason: str, by, to_helper=None
) -> Transfer:
    """转办: offer the case to another point (optionally a named helper there, from the linkage
    directory, who must serve there and be qualified today). The case stays where it is, in its
    state, until the receiving point answers."""
    reason = (reason or "").strip()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not reason or len(reason) > 200:
        errors["reason"] = [_("请写明转办原因（不超过 200 字）。")]
    if to_point is None or not to_point.active:
        errors["to_point"] = [_("接收服务点不存在或已停用。")]
    if to_helper is not None and to_point is not None:
        if not _serves_at(to_helper, to_point):
            errors["to_helper"] = [_("指定的接收人不在该服务点服务。")]
        elif reasons := _not_qualified(to_helper, today):
            errors["to_helper"] = [
                _("指定的接收人不具备上岗资格：%(reasons)s") % {"reasons": reasons}
            ]
    if errors:
        raise CaseError(errors)
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case, today)
        _check(case, "transfer", by)
        if to_point.pk == case.handling_point_id:
            raise CaseError({"to_point": _("办件已在该服务点办理。")})
        if case.transfers.filter(status=Transfer.Status.PENDING).exists():
            raise CaseError({"to_point": _("该办件已有一个待接收的转办。")})
        transfer = Transfer.objects.create(
            case=case,
            from_point=case.handling_point,
            to_point=to_point,
            to_helper=to_helper,
            direction=direction_between(case.handling_point, to_point),
            reason=reason,
            sent_on=today,
            sent_by=by,
        )
        _apply(
            case,
            "transfer",
            by,
            {},
            {"transfer": transfer.pk, "to_point": to_point.pk, "direction": transfer.direction},
        )
    return transfer


def _answer(transfer: Transfer, action: str, by) -> tuple[Transfer, Case]:
    """Lock the transfer and its case; the transfer must still be pending (else the other answer
    came first: 409) and `by` must act at the receiving point."""
    transfer = Transfer.objects.select_for_update().select_related("to_point").get(pk=transfer.pk)
    case = _deem_first(_locked(transfer.case))
    if transfer.status != Transfer.Status.PENDING:
        raise CaseError({"transfer": _("该转办已经答复过了。")})
    t = workflow.transition(action)
    if case.status not in t.sources:
        raise CaseError({"status": _("办件已结束，不能再答复转办。")})
    if by is None or not access.can(by, "act", transfer.to_point):
        raise CaseError({"by": _("只有接收服务点的人员可以答复转办。")})
    return transfer, case


def accept_transfer(transfer: Transfer, *, by, handling_helper=None) -> Case:
    """接收转办: the receiving point becomes the handling point. Its handling helper is
    `handling_helper`, else the helper the transfer named, else whoever accepts when they serve at
    the point — an administrator accepting for the point names one — and must serve at the point
    and be qualified today (上岗资格). The first responsible helper stays, and keeps seeing the
    case."""
    with transaction.atomic():
        transfer, case = _answer(transfer, "accept_transfer", by)
        today = timezone.localdate()
        point = transfer.to_point
        helper = handling_helper or transfer.to_helper or (by if _serves_at(by, point) else None)
        if helper is None:
            raise CaseError({"handling_helper": _("请指定承办本办件的帮办代办员。")})
        if not _serves_at(helper, point):
            raise CaseError(
                {"handling_helper": _("承办人须是%(point)s的帮办代办员。") % {"point": point.name}}
            )
        reasons = _not_qualified(helper, today)
        if reasons:
            raise CaseError(
                {"handling_helper": _("承办人不具备上岗资格：%(reasons)s") % {"reasons": reasons}}
            )
        transfer.status = Transfer.Status.ACCEPTED
        transfer.answered_on = today
        transfer.answered_by = by
        transfer.save(update_fields=["status", "answered_on", "answered_by"])
        changes = {"handling_point": transfer.to_point, "handling_helper": helper}
        _apply(case, "accept_transfer", by, changes, {"transfer": transfer.pk})
        _notify(case, _("已转至%(point)s办理。") % {"point": transfer.to_point.name})
    return case


def decline_transfer(
    transfer: Transfer, *, by, reason: str, suggested_point: ServicePoint | None = None
) -> Transfer:
    """退回转办: the receiving point declines, with a reason and, if it knows, a better point."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise CaseError({"reason": _("请写明退回原因（不超过 200 字）。")})
    with transaction.atomic():
        transfer, case = _answer(transfer, "decline_transfer", by)
        transfer.status = Transfer.Status.DECLINED
        transfer.answered_on = timezone.localdate()
        transfer.answered_by = by
        transfer.decline_reason = reason
        transfer.suggested_point = suggested_point
        transfer.save(
            update_fields=[
                "status",
                "answered_on",
                "answered_by",
                "decline_reason",
                "suggested_point",
            ]
        )
        data = {"transfer": transfer.pk, "reason": reason}
        if suggested_point is not None:
            data["suggested_point"] = suggested_point.pk
        _apply(case, "decline_transfer", by, {}, data)
    return transfer


def escalate_transfers(*, today: dt.date | None = None) -> int:
    """A transfer unanswered by the end of the working day after it was sent escalates to the
    receiving point's lead (DOMAIN.md "Definitions"): marked, recorded on the case, and the lead is
    texted at their work phone when it is a mobile. The number escalated."""
    today = today or timezone.localdate()
    escalated = 0
    pending = Transfer.objects.filter(status=Transfer.Status.PENDING, escalated_at__isnull=True)
    for transfer in pending.select_related("case", "to_point").iterator(chunk_size=200):
        if next_working_day(transfer.sent_on) >= today:
            continue
        with transaction.atomic():
            locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
            if locked.status != Transfer.Status.PENDING or locked.escalated_at is not None:
                continue
            locked.escalated_at = timezone.now()
            locked.save(update_fields=["escalated_at"])
            case = _deem_first(_locked(transfer.case), today)
            CaseEvent.objects.create(
                case=case,
                by=None,
                action="escalate_transfer",
                from_status=case.status,
                to_status=case.status,
                data={"transfer": transfer.pk, "to_point": transfer.to_point_id},
            )
            leads = Helper.objects.filter(
                user__memberships__point=transfer.to_point,
                user__memberships__role=Role.POINT_LEAD,
            ).exclude(work_phone="")
            for lead in leads:
                if identifiers.is_mobile(lead.work_phone):
                    queue_message(
                        recipient=identifiers.normalise_phone(lead.work_phone),
                        body=_("【帮办代办】办件 %(number)s 转至%(point)s，尚未接收，请尽快处理。")
                        % {"number": case.number, "point": transfer.to_point.name},
                        reference=f"case:{case.number}",
                    )
            escalated += 1
    return escalated


# --- Refusal and progress --------------------------------------------------------------------------


def refuse_case(
    case: Case,
    *,
    by,
    reason: str,
    document_number: str,
    department: Department | None = None,
    legal_basis: str = "",
) -> Case:
    """不予受理: the competent department's decision (decision 0029), recorded by the helper who
    handled the case: which department decided (`department`, one of the case's county; by default
    the item's department) and its decision's document number (文号), both kept on the case, with
    the reason and its legal basis. The written refusal is numbered like a notice and printed from
    the case and its `refuse` event, naming the department as the decider and the helper as the
    one who handled it."""
    reason = (reason or "").strip()
    basis = (legal_basis or "").strip()
    document = (document_number or "").strip()
    errors = {}
    if not reason or len(reason) > 500:
        errors["reason"] = [_("请写明不予受理的理由（不超过 500 字）。")]
    if len(basis) > 200:
        errors["legal_basis"] = [_("依据不能超过 200 字。")]
    if not document or len(document) > 50:
        errors["document_number"] = [_("请填写不予受理决定的文号（不超过 50 个字符）。")]
    if errors:
        raise CaseError(errors)
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "refuse", by)
        if department is None:
            department = case.revision.department
        elif department.county_id != case.county_id:
            raise CaseError({"department": _("作出决定的部门须是本县的部门。")})
        if not department.active:
            # A department no longer in service decides nothing new (decision 0024).
            raise CaseError(
                {
                    "department": _("部门“%(name)s”已停用，请选择现在负责作出决定的部门。")
                    % {"name": department.name}
                }
            )
        today = timezone.localdate()
        sequence = next_sequence(case.county_id, today, CaseCounter.Series.NOTICE)
        refusal = case_number(case.county.code, today, sequence, prefix="N")
        data = {
            "refusal": refusal,
            "refused_on": today.isoformat(),
            "reason": reason,
            "department": department.name,
            "document_number": document,
        }
        if basis:
            data["legal_basis"] = basis
        changes = {
            "closed_at": timezone.now(),
            "refusal_department": department,
            "refusal_document_number": document,
            **_no_longer_deemable(case),
        }
        case = _apply(case, "refuse", by, changes, data)
        _notify(case, _("不予受理：%(reason)s") % {"reason": reason})
    return case


def record_progress(case: Case, *, by, text: str, tell_applicant: bool = True) -> Case:
    """进度反馈: a note on the case's timeline, texted to the applicant unless kept internal."""
    text = (text or "").strip()
    if not text or len(text) > 300:
        raise CaseError({"text": _("请填写进度内容（不超过 300 字）。")})
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "progress", by)
        case = _apply(case, "progress", by, {}, {"text": text, "told": bool(tell_applicant)})
        if tell_applicant:
            _notify(case, text)
    return case


# --- Full ID numbers (logged) ----------------------------------------------------------------------

#: The roles that are "the leads and admins above" a case's helpers (DOMAIN.md "Full ID numbers"):
#: everyone who may change a point, which a supervisor and a helper may not (`access.ROLE_ACTIONS`).
REVEAL_ACTION: access.Action = "change"


def may_reveal(case: Case, user) -> bool:
    """Whether `user` may see the applicant's full ID number (DOMAIN.md "Full ID numbers"): the case's
    first responsible helper and its handling helper, and the leads and admins of the point that
    registered it (where the first responsible helper took it) or that handles it, or above them.
    A supervisor, a helper elsewhere and the receiving point of a pending transfer may not; nor may
    a superuser through that flag alone (operators are not a role of the ledger). One query."""
    if user is None or not getattr(user, "is_active", False):
        return False
    if user.pk in (case.responsible_id, case.handling_helper_id):
        return True
    points = access.points_q(user, REVEAL_ACTION)
    if not points:
        return False
    return (
        ServicePoint.objects.filter(points)
        .filter(pk__in=[case.registering_point_id, case.handling_point_id])
        .exists()
    )


def reveal_number(case: Case, *, by, address: str | None = None) -> str:
    """The applicant's full document number, shown to an entitled user (`may_reveal`) and logged as
    an `IdentityView` (who, when, which case, from which address) in the same transaction. An
    organisation's credit code is public: it is returned as it is, and not logged. Raises CaseError
    (`by`) when `by` may not see it, and (`number`) when the stored number cannot be decrypted;
    nothing is written then."""
    applicant = case.applicant
    if applicant.kind == Applicant.Kind.ORGANISATION:
        return applicant.credit_code
    if not may_reveal(case, by):
        raise CaseError({"by": _("您无权查看该申请人的完整证件号码。")})
    try:
        number = protection.decrypt(applicant.number_encrypted)
    except protection.UnreadableNumber:
        raise CaseError(
            {"number": _("无法读取存储的证件号码（数据密钥可能已更换），请联系系统管理员。")}
        ) from None
    with transaction.atomic():
        IdentityView.objects.create(case=case, viewer=by, address=address or None)
    return number


#: The content type each kept extension of an authorisation scan is served with.
SCAN_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def authorisation_scan(case: Case, *, by, address: str | None = None):
    """The signed authorisation scan of a 代办 case, opened for reading, and its content type, for
    a user entitled to the applicant's full ID number (`may_reveal`: the scan carries it), logged
    as an `IdentityView` of the scan in the same transaction. Raises CaseError (`by`) when `by`
    may not see it, and (`scan`) when the case has none or its file is missing; nothing is written
    then."""
    if not may_reveal(case, by):
        raise CaseError({"by": _("您无权查看该办件的委托书扫描件。")})
    authorisation = Authorisation.objects.filter(case=case).first()
    name = authorisation.scan.name if authorisation is not None else ""
    content_type = SCAN_TYPES.get(PurePath(name).suffix.lower())
    if not name or content_type is None:
        raise CaseError({"scan": _("该办件没有委托书扫描件。")})
    try:
        opened = authorisation.scan.open("rb")
    except OSError:
        raise CaseError({"scan": _("委托书扫描件的文件已丢失，请联系系统管理员。")}) from None
    with transaction.atomic():
        IdentityView.objects.create(
            case=case, viewer=by, address=address or None, what=IdentityView.What.SCAN
        )
    return opened, content_type


# --- Excel: background exports and the historical import -------------------------------------------


def request_export(*, query: dict, by):
    """台账导出 in the background: a LedgerExport of the ledger filter's `query` (LedgerFilter.query())
    for `by`, and the job queued once the row is committed. The job re-scopes the rows to `by`."""
    from .models import LedgerExport
    from .tasks import export_ledger

    export = LedgerExport.objects.create(requested_by=by, query=query)
    transaction.on_commit(lambda: export_ledger(export.pk), robust=True)
    return export


#: The states a historical case may be imported in (a suspended case needs its suspension day and a
#: case awaiting materials its notice, which a ledger row does not hold).
IMPORTABLE_STATES = (
    State.REGISTERED,
    State.IN_PROGRESS,
    State.COMPLETED,
    State.WITHDRAWN,
    State.REFUSED,
)


@dataclass(frozen=True)
class ImportedCase:
    """One historical case as a ledger row gives it, its names resolved to the county's items,
    points and people. `revision` is the item's revision as it stood on the day of registration;
    the deadlines, when not given, are counted from the acceptance day by that revision. None
    stands for a value the caller could not read (a problem named by the checks)."""

    applicant: ApplicantData
    item: ServiceItem | None
    revision: object | None  # catalog.ItemRevision of `item`
    kind: str | None
    mode: str | None
    channel: str | None
    status: str | None
    registering_point: ServicePoint | None
    responsible: object | None  # a user
    registered_on: dt.date | None
    handling_point: ServicePoint | None = None
    handling_helper: object | None = None
    received_on: dt.date | None = None
    accepted_on: dt.date | None = None
    promised_deadline: dt.date | None = None
    legal_deadline: dt.date | None = None
    completed_on: dt.date | None = None
    original_number: str = ""
    contact_phone: str = ""


def _imported_case_errors(c: ImportedCase, county) -> tuple[dict, dict[str, list[str]]]:
    """The applicant's stored values and the problems of one imported case, by field
    (`applicant.<field>` for the applicant's)."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    registered = c.registered_on
    if not isinstance(registered, dt.date) or registered > today:
        errors["registered_on"] = [_("登记日期不能晚于今天。")]
        registered = today
    values, applicant_errors = _applicant_values(c.applicant, registered)
    errors.update({f"applicant.{k}": m for k, m in applicant_errors.items()})
    if c.item is None or c.item.county_id != county.pk:
        errors["item"] = [_("事项不存在或不属于本县。")]
    elif c.revision is None or c.revision.item_id != c.item.pk:
        errors["item"] = [_("事项没有可用的版本。")]
    elif c.mode not in c.revision.modes:
        labels = "、".join(c.revision.mode_labels)
        errors["mode"] = [_("该事项不支持这种服务方式，可选：%(modes)s。") % {"modes": labels}]
    if c.kind not in Case.Kind.values:
        errors["kind"] = [_("请选择帮办或代办。")]
    if c.channel not in Case.Channel.values:
        errors["channel"] = [_("请选择来源渠道。")]
    for name, point in (
        ("registering_point", c.registering_point),
        ("handling_point", c.handling_point),
    ):
        if point is not None and point.county_id != county.pk:
            errors[name] = [_("服务点不属于本县。")]
    if c.registering_point is None:
        errors["registering_point"] = [_("请填写登记服务点。")]
    if c.responsible is None:
        errors["responsible"] = [_("请填写首问负责人。")]
    contact = (c.contact_phone or "").strip()
    if contact:
        try:
            identifiers.normalise_phone(contact)
        except IdentifierError as error:
            errors["contact_phone"] = [error.message]
    received = c.received_on or c.registered_on
    if isinstance(received, dt.date) and received > today:
        errors["received_on"] = [_("收件日期不能晚于今天。")]
    accepted = c.accepted_on
    if accepted is not None:
        if accepted > today:
            errors["accepted_on"] = [_("受理日期不能晚于今天。")]
        elif isinstance(received, dt.date) and accepted < received:
            errors["accepted_on"] = [_("受理日期不能早于收件日期。")]
    for name, deadline in (
        ("promised_deadline", c.promised_deadline),
        ("legal_deadline", c.legal_deadline),
    ):
        if deadline is None:
            continue
        if accepted is None:
            errors[name] = [_("未受理的办件没有期限，请留空或填写受理日期。")]
        elif deadline < accepted:
            errors[name] = [_("期限不能早于受理日期。")]
    if c.status not in IMPORTABLE_STATES:
        labels = "、".join(str(State(s).label) for s in IMPORTABLE_STATES)
        errors["status"] = [_("历史办件的状态只能是：%(states)s。") % {"states": labels}]
    else:
        if c.status in (State.IN_PROGRESS, State.COMPLETED) and accepted is None:
            errors["accepted_on"] = [
                _("状态为“%(state)s”时须填写受理日期。") % {"state": State(c.status).label}
            ]
        if c.status == State.COMPLETED:
            if c.completed_on is None:
                errors["completed_on"] = [_("已办结的办件须填写办结日期。")]
            elif c.completed_on > today:
                errors["completed_on"] = [_("办结日期不能晚于今天。")]
            elif accepted is not None and c.completed_on < accepted:
                errors["completed_on"] = [_("办结日期不能早于受理日期。")]
        elif c.completed_on is not None:
            errors["completed_on"] = [_("只有已办结的办件填写办结日期，请留空。")]
    if len(c.original_number or "") > 40:
        errors["original_number"] = [_("办件编号不能超过 40 个字符。")]
    return values, errors


def check_imported_cases(county, cases: list[ImportedCase]) -> dict[str, list[str]]:
    """Every problem of the cases to import, keyed `<n>.<field>` (n counting from 1); no write.
    An original number may appear once in a file and not again in the ledger (a case already
    imported, or a number the ledger gave)."""
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    originals = {c.original_number.strip() for c in cases if c.original_number.strip()}
    taken = set()
    if originals:
        taken = set(
            Case.objects.filter(number__in=originals).values_list("number", flat=True)
        ) | set(
            Case.objects.filter(county=county, original_number__in=originals).values_list(
                "original_number", flat=True
            )
        )
    for n, c in enumerate(cases, start=1):
        _values, problems = _imported_case_errors(c, county)
        original = c.original_number.strip()
        if original and "original_number" not in problems:
            if original in taken:
                problems["original_number"] = [
                    _("办件 %(number)s 已在台账中，不能重复导入。") % {"number": original}
                ]
            elif original in seen:
                problems["original_number"] = [
                    _("与第 %(n)d 个办件的编号重复。") % {"n": seen[original]}
                ]
            seen.setdefault(original, n)
        errors.update({f"{n}.{field}": messages for field, messages in problems.items()})
    return errors


def import_cases(county, *, cases: list[ImportedCase], by) -> list[Case]:
    """导入历史办件: all or nothing, in one transaction. Each case is numbered by its own registration
    day on the county's counter (DOMAIN.md "Case numbers") and keeps its original number; an
    applicant already known keeps what is on record (an old ledger row does not overwrite it); no
    message goes to anyone; each case gets one event, "import". A case still awaiting acceptance
    whose notice window has passed (a ledger row holds no notice) is deemed accepted on its day of
    receipt, as registration would (a second event, "deem_accepted", by the system); a refused case
    names its item's department as the one that decided (the row does not say). Raises CaseError
    (keys `<n>.<field>`) and writes nothing when any case has a problem."""
    errors = check_imported_cases(county, cases)
    if errors:
        raise CaseError(errors)
    today = timezone.localdate()
    cutoff = deemed_cutoff(today)
    created: list[Case] = []
    deemed: list[Case] = []
    with transaction.atomic():
        applicants: dict[str, Applicant] = {}
        for c in cases:
            values, _problems = _applicant_values(c.applicant, c.registered_on)
            digest = values["lookup_digest"]
            if digest not in applicants:
                applicant = _find_applicant(values)
                applicants[digest] = applicant or Applicant.objects.create(**_stored(values))
            applicant = applicants[digest]
            birth_on = applicant.birth_date()
            received = c.received_on or c.registered_on
            handling_point = c.handling_point or c.registering_point
            helper = c.handling_helper
            if helper is None and handling_point.pk == c.registering_point.pk:
                helper = c.responsible
            contact = (c.contact_phone or "").strip()
            sequence = next_sequence(county.pk, c.registered_on)
            case = Case(
                number=case_number(county.code, c.registered_on, sequence),
                county=county,
                registered_on=c.registered_on,
                sequence=sequence,
                applicant=applicant,
                **phone_columns(
                    identifiers.normalise_phone(contact) if contact else "", "contact_phone"
                ),
                elderly=bool(birth_on and identifiers.is_elderly(birth_on, c.registered_on)),
                disabled=bool(c.applicant.disabled),
                item=c.item,
                revision=c.revision,
                kind=c.kind,
                mode=c.mode,
                channel=c.channel,
                registering_point=c.registering_point,
                handling_point=handling_point,
                entered_by=by,
                responsible=c.responsible,
                handling_helper=helper,
                status=c.status,
                received_on=received,
                accepted_on=c.accepted_on,
                completed_on=c.completed_on,
                public_token=secrets.token_urlsafe(32),
                original_number=c.original_number.strip(),
            )
            if c.accepted_on is not None:
                computed = _deadline_values(case, c.accepted_on)
                if c.promised_deadline is not None:
                    computed.update(
                        promised_deadline=c.promised_deadline, promised_provisional=False
                    )
                if c.legal_deadline is not None:
                    computed.update(legal_deadline=c.legal_deadline, legal_provisional=False)
                for name, value in computed.items():
                    setattr(case, name, value)
            elif c.status in DEEMABLE:
                if received <= cutoff:
                    case.accepted_on, case.acceptance_deemed = received, True
                    for name, value in _deadline_values(case, received).items():
                        setattr(case, name, value)
                    deemed.append(case)
                else:
                    case.deemed_deadline = _deadline_values(case, received)["promised_deadline"]
            if c.status == State.REFUSED:
                case.refusal_department_id = c.revision.department_id
            if c.status in workflow.CLOSED:
                case.closed_at = timezone.now()
            created.append(case)
        Case.objects.bulk_create(created, batch_size=500)
        revisions = {c.revision.pk for c in cases}
        materials: dict[int, list[Material]] = {pk: [] for pk in revisions}
        for material in Material.objects.filter(revision_id__in=revisions).order_by("position"):
            materials[material.revision_id].append(material)
        CaseMaterial.objects.bulk_create(
            (
                CaseMaterial(
                    case=case,
                    material=m,
                    position=m.position,
                    # Received by the acceptance day, as the ledger row says (not when deemed).
                    status=CaseMaterial.Status.PENDING
                    if case.accepted_on is None or case.acceptance_deemed
                    else CaseMaterial.Status.RECEIVED,
                    received_on=None if case.acceptance_deemed else case.accepted_on,
                )
                for case in created
                for m in materials[case.revision_id]
            ),
            batch_size=1000,
        )
        CaseEvent.objects.bulk_create(
            (
                CaseEvent(
                    case=case,
                    by=by,
                    action="import",
                    from_status="",
                    to_status=case.status,
                    data={
                        "original_number": case.original_number,
                        "imported_on": today.isoformat(),
                        "item": case.item_id,
                        "revision": case.revision.number,
                        "point": case.registering_point_id,
                    },
                )
                for case in created
            ),
            batch_size=1000,
        )
        CaseEvent.objects.bulk_create(
            (
                CaseEvent(
                    case=case,
                    by=None,
                    action="deem_accepted",
                    from_status=case.status,
                    to_status=case.status,
                    data={
                        "before": {name: None for name in DEEMED_FIELDS}
                        | {"acceptance_deemed": False},
                        "after": _snapshot(case, DEEMED_FIELDS),
                    },
                )
                for case in deemed
            ),
            batch_size=1000,
        )
    return created
