"""The one workflow table of a complaint or request (投诉举报、咨询求助, `Complaint`), in the shape every
workflow has (`bangban.kernel.workflow`, decision 0042). `supervision.actions` enforces it
(`COMPLAINT.check`); the pages ask `permitted`, the same answer; nothing else writes
`Complaint.status`; the tests loop over it and the chart page draws it.

A complaint is received (a 12345 ticket dispatched to the county, a letter to the director's
mailbox, a window complaint), signed for (签收) by its handler — the town administrator of the
accused point's town, or the bureau (the county's region administrators), which may act on every
complaint of its county; a 举报 or a fee complaint is the bureau's alone — and answered (答复)
within its time limit (`rules`). A ticket that is not ours is returned (退回) within 2 working days
with the reason. An extension is asked for once and decided by the hotline centre (for a 12345
ticket, through the adapter) or by the bureau (the others). A 求助 that becomes a case is answered
by the case's registration (`to_case`). A 投诉/举报 is put right through a rectification opened when
it is signed for (`feedback.workflow.RECTIFICATION`): its answer waits until the rectification is
resolved, and closes it. The person accused never handles it, whatever memberships they hold.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.feedback.workflow import Step as RectificationStep
from bangban.feedback.workflow import is_bureau
from bangban.kernel.workflow import Condition, Relations, Transition, Workflow
from bangban.network import access
from bangban.network.models import Role

__all__ = [
    "CLOSED",
    "COMPLAINT",
    "HANDLER_ACTIONS",
    "OPEN",
    "Actor",
    "Step",
    "permitted",
    "to_act_on_q",
]


class Step(models.TextChoices):
    RECEIVED = "received", _("待签收")
    HANDLING = "handling", _("办理中")
    ANSWERED = "answered", _("已答复")
    RETURNED = "returned", _("已退回")


OPEN = frozenset({Step.RECEIVED, Step.HANDLING})
CLOSED = frozenset({Step.ANSWERED, Step.RETURNED})


class Actor(models.TextChoices):
    HANDLER = "handler", _("承办人")  # the town admin, or the bureau; never the person accused
    APPROVER = "approver", _("延期审批")  # the hotline centre (12345), or the bureau (the others)


def _is_handler(complaint, user) -> bool:
    if is_bureau(complaint.county_id, user):
        return True
    if complaint.level != "town" or complaint.confidential:
        return False
    return any(
        m.role == Role.TOWN_ADMIN and m.point_id == complaint.town_id
        for m in access.memberships(user)
    )


def _is_approver(complaint, user) -> bool:
    if complaint.source == "hotline":
        return user is None
    return user is not None and is_bureau(complaint.county_id, user)


def relations(complaint, user, read=None) -> Relations:
    """Who `user` is to `complaint` (None: the hotline platform, through the adapter). The person
    accused is nothing to it."""
    if user is not None and complaint.helper_id is not None and user.pk == complaint.helper_id:
        return Relations({})
    return Relations(
        {
            Actor.HANDLER: lambda: user is not None and _is_handler(complaint, user),
            Actor.APPROVER: lambda: _is_approver(complaint, user),
        }
    )


def _not_hotline(complaint, read) -> str:
    if complaint.source != "hotline":
        return str(_("只有 12345 热线工单可以退回。"))
    return ""


def _return_window(complaint, read) -> str:
    from django.utils import timezone

    if timezone.localdate() > complaint.return_due:
        return str(
            _("退回须在派单后 2 个工作日内（%(day)s 前）提出，现已超过，请办理答复。")
            % {"day": complaint.return_due.isoformat()}
        )
    return ""


def _extension_asked(complaint, read) -> str:
    if complaint.extension:
        return str(_("该工单已申请过延期，只能申请一次。"))
    return ""


def _extension_pending(complaint, read) -> str:
    if complaint.extension != "requested":
        return str(_("该工单没有待审批的延期申请。"))
    return ""


def _not_help(complaint, read) -> str:
    if complaint.kind != "help":
        return str(_("只有求助类诉求可以转为帮办事项。"))
    return ""


def _not_resolved(complaint, read) -> str:
    rect = complaint.rectification
    if rect is not None and rect.status != RectificationStep.RESOLVED:
        return str(
            _("请先完成整改（回访、核实、处理）后再答复，整改当前为“%(state)s”。")
            % {"state": rect.get_status_display()}
        )
    return ""


def _no_point(complaint, read) -> str:
    if complaint.kind in ("complaint", "report") and complaint.point_id is None:
        return str(_("投诉、举报须先关联被投诉的服务点，才能签收整改。"))
    return ""


POINT_KNOWN = Condition("point_known", "point", _no_point)
FROM_HOTLINE = Condition("from_hotline", "status", _not_hotline)
IN_RETURN_WINDOW = Condition("in_return_window", "reason", _return_window)
NOT_EXTENDED = Condition("not_extended", "days", _extension_asked)
EXTENSION_PENDING = Condition("extension_pending", "extension", _extension_pending)
A_HELP = Condition("a_help", "case", _not_help)
RECTIFIED = Condition("rectified", "text", _not_resolved)


def _t(action, label, sources, target, *actors, conditions=()) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(actors), conditions)


H, A = Actor.HANDLER, Actor.APPROVER

TRANSITIONS: tuple[Transition, ...] = (
    _t("link", _("关联办件、服务点和人员"), OPEN, None, H),
    _t("sign", _("签收"), {Step.RECEIVED}, Step.HANDLING, H, conditions=(POINT_KNOWN,)),
    _t(
        "return",
        _("退回"),
        OPEN,
        Step.RETURNED,
        H,
        conditions=(FROM_HOTLINE, IN_RETURN_WINDOW),
    ),
    _t("request_extension", _("申请延期"), {Step.HANDLING}, None, H, conditions=(NOT_EXTENDED,)),
    _t(
        "approve_extension",
        _("批准延期"),
        {Step.HANDLING},
        None,
        A,
        conditions=(EXTENSION_PENDING,),
    ),
    _t(
        "refuse_extension",
        _("不予延期"),
        {Step.HANDLING},
        None,
        A,
        conditions=(EXTENSION_PENDING,),
    ),
    _t("to_case", _("转为帮办事项"), {Step.HANDLING}, Step.ANSWERED, H, conditions=(A_HELP,)),
    _t("answer", _("答复"), {Step.HANDLING}, Step.ANSWERED, H, conditions=(RECTIFIED,)),
)

#: What a handler does from the complaint's page, in the order the page offers it.
HANDLER_ACTIONS = ("sign", "link", "return", "request_extension", "to_case", "answer")

COMPLAINT = Workflow(
    states=Step,
    actors=Actor,
    transitions=TRANSITIONS,
    relations=relations,
    state_refusal=_("该诉求当前为“%(state)s”，不能%(action)s。"),
    actor_refusal=_("您不能对该诉求%(action)s。"),
    closed=CLOSED,
    done=frozenset({Step.ANSWERED}),
    system=frozenset(),
    start=Step.RECEIVED,
    start_label=_("受理"),
)


def to_act_on_q(user) -> Q:
    """The complaints whose work is `user`'s now, as a filter: open, and `_is_handler` names them
    handler (the county's region administrators: every complaint of the county; a town
    administrator: their town's, never a confidential one), never about themselves. The list's
    default ("what I must act on"); the same answer as the table's for each row."""
    towns, counties = set(), set()
    for m in access.memberships(user):
        if m.role == Role.TOWN_ADMIN:
            towns.add(m.point_id)
        elif m.role == Role.REGION_ADMIN:
            counties.add(m.region_id)
    if not towns and not counties:
        return Q(pk__in=[])
    mine = Q(county_id__in=sorted(counties)) | Q(
        level="town", confidential=False, town_id__in=sorted(towns)
    )
    return mine & Q(status__in=OPEN) & ~Q(helper_id=user.pk)


def permitted(complaint, user, read=None, actions=HANDLER_ACTIONS) -> list[Transition]:
    """What `user` may do to `complaint` now of `actions` (default: the handler's)."""
    return COMPLAINT.permitted(complaint, user, read, actions)
