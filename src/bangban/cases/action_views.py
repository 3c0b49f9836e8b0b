"""The action forms on a case (issue 5, Deliver 9): in the case page's panel (`panel()`, which
`case_views.py` includes with `_actions.html`) and each on a page of its own (`act`); and who may
register (`may_register`; the form is `register_views.py`, the transfers inbox `transfer_views.py`).

What a user may do to a case now is asked of the workflow table, `workflow.permitted` — the same
answer the actions check (decision 0042); nothing here re-derives it. Thin on purpose, like the
catalog's pages: cases are read through `cases.scope` (404 for missing and not-allowed alike), every
write goes through `cases.actions`, whose `CaseError` messages are put back next to the fields they
name.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bangban.network.models import SERVING_ROLES, Department, Membership, ServicePoint
from bangban.staff import directory
from bangban.staff.models import qualified_condition

from . import actions, workflow
from .actions import CaseError, NoticeItem
from .forms import ACTION_FORMS, add_case_errors, error_summary
from .models import Case, CaseMaterial
from .scope import get_case_for

#: The actions a person performs from the case page, in the order the page offers them (the
#: system's deemed acceptance and the answers to a transfer are elsewhere).
PAGE_ACTIONS = (
    "materials_received",
    "notice",
    "accept",
    "progress",
    "home_visit",
    "transfer",
    "suspend",
    "resume",
    "extend",
    "complete",
    "refuse",
    "withdraw",
)
#: The actions that end a case, asked to be confirmed before they run (a step of its own, which
#: works without JavaScript), with what the confirmation says of them.
CONFIRMED_ACTIONS = {
    "complete": gettext_lazy("办结后办件结束，不能再办理其他事项。"),
    "refuse": gettext_lazy("将记录部门不予受理的决定并出具不予受理通知书，办件结束，不能恢复。"),
    "withdraw": gettext_lazy("撤回后办件结束，不能恢复；申请人需要时须重新登记。"),
}
#: At most this many points answer a search for a transfer's receiving point.
POINT_RESULTS = 30
#: Points a transfer goes to without searching: the county's own centres and sub-zones, the towns.
NEARBY_KINDS = (
    ServicePoint.Kind.COUNTY_CENTRE,
    ServicePoint.Kind.DEDICATED_ZONE,
    ServicePoint.Kind.DOMAIN_SUBZONE,
    ServicePoint.Kind.DEPARTMENT_WINDOW,
    ServicePoint.Kind.TOWN_CENTRE,
)


# --- Who may register (what a user may do to a case: `workflow.permitted`) ---------------------------


def registering_points(user):
    """The active points where the user serves (helper or point lead): where they register cases.
    Nobody else registers (an administrator oversees; the form answers them 403)."""
    if not getattr(user, "is_authenticated", False):
        return ServicePoint.objects.none()
    return (
        ServicePoint.objects.active()
        .filter(memberships__user=user, memberships__role__in=SERVING_ROLES)
        .select_related("county")
        .distinct()
        .order_by("ancestry", "name", "pk")
    )


def may_register(user) -> bool:
    """Whether the user may register cases: the one rule behind the form's 403 and every link to
    it ("登记新办件")."""
    return registering_points(user).exists()


def _lines(case: Case) -> list[CaseMaterial]:
    return list(case.materials.select_related("material").order_by("position"))


# --- The forms of the actions ------------------------------------------------------------------------


def _point_ids(case: Case, text: str, posted) -> list[int]:
    """The receiving points offered for a transfer: those found by `text` in the linkage directory,
    else the county's centres, zones, windows and towns; the one posted is always among them."""
    today = timezone.localdate()
    if text:
        qs = directory.points(directory.Filter(text=text), on=today)
    else:
        qs = (
            ServicePoint.objects.active()
            .filter(county_id=case.county_id, kind__in=NEARBY_KINDS)
            .order_by("ancestry", "kind", "name", "pk")
        )
    ids = list(qs.exclude(pk=case.handling_point_id).values_list("pk", flat=True)[:POINT_RESULTS])
    if posted and str(posted).isdigit() and int(posted) not in ids:
        ids.insert(0, int(posted))
    return ids


