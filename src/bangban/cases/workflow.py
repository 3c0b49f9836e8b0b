"""The one workflow table of a case (ARCHITECTURE.md "Inside an app"): its states, the actions that
move it, from which states, to which, and who may perform them. `cases.actions` enforces it; nothing
else writes `Case.status`; the tests loop over it and the workflow chart (附件2) is drawn from it.

The clock is not the state (DOMAIN.md "The clock of a case"): it runs from the acceptance day, actual
or deemed, whatever the state, except while suspended. A case deemed accepted on the day of receipt
keeps its clock running while it still awaits materials after a late notice. A pending transfer is a
row of its own; the case keeps its state meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    AWAITING_MATERIALS = "awaiting_materials", _("待补正材料")
    IN_PROGRESS = "in_progress", _("已受理办理中")
    SUSPENDED = "suspended", _("已中止")
    COMPLETED = "completed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")
    REFUSED = "refused", _("不予受理")


#: States in which a case is open (counted as open, warned about, listed as overdue when late).
OPEN = frozenset({State.REGISTERED, State.AWAITING_MATERIALS, State.IN_PROGRESS, State.SUSPENDED})
#: States a case ends in.
CLOSED = frozenset({State.COMPLETED, State.WITHDRAWN, State.REFUSED})


class Actor(models.TextChoices):
    """Who may perform an action, relative to the case (see `cases.scope`)."""

    HANDLER = (
        "handler",
        _("承办服务点人员"),
    )  # serving at the handling point, or a lead/admin above it
    RESPONSIBLE = "responsible", _("首问负责人")  # the first responsible helper
    RECEIVER = (
        "receiver",
        _("接收转办的服务点人员"),
    )  # serving at the point a pending transfer goes to
    SYSTEM = "system", _("系统")  # the scheduled jobs (deemed acceptance, deadline corrections)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[State]
    #: The state after the action; None keeps the state (a notice on a deemed-accepted case, an
    #: extension, a progress note, a transfer).
    target: State | None
    actors: frozenset[Actor]


def _t(action, label, sources, target, *actors) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(actors))


H, R, S = Actor.HANDLER, Actor.RESPONSIBLE, Actor.SYSTEM
REG, AWAIT, PROG, SUSP = (
    State.REGISTERED,
    State.AWAITING_MATERIALS,
    State.IN_PROGRESS,
    State.SUSPENDED,
)

#: The table. Registration creates a case in REGISTERED (not a transition: there is no case before).
TRANSITIONS: tuple[Transition, ...] = (
    _t("notice", _("一次性告知"), {REG, AWAIT}, AWAIT, H),
    # After acceptance only a 容缺后补 material can still arrive.
    _t("materials_received", _("收取材料"), {REG, AWAIT, PROG, SUSP}, None, H),
    _t("accept", _("受理"), {REG, AWAIT}, PROG, H),
    _t("deem_accepted", _("视为受理"), {REG, AWAIT}, None, S),
    _t("refuse", _("不予受理"), {REG, AWAIT}, State.REFUSED, H),
    _t("suspend", _("中止"), {PROG}, SUSP, H),
    _t("resume", _("恢复"), {SUSP}, PROG, H),
    _t("extend", _("延长期限"), {PROG, SUSP}, None, H),
    _t("transfer", _("转办"), {REG, AWAIT, PROG}, None, H),
    _t("accept_transfer", _("接收转办"), {REG, AWAIT, PROG, SUSP}, None, Actor.RECEIVER),
    _t("decline_transfer", _("退回转办"), {REG, AWAIT, PROG, SUSP}, None, Actor.RECEIVER),
    _t("progress", _("进度反馈"), {REG, AWAIT, PROG, SUSP}, None, H, R),
    _t("complete", _("办结"), {PROG}, State.COMPLETED, H),
    _t("withdraw", _("撤回"), {REG, AWAIT, PROG, SUSP}, State.WITHDRAWN, H, R),
    _t("correct_deadline", _("期限更正"), {REG, AWAIT, PROG, SUSP}, None, S),
)

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}


def transition(action: str) -> Transition:
    return BY_ACTION[action]


def allowed_from(state: str) -> list[Transition]:
    """The actions the table allows from `state` (whoever performs them)."""
    return [t for t in TRANSITIONS if state in t.sources]


def target_of(action: str, state: str) -> State:
    """The state after `action` from `state` (the same state when the action keeps it)."""
    t = BY_ACTION[action]
    return t.target if t.target is not None else State(state)
