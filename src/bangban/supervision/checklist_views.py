"""The county's inspection checklists (督查评分表): the list per county and one checklist (its
sections, items, points, method, photo, the levels each applies to and the totals) for those who see
them (`scope.checklists_for`); for the bureau (`scope.checklist_counties(user, "change")`) the form
that makes or edits a checklist whole, and the switch that takes it out of use. The writes are
`actions.save_checklist` and `actions.set_checklist_active`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import scope
from .actions import ChecklistError, save_checklist, set_checklist_active
from .checklist_forms import (
    ChecklistForm,
    ItemFormSet,
    initial_rows,
    put_errors,
    sections_of_formset,
)
from .models import Checklist, PointLevel

ACTIVE_ITEMS = Q(sections__items__active=True)


def _get(user, pk, action: str = "view") -> Checklist:
    found = scope.checklists_for(user, action).select_related("county").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _may_change(user, checklist: Checklist) -> bool:
    return scope.checklist_counties(user, "change").filter(pk=checklist.county_id).exists()


@login_required
@require_http_methods(["GET"])
def checklist_list(request):
    checklists = (
        scope.checklists_for(request.user)
        .select_related("county")
        .annotate(
            total=Sum("sections__items__points", filter=ACTIVE_ITEMS),
            item_count=Count("sections__items", filter=ACTIVE_ITEMS),
        )
        .order_by("county__code", "-active", "name", "pk")[:500]
    )
    counties: dict = {}
    for checklist in checklists:
        counties.setdefault(checklist.county, []).append(checklist)
    changeable = list(scope.checklist_counties(request.user, "change").values_list("pk", flat=True))
    return render(
        request,
        "supervision/checklists/list.html",
        {
            "counties": [
                {"county": county, "checklists": rows, "may_change": county.pk in changeable}
                for county, rows in counties.items()
            ],
            "may_create": bool(changeable),
        },
    )


def _levels(items) -> list[dict]:
    """The points a point of each level can score (the items that apply to it)."""
    return [
        {
            "label": label,
            "total": sum((i.points for i in items if value in i.applies_to), Decimal(0)),
        }
        for value, label in PointLevel.choices
    ]


@login_required
@require_http_methods(["GET"])
def checklist_detail(request, pk: int):
    checklist = _get(request.user, pk)
    sections = []
    items = []
    for section in checklist.sections.prefetch_related("items"):
        rows = [item for item in section.items.all() if item.active]
        if rows:
            subtotal = sum((item.points for item in rows), Decimal(0))
            sections.append({"section": section, "items": rows, "total": subtotal})
            items.extend(rows)
    level_labels = dict(PointLevel.choices)
    for item in items:
        item.level_labels = [level_labels[v] for v in item.applies_to if v in level_labels]
    return render(
        request,
        "supervision/checklists/detail.html",
        {
            "checklist": checklist,
            "sections": sections,
            "total": sum((item.points for item in items), Decimal(0)),
            "levels": _levels(items),
            "may_change": _may_change(request.user, checklist),
        },
    )


def _edit_page(request, form, formset, checklist=None, status=200):
    return render(
        request,
        "supervision/checklists/edit.html",
        {"form": form, "formset": formset, "checklist": checklist},
        status=status,
    )


def _save(request, form, formset, checklist=None):
    """Validate both, save through the action; the page again with the errors in place."""
    if form.is_valid() and formset.is_valid():
        sections, rows = sections_of_formset(formset)
        data = form.cleaned_data
        try:
            saved = save_checklist(
                data["county"] if checklist is None else checklist.county,
                name=data["name"],
                sections=sections,
                active=data["active"],
                checklist=checklist,
                by=request.user,
            )
        except ChecklistError as error:
            put_errors(error, form, formset, rows)
        else:
            messages.success(request, _("督查评分表已保存。"))
            return redirect("supervision:checklist", pk=saved.pk)
    return _edit_page(request, form, formset, checklist, status=200)


@login_required
@require_http_methods(["GET", "POST"])
def checklist_new(request):
    counties = scope.checklist_counties(request.user, "change").order_by("code")
    if not counties.exists():
        raise Http404
    if request.method == "POST":
        form = ChecklistForm(request.POST, counties=counties)
        formset = ItemFormSet(request.POST, prefix="items")
        return _save(request, form, formset)
    form = ChecklistForm(initial={"active": True}, counties=counties)
    formset = ItemFormSet(prefix="items")
    return _edit_page(request, form, formset)


@login_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request, pk: int):
    checklist = _get(request.user, pk, "change")
    if request.method == "POST":
        form = ChecklistForm(request.POST)
        formset = ItemFormSet(request.POST, prefix="items")
        return _save(request, form, formset, checklist)
    form = ChecklistForm(initial={"name": checklist.name, "active": checklist.active})
    formset = ItemFormSet(initial=initial_rows(checklist), prefix="items")
    return _edit_page(request, form, formset, checklist)


@login_required
@require_POST
def checklist_active(request, pk: int):
    checklist = _get(request.user, pk, "change")
    active = request.POST.get("active") == "1"
    set_checklist_active(checklist, active=active, by=request.user)
    messages.success(request, _("评分表已启用。") if active else _("评分表已停用。"))
    return redirect("supervision:checklist", pk=checklist.pk)


urls = [
    path("checklists/", checklist_list, name="checklists"),
    path("checklists/new/", checklist_new, name="checklist_new"),
    path("checklists/<int:pk>/", checklist_detail, name="checklist"),
    path("checklists/<int:pk>/edit/", checklist_edit, name="checklist_edit"),
    path("checklists/<int:pk>/active/", checklist_active, name="checklist_active"),
]
