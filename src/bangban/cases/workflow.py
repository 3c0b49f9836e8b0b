"""The one workflow table of a case (docs/architecture.md "Inside an app"): its states, the actions that
move it, from which states, to which, who may perform them and on which named conditions, in the
shape every workflow has (`bangban.kernel.workflow`, decision 0042). `cases.actions` enforces it
(`LEDGER.check`); the case page and the action pages ask `permitted`, the same answer; nothing else
writes `Case.status`; the tests loop over it and the workflow chart (附件2) is drawn from it.

The clock is not the state (docs/domain.md "The clock of a case"): it runs from the acceptance day, actual
or deemed, whatever the state, except while suspended. A case deemed accepted on the day of receipt
keeps its clock running while it still awaits materials after a late notice. A pending transfer is a
row of its own; the case keeps its state meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.kernel.workflow import Condition, Relations, Transition, Workflow
from bangban.network import access

__all__ = [
    "BY_ACTION",
    "CLOSED",
    "LEDGER",
    "OPEN",
    "TRANSITIONS",
    "Actor",
    "Read",
    "State",
    "Transition",
    "allowed_from",
    "permitted",
    "target_of",
    "transition",
]


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
    """Who may perform an action, relative to the case (`relations` below)."""

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


# --- Who the user is to a case, and the conditions besides state and actor -----------------------


@dataclass(frozen=True)
class Read:
    """What a page has read of a case already (the checklist with its materials, the notices, every
    transfer), so that asking what may be done asks the database nothing again."""

    lines: list
    notices: list
    transfers: list


def relations(case, user, read: Read | None = None) -> Relations:
    """Who `user` is to `case` (None: the system), each asked only when a transition needs it: the
    first responsible helper (no query), then the handling point's people (`access.can`, one query),
    then the receiving point's while a transfer is pending."""
    if user is None:
        return Relations({Actor.SYSTEM: lambda: True})
    return Relations(
        {
            Actor.RESPONSIBLE: lambda: user.pk == case.responsible_id,
            Actor.HANDLER: lambda: access.can(user, "act", case.handling_point),
            Actor.RECEIVER: lambda: any(
                access.can(user, "act", t.to_point) for t in _pending(case, read)
            ),
        }
    )


def _pending(case, read: Read | None) -> list:
    # `models` imports this module (for `State`): its names are read when a case is asked about.
    from .models import Transfer

    if read is not None:
        return [t for t in read.transfers if t.status == Transfer.Status.PENDING]
    return list(case.transfers.filter(status=Transfer.Status.PENDING).select_related("to_point"))


def _transfer_pending(case, read: Read | None) -> str:
    from .models import Transfer

    if read is not None:
        pending = any(t.status == Transfer.Status.PENDING for t in read.transfers)
    else:
        pending = case.transfers.filter(status=Transfer.Status.PENDING).exists()
    return str(_("该办件已有一个待接收的转办。")) if pending else ""


def _deferred_outstanding(case, read: Read | None) -> str:
    from .models import CaseMaterial

    if read is not None:
        lines = [line for line in read.lines if line.status == CaseMaterial.Status.DEFERRED]
    else:
        lines = case.materials.filter(status=CaseMaterial.Status.DEFERRED).select_related(
            "material"
        )
    names = [line.material.name for line in lines]
    if not names:
        return ""
    return str(_("容缺后补的材料尚未补齐：%(names)s。") % {"names": "、".join(names)})


#: One transfer pending at a time (联动): another waits until the receiving point has answered.
NO_PENDING_TRANSFER = Condition("no_pending_transfer", "to_point", _transfer_pending)
#: No completion while a 容缺后补 material is outstanding: the result is handed over only then.
NOTHING_DEFERRED = Condition("nothing_deferred", "materials", _deferred_outstanding)


def _t(action, label, sources, target, *actors, conditions=()) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(actors), conditions)


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
    _t("transfer", _("转办"), {REG, AWAIT, PROG}, None, H, conditions=(NO_PENDING_TRANSFER,)),
    _t("accept_transfer", _("接收转办"), {REG, AWAIT, PROG, SUSP}, None, Actor.RECEIVER),
    _t("decline_transfer", _("退回转办"), {REG, AWAIT, PROG, SUSP}, None, Actor.RECEIVER),
    _t("progress", _("进度反馈"), {REG, AWAIT, PROG, SUSP}, None, H, R),
    # A service occasion of its own (一次一评, cases.models.occasions): the state stays.
    _t("home_visit", _("上门服务"), {REG, AWAIT, PROG, SUSP}, None, H, R),
    _t("complete", _("办结"), {PROG}, State.COMPLETED, H, conditions=(NOTHING_DEFERRED,)),
    _t("withdraw", _("撤回"), {REG, AWAIT, PROG, SUSP}, State.WITHDRAWN, H, R),
    _t("correct_deadline", _("期限更正"), {REG, AWAIT, PROG, SUSP}, None, S),
)

#: The ledger's workflow: the table with its words, the way a user relates to a case, and the chart's
#: start (registration creates a case in REGISTERED).
LEDGER = Workflow(
    states=State,
    actors=Actor,
    transitions=TRANSITIONS,
    relations=relations,
    state_refusal=_("办件当前为“%(state)s”，不能%(action)s。"),
    actor_refusal=_("您不能对该办件%(action)s。"),
    closed=CLOSED,
    done=frozenset({State.COMPLETED}),
    system=frozenset({Actor.SYSTEM}),
    start=State.REGISTERED,
    start_label=_("登记"),
)

BY_ACTION: dict[str, Transition] = LEDGER.by_action


def transition(action: str) -> Transition:
    return LEDGER.transition(action)


def allowed_from(state: str) -> list[Transition]:
    """The actions the table allows from `state` (whoever performs them)."""
    return LEDGER.allowed_from(state)


def target_of(action: str, state: str) -> State:
    """The state after `action` from `state` (the same state when the action keeps it)."""
    return LEDGER.target_of(action, state)


def permitted(case, user, read: Read | None = None, actions=None) -> list[Transition]:
    """What `user` may do to `case` now (`Workflow.permitted`): the case page's buttons, the action
    pages' "allowed", and what the actions themselves check (`Workflow.check`)."""
    return LEDGER.permitted(case, user, read, actions)