def _helpers_at(point_ids: list[int]) -> list[dict]:
    """Qualified helpers serving at the points, labelled with their point (directory fields only)."""
    today = timezone.localdate()
    rows = (
        Membership.objects.serving(at=point_ids)
        .filter(qualified_condition(today, via="user__helper_profile"), point__active=True)
        .select_related("user", "point")
        .only("user__username", "user__first_name", "user__last_name", "point__name", "role")
        .order_by("point__name", "user__first_name", "user__last_name", "user_id")[:200]
    )
    return [
        {
            "user_id": m.user_id,
            "point_id": m.point_id,
            "name": m.user.get_full_name() or m.user.get_username(),
            "point": m.point.name,
            "label": f"{m.user.get_full_name() or m.user.get_username()}（{m.point.name}）",
        }
        for m in rows
    ]


def _action_form(
    request,
    case: Case,
    action: str,
    *,
    bound: bool,
    read: workflow.Read | None = None,
    auto_id="id_%s",
):
    """The form of `action` on `case`, bound to the POST when `bound` (`read`: what the caller has
    read of the case already)."""
    form_class = ACTION_FORMS[action]
    kwargs = {"case": case}
    if action in ("notice", "materials_received"):
        kwargs["lines"] = read.lines if read is not None else _lines(case)
    if action == "notice":
        kwargs["repeated"] = bool(read.notices) if read is not None else case.notices.exists()
    if action == "refuse":
        kwargs["departments"] = Department.objects.filter(
            county_id=case.county_id, active=True
        ).order_by("name", "pk")
    if action == "transfer":
        text = (request.GET.get("point_q") or "").strip()[:50]
        posted = request.POST.get("to_point") if bound else None
        ids = _point_ids(case, text, posted)
        kwargs["points"] = directory.point_rows(ids, on=timezone.localdate())
        kwargs["helpers"] = _helpers_at(ids)
    return form_class(request.POST if bound else None, auto_id=auto_id, **kwargs)


def _perform(action: str, case: Case, form, by) -> str:
    """Run the action with what the form parsed; the Chinese message of success."""
    d = form.cleaned_data
    label = workflow.transition(action).label
    if action == "notice":
        items = [NoticeItem(line_id=i, reason=r, note=n) for i, r, n in form.chosen()]
        notice = actions.issue_notice(
            case,
            items=items,
            supply_by=d.get("supply_by"),
            by=by,
            repeat_reason=d.get("repeat_reason") or "",
        )
        return _("已出具一次性告知书 %(number)s。") % {"number": notice.number}
    if action == "materials_received":
        actions.set_material_status(case, statuses=form.statuses(), by=by, **form.deferral())
    elif action == "accept":
        actions.accept_case(case, by=by, on=d.get("on"))
    elif action == "refuse":
        department = d.get("department")
        actions.refuse_case(
            case,
            by=by,
            reason=d["reason"],
            document_number=d["document_number"],
            department=Department.objects.filter(pk=department).first() if department else None,
            legal_basis=d["legal_basis"],
        )
    elif action == "suspend":
        actions.suspend_case(case, by=by, reason=d["reason"], on=d.get("on"))
    elif action == "resume":
        actions.resume_case(case, by=by, on=d.get("on"))
    elif action == "extend":
        actions.extend_case(
            case,
            by=by,
            working_days=d.get("working_days"),
            reason=d["reason"],
            approver=d["approver"],
        )
    elif action == "transfer":
        to_point = ServicePoint.objects.filter(pk=d.get("to_point")).first()
        helper_id = d.get("to_helper")
        to_helper = get_user_model().objects.filter(pk=helper_id).first() if helper_id else None
        transfer = actions.transfer_case(
            case, to_point=to_point, to_helper=to_helper, reason=d["reason"], by=by
        )
        return _("已转至%(point)s，等待对方接收。") % {"point": transfer.to_point.name}
    elif action == "progress":
        actions.record_progress(
            case, by=by, text=d["text"], tell_applicant=bool(d.get("tell_applicant"))
        )
    elif action == "home_visit":
        actions.record_home_visit(case, by=by, on=d.get("on"), note=d["note"])
    elif action == "complete":
        actions.complete_case(case, by=by, on=d.get("on"))
    elif action == "withdraw":
        actions.withdraw_case(case, by=by, reason=d["reason"])
    return _("已%(action)s。") % {"action": label}


