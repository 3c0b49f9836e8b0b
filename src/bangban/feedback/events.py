"""A rectification's timeline (its `RectificationEvent` rows): the fixed list of what may happen to
it, and the one way to append to it (`record`), from the actions only.

The kinds are the actions of the workflow table (`feedback.workflow.TRANSITIONS`, with its labels)
and those that are no transition: the opening, a deadline warning and a showing of the number to
call back (logged like the ledger's reveals). A kind not in the list is a programming error,
refused before anything is written."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Rectification, RectificationEvent


class Kind(models.TextChoices):
    """What happened to a rectification, as `RectificationEvent.action` stores it."""

    OPEN = "open", _("收到差评")
    CALL_ATTEMPT = "call_attempt", _("回访未接通")
    CALL_BACK = "call_back", _("回访")
    VERIFY = "verify", _("核实")
    FIX = "fix", _("立行立改")
    RECTIFY = "rectify", _("限期整改")
    EXPLAIN = "explain", _("解释说明")
    FINISH = "finish", _("整改完成")
    REPLY = "reply", _("答复评价人")
    REPLY_FINAL = "reply_final", _("答复评价人并办结")
    ANSWER = "answer", _("答复投诉人并办结")
    SATISFIED = "satisfied", _("追评满意")
    REOPEN = "reopen", _("追评不满意，重新整改")
    CLOSE = "close", _("追评期满办结")
    ESCALATE = "escalate", _("逾期上报")
    OVERTURN = "overturn", _("申诉撤销")
    WARNING = "warning", _("期限预警")
    REVEAL_PHONE = "reveal_phone", _("查看回访电话")


#: The kinds that are no transition of the table.
NOT_TRANSITIONS = frozenset({Kind.OPEN, Kind.WARNING, Kind.REVEAL_PHONE})


def record(
    rect: Rectification, action: str, *, by, from_status: str, data: dict | None = None
) -> RectificationEvent:
    """Append `action` (a `Kind`) by `by` (None: the system) to the timeline of `rect`, whose state
    is already the one after it."""
    if action not in Kind.values:
        raise ValueError(f"{action!r} is not a kind of rectification event (feedback.events.Kind)")
    return RectificationEvent.objects.create(
        rectification=rect,
        action=action,
        from_status=from_status,
        to_status=rect.status,
        by=by,
        data=data or {},
    )
