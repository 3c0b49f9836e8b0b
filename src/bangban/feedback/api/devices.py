"""The hall rating devices (评价器). Staff, with their bearer token: list the devices of the points
they see, register one at a point they may change (its token is in the answer, once), deactivate
it, push an occasion to it. The device, with its own token (`Authorization: Device <token>`): what
to show now, and the rating of the occasion pushed to it — nothing else, no personal data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema
from ninja.security import APIKeyHeader

from bangban.cases.models import Occasion
from bangban.cases.scope import cases_for
from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, NotVisible
from bangban.kernel.schemas import MAX_ID, Id, Input, errors, text
from bangban.network import access

from .. import scope
from ..actions import deactivate_device, push_occasion, rate_on_device, register_device
from ..actions.devices import device_of_token, pushed_occasion
from ..actions.ratings import MAX_REASONS
from ..models import Level, RatingDevice
from ..reasons import current_reason_set, reasons_of
from ..rules import DEVICE_WINDOW
from .common import router

DeviceId = Path(..., ge=1, le=MAX_ID)
REASON_CODE = r"^[-a-zA-Z0-9_]+$"


class DeviceToken(APIKeyHeader):
    """`Authorization: Device <token>`: the active device of the token."""

    param_name = "Authorization"

    def authenticate(self, request, key):
        prefix, _sep, token = (key or "").partition(" ")
        device = device_of_token(token.strip()) if prefix.lower() == "device" else None
        if device is None:
            raise ApiError(
                401,
                ["header", "Authorization"],
                _("评价器令牌无效，或评价器已停用：请使用登记时显示的令牌。"),
                "not_authenticated",
            )
        return device


device_auth = DeviceToken()


# --- Schemas ---------------------------------------------------------------------------------------


class DeviceIn(Input):
    point: Id
    name: text(50, 1)


class DeviceOut(Schema):
    id: int
    point: int
    point_name: str
    name: str
    active: bool
    pushed_occasion: int | None
    pushed_at: dt.datetime | None
    created_at: dt.datetime


class DeviceCreatedOut(DeviceOut):
    token: str = Field(description="shown this once; only its digest is kept")


class DeviceListOut(Schema):
    items: list[DeviceOut]
    count: int


class PushIn(Input):
    occasion: Id


class ReasonShown(Schema):
    code: str
    label: str
    polarity: str


class CurrentOut(Schema):
    point_name: str
    occasion_kind: str
    occasion_kind_label: str
    occasion_on: dt.date
    expires_at: dt.datetime
    reasons: list[ReasonShown]


class DeviceRatingIn(Input):
    level: Annotated[int, Field(ge=1, le=5)]
    reasons: Annotated[list[text(40, 1, REASON_CODE)], Field(max_length=MAX_REASONS)] = []
    comment: text(500) = ""


class DeviceRatingOut(Schema):
    level: int
    level_label: str
    rated_at: dt.datetime


def device_out(device: RatingDevice) -> dict:
    return {
        "id": device.pk,
        "point": device.point_id,
        "point_name": device.point.name,
        "name": device.name,
        "active": device.active,
        "pushed_occasion": device.pushed_occasion_id,
        "pushed_at": device.pushed_at,
        "created_at": device.created_at,
    }


def _device(request, pk: int, action) -> RatingDevice:
    try:
        return scope.get_device_for(request.user, pk, action)
    except Http404:
        if action != "view" and scope.devices_for(request.user).filter(pk=pk).exists():
            raise ApiError(
                403, [], _("您无权操作该服务点的评价器。"), "permission_denied"
            ) from None
        raise ApiError(404, ["path", "id"], _("评价器不存在或无权访问。"), "not_found") from None


# --- Staff -----------------------------------------------------------------------------------------


@router.get(
    "/devices",
    response={200: DeviceListOut, **errors(422)},
    summary="List rating devices",
)
def list_devices(
    request,
    point: int | None = Query(None, ge=1, le=MAX_ID),
    active: bool | None = None,
    limit: int = Limit,
    offset: int = Offset,
):
    """The devices of the points you see, by point and name."""
    refuse_unknown_query(request, {"point", "active", "limit", "offset"})
    devices = scope.devices_for(request.user).select_related("point")
    if point is not None:
        devices = devices.filter(point_id=point)
    if active is not None:
        devices = devices.filter(active=active)
    devices = devices.order_by("point_id", "name", "pk")
    return {
        "items": [device_out(d) for d in devices[offset : offset + limit]],
        "count": devices.count(),
    }


@router.post(
    "/devices",
    response={201: DeviceCreatedOut, **errors(400, 403, 404, 409, 422)},
    summary="Register a rating device",
)
def post_device(request, payload: DeviceIn):
    """A device at `point` (a point you may change). The answer holds its token — shown this once,
    never again: configure the device with it."""
    try:
        point = access.get_point_for(request.user, payload.point, "view")
    except Http404:
        raise NotVisible("point", _("服务点")) from None
    device, token = register_device(point, name=payload.name, by=request.user)
    return Status(201, {**device_out(device), "token": token})


@router.post(
    "/devices/{id}/deactivate",
    response={200: DeviceOut, **errors(403, 404, 409, 422)},
    summary="Deactivate a rating device",
)
def post_deactivate(request, id: int = DeviceId):  # noqa: A002 - the path's name
    """From now on its token is refused."""
    device = _device(request, id, "change")
    return device_out(deactivate_device(device, by=request.user))


@router.post(
    "/devices/{id}/push",
    response={200: DeviceOut, **errors(400, 403, 404, 409, 422)},
    summary="Push an occasion to a rating device",
)
def post_push(request, payload: PushIn, id: int = DeviceId):  # noqa: A002 - the path's name
    """Put an occasion on the device for the applicant to rate now (within 15 minutes): one you
    served or one of the device's point, not yet rated and still in its window."""
    device = _device(request, id, "act")
    occasion = Occasion.objects.filter(
        pk=payload.occasion, case__in=cases_for(request.user)
    ).first()
    if occasion is None:
        raise NotVisible("occasion", _("服务记录"))
    return device_out(push_occasion(device, occasion=occasion, by=request.user))


