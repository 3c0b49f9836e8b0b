"""A complaint's timeline (its `ComplaintEvent` rows): the fixed list of what may happen to it, and
the one way to append to it (`record`), from the actions only. The kinds are the actions of the
workflow table (`supervision.workflow.TRANSITIONS`) and those that are no transition."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Complaint, ComplaintEvent


class Kind(models.TextChoices):
    RECEIVE = "receive", _("受理")
    LINK = "link", _("关联办件、服务点和人员")
    SIGN = "sign", _("签收")
    RETURN = "return", _("退回")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("批准延期")
    REFUSE_EXTENSION = "refuse_extension", _("不予延期")
    TO_CASE = "to_case", _("转为帮办事项")
    ANSWER = "answer", _("答复")
    WARNING = "warning", _("期限预警")
    REVEAL_PHONE = "reveal_phone", _("查看诉求人电话")


NOT_TRANSITIONS = frozenset({Kind.RECEIVE, Kind.WARNING, Kind.REVEAL_PHONE})


def record(
    complaint: Complaint, action: str, *, by, from_status: str, data: dict | None = None
) -> ComplaintEvent:
    """Append `action` (a `Kind`) by `by` (None: the hotline platform or the system) to the
    timeline of `complaint`, whose state is already the one after it."""
    if action not in Kind.values:
        raise ValueError(f"{action!r} is not a kind of complaint event (supervision.events.Kind)")
    return ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        from_status=from_status,
        to_status=complaint.status,
        by=by,
        data=data or {},
    )
