"""The ledger in bulk: a background export asked for (台账导出; the task worker writes the file), and
the import of historical cases from a county's old ledger (导入历史办件, all or nothing: decision
0021). The Excel files themselves are read and written in `cases.spreadsheets`."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.catalog.models import Material, ServiceItem
from bangban.network.models import ServicePoint

from .. import events, identifiers, workflow
from ..identifiers import IdentifierError
from ..models import (
    DEEMABLE,
    Applicant,
    Case,
    CaseMaterial,
    LedgerExport,
    count_completion,
    deemed_cutoff,
)
from ..numbering import case_number, next_sequence, rating_cards
from ..signals import export_requested
from ..workflow import State
from .applicants import (
    ApplicantData,
    _applicant_values,
    _find_applicant,
    _stored,
    index_applicants,
    phone_columns,
)
from .core import CaseError, _deadline_values, _snapshot
from .deemed import DEEMED_FIELDS
from .paths import path_of


def request_export(*, query: dict, by):
    """台账导出 in the background: a LedgerExport of the ledger filter's `query` (LedgerFilter.query())
    for `by`, and the job queued once the row is committed (`signals.export_requested`, which the
    task worker's module answers: `tasks.export_ledger`). The job re-scopes the rows to `by`."""
    export = LedgerExport.objects.create(requested_by=by, query=query)
    transaction.on_commit(
        lambda: export_requested.send(sender=LedgerExport, export_id=export.pk), robust=True
    )
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
    day on the county's counter (docs/domain.md "Case numbers") and keeps its original number; an
    applicant already known keeps what is on record (an old ledger row does not overwrite it); no
    message goes to anyone; each case gets one event, "import". A case still awaiting acceptance
    whose notice window has passed (a ledger row holds no notice) is deemed accepted on its day of
    receipt, as registration would (a second event, "deem_accepted", by the system); a refused case
    names its item's department as the one that decided (the row does not say). Each case gets a
    rating card number like a registered one (its receipt may be printed again, and a case still
    open is served again: decision 0048), but no service occasion — the rating window of the
    service it had is long past. Raises CaseError (keys `<n>.<field>`) and writes nothing when any
    case has a problem."""
    errors = check_imported_cases(county, cases)
    if errors:
        raise CaseError(errors)
    today = timezone.localdate()
    cutoff = deemed_cutoff(today)
    created: list[Case] = []
    deemed: list[Case] = []
    with transaction.atomic():
        applicants: dict[str, Applicant] = {}
        new_applicants: list[Applicant] = []  # their names' grams written in one insert
        cards = iter(rating_cards(len(cases)))
        known: dict[int, str] = {}

        def paths(point):  # each point's path read (and locked) once per import
            if point.pk not in known:
                known[point.pk] = path_of(point)
            return known[point.pk]

        for c in cases:
            values, _problems = _applicant_values(c.applicant, c.registered_on)
            digest = values["lookup_digest"]
            if digest not in applicants:
                applicant = _find_applicant(values)
                if applicant is None:
                    applicant = Applicant.objects.create(**_stored(values))
                    new_applicants.append(applicant)
                applicants[digest] = applicant
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
                registering_path=paths(c.registering_point),
                handling_path=paths(handling_point),
                entered_by=by,
                responsible=c.responsible,
                handling_helper=helper,
                status=c.status,
                received_on=received,
                accepted_on=c.accepted_on,
                completed_on=c.completed_on,
                public_token=secrets.token_urlsafe(32),
                rating_card=next(cards),
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
        index_applicants(new_applicants, replace=False)
        Case.objects.bulk_create(created, batch_size=500)
        for case in created:
            if case.status == State.COMPLETED:
                count_completion(case)
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
        events.record_all(
            events.build(
                case,
                events.Kind.IMPORT,
                by=by,
                from_status="",
                data={
                    "original_number": case.original_number,
                    "imported_on": today.isoformat(),
                    "item": case.item_id,
                    "revision": case.revision.number,
                    "point": case.registering_point_id,
                },
            )
            for case in created
        )
        events.record_all(
            events.build(
                case,
                events.Kind.DEEM_ACCEPTED,
                by=None,
                data={
                    "before": {name: None for name in DEEMED_FIELDS} | {"acceptance_deemed": False},
                    "after": _snapshot(case, DEEMED_FIELDS),
                },
            )
            for case in deemed
        )
    return created
