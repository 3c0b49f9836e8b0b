"""One POST per action on a case (the workflow table's), and the answers to a transfer."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from bangban.kernel.errors import NotVisible
from bangban.kernel.schemas import errors
from bangban.network.models import Department

from .. import actions
from ..actions import CaseError, NoticeItem
from ..idempotency import idempotent
from ..models import Case
from ..schemas import (
    CaseOut,
    DeclineIn,
    ExtendIn,
    HomeVisitIn,
    MaterialsIn,
    NoticeIn,
    OnIn,
    ProgressIn,
    RefuseIn,
    SuspendIn,
    TransferAcceptIn,
    TransferIn,
    WithdrawIn,
)
from .common import CaseNumber, TransferId, any_point, any_user, case_of, router, transfer_of
from .rendering import case_detail

# --- Actions ---------------------------------------------------------------------------------------

ACTION_ERRORS = {200: CaseOut, **errors(400, 403, 404, 409, 422)}


def _act(request, number: str) -> Case:
    return case_of(request.auth, number, "act")


@router.post("/cases/{number}/notice", response=ACTION_ERRORS, summary="Issue a one-time notice")
@idempotent
def issue_notice(request, payload: NoticeIn, number: str = CaseNumber):
    """一次性告知: every missing or wrong material (checklist lines) with the reason, and the day to
    supply them by; a second notice needs `repeat_reason` (重复告知). The answer's `notices` holds the
    new notice's number."""
    case = _act(request, number)
    actions.issue_notice(
        case,
        items=[NoticeItem(line_id=i.line, reason=i.reason, note=i.note) for i in payload.items],
        supply_by=payload.supply_by,
        repeat_reason=payload.repeat_reason,
        by=request.auth,
    )
    return case_detail(case.number)


@router.post(
    "/cases/{number}/materials-received", response=ACTION_ERRORS, summary="Record materials"
)
@idempotent
def materials_received(request, payload: MaterialsIn, number: str = CaseNumber):
    """收取材料: the status of checklist lines (received, missing, wrong, deferred 容缺后补,
    not_needed …) before acceptance, and the day those received were (`received_on`, default today;
    not before the case's day of receipt); a deferred material needs `deferred_until` and the
    applicant's written `commitment`. After acceptance only a deferred material's arrival
    (→ received)."""
    case = _act(request, number)
    lines = dict(case.materials.values_list("pk", "material_id"))
    unknown = {
        f"materials.{n}.line": _("不是本办件的材料。")
        for n, m in enumerate(payload.materials, start=1)
        if m.line not in lines
    }
    if unknown:
        raise CaseError(unknown)
    statuses = {lines[m.line]: m.status for m in payload.materials}
    actions.set_material_status(
        case,
        statuses=statuses,
        by=request.auth,
        deferred_until=(
            dt.date.fromisoformat(payload.deferred_until) if payload.deferred_until else None
        ),
        commitment=payload.commitment,
        received_on=(dt.date.fromisoformat(payload.received_on) if payload.received_on else None),
    )
    return case_detail(case.number)


@router.post("/cases/{number}/accept", response=ACTION_ERRORS, summary="Accept a case (受理)")
@idempotent
def accept_case(request, number: str = CaseNumber, payload: OnIn | None = None):
    """受理: the materials are complete (those 容缺后补 may be deferred); the deadlines count from
    `on` (default today; not before the day the last required material was received), or from the
    day of receipt for a case already deemed accepted."""
    case = _act(request, number)
    actions.accept_case(case, by=request.auth, on=payload.on if payload else None)
    return case_detail(case.number)


@router.post("/cases/{number}/refuse", response=ACTION_ERRORS, summary="Refuse a case (不予受理)")
@idempotent
def refuse_case(request, payload: RefuseIn, number: str = CaseNumber):
    """不予受理: the competent department's decision (`department`, one of the case's county; default
    the item's department) with its document number (文号), the reason and its legal basis; you
    record it as the helper who handled the case (a dated, numbered written refusal)."""
    case = _act(request, number)
    department = None
    if payload.department is not None:
        department = Department.objects.filter(pk=payload.department).first()
        if department is None:
            raise NotVisible("department", _("部门"))
    actions.refuse_case(
        case,
        by=request.auth,
        reason=payload.reason,
        document_number=payload.document_number,
        department=department,
        legal_basis=payload.legal_basis,
    )
    return case_detail(case.number)


@router.post("/cases/{number}/suspend", response=ACTION_ERRORS, summary="Suspend a case")
@idempotent
def suspend_case(request, payload: SuspendIn, number: str = CaseNumber):
    """中止: stop the clock from `on` (default today)."""
    case = _act(request, number)
    actions.suspend_case(case, by=request.auth, reason=payload.reason, on=payload.on)
    return case_detail(case.number)


