"""The inspection pages (明查暗访), made for a phone held in a bank branch at 360 px: the list of the
user's inspections and those they may see (`supervision:inspections`), a new one
(`supervision:inspection_new`: the point found by name among those the user may inspect), and one
inspection (`supervision:inspection`): for its inspector while a draft, the checklist by section
with one small form per item (occurrences, note, the person involved, a photo from the camera) and
the submission; for everyone else, and after submission, the score, the findings with their photos
and each finding's rectification. Photos are served through a scoped view, never a media URL.

Thin: read through `supervision.scope` (404 for missing and not allowed alike), every write through
`supervision.actions`, whose `SupervisionError` messages go back on the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangban.feedback.scope import rectifications_for
from bangban.kernel.forms import add_rule_errors

from . import actions
from .actions.inspections import applicable_items, is_special
from .errors import SupervisionError
from .inspection_forms import FindingForm, NewInspectionForm, SubmitForm
from .models import ChecklistItem, Inspection, InspectionPhoto
from .scope import get_inspection_for, inspections_for, may_edit_inspection, points_to_inspect

PAGE_SIZE = 25


@login_required
@require_GET
def inspection_list(request):
    """Mine and those I may see, newest first, with point, 明查/暗访, status and score."""
    rows = inspections_for(request.user).select_related("point", "inspector")
    page = Paginator(rows.order_by("-started_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    may_start = points_to_inspect(request.user).exists()
    return render(
        request, "supervision/inspections/list.html", {"page": page, "may_start": may_start}
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    """Pick the point (a name narrows the select), the checklist, 明查/暗访, who inspects."""
    user = request.user
    search = (request.GET.get("q") or "").strip()[:50]
    special = is_special(user)
    data = request.POST if request.method == "POST" else None
    form = NewInspectionForm(data, user=user, search=search, special=special)
    status = 200
    if data is not None:
        if form.is_valid():
            d = form.cleaned_data
            try:
                inspection = actions.start_inspection(
                    d["point"],
                    checklist=d["checklist"],
                    announced=d["announced"] == "1",
                    by_kind=d.get("by_kind", ""),
                    unit=d["unit"],
                    by=user,
                )
            except SupervisionError as error:
                add_rule_errors(form, error)
            else:
                return redirect("supervision:inspection", pk=inspection.pk)
        status = 400
    context = {"form": form, "search": search, "special": special}
    return render(request, "supervision/inspections/new.html", context, status=status)


def _sections(inspection: Inspection, bound: dict | None = None) -> list[dict]:
    """The applicable items by section, each with its finding, its photos and its form."""
    findings = {f.item_id: f for f in inspection.findings.all()}
    photos: dict = {}
    for photo in inspection.photos.all():
        photos.setdefault(photo.finding_id, []).append(photo)
    sections: list[dict] = []
    for item in applicable_items(inspection.checklist, inspection.point):
        finding = findings.get(item.pk)
        prefix = f"item{item.pk}"
        form = (bound or {}).get(item.pk) or FindingForm(
            prefix=prefix,
            point=inspection.point,
            initial={
                "occurrences": finding.occurrences if finding else 0,
                "note": finding.note if finding else "",
                "helper": finding.helper_id if finding else "",
            },
        )
        row = {
            "item": item,
            "finding": finding,
            "form": form,
            "photos": photos.get(finding.pk, []) if finding else [],
        }
        if not sections or sections[-1]["section"] != item.section:
            sections.append({"section": item.section, "rows": []})
        sections[-1]["rows"].append(row)
    return sections


def _fill(request, inspection: Inspection, bound=None, submit=None, status=200):
    context = {
        "inspection": inspection,
        "sections": _sections(inspection, bound),
        "submit_form": submit or SubmitForm(initial={"summary": inspection.summary}),
        "visit_photos": [p for p in inspection.photos.all() if p.finding_id is None],
    }
    return render(request, "supervision/inspections/fill.html", context, status=status)


def _read(request, inspection: Inspection):
    user = request.user
    findings = list(
        inspection.findings.select_related("rectification", "helper").order_by(
            "item__section__order", "item__order", "pk"
        )
    )
    rect_ids = [f.rectification_id for f in findings if f.rectification_id]
    visible = set(rectifications_for(user).filter(pk__in=rect_ids).values_list("pk", flat=True))
    photos: dict = {}
    for photo in inspection.photos.all():
        photos.setdefault(photo.finding_id, []).append(photo)
    for f in findings:
        f.visible_rect = f.rectification_id in visible
        f.photo_list = photos.get(f.pk, [])
    context = {
        "inspection": inspection,
        "findings": findings,
        "visit_photos": photos.get(None, []),
        "deducted": inspection.full_score - (inspection.score or inspection.full_score),
    }
    return render(request, "supervision/inspections/detail.html", context)


@login_required
@require_GET
@never_cache
def inspection_detail(request, pk: int):
    inspection = get_inspection_for(request.user, pk)
    if may_edit_inspection(request.user, inspection):
        return _fill(request, inspection)
    return _read(request, inspection)


def _editable(request, pk: int) -> Inspection:
    inspection = get_inspection_for(request.user, pk)
    if not may_edit_inspection(request.user, inspection):
        raise Http404
    return inspection


@login_required
@require_POST
def save_item(request, pk: int, item: int):
    """One item's finding saved, with the photo taken (its time: now, as the phone uploads it)."""
    inspection = _editable(request, pk)
    found = ChecklistItem.objects.select_related("section").filter(pk=item).first()
    if found is None or found.section.checklist_id != inspection.checklist_id:
        raise Http404
    form = FindingForm(
        request.POST, request.FILES, prefix=f"item{found.pk}", point=inspection.point
    )
    if form.is_valid():
        d = form.cleaned_data
        helper = get_user_model().objects.filter(pk=d["helper"]).first() if d["helper"] else None
        try:
            # The finding and its photo are saved together or not at all.
            with transaction.atomic():
                finding = actions.record_finding(
                    inspection,
                    item=found,
                    occurrences=d["occurrences"],
                    note=d["note"],
                    helper=helper,
                    by=request.user,
                )
                if d.get("photo"):
                    actions.add_photo(
                        inspection,
                        image=d["photo"],
                        taken_at=timezone.now(),
                        finding=finding,
                        caption=found.text[:100],
                        by=request.user,
                    )
        except SupervisionError as error:
            add_rule_errors(form, error, {"image": "photo", "taken_at": "photo"})
        else:
            messages.success(request, _("已保存：%(item)s") % {"item": found.text})
            where = reverse("supervision:inspection", args=[inspection.pk])
            return redirect(f"{where}#item-{found.pk}")
    return _fill(request, inspection, bound={found.pk: form}, status=400)