#: The actions whose form the case page asks for when its section is opened (htmx; a link to the
#: action's own page without JavaScript), not drawn with the page: the transfer form lists the
#: county's points with their domains and the qualified helpers of each, a third of the case
#: page's time (decision 0071).
ON_DEMAND = frozenset({"transfer"})


def panel(request, case: Case, read: workflow.Read) -> dict:
    """The context of `cases/_actions.html` on the case page: the actions the user may perform on the
    case now, each with its (unbound) form — None for one asked for on opening (ON_DEMAND) —, and
    — just after registration — the receipt button. `read`: the checklist, notices and transfers
    the page has read (no query again)."""
    available = workflow.permitted(case, request.user, read, PAGE_ACTIONS)
    return {
        "case": case,
        "actions": [
            {
                "action": t.action,
                "label": t.label,
                # Several forms on one page: ids of their own (one label per field).
                "form": None
                if t.action in ON_DEMAND
                else _action_form(
                    request, case, t.action, bound=False, read=read, auto_id=f"{t.action}_%s"
                ),
            }
            for t in available
        ],
        "just_registered": request.GET.get("registered") == "1",
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def act(request, number: str, action: str):
    """One action on a case: its form on a page of its own (GET; works without JavaScript), and
    performing it (POST): back to the case page, or the form again with the Chinese errors."""
    if action not in PAGE_ACTIONS:
        raise Http404
    user = request.user
    case = get_case_for(user, number, queryset=Case.objects.for_list())
    posted = request.method == "POST"
    if not posted and request.headers.get("HX-Request") == "true":
        return _panel_form(request, case, action)
    form = _action_form(request, case, action, bound=posted)
    confirming = False
    if posted and form.is_valid():
        confirm = action in CONFIRMED_ACTIONS and request.POST.get("confirmed") != "1"
        try:
            if confirm:
                # The confirmation step is offered for what would succeed: the action is run and
                # rolled back, so that its errors come now, not after the confirmation.
                with transaction.atomic():
                    _perform(action, case, form, user)
                    transaction.set_rollback(True)
                confirming = True
                case = get_case_for(user, number, queryset=Case.objects.for_list())
            else:
                message = _perform(action, case, form, user)
        except CaseError as error:
            names = form.error_names() if hasattr(form, "error_names") else {}
            add_case_errors(form, error, names)
        else:
            if not confirming:
                messages.success(request, message)
                return redirect("cases:case", number=case.number)
    context = {
        "case": case,
        "action": action,
        "label": workflow.transition(action).label,
        "form": form,
        "point_q": (request.GET.get("point_q") or "").strip()[:50],
        "allowed": bool(workflow.permitted(case, user, actions=[action])),
        "confirming": confirming,
        "consequence": CONFIRMED_ACTIONS.get(action, ""),
        "entered": _entered(form) if confirming else [],
        "errors": error_summary(form, _action_anchors(case, form)) if posted else [],
    }
    return render(request, "cases/action_page.html", context, status=200)


def _panel_form(request, case: Case, action: str):
    """The form of an ON_DEMAND action for the case page's panel (htmx), with the panel's ids; or
    the note that the action is not open to the user now."""
    if not workflow.permitted(case, request.user, actions=[action]):
        return render(request, "cases/_action_closed.html", {"case": case, "action": action})
    form = _action_form(request, case, action, bound=False, auto_id=f"{action}_%s")
    label = workflow.transition(action).label
    context = {"case": case, "action": action, "label": label, "form": form}
    return render(request, "cases/action_form.html", context)


def _entered(form) -> list[tuple[str, str]]:
    """(label, value as chosen) of what a valid action form holds, for its confirmation step."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        choices = dict(getattr(field, "choices", ()) or ())
        shown = choices.get(value, value)
        rows.append((str(field.label), shown.isoformat() if hasattr(shown, "isoformat") else shown))
    return rows


def _action_anchors(case: Case, form) -> dict[str, str]:
    """Where the error summary's links go for the fields an action form draws itself."""
    if "to_point" in form.fields:
        first = next((p["id"] for p in getattr(form, "point_rows", [])), None)
        return {"to_point": f"to-point-{case.pk}-{first}" if first else "point-q"}
    return {}
