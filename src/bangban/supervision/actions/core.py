"""What the complaint actions share: the row locked, the table enforced (`_check`), the change
written with its one timeline event (`_apply`), text checked (`_text`)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from bangban.kernel.schemas import NO_CONTROL

from ..errors import SupervisionError
from ..events import record
from ..models import Complaint
from ..workflow import COMPLAINT, Transition

__all__ = ["SupervisionError", "_apply", "_check", "_locked", "_raise", "_text"]


def _locked(complaint: Complaint) -> Complaint:
    # Only the complaint's row is locked (PostgreSQL refuses FOR UPDATE on the nullable side of
    # the rectification's outer join, and the county must not be locked for every complaint).
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("county", "rectification")
        .get(pk=complaint.pk)
    )


def _check(complaint: Complaint, action: str, by) -> Transition:
    refusal = COMPLAINT.check(complaint, action, by)
    if refusal is not None:
        raise SupervisionError({refusal.field: refusal.message})
    return COMPLAINT.transition(action)


def _apply(complaint: Complaint, action: str, by, changes: dict, data: dict | None = None):
    """Write `changes` and the state the table says, and append the action's one event."""
    before = complaint.status
    changes = {**changes, "status": COMPLAINT.target_of(action, complaint.status)}
    for name, value in changes.items():
        setattr(complaint, name, value)
    complaint.save(update_fields=[*changes, "updated_at"])
    record(complaint, action, by=by, from_status=before, data=data)
    return complaint


def _text(errors: dict, field: str, value, limit: int, required: str | None) -> str:
    """`value` stripped; an error at `field` when it is required and blank, too long, or holds
    control characters (a newline is allowed in long texts)."""
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        if required:
            errors[field] = required
        return ""
    flat = value.replace("\r", "").replace("\n", "")
    if len(value) > limit or not re.fullmatch(NO_CONTROL, flat):
        errors[field] = _("不能超过 %(n)d 字，且不能含控制字符。") % {"n": limit}
    return value


def _raise(errors: dict) -> None:
    if errors:
        raise SupervisionError(errors)
