"""Transfers (转办, 联动): a case offered to another point, accepted or declined there, and escalated
to the receiving point's lead when unanswered by the end of the next working day. The case stays
where it is, in its state, until the receiving point answers (a pending transfer is a row of its
own)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.network import access
from bangban.network.models import Role, ServicePoint
from bangban.staff.models import Helper

from .. import events, identifiers, notifications, workflow
from ..models import Case, Transfer, next_working_day
from ..rules import direction_between
from .core import CaseError, _apply, _check, _locked, _not_qualified, _serves_at
from .deemed import _deem_first
from .paths import path_of


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
    elif to_point.county_id != case.county_id:
        # The case is numbered, its item catalogued and its scope kept per county (decision 0061).
        errors["to_point"] = [_("只能转办给本县的服务点。")]
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
        _check(case, "transfer", by)  # and the table's condition: no transfer pending
        if to_point.pk == case.handling_point_id:
            raise CaseError({"to_point": _("办件已在该服务点办理。")})
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
        _offer(case, path_of(to_point))
    return transfer


def _offer(case: Case, path: str) -> None:
    """The case's `offered_path` (decision 0061): the receiving point's path while a transfer is
    pending, "" once it is answered. Not a change the timeline shows: the transfer's event does."""
    case.offered_path = path
    case.save(update_fields=["offered_path"])


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
        case.handling_path = path_of(transfer.to_point)
        case.offered_path = ""
        case.save(update_fields=["handling_path", "offered_path"])
        notifications.tell_applicant(case, notifications.transferred(transfer.to_point.name))
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
        _offer(case, "")
    return transfer


def escalate_transfers(*, today: dt.date | None = None) -> int:
    """A transfer unanswered by the end of the working day after it was sent escalates to the
    receiving point's lead (docs/domain.md "Definitions"): marked, recorded on the case, and the lead is
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
            events.record(
                case,
                events.Kind.ESCALATE_TRANSFER,
                by=None,
                data={"transfer": transfer.pk, "to_point": transfer.to_point_id},
            )
            leads = Helper.objects.filter(
                user__memberships__point=transfer.to_point,
                user__memberships__role=Role.POINT_LEAD,
            ).exclude(work_phone="")
            for lead in leads:
                if identifiers.is_mobile(lead.work_phone):
                    notifications.send(
                        case,
                        identifiers.normalise_phone(lead.work_phone),
                        notifications.transfer_unanswered(case.number, transfer.to_point.name),
                    )
            escalated += 1
    return escalated
