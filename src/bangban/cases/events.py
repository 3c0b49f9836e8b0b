"""A case's timeline (its `CaseEvent` rows): the fixed list of what may happen to a case, and the one
way to append to it.

Every write of the ledger (`cases.actions`) appends exactly one event through `record` (or, for a
whole import, `build` and `record_all`); nothing updates or deletes one. The kinds are the actions of
the workflow table (`cases.workflow.TRANSITIONS`, with its labels) and four that are no transition:
registration, the import of a historical case, a deadline warning and the escalation of an
unanswered transfer. The timeline pages and the public page read `CaseEvent.action` against this
list; a kind not in it is a programming error, refused here before anything is written
(decision 0046).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Case, CaseEvent


class Kind(models.TextChoices):
    """What happened to a case, as `CaseEvent.action` stores it."""

    REGISTER = "register", _("登记")
    IMPORT = "import", _("导入历史办件")
    NOTICE = "notice", _("一次性告知")
    MATERIALS_RECEIVED = "materials_received", _("收取材料")
    ACCEPT = "accept", _("受理")
    DEEM_ACCEPTED = "deem_accepted", _("视为受理")
    REFUSE = "refuse", _("不予受理")
    SUSPEND = "suspend", _("中止")
    RESUME = "resume", _("恢复")
    EXTEND = "extend", _("延长期限")
    TRANSFER = "transfer", _("转办")
    ACCEPT_TRANSFER = "accept_transfer", _("接收转办")
    DECLINE_TRANSFER = "decline_transfer", _("退回转办")
    ESCALATE_TRANSFER = "escalate_transfer", _("转办超时催办")
    PROGRESS = "progress", _("进度反馈")
    HOME_VISIT = "home_visit", _("上门服务")
    WARNING = "warning", _("期限预警")
    COMPLETE = "complete", _("办结")
    WITHDRAW = "withdraw", _("撤回")
    CORRECT_DEADLINE = "correct_deadline", _("期限更正")


#: The kinds that are no transition of the workflow table (the state before and after is the same,
#: or there was no case before).
NOT_TRANSITIONS = frozenset({Kind.REGISTER, Kind.IMPORT, Kind.WARNING, Kind.ESCALATE_TRANSFER})


def build(
    case: Case,
    kind: str,
    *,
    by,
    data: dict | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
) -> CaseEvent:
    """An event of `kind` on `case` by `by` (None: the system), not yet saved. The states before and
    after default to the case's state as it is (an event that keeps it). ValueError for a kind not
    in `Kind`."""
    if kind not in Kind.values:
        raise ValueError(f"{kind!r} is not a kind of case event (cases.events.Kind)")
    return CaseEvent(
        case=case,
        by=by,
        action=Kind(kind).value,
        from_status=case.status if from_status is None else from_status,
        to_status=case.status if to_status is None else to_status,
        data={} if data is None else data,
    )


def record(
    case: Case,
    kind: str,
    *,
    by,
    data: dict | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
) -> CaseEvent:
    """Append one event to `case`'s timeline, in the caller's transaction (`build`, saved)."""
    event = build(case, kind, by=by, data=data, from_status=from_status, to_status=to_status)
    event.save(force_insert=True)
    return event


def record_all(events: Iterable[CaseEvent], batch_size: int = 1000) -> list[CaseEvent]:
    """Append many events built by `build` at once (an import), in the caller's transaction."""
    return CaseEvent.objects.bulk_create(events, batch_size=batch_size)
