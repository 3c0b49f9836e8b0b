"""Materials and notices: what was received of a case's checklist (收取材料, 容缺后补 under a signed
commitment), and the one-time written notice (一次性告知) of every missing or wrong material."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.catalog.models import Material

from .. import events, notifications
from ..models import (
    Case,
    CaseCounter,
    CaseMaterial,
    Notice,
    NoticeLine,
    Occasion,
    notice_in_time,
)
from ..numbering import case_number, next_sequence
from ..workflow import State
from .core import CaseError, _apply, _check, _locked, _serve
from .deemed import _deem_first, _no_longer_deemable


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
    to supply it by is set (`deferred_until`, today or later) — docs/domain.md "Definitions". After
    acceptance the only change left is a deferred material arriving (deferred → received).

    When a material turned 已收取, the applicant handed something in: a service occasion
    (MATERIALS, on the day received, at the handling point, by `by`); an action that received
    nothing (only marked lines missing, deferred…) records none."""
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
        events.record(case, events.Kind.MATERIALS_RECEIVED, by=by, data=data)
        if received:
            # Materials handed in: a service occasion of the handling point, by `by` (decision 0048).
            _serve(case, Occasion.Kind.MATERIALS, on=day, point=case.handling_point, helper=by)
    return case


# `models.NOTICE_WINDOW`: a notice within 5 working days of receipt keeps acceptance for the day the
# materials are complete; later, the application counts as accepted on the day of receipt.


@dataclass(frozen=True)
class NoticeItem:
    """One material a notice asks for: the checklist line, why, and a free note."""

    line_id: int
    reason: str
    note: str = ""


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
    deemed acceptance on the day of receipt (`_deem_first`), its clock running (docs/domain.md "The clock
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
        notifications.tell_applicant(case, notifications.notice_issued(supply_by, names))
    return notice