# --- The device ------------------------------------------------------------------------------------


@router.get(
    "/device/current",
    auth=device_auth,
    response={200: CurrentOut, **errors(404, 422)},
    summary="What the device shows now",
)
def get_current(request):
    """The occasion waiting to be rated on this device: its point, kind and day, and the county's
    reasons (no personal data); 404 when nothing is pushed or the push has expired."""
    refuse_unknown_query(request, set())
    device = request.auth
    occasion = pushed_occasion(device)
    if occasion is None:
        raise ApiError(404, ["path"], _("没有待评价的服务。"), "not_found")
    reason_set = current_reason_set(device.point.county_id)
    return {
        "point_name": occasion.point.name,
        "occasion_kind": occasion.kind,
        "occasion_kind_label": str(occasion.get_kind_display()),
        "occasion_on": occasion.on,
        "expires_at": device.pushed_at + DEVICE_WINDOW,
        "reasons": [
            {"code": r.code, "label": r.label, "polarity": r.polarity}
            for r in reasons_of(reason_set)
        ],
    }


@router.post(
    "/device/ratings",
    auth=device_auth,
    response={201: DeviceRatingOut, **errors(400, 409, 422)},
    summary="Rate the occasion pushed to the device",
)
def post_device_rating(request, payload: DeviceRatingIn):
    """The applicant's rating of the occasion pushed to this device — only that one, within 15
    minutes of the push, once. 409 when nothing is pushed, the push has expired, or the occasion is
    rated already."""
    rating = rate_on_device(
        request.auth, level=payload.level, reasons=payload.reasons, comment=payload.comment
    )
    return Status(
        201,
        {
            "level": rating.level,
            "level_label": str(Level(rating.level).label),
            "rated_at": rating.rated_at,
        },
    )
