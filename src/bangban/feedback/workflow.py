"""The one workflow table of a rectification (整改) — a bad review put right, and next a complaint or
an inspection's finding — in the shape every workflow has (`bangban.kernel.workflow`, decision 0042).
`feedback.actions` enforces it (`RECTIFICATION.check`); the pages ask `permitted`, the same answer;
nothing else writes `Rectification.status`; the tests loop over it and the chart page draws it.

谁办理谁负责, but never by the person rated or accused: the handler is the town administrator of the
town whose point was rated, or the bureau (the county's region administrators) for the county centre
and the partner stations; once overdue and escalated, the level above may act too. The person rated
is never a handler, whatever memberships they hold.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.kernel.workflow import Condition, Relations, Transition, Workflow
from bangban.network import access
from bangban.network.models import Role

__all__ = [
    "CLOSED",
    "OPEN",
    "RECTIFICATION",
    "TRANSITIONS",
    "Actor",
    "Step",
    "permitted",
    "relations",
]


class Step(models.TextChoices):
    OPENED = "opened", _("待回访")
    CALLED_BACK = "called_back", _("待核实")
    VERIFIED = "verified", _("待处理")
    RECTIFYING = "rectifying", _("整改中")
    RESOLVED = "resolved", _("待答复")
    REPLIED = "replied", _("待追评")
    CLOSED = "closed", _("已办结")
    OVERTURNED = "overturned", _("申诉撤销")


OPEN = frozenset(
    {Step.OPENED, Step.CALLED_BACK, Step.VERIFIED, Step.RECTIFYING, Step.RESOLVED, Step.REPLIED}
)
CLOSED = frozenset({Step.CLOSED, Step.OVERTURNED})
#: The states in which the work is the handler's (the deadlines and warnings run): not while the
#: rater may still give a follow-up rating.
WORKING = OPEN - {Step.REPLIED}


class Actor(models.TextChoices):
    HANDLER = "handler", _("整改责任人")  # the town admin, or the bureau; never the person rated
    BUREAU = "bureau", _("县行政审批服务局")  # decides appeals
    SYSTEM = "system", _("系统")  # the follow-up rating's answer, the window's end, escalation


def _region_admin_over(user, region_ids: set[int]) -> bool:
    return any(
        m.role == Role.REGION_ADMIN and m.region_id in region_ids for m in access.memberships(user)
    )


def _bureau_regions(rect) -> set[int]:
    """The county's region, and its city's once escalated from the bureau (the level above)."""
    ids = {rect.county_id}
    if rect.level == "bureau" and rect.escalated_on is not None:
        ids.add(rect.county.parent_id)
    return ids


def _is_handler(rect, user) -> bool:
    if rect.level == "town":
        town_admin = any(
            m.role == Role.TOWN_ADMIN and m.point_id == rect.town_id
            for m in access.memberships(user)
        )
        # Escalated: the bureau may act too.
        return town_admin or (
            rect.escalated_on is not None and _region_admin_over(user, {rect.county_id})
        )
    return _region_admin_over(user, _bureau_regions(rect))


def relations(rect, user, read=None) -> Relations:
    """Who `user` is to `rect` (None: the system). The person rated is nothing to it."""
    if user is None:
        return Relations({Actor.SYSTEM: lambda: True})
    if rect.helper_id is not None and user.pk == rect.helper_id:
        return Relations({})
    return Relations(
        {
            Actor.HANDLER: lambda: _is_handler(rect, user),
            Actor.BUREAU: lambda: _region_admin_over(user, {rect.county_id, rect.county.parent_id}),
        }
    )


def _not_called_back(rect, read) -> str:
    if rect.status == Step.OPENED and not rect.anonymous:
        return str(_("请先回访评价人（实名差评须在 1 个工作日内回访）。"))
    return ""


def _reopened_once(rect, read) -> str:
    return str(_("该差评已因追评不满意重新整改过一次。")) if rect.reopened else ""


#: A named review is called back (or tried three times) before it is verified; an anonymous one
#: has no one to call.
CALLED_BACK = Condition("called_back", "call_record", _not_called_back)
#: A follow-up 不满意 reopens a rectification once only.
NOT_REOPENED = Condition("not_reopened", "follow_up", _reopened_once)


def _t(action, label, sources, target, *actors, conditions=()) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(actors), conditions)


H, B, S = Actor.HANDLER, Actor.BUREAU, Actor.SYSTEM

TRANSITIONS: tuple[Transition, ...] = (
    _t("call_attempt", _("回访未接通"), {Step.OPENED}, None, H),
    _t("call_back", _("回访"), {Step.OPENED}, Step.CALLED_BACK, H),
    _t(
        "verify",
        _("核实"),
        {Step.OPENED, Step.CALLED_BACK},
        Step.VERIFIED,
        H,
        conditions=(CALLED_BACK,),
    ),
    _t("fix", _("立行立改"), {Step.VERIFIED}, Step.RESOLVED, H),
    _t("rectify", _("限期整改"), {Step.VERIFIED}, Step.RECTIFYING, H),
    _t("explain", _("解释说明"), {Step.VERIFIED}, Step.RESOLVED, H),
    _t("finish", _("整改完成"), {Step.RECTIFYING}, Step.RESOLVED, H),
    _t("reply", _("答复评价人"), {Step.RESOLVED}, Step.REPLIED, H),
    _t("satisfied", _("追评满意"), {Step.REPLIED}, Step.CLOSED, S),
    _t(
        "reopen",
        _("追评不满意，重新整改"),
        {Step.REPLIED},
        Step.VERIFIED,
        S,
        conditions=(NOT_REOPENED,),
    ),
    _t("close", _("办结"), {Step.REPLIED}, Step.CLOSED, S),
    _t("escalate", _("逾期上报"), WORKING, None, S),
    _t("overturn", _("申诉撤销"), OPEN, Step.OVERTURNED, B),
)

RECTIFICATION = Workflow(
    states=Step,
    actors=Actor,
    transitions=TRANSITIONS,
    relations=relations,
    state_refusal=_("该整改当前为“%(state)s”，不能%(action)s。"),
    actor_refusal=_("您不能对该整改%(action)s。"),
    closed=CLOSED,
    done=frozenset({Step.CLOSED}),
    system=frozenset({Actor.SYSTEM}),
    start=Step.OPENED,
    start_label=_("差评"),
)


def permitted(rect, user, read=None, actions=None) -> list[Transition]:
    """What `user` may do to `rect` now: the page's buttons, and what the actions check."""
    return RECTIFICATION.permitted(rect, user, read, actions)
