"""The equipment and signage pages of a point: register and edit equipment, record its checks, set
the signage and serve its photo. Every line is reached through the gate (`access.equipment_for`,
`access.get_point_for`); the writes are `actions.add_equipment` and its neighbours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import access, actions
from .equipment_forms import EquipmentCheckForm, EquipmentForm, SignageForm
from .models import Equipment, ServicePoint
from .page_parts import ancestors, posted


def _point_equipment_url(point: ServicePoint) -> str:
    return reverse("network:point", args=[point.pk]) + "#equipment-heading"


def _get_equipment(user, pk: int, action: access.Action) -> Equipment:
    """Equipment at a point `user` may `action`; 404 whether it is missing or not allowed."""
    try:
        return (
            access.equipment_for(user, action)
            .select_related("point", "point__county", "kind")
            .get(pk=pk)
        )
    except Equipment.DoesNotExist as error:
        raise Http404 from error


def _equipment_page(request, point: ServicePoint, equipment: Equipment | None = None):
    """Register a line of equipment at `point` (`equipment` None) or edit `equipment`."""
    user = request.user
    form = EquipmentForm(request.POST or None, point=point, equipment=equipment)
    if equipment is None:
        done, written = posted(
            request, form, lambda: actions.add_equipment(point, by=user, **form.changes())
        )
        message = _("已登记设施设备“%(what)s”。")
    else:
        done, _result = posted(
            request, form, lambda: actions.update_equipment(equipment, by=user, **form.changes())
        )
        written, message = equipment, _("已保存设施设备“%(what)s”。")
    if done:
        messages.success(request, message % {"what": written})
        return redirect(_point_equipment_url(point))
    context = {"point": point, "form": form, "ancestors": ancestors(user, point)}
    if equipment is None:
        context.update(title=_("登记设施设备"), submit=_("登记"))
    else:
        context.update(equipment=equipment, title=_("编辑设施设备"), submit=_("保存"))
    return render(request, "network/equipment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def equipment_add(request, pk: int):
    point = access.get_point_for(
        request.user, pk, "change", queryset=ServicePoint.objects.select_related("county")
    )
    return _equipment_page(request, point)


@login_required
@require_http_methods(["GET", "POST"])
def equipment_edit(request, pk: int):
    equipment = _get_equipment(request.user, pk, "change")
    return _equipment_page(request, equipment.point, equipment)


@login_required
@require_http_methods(["GET", "POST"])
def equipment_check_add(request, pk: int):
    user = request.user
    equipment = _get_equipment(user, pk, "change")
    point = equipment.point
    form = EquipmentCheckForm(
        request.POST or None, initial={"checked_on": timezone.localdate(), "result": "ok"}
    )
    done, _result = posted(
        request,
        form,
        lambda: actions.record_equipment_check(
            equipment,
            checked_on=form.cleaned_data["checked_on"],
            result=form.cleaned_data["result"],
            fault=form.cleaned_data["fault"],
            by=user,
        ),
    )
    if done:
        messages.success(request, _("已记录“%(what)s”的检查。") % {"what": equipment})
        return redirect(_point_equipment_url(point))
    checks = equipment.checks.select_related("checked_by")[:20]
    return render(
        request,
        "network/equipment_check.html",
        {
            "point": point,
            "equipment": equipment,
            "checks": checks,
            "form": form,
            "ancestors": ancestors(user, point),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_signage(request, pk: int):
    user = request.user
    point = access.get_point_for(user, pk, "change")
    form = SignageForm(request.POST or None, request.FILES or None, point=point)
    done, _result = posted(
        request,
        form,
        lambda: actions.set_signage(
            point,
            in_place=form.cleaned_data["in_place"],
            photo=form.cleaned_data["photo"],
            by=user,
        ),
    )
    if done:
        messages.success(request, _("统一标识信息已保存。"))
        return redirect(_point_equipment_url(point))
    return render(
        request,
        "network/point_signage.html",
        {"point": point, "form": form, "ancestors": ancestors(user, point)},
    )


@login_required
def signage_photo(request, pk: int):
    """The signage photo, served through the gate (media files are not public)."""
    point = access.get_point_for(request.user, pk, "view")
    if not point.signage_photo:
        raise Http404
    try:
        handle = point.signage_photo.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=300"
    return response
