"""A case's page (办件): its checklist, notices, transfers with the days each point held it, the
timeline of its events, its service occasions (服务记录, what a rating rates) and its message log, with the actions the user may perform on it now
(`action_views.panel`, asking `workflow.permitted`); the logged showing of an applicant's full ID
number and of a 代办 case's signed authorisation.

Thin like the ledger's list (`views.py`): the case is read through `cases.scope` only (404 for missing
and not allowed alike) and the page runs a fixed number of SQL queries whatever the case holds
(tests/cases/test_case_page_queries.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bangban.kernel.clients import client_ip
from bangban.messaging.models import Message

from . import action_views, actions, events, identifiers, workflow
from .models import Case, CaseMaterial, ReadingDay, Transfer, attach_names
from .scope import get_case_for
from .views import _user_label, read_clock
from .workflow import State

# --- A case ----------------------------------------------------------------------------------------

#: The timeline's words for the actions that are not transitions of the workflow table.
OTHER_ACTIONS = {kind: kind.label for kind in events.NOT_TRANSITIONS}
#: What an event's data says, in the order shown. Values that name a point or a person are looked
#: up among those the page already read; dates are shown as they are.
DATA_LABELS = {
    "reason": gettext_lazy("原因"),
    "text": gettext_lazy("内容"),
    "notice": gettext_lazy("告知书编号"),
    "repeated": gettext_lazy("重复告知"),
    "refusal": gettext_lazy("不予受理通知书编号"),
    "department": gettext_lazy("作出决定的部门"),
    "document_number": gettext_lazy("决定文号"),
    "legal_basis": gettext_lazy("依据"),
    "received_on": gettext_lazy("收取日期"),
    "working_days": gettext_lazy("延长工作日"),
    "approver": gettext_lazy("批准人"),
    "to_point": gettext_lazy("接收服务点"),
    "direction": gettext_lazy("联动方式"),
    "suggested_point": gettext_lazy("建议转至"),
    "point": gettext_lazy("登记服务点"),
    "revision": gettext_lazy("事项版本"),
    "told": gettext_lazy("已告知申请人"),
    "visited_on": gettext_lazy("上门日期"),
    "original_number": gettext_lazy("原办件编号"),
}
#: Fields whose before → after an event shows.
CHANGE_LABELS = {
    "accepted_on": gettext_lazy("受理日期"),
    "promised_deadline": gettext_lazy("承诺期限"),
    "legal_deadline": gettext_lazy("法定期限"),
    "suspended_on": gettext_lazy("中止日期"),
    "completed_on": gettext_lazy("办结日期"),
    "handling_point": gettext_lazy("承办服务点"),
    "handling_helper": gettext_lazy("承办人"),
}


def action_label(action: str) -> str:
    transition = workflow.BY_ACTION.get(action)
    if transition is not None:
        return str(transition.label)
    return str(OTHER_ACTIONS.get(action, action))


def _state_label(value: str) -> str:
    try:
        return str(State(value).label)
    except ValueError:
        return value


def _shown(value, points: dict, people: dict, name: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name in ("to_point", "suggested_point", "point", "handling_point"):
        return points.get(value, f"#{value}")
    if name == "handling_helper":
        return people.get(value, f"#{value}")
    if name == "direction":
        try:
            return str(Transfer.Direction(value).label)
        except ValueError:
            return str(value)
    return str(value)


def timeline(events, points: dict, people: dict, materials: dict) -> list[dict]:
    """The case's events as the page shows them: who, when, what, state before → after, and what
    the event's data says (reasons, numbers, deadlines before → after)."""
    out = []
    for event in events:
        details = []
        for name, label in DATA_LABELS.items():
            if name in event.data:
                details.append((label, _shown(event.data[name], points, people, name)))
        before, after = event.data.get("before") or {}, event.data.get("after") or {}
        for name, label in CHANGE_LABELS.items():
            if name in after and before.get(name) != after.get(name):
                details.append(
                    (
                        label,
                        f"{_shown(before.get(name), points, people, name)} → "
                        f"{_shown(after.get(name), points, people, name)}",
                    )
                )
        changed = event.data.get("materials")
        if isinstance(changed, dict):
            for material_id, (old, new) in changed.items():
                details.append(
                    (
                        materials.get(int(material_id), f"#{material_id}"),
                        f"{_material_status(old)} → {_material_status(new)}",
                    )
                )
        out.append(
            {
                "at": event.at,
                "by": _user_label(event.by) if event.by else _("系统"),
                "action": event.action,
                "label": action_label(event.action),
                "from": _state_label(event.from_status) if event.from_status else "",
                "to": _state_label(event.to_status),
                "moved": event.from_status != event.to_status,
                "details": details,
            }
        )
    return out


def _material_status(value) -> str:
    try:
        return str(CaseMaterial.Status(value).label)
    except ValueError:
        return str(value)


def _case_queryset():
    """A case with what its page shows beside it in the same row: the applicant, the item as it
    stood (without its guide text) with its department, and the authorisation. Its points and people
    are read afterwards by id, with those of its transfers, notices and events (`_names`): joining
    them all (ten tables) cost PostgreSQL more planning than the rest of the page."""
    return Case.objects.select_related(
        "applicant", "revision__department", "authorisation", "refusal_department"
    ).defer("revision__guide")


