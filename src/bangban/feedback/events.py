"""A rectification's timeline: the one way to append to it (`record`), from the actions only."""

from __future__ import annotations

from .models import Rectification, RectificationEvent


def record(
    rect: Rectification, action: str, *, by, from_status: str, data: dict | None = None
) -> RectificationEvent:
    return RectificationEvent.objects.create(
        rectification=rect,
        action=action,
        from_status=from_status,
        to_status=rect.status,
        by=by,
        data=data or {},
    )
