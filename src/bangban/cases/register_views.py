"""登记: the fast registration form and its item search as you type (issue 5, Deliver 9; decision 0039).

Thin like the other pages: every write goes through `actions.register_case`, whose `CaseError`
messages are put back next to the fields they name, all at once. Who may register is
`action_views.may_register`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangban.catalog.models import Mode, ServiceItem
from bangban.catalog.scope import items_for
from bangban.kernel.uploads import scan_problem
from bangban.network.models import Membership, ServicePoint

from . import actions, identifiers, uploads
from .action_views import registering_points
from .actions import (
    CREDIT_CODE,
    ApplicantData,
    AuthorisationData,
    CaseError,
    Registration,
)
from .forms import RegistrationForm, add_case_errors, error_summary
from .identifiers import DocumentType, IdentifierError
from .models import Applicant, Case
from .scope import cases_for

#: At most this many items answer a search as you type.
ITEM_RESULTS = 20


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
            _items(user, county_id)
            .search(text, counties=[county_id])
            .order_by("current__name", "pk")[:ITEM_RESULTS]
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
    return None if scan_problem(upload) else uploads.keep(upload, request.user)


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
