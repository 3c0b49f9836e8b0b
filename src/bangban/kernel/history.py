"""The admin history: who wrote what, when (Django's `LogEntry`, shown on each object's history page
in the admin). Every app's actions record their writes here with `log_change`."""

from __future__ import annotations

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
