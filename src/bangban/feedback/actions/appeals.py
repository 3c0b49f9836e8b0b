"""申诉复核: the rated helper (or a lead of the rated point) says a bad review was malicious; the
bureau (the county's region administrators, `workflow.is_bureau`) upholds it or overturns it. An
overturned review stays, marked (`Rating.overturned`), out of the figures (`Rating.objects.active`),
and its open rectification ends by the table (申诉撤销). Nothing here deletes a rating."""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.kernel.history import log_change
from bangban.network import access
from bangban.network.models import Role

from ..errors import FeedbackError
from ..models import Appeal, Rating, Rectification
from ..workflow import OPEN, is_bureau
from .core import _apply, _check, _locked
from .rectifications import _evidence, _raise, _text

__all__ = ["decide_appeal", "file_appeal", "may_appeal", "may_decide"]


def may_appeal(rating: Rating, user) -> bool:
    """Whether `user` may appeal `rating`: the helper rated, or a lead of the point rated."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if rating.helper_id is not None and user.pk == rating.helper_id:
        return True
    return any(
        m.role == Role.POINT_LEAD and m.point_id == rating.point_id
        for m in access.memberships(user)
    )


def may_decide(appeal: Appeal, user) -> bool:
    """Whether `user` may decide `appeal`: the bureau of the rating's county, never the person
    rated nor the one who appealed."""
    rating = appeal.rating
    if user is None or user.pk in {rating.helper_id, appeal.filed_by_id}:
        return False
    return is_bureau(rating.county_id, user)


def file_appeal(rating: Rating, *, reason: str, evidence=None, by) -> Appeal:
    """申诉: a bad review the helper rated (or a lead of the point) thinks malicious, with the reason
    and any evidence; one pending appeal per review at a time."""
    with transaction.atomic():
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        if not may_appeal(rating, by):
            raise FeedbackError({"by": _("只有被评价的工作人员或该服务点负责人可以申诉。")})
        errors: dict = {}
        if not rating.is_bad:
            errors["rating"] = _("只有差评可以申诉。")
        elif rating.overturned:
            errors["rating"] = _("该评价已经撤销。")
        elif rating.appeals.filter(decision=Appeal.Decision.PENDING).exists():
            errors["rating"] = _("该评价已有一项申诉在复核中，请等待复核结果。")
        text = _text(errors, "reason", reason, 1000, _("请填写申诉理由。"))
        _evidence(errors, evidence)
        _raise(errors)
        appeal = Appeal(rating=rating, reason=text, filed_by=by)
        if evidence:
            appeal.evidence = evidence
        appeal.save(force_insert=True)
        log_change(by, appeal, ADDITION, "申诉")
    return appeal


def decide_appeal(appeal: Appeal, *, decision: str, note: str, by) -> Appeal:
    """复核: the bureau upholds the review (it stays as it was) or overturns it — the rating marked
    `overturned` with the time, never deleted, and its open rectification ended (申诉撤销) by the
    table. Recorded in the admin history."""
    now = timezone.now()
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("rating").get(pk=appeal.pk)
        if not may_decide(appeal, by):
            raise FeedbackError({"by": _("申诉由县行政审批服务局复核，被评价人和申诉人不能复核。")})
        errors: dict = {}
        if appeal.decision != Appeal.Decision.PENDING:
            errors["status"] = _("该申诉已复核：%(d)s。") % {"d": appeal.get_decision_display()}
        if decision not in (Appeal.Decision.UPHELD, Appeal.Decision.OVERTURNED):
            errors["decision"] = _("请选择“维持评价”或“撤销评价”。")
        text = _text(errors, "note", note, 500, _("请填写复核意见。"))
        _raise(errors)
        if decision == Appeal.Decision.OVERTURNED:
            found = Rectification.objects.filter(rating_id=appeal.rating_id, status__in=OPEN)
            rect = found.first()
            if rect is not None:
                rect = _locked(rect)
                _check(rect, "overturn", by)
                data = {"appeal": appeal.pk, "note": text}
                _apply(rect, "overturn", by, {"closed_on": timezone.localdate(now)}, data)
            Rating.objects.filter(pk=appeal.rating_id).update(overturned=True, overturned_at=now)
            log_change(by, appeal.rating, CHANGE, f"申诉复核撤销评价：{text}")
        appeal.decision = decision
        appeal.decision_note = text
        appeal.decided_by = by
        appeal.decided_at = now
        appeal.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
        log_change(by, appeal, CHANGE, f"{appeal.get_decision_display()}：{text}")
    return appeal