def case_context(request, case: Case, today: dt.date) -> dict:
    """Everything the case page shows, in a fixed number of queries: the checklist, notices,
    transfers, events and messages, then the points and people they name (`_names`). The actions'
    panel reuses the checklist, notices and transfers (`context["read"]`)."""
    materials = list(case.materials.select_related("material").order_by("position"))
    notices = list(case.notices.annotate(line_count=Count("lines")).order_by("issued_at", "pk"))
    transfers = list(case.transfers.order_by("sent_at", "pk"))
    events = list(case.events.order_by("at", "pk"))
    occasions = list(case.occasions.order_by("sequence"))
    sms_log = list(Message.objects.about(f"case:{case.number}"))
    attach_names(case, transfers, notices, events, occasions)
    points = {case.registering_point_id: case.registering_point.name}
    points[case.handling_point_id] = case.handling_point.name
    people = {case.responsible_id: _user_label(case.responsible)}
    if case.handling_helper_id:
        people[case.handling_helper_id] = _user_label(case.handling_helper)
    for t in transfers:
        points[t.from_point_id] = t.from_point.name
        points[t.to_point_id] = t.to_point.name
        if t.suggested_point_id:
            points[t.suggested_point_id] = t.suggested_point.name
        for person in (t.to_helper, t.sent_by, t.answered_by):
            if person is not None:
                people[person.pk] = _user_label(person)
    holding = [
        {"point": points.get(point_id, f"#{point_id}"), "days": days}
        for point_id, days in case.holding(today, transfers=transfers)
    ]
    applicant = case.applicant
    age = None
    birth_on = applicant.birth_date()  # decrypted: nothing in clear completes the number's mask
    if birth_on is not None and birth_on <= today:
        age = identifiers.age_on(birth_on, today)
    read_clock(case, ReadingDay.of(today))
    return {
        "case": case,
        "today": today,
        "clock": case.clock,
        "card": case.card,
        "applicant": applicant,
        "is_person": applicant.kind == applicant.Kind.PERSON,
        "age": age,
        "applicant_phone": applicant.phone_masked,
        "contact_phone": case.contact_phone_masked,
        "contact_phone_differs": case.contact_phone_digest != applicant.phone_digest,
        "authorisation": getattr(case, "authorisation", None),
        "materials": materials,
        "material_statuses": CaseMaterial.Status,
        "notices": notices,
        "transfers": transfers,
        "holding": holding,
        "timeline": timeline(
            events, points, people, {m.material_id: m.material.name for m in materials}
        ),
        "occasions": occasions,
        "sms_log": sms_log,
        "may_reveal": actions.may_reveal(case, request.user),
        "refused": case.status == State.REFUSED,
        "read": workflow.Read(lines=materials, notices=notices, transfers=transfers),
    }


@login_required
@require_GET
def case_detail(request, number: str):
    """A case's page: header, applicant (masked), item as it stood, checklist, notices, transfers
    with the days each point held it, the timeline of its events and its message log."""
    case = get_case_for(request.user, number, queryset=_case_queryset())
    context = case_context(request, case, timezone.localdate())
    context.update(action_views.panel(request, case, context["read"]))
    return render(request, "cases/case.html", context)


@never_cache
@login_required
@require_POST
def reveal(request, number: str):
    """Show the applicant's full ID number to an entitled user, logged (`actions.reveal_number`):
    as an htmx fragment, or the case page with the number shown for a plain POST. Anyone else
    gets 403 (404 when the case is not theirs to see at all), and nothing is written."""
    case = get_case_for(request.user, number, queryset=_case_queryset())
    try:
        revealed = actions.reveal_number(case, by=request.user, address=client_ip(request))
    except actions.CaseError as error:
        if "by" in error.errors:
            return HttpResponseForbidden(" ".join(error.errors["by"]))
        problem = " ".join(message for messages in error.errors.values() for message in messages)
        if request.headers.get("HX-Request"):
            return render(request, "cases/_case_reveal.html", {"case": case, "problem": problem})
        flash.error(request, problem)
        return redirect("cases:case", case.number)
    context = {"case": case, "revealed": revealed}
    if request.headers.get("HX-Request"):
        return render(request, "cases/_case_reveal.html", context)
    full = case_context(request, case, timezone.localdate())
    full.update(action_views.panel(request, case, full["read"]))
    full["revealed"] = revealed
    return render(request, "cases/case.html", full)


@never_cache
@login_required
@require_GET
def authorisation_scan(request, number: str):
    """The signed authorisation scan of a 代办 case, shown in the browser to those who may see the
    applicant's full ID number (`actions.authorisation_scan`, logged like a reveal). Anyone else
    who may see the case gets 403, and 404 when the case is not theirs to see at all."""
    case = get_case_for(request.user, number)
    try:
        opened, content_type = actions.authorisation_scan(
            case, by=request.user, address=client_ip(request)
        )
    except actions.CaseError as error:
        problem = " ".join(message for messages in error.errors.values() for message in messages)
        if "by" in error.errors:
            return HttpResponseForbidden(problem)
        raise Http404(problem) from None
    response = FileResponse(opened, content_type=content_type)
    name = PurePath(opened.name).name
    response["Content-Disposition"] = content_disposition_header(False, f"{case.number}-{name}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
