"""The network API's equipment of a point and its checks."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path

from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, errors

from .. import access, actions
from ..models import (
    Equipment,
    EquipmentCheck,
    EquipmentKind,
)
from ..schemas import (
    EquipmentCheckIn,
    EquipmentCheckListOut,
    EquipmentCheckOut,
    EquipmentCreateIn,
    EquipmentListOut,
    EquipmentOut,
    EquipmentUpdateIn,
)
from .base import _get_point, router

# --- Equipment -------------------------------------------------------------------------------------

EQUIPMENT_RELATED = ("kind", "responsible")


def equipment_out(e: Equipment, today: dt.date) -> dict:
    responsible = e.responsible
    return {
        "id": e.pk,
        "point": e.point_id,
        "kind": e.kind.code,
        "kind_name": e.kind.name,
        "is_convenience": e.kind.is_convenience,
        "quantity": e.quantity,
        "state": e.state,
        "responsible": e.responsible_id,
        "responsible_name": (responsible.get_full_name() or responsible.username)
        if responsible
        else None,
        "note": e.note,
        "added_on": e.added_on,
        "check_interval_days": e.kind.check_interval_days,
        "last_checked_on": e.last_checked_on,
        "next_check_on": e.next_check_on,
        "overdue": e.state != Equipment.State.RETIRED and e.next_check_on < today,
    }


def check_out(c: EquipmentCheck) -> dict:
    return {
        "id": c.pk,
        "equipment": c.equipment_id,
        "checked_on": c.checked_on,
        "checked_by": c.checked_by_id,
        "checked_by_name": c.checked_by.get_full_name() or c.checked_by.username,
        "result": c.result,
        "fault": c.fault,
        "created_at": c.created_at,
    }


def _equipment_detail(pk: int) -> dict:
    row = Equipment.objects.select_related(*EQUIPMENT_RELATED).with_check_dates().get(pk=pk)
    return equipment_out(row, timezone.localdate())


def _get_equipment(user, equipment_id: int, action: access.Action) -> Equipment:
    try:
        return access.equipment_for(user, action).select_related("point").get(pk=equipment_id)
    except Equipment.DoesNotExist:
        if action != "view" and access.equipment_for(user, "view").filter(pk=equipment_id).exists():
            raise Forbidden(["path", "equipment_id"], _("您无权修改该服务点的设施设备。")) from None
        raise ApiError(
            404, ["path", "equipment_id"], _("设施设备不存在或无权访问。"), "not_found"
        ) from None


def _kind_for_body(code: str) -> EquipmentKind:
    kind = EquipmentKind.objects.filter(code=code).first()
    if kind is None:
        raise NotVisible("kind", _("设备类型"))
    return kind


def _responsible_for_body(pk: int | None):
    """The user named as responsible. Unknown ids and people without a membership at the point
    get the same 409 (from the action), so the API does not reveal which user ids exist."""
    if pk is None:
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise actions.NetworkError({"responsible": _("责任人必须是在本服务点或其上级任职的人员。")})
    return user


@router.get(
    "/points/{point_id}/equipment",
    response={200: EquipmentListOut, **errors(404, 422)},
    summary="List a point's equipment",
)
def list_equipment(
    request,
    point_id: int = Path(..., ge=1, le=MAX_ID),
    limit: int = Limit,
    offset: int = Offset,
):
    """The equipment of a point with its last and next periodic check, by id."""
    refuse_unknown_query(request, {"limit", "offset"})
    point = _get_point(request.auth, point_id, "view")
    qs = Equipment.objects.filter(point=point)
    count = qs.count()
    rows = (
        qs.select_related(*EQUIPMENT_RELATED)
        .with_check_dates()
        .order_by("id")[offset : offset + limit]
    )
    today = timezone.localdate()
    return {"items": [equipment_out(e, today) for e in rows], "count": count}


@router.post(
    "/points/{point_id}/equipment",
    response={201: EquipmentOut, **errors(400, 403, 404, 409, 422)},
    summary="Add equipment to a point",
)
def add_equipment(request, payload: EquipmentCreateIn, point_id: int = Path(..., ge=1, le=MAX_ID)):
    """Record equipment of one kind at a point (the caller must be allowed to change the point)."""
    user = request.auth
    point = _get_point(user, point_id, "change")
    equipment = actions.add_equipment(
        point,
        kind=_kind_for_body(payload.kind),
        quantity=payload.quantity,
        state=payload.state,
        responsible=_responsible_for_body(payload.responsible),
        note=payload.note,
        by=user,
    )
    return Status(201, _equipment_detail(equipment.pk))


@router.get(
    "/equipment/{equipment_id}",
    response={200: EquipmentOut, **errors(404, 422)},
    summary="Get equipment",
)
def get_equipment(request, equipment_id: int = Path(..., ge=1, le=MAX_ID)):
    equipment = _get_equipment(request.auth, equipment_id, "view")
    return _equipment_detail(equipment.pk)


@router.patch(
    "/equipment/{equipment_id}",
    response={200: EquipmentOut, **errors(400, 403, 404, 409, 422)},
    summary="Change equipment",
)
def update_equipment(
    request, payload: EquipmentUpdateIn, equipment_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Change the fields sent. `responsible` may be set to null."""
    user = request.auth
    equipment = _get_equipment(user, equipment_id, "change")
    sent = payload.model_dump(exclude_unset=True)
    if "kind" in sent:
        sent["kind"] = _kind_for_body(sent["kind"])
    if "responsible" in sent:
        sent["responsible"] = _responsible_for_body(sent["responsible"])
    actions.update_equipment(equipment, by=user, **sent)
    return _equipment_detail(equipment.pk)


@router.get(
    "/equipment/{equipment_id}/checks",
    response={200: EquipmentCheckListOut, **errors(404, 422)},
    summary="List the checks of equipment",
)
def list_checks(
    request,
    equipment_id: int = Path(..., ge=1, le=MAX_ID),
    limit: int = Limit,
    offset: int = Offset,
):
    """The periodic checks of a piece of equipment, latest first."""
    refuse_unknown_query(request, {"limit", "offset"})
    equipment = _get_equipment(request.auth, equipment_id, "view")
    qs = EquipmentCheck.objects.filter(equipment=equipment)
    count = qs.count()
    rows = qs.select_related("checked_by").order_by("-checked_on", "-id")[offset : offset + limit]
    return {"items": [check_out(c) for c in rows], "count": count}


@router.post(
    "/equipment/{equipment_id}/checks",
    response={201: EquipmentCheckOut, **errors(400, 403, 404, 409, 422)},
    summary="Record a check of equipment",
)
def record_check(
    request, payload: EquipmentCheckIn, equipment_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Record a periodic check by the caller. A faulty result needs `fault` and marks the
    equipment faulty; an ok result after a fault marks it working (409 for a date after today,
    a faulty result without a fault, or retired equipment)."""
    user = request.auth
    equipment = _get_equipment(user, equipment_id, "change")
    check = actions.record_equipment_check(
        equipment,
        checked_on=payload.checked_on,
        result=payload.result,
        fault=payload.fault,
        by=user,
    )
    return Status(
        201, check_out(EquipmentCheck.objects.select_related("checked_by").get(pk=check.pk))
    )
