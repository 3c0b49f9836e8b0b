"""The registration form, the action forms on a case and the transfers inbox (issue 5, Deliver 9).

Thin on purpose, like the catalog's pages: cases are read through `cases.scope` (404 for missing and
not-allowed alike), every write goes through `cases.actions`, whose `CaseError` messages are put back
next to the fields they name. The case page (`views.py`) includes `_actions.html` with `panel()`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from bangban.catalog.models import Mode, ServiceItem
from bangban.catalog.scope import items_for
from bangban.network import access
from bangban.network.models import SERVING_ROLES, Department, Membership, ServicePoint
from bangban.staff import directory
from bangban.staff.models import qualified_condition

from . import actions, identifiers, uploads, workflow
from .actions import (
    CREDIT_CODE,
    ApplicantData,
    AuthorisationData,
    CaseError,
    NoticeItem,
    Registration,
)
from .forms import (
    ACTION_FORMS,
    AcceptTransferForm,
    DeclineForm,
    RegistrationForm,
    add_case_errors,
    error_summary,
)
from .identifiers import DocumentType, IdentifierError
from .models import Applicant, Case, CaseMaterial, Transfer
from .scope import cases_for, get_case_for
from .workflow import Actor

#: The actions a person performs from the case page, in the order the page offers them (the
#: system's deemed acceptance and the answers to a transfer are elsewhere).
PAGE_ACTIONS = (
    "materials_received",
    "notice",
    "accept",
    "progress",
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
#: At most this many items answer a search as you type.
ITEM_RESULTS = 20
#: At most this many points answer a search for a transfer's receiving point.
POINT_RESULTS = 30
#: Answered transfers stay in the inbox this many days.
ANSWERED_DAYS = 14
#: Points a transfer goes to without searching: the county's own centres and sub-zones, the towns.
NEARBY_KINDS = (
    ServicePoint.Kind.COUNTY_CENTRE,
    ServicePoint.Kind.DEDICATED_ZONE,
    ServicePoint.Kind.DOMAIN_SUBZONE,
    ServicePoint.Kind.DEPARTMENT_WINDOW,
    ServicePoint.Kind.TOWN_CENTRE,
)


# --- Who may do what now -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """What the case page has read of a case already (the checklist with its materials, the notices,
    every transfer), so that the panel asks nothing again."""

    lines: list[CaseMaterial]
    notices: list
    transfers: list[Transfer]


def available_actions(user, case: Case, read: Read | None = None) -> list[workflow.Transition]:
    """The actions `user` may perform on `case` now: the workflow table (state and actor) and the
    actions' own plain rules (one transfer pending at a time; no completion while a 容缺 material
    is outstanding). Whatever is offered, the action judges again when it is performed."""
    may_act = None
    pending = None
    if read is not None:
        pending = any(t.status == Transfer.Status.PENDING for t in read.transfers)
    result = []
    for action in PAGE_ACTIONS:
        t = workflow.transition(action)
        if case.status not in t.sources:
            continue
        ok = Actor.RESPONSIBLE in t.actors and user.pk == case.responsible_id
        if not ok and Actor.HANDLER in t.actors:
            if may_act is None:
                may_act = access.can(user, "act", case.handling_point)
            ok = may_act
        if ok and action == "transfer":
            if pending is None:
                pending = case.transfers.filter(status=Transfer.Status.PENDING).exists()
            ok = not pending
        if ok and action == "complete":
            if read is not None:
                ok = all(line.status != CaseMaterial.Status.DEFERRED for line in read.lines)
            else:
                ok = not case.materials.filter(status=CaseMaterial.Status.DEFERRED).exists()
        if ok:
            result.append(t)
    return result


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
    request, case: Case, action: str, *, bound: bool, read: Read | None = None, auto_id="id_%s"
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
    elif action == "complete":
        actions.complete_case(case, by=by, on=d.get("on"))
    elif action == "withdraw":
        actions.withdraw_case(case, by=by, reason=d["reason"])
    return _("已%(action)s。") % {"action": label}


def panel(request, case: Case, read: Read) -> dict:
    """The context of `cases/_actions.html` on the case page: the actions the user may perform on the
    case now, each with its (unbound) form, and — just after registration — the receipt button.
    `read`: the checklist, notices and transfers the page has read (no query again)."""
    available = available_actions(request.user, case, read)
    return {
        "case": case,
        "actions": [
            {
                "action": t.action,
                "label": t.label,
                # Several forms on one page: ids of their own (one label per field).
                "form": _action_form(
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
        "allowed": any(t.action == action for t in available_actions(user, case)),
        "confirming": confirming,
        "consequence": CONFIRMED_ACTIONS.get(action, ""),
        "entered": _entered(form) if confirming else [],
        "errors": error_summary(form, _action_anchors(case, form)) if posted else [],
    }
    return render(request, "cases/action_page.html", context, status=200)


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


# --- Registration ------------------------------------------------------------------------------------


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


def _serving_points(user) -> list[ServicePoint]:
    return list(registering_points(user))


def _helpers_for(points: list[ServicePoint]) -> list[tuple[object, str]]:
    """Who may be first responsible at those points: everyone serving there (the action checks
    qualification and that they serve at the point chosen)."""
    several = len(points) > 1
    rows = (
        Membership.objects.serving(at=points)
        .select_related("user", "point")
        .order_by("point__ancestry", "user__first_name", "user__last_name", "user_id")
    )
    seen, result = set(), []
    for m in rows:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        name = m.user.get_full_name() or m.user.get_username()
        result.append((m.user, f"{name}（{m.point.name}）" if several else name))
    return result


def _items(user, county_id):
    return (
        items_for(user)
        .active()
        .filter(county_id=county_id)
        .select_related("current__department", "county")
    )


def _picked_point(points: list[ServicePoint], value) -> ServicePoint:
    by_pk = {str(p.pk): p for p in points}
    return by_pk.get(str(value or ""), points[0])


def _item_detail_context(item: ServiceItem | None, mode: str = "") -> dict:
    """What `_item_detail.html` shows of the picked item: the ways of serving it supports (all six
    before an item is picked: the action judges) and its materials checklist."""
    if item is None:
        return {"picked": None, "modes": list(Mode.choices), "mode": mode, "materials": []}
    revision = item.current
    modes = [(m, Mode(m).label) for m in revision.modes]
    if not mode and len(modes) == 1:
        mode = modes[0][0]
    return {
        "picked": item,
        "modes": modes,
        "mode": mode,
        "materials": list(revision.materials.order_by("position")),
    }


def _item_results(user, county_id, text: str, picked: ServiceItem | None) -> list[ServiceItem]:
    results = []
    if text:
        results = list(
            _items(user, county_id).search(text).order_by("current__name", "pk")[:ITEM_RESULTS]
        )
    if picked is not None and all(i.pk != picked.pk for i in results):
        results.insert(0, picked)
    return results


def _derived(form) -> dict | None:
    """Birth date, age and the elderly flag from a typed resident ID number (also without JS)."""
    if form.is_organisation or form["document_type"].value() not in (
        DocumentType.RESIDENT_ID,
        DocumentType.HK_MACAO_TAIWAN_PERMIT,
    ):
        return None
    today = timezone.localdate()
    try:
        document = identifiers.parse_document(
            form["document_type"].value(), form["number"].value() or "", today
        )
    except (IdentifierError, ValueError):
        return None
    if document.birth_on is None:
        return None
    return {
        "birth_on": document.birth_on,
        "age": identifiers.age_on(document.birth_on, today),
        "elderly": identifiers.is_elderly(document.birth_on, today),
    }


def _registration(form, helpers, item_id, scan) -> Registration:
    """The registration as the form parsed it; a field that failed the form's own checks is empty
    (the action then reports it too, and the view keeps only the form's message)."""
    d = form.cleaned_data
    organisation = d.get("applicant_kind") == Applicant.Kind.ORGANISATION
    applicant = ApplicantData(
        kind=d.get("applicant_kind") or "",
        name=d.get("name") or "",
        document_type=CREDIT_CODE if organisation else d.get("document_type") or "",
        number=(d.get("credit_code") if organisation else d.get("number")) or "",
        phone=d.get("phone") or "",
        birth_on=None if organisation else d.get("birth_on"),
        disabled=False if organisation else bool(d.get("disabled")),
        needs=d.get("needs") or "",
        legal_representative=(d.get("legal_representative") or "") if organisation else "",
        contact_name=(d.get("contact_name") or "") if organisation else "",
    )
    authorisation = None
    if d.get("kind") == Case.Kind.PROXY:
        authorisation = AuthorisationData(
            principal=d.get("principal") or "",
            scope=d.get("auth_scope") or "",
            authorised_on=d.get("authorised_on"),
            scan=scan,
            valid_until=d.get("valid_until"),
        )
    responsible = next((u for u, _label in helpers if u.pk == d.get("responsible")), None)
    return Registration(
        applicant=applicant,
        item=ServiceItem(pk=item_id) if item_id else None,
        kind=d.get("kind") or "",
        mode=d.get("mode") or "",
        channel=d.get("channel") or "",
        received_on=d.get("received_on"),
        responsible=responsible,
        contact_phone=d.get("contact_phone") or "",
        authorisation=authorisation,
    )


def _all_errors(form, point, registration) -> None:
    """Add to an invalid form what the action would say of the rest (`registration_errors`), so
    that every problem is shown at once; a field keeps the form's own message if it has one."""
    names = form.error_names()
    for key, problems in actions.registration_errors(point, registration).items():
        field = names.get(key, key)
        if field not in form.fields:
            field = None
        elif form.errors.get(field):
            continue
        for problem in problems:
            form.add_error(field, problem)


def _keep_scan(request, form, kept):
    """After a failed submit, the authorisation scan to offer again: a new acceptable upload is kept
    apart (`cases.uploads`, replacing the one kept before), else the one kept before; nothing for
    a 帮办 case."""
    upload = request.FILES.get("scan")
    if form["kind"].value() != Case.Kind.PROXY:
        return kept
    if upload is None:
        return kept
    uploads.discard(kept)  # the file chosen last wins, even a wrong one (its error says so)
    return None if actions.scan_problem(upload) else uploads.keep(upload, request.user)


def _anchors(form, modes) -> dict[str, str]:
    """Where the error summary's links go for the fields the register page draws itself."""
    return {
        "item": form["item_q"].auto_id,
        "mode": f"mode-{modes[0][0]}" if modes else "item-detail",
        "point": form["point"].auto_id,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register(request):
    """登记: the fast registration form. The item is searched as you type (a plain search button
    without JavaScript); the ID number fills birth date, age and the elderly flag in the browser and
    is checked again by the action. All the problems of a submit are shown at once, listed at the
    top; a chosen authorisation scan is kept for the next submit (decision 0039). Success: the case
    page, with the receipt to print."""
    user = request.user
    points = _serving_points(user)
    if not points:  # may_register(user), without asking again
        return render(request, "cases/register.html", {"no_points": True}, status=403)
    helpers = _helpers_for(points)
    posted = request.method == "POST"
    searching = posted and "find_item" in request.POST
    kept = uploads.kept(request.POST.get("scan_kept", ""), user) if posted else None
    initial = {"point": points[0].pk, "responsible": user.pk}
    if searching:
        # A search without JavaScript: the form again as typed, without errors (nothing submitted).
        form = RegistrationForm(
            points=points, helpers=helpers, initial={**initial, **request.POST.dict()}
        )
    else:
        form = RegistrationForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            points=points,
            helpers=helpers,
            initial=initial,
        )
    point = _picked_point(points, form["point"].value())
    raw_item = str(form["item"].value() or "")
    item_id = int(raw_item) if raw_item.isdigit() else None
    if posted and not searching:
        valid = form.is_valid()
        scan = form.cleaned_data.get("scan") or (kept.open() if kept else None)
        registration = _registration(form, helpers, item_id, scan)
        if not valid:
            _all_errors(form, point, registration)
        else:
            try:
                case = actions.register_case(point, registration=registration, by=user)
            except CaseError as error:
                add_case_errors(form, error, form.error_names())
            else:
                if scan is not None and kept is not None:
                    scan.close()
                    uploads.discard(kept)
                return _registered(request, case)
        if scan is not None and kept is not None:
            scan.close()
    if posted:
        kept = _keep_scan(request, form, kept)
    picked = _items(user, point.county_id).filter(pk=item_id).first() if item_id else None
    text = (form["item_q"].value() or "").strip()[:100]
    detail = _item_detail_context(picked, form["mode"].value() or "")
    failed = posted and not searching
    context = {
        "form": form,
        "points": points,
        "point": point,
        "results": _item_results(user, point.county_id, text, picked),
        "item_q": text,
        "derived": _derived(form) if posted else None,
        "kept_scan": kept,
        "errors": error_summary(form, _anchors(form, detail["modes"])) if failed else [],
        **detail,
    }
    return render(request, "cases/register.html", context)


def _registered(request, case: Case):
    earlier = (
        cases_for(request.user).filter(applicant_id=case.applicant_id).exclude(pk=case.pk).count()
    )
    messages.success(request, _("已登记，办件编号 %(number)s。") % {"number": case.number})
    if earlier:
        messages.info(
            request,
            _("该申请人以前办理过 %(n)s 件（您可查看），请在台账中核对。") % {"n": earlier},
        )
    return redirect(reverse("cases:case", args=[case.number]) + "?registered=1")


@login_required
def item_search(request):
    """htmx: the items of the registering point's county matching `item_q` (the picked one kept
    first), or — with `item` alone — that item's ways of serving and materials checklist."""
    user = request.user
    points = _serving_points(user)
    if not points:
        raise Http404
    point = _picked_point(points, request.GET.get("point"))
    raw = request.GET.get("item") or ""
    picked = _items(user, point.county_id).filter(pk=raw).first() if raw.isdigit() else None
    if "item_q" not in request.GET:
        if picked is None:
            raise Http404
        context = _item_detail_context(picked, request.GET.get("mode") or "")
        return render(request, "cases/_item_detail.html", context)
    text = request.GET.get("item_q", "").strip()[:100]
    context = {
        "results": _item_results(user, point.county_id, text, picked),
        "item_q": text,
        "picked": picked,
    }
    return render(request, "cases/_item_results.html", context)


# --- The transfers inbox -----------------------------------------------------------------------------


def _inbox(user):
    """Transfers to the points the user may act at: pending ones, and those answered lately."""
    since = timezone.localdate() - dt.timedelta(days=ANSWERED_DAYS)
    points = access.points_for(user, "act").values("pk")
    return (
        Transfer.objects.filter(to_point__in=points)
        .filter(Q(status=Transfer.Status.PENDING) | Q(answered_on__gte=since))
        .select_related(
            "case__revision",
            "case__applicant",
            "from_point",
            "to_point",
            "to_helper",
            "sent_by",
            "answered_by",
            "suggested_point",
        )
        .order_by("-sent_at", "-pk")
    )


def _suggestions(county_id) -> list[ServicePoint]:
    return list(
        ServicePoint.objects.active()
        .filter(county_id=county_id, kind__in=NEARBY_KINDS)
        .order_by("ancestry", "kind", "name", "pk")
    )


@login_required
def transfers(request):
    """转办待办: the transfers waiting for the user's points, with accept and decline."""
    rows = list(_inbox(request.user)[:200])
    pending = [t for t in rows if t.status == Transfer.Status.PENDING]
    answered = [t for t in rows if t.status != Transfer.Status.PENDING]
    suggestions: dict[int, list[ServicePoint]] = {}
    for t in pending:
        if t.case.county_id not in suggestions:
            suggestions[t.case.county_id] = _suggestions(t.case.county_id)
    forms = {
        t.pk: DeclineForm(points=suggestions[t.case.county_id], auto_id=f"id_t{t.pk}_%s")
        for t in pending
    }
    helpers = _helpers_at(sorted({t.to_point_id for t in pending}))
    accepts = {
        t.pk: AcceptTransferForm(
            helpers=[h for h in helpers if h["point_id"] == t.to_point_id],
            initial={"handling_helper": t.to_helper_id or request.user.pk},
            auto_id=f"id_a{t.pk}_%s",
        )
        for t in pending
    }
    context = {
        "pending": [(t, accepts[t.pk], forms[t.pk]) for t in pending],
        "answered": answered,
    }
    return render(request, "cases/transfers.html", context)


@login_required
@require_POST
def transfer_answer(request, pk: int, answer: str):
    """Accept or decline a transfer (POST). Whoever answers second is told so, in Chinese."""
    if answer not in ("accept", "decline"):
        raise Http404
    user = request.user
    points = access.points_for(user, "act").values("pk")
    transfer = (
        Transfer.objects.filter(pk=pk, to_point__in=points)
        .select_related("case", "to_point")
        .first()
    )
    if transfer is None:
        raise Http404
    try:
        if answer == "accept":
            form = AcceptTransferForm(request.POST, helpers=_helpers_at([transfer.to_point_id]))
            if not form.is_valid():
                raise CaseError(
                    {"handling_helper": _("承办人须是接收服务点具备上岗资格的帮办代办员。")}
                )
            chosen = form.cleaned_data["handling_helper"]
            helper = get_user_model().objects.filter(pk=chosen).first() if chosen else None
            case = actions.accept_transfer(transfer, by=user, handling_helper=helper)
            messages.success(
                request,
                _("已接收办件 %(number)s，由本服务点承办。") % {"number": case.number},
            )
            return redirect("cases:case", number=case.number)
        form = DeclineForm(request.POST, points=_suggestions(transfer.case.county_id))
        if not form.is_valid():
            raise CaseError({"suggested_point": _("建议转至的服务点无效。")})
        suggested = ServicePoint.objects.filter(pk=form.cleaned_data["suggested_point"]).first()
        actions.decline_transfer(
            transfer, by=user, reason=form.cleaned_data["reason"], suggested_point=suggested
        )
        messages.success(request, _("已退回办件 %(number)s。") % {"number": transfer.case.number})
    except CaseError as error:
        for problems in error.errors.values():
            for problem in problems:
                messages.error(request, problem)
    return redirect("cases:transfers")
