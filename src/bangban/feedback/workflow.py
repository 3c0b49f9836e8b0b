"""The one workflow table of a rectification (整改) — a bad review put right, and next a complaint or
an inspection's finding — in the shape every workflow has (`bangban.kernel.workflow`, decision 0042).
`feedback.actions` enforces it (`RECTIFICATION.check`); the pages ask `permitted`, the same answer;
nothing else writes `Rectification.status`; the tests loop over it and the chart page draws it.

谁办理谁负责, but never by the person rated or accused: the handler is the town administrator of the
town whose point was rated, or the bureau (the county's region administrators) for the county centre
and the partner stations; once overdue and escalated, the level above may act too. The person rated
is never a handler, whatever memberships they hold.

The bad review's path: called back within a working day (a contact record, or three calls not
answered: `rules.CALLS_ENOUGH`; an anonymous review has none), verified, then fixed at once,
rectified by a deadline or explained, replied to; the rater's one follow-up rating (追评) closes it
(满意) or reopens it once (不满意), after which the next reply closes it; the follow-up window's end
closes it too. An appeal the bureau upholds leaves it; one it overturns ends it (申诉撤销).

A complaint's rectification (`Rectification.Subject.COMPLAINT`, from `supervision`) calls back the
complainant the same way, and is closed by the complaint's answer (`answer`, which `supervision`'s
answer action performs in its own transaction): there is no follow-up rating. An inspection's
finding (`Subject.FINDING`) has no one to call back; it is put right by the point inspected (its
lead: `Level.POINT`), and its reply to the inspector closes it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.kernel.workflow import Condition, Relations, Transition, Workflow
from bangban.network import access
from bangban.network.models import Role

__all__ = [
    "CLOSED",
    "HANDLER_ACTIONS",
    "OPEN",
    "RECTIFICATION",
    "TRANSITIONS",
    "WORKING",
    "Actor",
    "is_bureau",
    "Step",
    "permitted",
    "to_act_on_q",
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


def _region_admins(user, region_ids: set) -> bool:
    return any(
        m.role == Role.REGION_ADMIN and m.region_id in region_ids for m in access.memberships(user)
    )


def is_bureau(county_id: int, user) -> bool:
    """Whether `user` is the bureau of the county `county_id` (one of its region administrators):
    who takes the county centre's and partner stations' bad reviews and decides appeals."""
    return user is not None and _region_admins(user, {county_id})


def _county(rect) -> set:
    return {rect.county_id}


def _above_bureau(rect) -> set:
    """The level above the bureau: the city's region administrators (none for a county with no
    city above it in the network)."""
    return {rect.county.parent_id} - {None}


def _is_handler(rect, user) -> bool:
    """谁办理谁负责: the town administrators of the town whose point was rated, or the bureau (the
    county's region administrators) for the county centre, its zones and windows and the partner
    stations, or for a finding the lead of the point inspected; once escalated (`escalated_on`),
    the level above may act too — the town (or the bureau, for a point under none) for a point's,
    the bureau for a town's, the city for the bureau's."""
    escalated = rect.escalated_on is not None
    if rect.level == "point":
        mine = access.memberships(user)
        lead = any(m.role == Role.POINT_LEAD and m.point_id == rect.point_id for m in mine)
        if lead or not escalated:
            return lead
        if rect.town_id is not None:
            return any(m.role == Role.TOWN_ADMIN and m.point_id == rect.town_id for m in mine)
        return _region_admins(user, _county(rect))
    if rect.level == "town":
        town_admin = any(
            m.role == Role.TOWN_ADMIN and m.point_id == rect.town_id
            for m in access.memberships(user)
        )
        return town_admin or (escalated and _region_admins(user, _county(rect)))
    return _region_admins(user, _county(rect) | (_above_bureau(rect) if escalated else set()))


def relations(rect, user, read=None) -> Relations:
    """Who `user` is to `rect` (None: the system). The person rated is nothing to it, whatever
    memberships they hold."""
    if user is None:
        return Relations({Actor.SYSTEM: lambda: True})
    if rect.helper_id is not None and user.pk == rect.helper_id:
        return Relations({})
    return Relations(
        {
            Actor.HANDLER: lambda: _is_handler(rect, user),
            Actor.BUREAU: lambda: is_bureau(rect.county_id, user),
        }
    )


def _anonymous(rect, read) -> str:
    if rect.anonymous:
        return str(_("匿名差评没有留下联系方式，无需回访。"))
    return ""


def _not_called_back(rect, read) -> str:
    if rect.status == Step.OPENED and not rect.anonymous:
        return str(_("请先回访评价人（实名差评须在 1 个工作日内回访）。"))
    return ""


def _reopened_once(rect, read) -> str:
    return str(_("该差评已因追评不满意重新整改过一次。")) if rect.reopened else ""


def _replied_before(rect, read) -> str:
    if rect.subject == "complaint":
        return _first_reply(rect, read)
    if rect.subject != "rating":
        return str(_("该整改没有追评，答复后即办结。"))
    if rect.reopened:
        return str(_("该差评已重新整改过一次，本次答复后即办结，不再追评。"))
    return ""


def _first_reply(rect, read) -> str:
    if rect.subject == "complaint":
        return str(_("投诉举报的整改通过答复投诉人办结，请到投诉举报页面答复。"))
    if rect.subject == "rating" and not rect.reopened:
        return str(_("首次答复后由评价人追评，不直接办结。"))
    return ""


def _not_complaint(rect, read) -> str:
    if rect.subject != "complaint":
        return str(_("只有投诉举报的整改通过答复投诉人办结。"))
    return ""


def _escalated(rect, read) -> str:
    return str(_("该整改已逾期上报过。")) if rect.escalated_on is not None else ""


#: A named review may be called back; an anonymous one left no one to call.
NAMED = Condition("named", "reached", _anonymous)
#: A named review is called back (or tried three times) before it is verified; an anonymous one
#: has no one to call.
CALLED_BACK = Condition("called_back", "call_record", _not_called_back)
#: A follow-up 不满意 reopens a rectification once only.
NOT_REOPENED = Condition("not_reopened", "follow_up", _reopened_once)
#: The first reply awaits the follow-up rating; after a reopening the reply closes it (there is
#: one follow-up rating only).
FIRST_REPLY = Condition("first_reply", "text", _replied_before)
AFTER_REOPENING = Condition("after_reopening", "text", _first_reply)
#: A complaint's rectification is closed by the complaint's answer (`supervision`), not a reply.
A_COMPLAINT = Condition("a_complaint", "text", _not_complaint)
#: Escalated once: the level above may act from then on.
NOT_ESCALATED = Condition("not_escalated", "escalated_on", _escalated)


def _t(action, label, sources, target, *actors, conditions=()) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(actors), conditions)


H, B, S = Actor.HANDLER, Actor.BUREAU, Actor.SYSTEM

TRANSITIONS: tuple[Transition, ...] = (
    _t("call_attempt", _("回访未接通"), {Step.OPENED}, None, H, conditions=(NAMED,)),
    _t("call_back", _("回访"), {Step.OPENED}, Step.CALLED_BACK, H, conditions=(NAMED,)),
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
    _t("reply", _("答复评价人"), {Step.RESOLVED}, Step.REPLIED, H, conditions=(FIRST_REPLY,)),
    _t(
        "reply_final",
        _("答复评价人并办结"),
        {Step.RESOLVED},
        Step.CLOSED,
        H,
        conditions=(AFTER_REOPENING,),
    ),
    _t("answer", _("答复投诉人并办结"), {Step.RESOLVED}, Step.CLOSED, H, conditions=(A_COMPLAINT,)),
    _t("satisfied", _("追评满意"), {Step.REPLIED}, Step.CLOSED, S),
    _t(
        "reopen",
        _("追评不满意，重新整改"),
        {Step.REPLIED},
        Step.VERIFIED,
        S,
        conditions=(NOT_REOPENED,),
    ),
    _t("close", _("追评期满办结"), {Step.REPLIED}, Step.CLOSED, S),
    _t("escalate", _("逾期上报"), WORKING, None, S, conditions=(NOT_ESCALATED,)),
    _t("overturn", _("申诉撤销"), OPEN, Step.OVERTURNED, B),
)

#: What a handler does from the rectification's page, in the order the page offers it (the system's
#: steps and the bureau's overturn, which is an appeal's decision, are elsewhere).
HANDLER_ACTIONS = (
    "call_attempt",
    "call_back",
    "verify",
    "fix",
    "rectify",
    "explain",
    "finish",
    "reply",
    "reply_final",
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


def to_act_on_q(user) -> Q:
    """The rectifications whose work is `user`'s now, as a filter: those `_is_handler` names them
    handler of, in a working state (`WORKING`: not while the rater may still rate the fix), never
    their own review. The list page's default ("what I must act on"); the same answer as the
    table's for each row."""
    towns, regions, leads = set(), set(), set()
    for m in access.memberships(user):
        if m.role == Role.TOWN_ADMIN:
            towns.add(m.point_id)
        elif m.role == Role.REGION_ADMIN:
            regions.add(m.region_id)
        elif m.role == Role.POINT_LEAD:
            leads.add(m.point_id)
    escalated = Q(escalated_on__isnull=False)
    mine = (
        Q(level="point", point_id__in=leads)
        | Q(level="point", town_id__in=towns) & escalated
        | Q(level="point", town__isnull=True, county_id__in=regions) & escalated
        | Q(level="town", town_id__in=towns)
        | Q(level="town", county_id__in=regions) & escalated
        | Q(level="bureau", county_id__in=regions)
        | Q(level="bureau", county__parent_id__in=regions) & escalated
    )
    if not towns and not regions and not leads:
        mine = Q(pk__in=[])
    return mine & Q(status__in=WORKING) & ~Q(helper_id=user.pk)


def permitted(rect, user, read=None, actions=HANDLER_ACTIONS) -> list[Transition]:
    """What `user` may do to `rect` now of `actions` (default: the handler's, the page's forms; None:
    the whole table): what the actions check."""
    return RECTIFICATION.permitted(rect, user, read, actions)
