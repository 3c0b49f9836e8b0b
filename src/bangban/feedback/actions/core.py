"""What the rectification actions share: the row locked, the table enforced (`_check`), the change
written with its one timeline event (`_apply`), the day of an action."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import FeedbackError
from ..events import record
from ..models import Rectification
from ..workflow import RECTIFICATION, Transition

__all__ = ["FeedbackError", "_apply", "_check", "_day", "_locked"]


def _locked(rect: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("county").get(pk=rect.pk)


def _check(rect: Rectification, action: str, by) -> Transition:
    refusal = RECTIFICATION.check(rect, action, by)
    if refusal is not None:
        raise FeedbackError({refusal.field: refusal.message})
    return RECTIFICATION.transition(action)


def _apply(rect: Rectification, action: str, by, changes: dict, data: dict | None = None):
    """Write `changes` and the state the table says, and append the action's one event."""
    before = rect.status
    changes = {**changes, "status": RECTIFICATION.target_of(action, rect.status)}
    for name, value in changes.items():
        setattr(rect, name, value)
    rect.save(update_fields=[*changes, "updated_at"])
    record(rect, action, by=by, from_status=before, data=data)
    return rect


def _day(on: dt.date | None) -> dt.date:
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise FeedbackError({"on": _("日期不能晚于今天。")})
    return day
