"""The pages of a county's departments (进驻部门) and partner organisations (合作单位): one list,
new, edit and (de)activate page each, written once over `Units`, what differs between the two."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import access, actions
from .forms import add_network_errors
from .models import Department, PartnerOrganisation, Region
from .page_parts import page
from .unit_forms import DepartmentForm, OrganisationForm, UnitFilterForm


@dataclass(frozen=True)
class Units:
    """What differs between the pages of departments and those of partner organisations."""

    kind: str  # "department" | "organisation": the url names and the templates' wording
    model: type
    form: type
    title: str
    noun: str
    visible: object  # access.departments_for …
    get_for: object  # access.get_department_for …
    create: object  # actions.create_department …
    update: object  # actions.update_department …

    def url(self, name: str, *args) -> str:
        return reverse(f"network:{self.kind}_{name}", args=args)

    @property
    def list_url(self) -> str:
        return self.url("list")

    @property
    def new_url(self) -> str:
        return self.url("new")


DEPARTMENTS = Units(
    kind="department",
    model=Department,
    form=DepartmentForm,
    title=gettext_lazy("进驻部门"),
    noun=gettext_lazy("部门"),
    visible=access.departments_for,
    get_for=access.get_department_for,
    create=actions.create_department,
    update=actions.update_department,
)
ORGANISATIONS = Units(
    kind="organisation",
    model=PartnerOrganisation,
    form=OrganisationForm,
    title=gettext_lazy("合作单位"),
    noun=gettext_lazy("合作单位"),
    visible=access.organisations_for,
    get_for=access.get_organisation_for,
    create=actions.create_partner_organisation,
    update=actions.update_partner_organisation,
)


def _unit_list(request, units: Units):
    """The departments (organisations) the user sees, with ids, state and points; filterable. Three
    queries whatever their number: the counties, the count, the page."""
    user = request.user
    visible = units.visible(user)
    counties = list(
        Region.objects.filter(pk__in=visible.values("county_id"))
        .order_by("code")
        .only("code", "name")
    )
    managed = set(access.unit_counties(user).values_list("pk", flat=True))
    filters = UnitFilterForm(request.GET or None, counties=counties)
    rows = filters.filter(visible).select_related("county").with_point_counts()
    rows = rows.order_by("county__code", "-active", "name", "id")
    context = {
        "units": units,
        "filters": filters,
        "filtered": any(request.GET.get(name) for name in filters.fields),
        "page": page(request, rows),
        "several_counties": len(counties) > 1,
        "managed": managed,
        "can_add": bool(managed),
    }
    return render(request, "network/units.html", context)


def _unit_new(request, units: Units):
    user = request.user
    counties = list(access.unit_counties(user).order_by("code"))
    if not counties:
        raise Http404
    form = units.form(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        try:
            unit = units.create(form.chosen_county(), by=user, **form.changes())
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(
                request, _("已新增%(what)s“%(name)s”。") % {"what": units.noun, "name": unit.name}
            )
            return redirect(units.url("list"))
    context = {"units": units, "form": form, "unit": None}
    return render(request, "network/unit_form.html", context)


def _unit_edit(request, units: Units, pk: int):
    """Rename (retype) a department (organisation); the page also offers to deactivate it."""
    user = request.user
    unit = units.get_for(user, pk, "change")
    form = units.form(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            units.update(unit, by=user, **form.changes())
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已保存“%(name)s”。") % {"name": form.cleaned_data["name"]})
            return redirect(units.url("list"))
    counted = units.model.objects.with_point_counts().get(pk=unit.pk)
    context = {"units": units, "form": form, "unit": unit, "counted": counted}
    return render(request, "network/unit_form.html", context)


def _unit_active(request, units: Units, pk: int):
    """Deactivate (active=0) or reactivate (active=1) a department (organisation): POST only."""
    user = request.user
    unit = units.get_for(user, pk, "change")
    if request.POST.get("active") not in ("0", "1"):
        return HttpResponseBadRequest(_("请求无效：请从修改页面的按钮停用或启用。"))
    active = request.POST["active"] == "1"
    units.update(unit, by=user, active=active)
    if active:
        message = _("已启用“%(name)s”，可以再为它新设服务点和管理员。")
    else:
        message = _("已停用“%(name)s”：原有的服务点、事项和办件保持不变，但不能再新设。")
    messages.success(request, message % {"name": unit.name})
    return redirect(units.url("list"))


@login_required
def departments(request):
    return _unit_list(request, DEPARTMENTS)


@login_required
@require_http_methods(["GET", "POST"])
def department_new(request):
    return _unit_new(request, DEPARTMENTS)


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, pk: int):
    return _unit_edit(request, DEPARTMENTS, pk)


@login_required
@require_POST
def department_active(request, pk: int):
    return _unit_active(request, DEPARTMENTS, pk)


@login_required
def organisations(request):
    return _unit_list(request, ORGANISATIONS)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request):
    return _unit_new(request, ORGANISATIONS)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk: int):
    return _unit_edit(request, ORGANISATIONS, pk)


@login_required
@require_POST
def organisation_active(request, pk: int):
    return _unit_active(request, ORGANISATIONS, pk)