@login_required
@require_POST
def remove_photo(request, pk: int, photo: int):
    inspection = _editable(request, pk)
    found = inspection.photos.filter(pk=photo).first()
    if found is None:
        raise Http404
    actions.remove_photo(found, by=request.user)
    messages.success(request, _("已删除照片。"))
    return redirect("supervision:inspection", pk=inspection.pk)


@login_required
@require_POST
def submit(request, pk: int):
    inspection = _editable(request, pk)
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            actions.submit_inspection(
                inspection, summary=form.cleaned_data["summary"], by=request.user
            )
        except SupervisionError as error:
            add_rule_errors(form, error)
        else:
            messages.success(request, _("检查已提交，发现的问题已转服务点整改。"))
            return redirect("supervision:inspection", pk=inspection.pk)
    return _fill(request, inspection, submit=form, status=400)


@login_required
@require_POST
def discard(request, pk: int):
    inspection = _editable(request, pk)
    actions.discard_inspection(inspection, by=request.user)
    messages.success(request, _("已删除该检查草稿。"))
    return redirect("supervision:inspections")


@login_required
@require_GET
@never_cache
def photo(request, pk: int):
    """A photo of an inspection the user may see (404 otherwise), never through a media URL."""
    found = (
        InspectionPhoto.objects.filter(inspection__in=inspections_for(request.user), pk=pk)
        .only("image")
        .first()
    )
    if found is None:
        raise Http404
    name = found.image.name.lower()
    kind = "image/png" if name.endswith(".png") else "image/jpeg"
    response = FileResponse(found.image.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urls = [
    path("inspections/", inspection_list, name="inspections"),
    path("inspections/new/", inspection_new, name="inspection_new"),
    path("inspections/photos/<int:pk>/", photo, name="inspection_photo"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection"),
    path("inspections/<int:pk>/items/<int:item>/", save_item, name="inspection_item"),
    path(
        "inspections/<int:pk>/photos/<int:photo>/remove/",
        remove_photo,
        name="inspection_photo_remove",
    ),
    path("inspections/<int:pk>/submit/", submit, name="inspection_submit"),
    path("inspections/<int:pk>/discard/", discard, name="inspection_discard"),
]
