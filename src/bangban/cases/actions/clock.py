"""The clock of a case, from acceptance to its end (docs/domain.md "The clock of a case"): 受理 when the
materials are complete, 中止 and 恢复 (the working days between move both deadlines), 延长 with an
approver, 办结 and 撤回. Each locks the case, applies deemed acceptance first, asks the workflow
table, writes its one event and tells the applicant."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.catalog.models import Material
from bangban.workdays import calendar
from bangban.workdays.arithmetic import Deadline

from .. import notifications
from ..documents import rating_url
from ..models import Case, CaseMaterial, Occasion, count_completion
from .core import CaseError, _apply, _check, _day, _deadline_values, _json, _locked, _serve
from .deemed import _deem_first, _no_longer_deemable


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
        notifications.tell_applicant(case, notifications.accepted(case.promised_deadline))
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
        notifications.tell_applicant(case, notifications.suspended(reason))
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
        notifications.tell_applicant(case, notifications.resumed(promised.date))
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
        notifications.tell_applicant(case, notifications.extended(promised.date))
    return case


def complete_case(case: Case, *, by, on: dt.date | None = None) -> Case:
    """办结. Not while a 容缺后补 material is still outstanding (the result is handed over only then).
    The handover of the result is a service occasion (HANDOVER, on the day completed, at the
    handling point, by `by`); the applicant's text invites them to rate it, with the link."""
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "complete", by)  # and the table's condition: no 容缺 material outstanding
        day = _day(on)
        if day < case.accepted_on:
            raise CaseError({"on": _("办结日期不能早于受理日期。")})
        changes = {"completed_on": day, "closed_at": timezone.now()}
        case = _apply(case, "complete", by, changes)
        count_completion(case)
        _serve(case, Occasion.Kind.HANDOVER, on=day, point=case.handling_point, helper=by)
        notifications.tell_applicant(case, notifications.completed(rating_url(case)))
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
        notifications.tell_applicant(case, notifications.withdrawn())
    return case