@router.post("/cases/{number}/resume", response=ACTION_ERRORS, summary="Resume a case")
@idempotent
def resume_case(request, number: str = CaseNumber, payload: OnIn | None = None):
    """恢复: restart the clock on `on` (default today); both deadlines move by the working days
    suspended."""
    case = _act(request, number)
    actions.resume_case(case, by=request.auth, on=payload.on if payload else None)
    return case_detail(case.number)


@router.post("/cases/{number}/extend", response=ACTION_ERRORS, summary="Extend a deadline")
@idempotent
def extend_case(request, payload: ExtendIn, number: str = CaseNumber):
    """延长: approved working days added to the promised deadline."""
    case = _act(request, number)
    actions.extend_case(
        case,
        by=request.auth,
        working_days=payload.working_days,
        reason=payload.reason,
        approver=payload.approver,
    )
    return case_detail(case.number)


@router.post("/cases/{number}/transfer", response=ACTION_ERRORS, summary="Transfer a case")
@idempotent
def transfer_case(request, payload: TransferIn, number: str = CaseNumber):
    """转办 to another point (any point of the linkage directory), optionally to a named helper
    there. The case stays where it is until the receiving point answers; the answer's `transfers`
    holds the new transfer's id."""
    case = _act(request, number)
    to_point = any_point(payload.to_point, "to_point")
    to_helper = any_user(payload.to_helper, "to_helper", _("接收人"))
    actions.transfer_case(
        case, to_point=to_point, to_helper=to_helper, reason=payload.reason, by=request.auth
    )
    return case_detail(case.number)


@router.post("/cases/{number}/progress", response=ACTION_ERRORS, summary="Record progress")
@idempotent
def record_progress(request, payload: ProgressIn, number: str = CaseNumber):
    """进度反馈: a note on the timeline, texted to the applicant unless `tell_applicant` is false.
    The first responsible helper may give it wherever the case is handled."""
    case = case_of(request.auth, number, "view")  # the action itself says who may (403 otherwise)
    actions.record_progress(
        case, by=request.auth, text=payload.text, tell_applicant=payload.tell_applicant
    )
    return case_detail(case.number)


@router.post("/cases/{number}/home-visit", response=ACTION_ERRORS, summary="Record a home visit")
@idempotent
def record_home_visit(request, payload: HomeVisitIn, number: str = CaseNumber):
    """上门服务: you served the applicant at home on `on` (default today; not after today, not
    before the day of receipt), doing what `note` says; a service occasion of its own, rated like
    the others. The handling point's people or the first responsible helper, while the case is
    open."""
    case = case_of(request.auth, number, "view")  # the action itself says who may (403 otherwise)
    actions.record_home_visit(case, by=request.auth, on=payload.on, note=payload.note)
    return case_detail(case.number)


@router.post("/cases/{number}/complete", response=ACTION_ERRORS, summary="Complete a case")
@idempotent
def complete_case(request, number: str = CaseNumber, payload: OnIn | None = None):
    """办结 on `on` (default today); not while a 容缺后补 material is outstanding."""
    case = _act(request, number)
    actions.complete_case(case, by=request.auth, on=payload.on if payload else None)
    return case_detail(case.number)


@router.post("/cases/{number}/withdraw", response=ACTION_ERRORS, summary="Withdraw a case")
@idempotent
def withdraw_case(request, payload: WithdrawIn, number: str = CaseNumber):
    """撤回: the applicant withdraws the matter (the handling point or the first responsible
    helper records it)."""
    case = case_of(request.auth, number, "view")  # the action itself says who may (403 otherwise)
    actions.withdraw_case(case, by=request.auth, reason=payload.reason)
    return case_detail(case.number)


# --- Transfers -------------------------------------------------------------------------------------


@router.post(
    "/transfers/{transfer_id}/accept",
    response={200: CaseOut, **errors(400, 403, 404, 409, 422)},
    summary="Accept a transfer",
)
@idempotent
def accept_transfer(
    request, transfer_id: int = TransferId, payload: TransferAcceptIn | None = None
):
    """接收转办 (the receiving point): it becomes the handling point, and `handling_helper` (default:
    the helper the transfer named, else you when you serve there) handles the case — a helper of
    the point, qualified today. The second of two answers gets 409."""
    transfer = transfer_of(request.auth, transfer_id)
    helper = any_user(payload.handling_helper if payload else None, "handling_helper", _("承办人"))
    case = actions.accept_transfer(transfer, by=request.auth, handling_helper=helper)
    return case_detail(case.number)


@router.post(
    "/transfers/{transfer_id}/decline",
    response={200: CaseOut, **errors(400, 403, 404, 409, 422)},
    summary="Decline a transfer",
)
@idempotent
def decline_transfer(request, payload: DeclineIn, transfer_id: int = TransferId):
    """退回转办 (the receiving point), with a reason and, if known, a better point."""
    transfer = transfer_of(request.auth, transfer_id)
    suggested = any_point(payload.suggested_point, "suggested_point")
    actions.decline_transfer(
        transfer, by=request.auth, reason=payload.reason, suggested_point=suggested
    )
    return case_detail(transfer.case.number)
