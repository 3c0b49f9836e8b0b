"""The admin history: who wrote what, when (Django's `LogEntry`, shown on each object's history page
in the admin). Every app's actions record their writes here with `log_change` (one object) or
`log_changes` (a batch, as a bulk import writes it)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.admin.models import LogEntry


def log_change(by, obj, flag: int, message: str) -> None:
    """Record a write in the admin history (who, when, what); nothing for the system (by=None).
    `flag` is `django.contrib.admin.models.ADDITION`, `CHANGE` or `DELETION`."""
    if by is None or not getattr(by, "pk", None):
        return
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[obj],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def log_changes(by, objects: Sequence, flag: int, message: str) -> None:
    """Record the same write to many objects in the admin history at once (one row each, inserted
    together), as `log_change` would one by one; nothing for the system (by=None) or no objects."""
    if not objects or by is None or not getattr(by, "pk", None):
        return
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=objects,
        action_flag=flag,
        change_message=message,
        single_object=False,
    )
