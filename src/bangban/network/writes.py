"""What every write on the network shares: the error it raises when a rule is broken and its line
in the admin history. Both are importable from `network.actions` as before; the other apps' writes
use them too (`staff.actions`, `catalog.actions`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.admin.models import LogEntry


class NetworkError(Exception):
    """A rule of the network was broken. `errors` maps a field name to Chinese messages."""

    def __init__(self, errors: Mapping[str, str | list[str]]):
        self.errors = {
            field: [msg] if isinstance(msg, str) else list(msg) for field, msg in errors.items()
        }
        super().__init__("; ".join(f"{f}: {' '.join(m)}" for f, m in self.errors.items()))


def log_change(by, obj, flag: int, message: str) -> None:
    """Record a write in the admin history (who, when, what); nothing for the system (by=None)."""
    if by is None or not getattr(by, "pk", None):
        return
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[obj],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )
