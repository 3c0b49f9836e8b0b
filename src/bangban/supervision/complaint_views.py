"""The complaint pages (投诉举报): the handler's queue at /supervision/complaints/ (by default what the
user must act on now, with the list's filters and each row's yellow or red card), the form that
records a complaint received at a window, by letter or by phone (the bureau, or a town
administrator for their town), a complaint's page (what it is, who and what it is about, its due
days, its timeline, its rectification and exactly the forms the table allows the user:
`workflow.permitted`), the actions posted from it, and the complainant's phone, masked to the
handler and shown in full on request, logged (`actions.reveal_phone`).

Thin like the rectification pages: read through `supervision.scope` (404 for missing and not
allowed alike), cases through `cases.scope`, every write through `supervision.actions`, whose
`SupervisionError` messages go back on the form; after a write, back to the page (PRG).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangban.cases import scope as cases_scope
from bangban.cases.models import next_working_day
from bangban.kernel.clients import client_ip
from bangban.kernel.forms import add_rule_errors
from bangban.network import access

from . import actions, rules, scope
from .complaint_forms import (
    ACTION_FORMS,
    FORM_OF_ACTION,
    PAGE_ACTIONS,
    ComplaintFilter,
    LinkForm,
    RecordForm,
)
from .errors import SupervisionError
from .events import Kind as EventKind
from .models import RECTIFIED_KINDS, Complaint
from .workflow import COMPLAINT, OPEN, Step, permitted

PAGE_SIZE = 25


def _case(user, number: str, form, field: str = "case"):
    """The case numbered `number` if `user` may see it (`cases.scope`), else an error on `form`."""
    try:
        return cases_scope.get_case_for(user, number.strip())
    except Http404:
        form.add_error(field, _("找不到编号为 %(n)s 的办件，或您无权查看。") % {"n": number})
        return None


@login_required
@require_GET
def complaint_list(request):
    """The handler's queue: by default what the user must act on (`show=mine`), else everything
    they may see or one stage, filtered; each row with its card today and its masked phone."""
    user, today = request.user, timezone.localdate()
    form = ComplaintFilter(request.GET or None)
    rows = form.apply(scope.complaints_for(user), user, today).select_related("point", "town")
    show = (form.cleaned_data.get("show") if form.is_bound and form.is_valid() else "") or "mine"
    if show in ("mine", "received", "handling"):
        rows = rows.order_by("due", "-received_on", "-pk")
    else:
        rows = rows.order_by("-received_on", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    near_until = next_working_day(today)
    for complaint in page.object_list:
        complaint.card = rules.card_of(complaint, today, near_until)
    query = request.GET.copy()
    query.pop("page", None)
    points = access.points_for(user, "view").order_by("name").values_list("pk", "name")[:300]
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "points": list(points),
        "show": show,
        "shows": ComplaintFilter.SHOW,
        "filtered": bool(request.GET),
        "may_record": scope.record_counties(user).exists(),
    }
    return render(request, "supervision/complaints/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """Record a complaint received at a window, by letter or by phone (`actions.receive`). The
    button "列出该服务点人员" posts the form back with the helper picker filled for the chosen
    point, nothing written."""
    user = request.user
    counties = scope.record_counties(user).order_by("code")
    if not counties.exists():
        raise Http404
    chosen = request.POST.get("county") or (counties.first().pk if counties else None)
    county = counties.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    points = scope.points_to_record(user, county) if county else access.points_for(user).none()
    data = request.POST if request.method == "POST" else None
    form = RecordForm(data, counties=counties, points=points)
    if data is not None and "pick" not in data and form.is_valid():
        got = form.cleaned_data
        case = _case(user, got["case"], form) if got["case"] else None
        if not form.errors:
            try:
                complaint = actions.receive(
                    county=got["county"],
                    source=got["source"],
                    kind=got["kind"],
                    category=got["category"],
                    title=got["title"],
                    content=got["content"],
                    received_on=got["received_on"],
                    ticket_no=got["ticket_no"],
                    anonymous=got["anonymous"],
                    name=got["name"],
                    phone=got["phone"],
                    point=got["point"],
                    helper=got["helper"],
                    case=case,
                    by=user,
                )
            except SupervisionError as error:
                add_rule_errors(form, error)
            else:
                messages.success(request, _("已登记。"))
                return redirect("supervision:complaint", pk=complaint.pk)
    status = 400 if data is not None and "pick" not in data else 200
    return render(request, "supervision/complaints/new.html", {"form": form}, status=status)


def _timeline(complaint: Complaint) -> list[tuple]:
    labels, states = dict(EventKind.choices), dict(Step.choices)
    events = complaint.events.select_related("by").order_by("at", "pk")
    return [
        (
            e,
            labels.get(e.action, e.action),
            states.get(e.from_status, "") if e.from_status != e.to_status else "",
            states.get(e.to_status, ""),
        )
        for e in events
    ]


def _make_form(name: str, complaint: Complaint, user, data=None):
    if name == "link":
        points = access.points_for(user, "view").filter(county_id=complaint.county_id)
        return LinkForm(data, prefix=name, points=points, point_id=complaint.point_id)
    return ACTION_FORMS[name](data, prefix=name)


def detail_context(request, complaint: Complaint, bound: dict | None = None) -> dict:
    """What `supervision/complaints/detail.html` needs: the complaint, its card, the forms the
    table allows the user (`bound`: a form posted back with its errors), why it cannot be answered
    yet, its timeline."""
    user, today = request.user, timezone.localdate()
    forms, seen = [], set()
    for transition in permitted(complaint, user, actions=PAGE_ACTIONS):
        name = FORM_OF_ACTION[transition.action]
        if name in seen:
            continue
        seen.add(name)
        form = (bound or {}).get(name) or _make_form(name, complaint, user)
        label = _("审批延期申请") if name == "decide_extension" else transition.label
        forms.append({"name": name, "label": label, "form": form})
    not_yet = ""
    if complaint.status == Step.HANDLING and "answer" not in seen:
        refusal = COMPLAINT.check(complaint, "answer", user)
        if refusal is not None and refusal.reason == "rectified":
            not_yet = refusal.message
    return {
        "complaint": complaint,
        "card": rules.card_of(complaint, today, next_working_day(today)),
        "forms": forms,
        "not_yet": not_yet,
        "rect": complaint.rectification,
        "rectified_kind": complaint.kind in RECTIFIED_KINDS,
        "may_reveal": bool(complaint.phone_masked)
        and complaint.status in OPEN
        and COMPLAINT.relations(complaint, user).any_of(["handler"]),
        "timeline": _timeline(complaint),
    }


@login_required
@require_GET
def complaint_detail(request, pk: int):
    complaint = scope.get_complaint_for(request.user, pk)
    return render(request, "supervision/complaints/detail.html", detail_context(request, complaint))


def _perform(name: str, complaint: Complaint, form, user) -> None:
    """The action of `name` with the form's data; a case number not found goes on the form."""
    data = form.cleaned_data
    if name == "sign":
        actions.sign(complaint, by=user)
    elif name == "link":
        case = _case(user, data["case"], form) if data["case"] else None
        if form.errors:
            return
        actions.link(complaint, by=user, point=data["point"], helper=data["helper"], case=case)
    elif name == "return":
        actions.return_ticket(complaint, reason=data["reason"], by=user)
    elif name == "request_extension":
        actions.request_extension(complaint, days=data["days"], reason=data["reason"], by=user)
    elif name == "decide_extension":
        actions.decide_extension(
            complaint, approve=data["decision"] == "approve", note=data["note"], by=user
        )
    elif name == "to_case":
        case = _case(user, data["case"], form)
        if form.errors:
            return
        actions.to_case(complaint, case=case, by=user)
    elif name == "answer":
        upheld = {"yes": True, "no": False}.get(data["upheld"])
        actions.answer(complaint, text=data["text"], upheld=upheld, by=user)


#: The keys of an action's errors that are another name on the page's form.
ERROR_NAMES = {"approve": "decision"}


@login_required
@require_POST
def act(request, pk: int, name: str):
    """One action posted from the page: back to the page, or the page again with the errors on
    the form (the table's refusals above it)."""
    if name not in ACTION_FORMS:
        raise Http404
    user = request.user
    complaint = scope.get_complaint_for(user, pk)
    form = _make_form(name, complaint, user, request.POST)
    if form.is_valid():
        try:
            _perform(name, complaint, form, user)
        except SupervisionError as error:
            add_rule_errors(form, error, ERROR_NAMES)
        else:
            if not form.errors:
                messages.success(request, _("已保存。"))
                return redirect("supervision:complaint", pk=complaint.pk)
    complaint = scope.get_complaint_for(user, pk)
    context = detail_context(request, complaint, bound={name: form})
    if not any(f["name"] == name for f in context["forms"]):
        context["refused"] = [m for ms in form.errors.values() for m in ms] or [
            _("您现在不能进行该操作。")
        ]
    return render(request, "supervision/complaints/detail.html", context, status=400)


@never_cache
@login_required
@require_POST
def reveal(request, pk: int):
    """The complainant's phone, in full, to one who handles the complaint; logged on its timeline
    (`actions.reveal_phone`). 403 for anyone else, nothing written."""
    complaint = scope.get_complaint_for(request.user, pk)
    try:
        phone = actions.reveal_phone(complaint, by=request.user, address=client_ip(request))
    except SupervisionError as error:
        return HttpResponseForbidden(" ".join(m for ms in error.errors.values() for m in ms))
    if request.headers.get("HX-Request"):
        return render(
            request,
            "supervision/complaints/_reveal.html",
            {"complaint": complaint, "revealed": phone, "may_reveal": True},
        )
    context = detail_context(request, complaint)
    context["revealed"] = phone
    return render(request, "supervision/complaints/detail.html", context)


urls = [
    path("complaints/", complaint_list, name="complaints"),
    path("complaints/new/", complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", complaint_detail, name="complaint"),
    path("complaints/<int:pk>/reveal/", reveal, name="complaint_reveal"),
    path("complaints/<int:pk>/<slug:name>/", act, name="complaint_act"),
]
