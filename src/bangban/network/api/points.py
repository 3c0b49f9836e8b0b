"""The network API's points (with their opening hours) and regions."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query

from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, NO_CONTROL, errors

from .. import access, actions
from ..models import (
    Region,
    ServicePoint,
)
from ..schemas import (
    REGION_CODE,
    HoursIn,
    PointCreateIn,
    PointDetailOut,
    PointKind,
    PointListOut,
    PointUpdateIn,
    RegionCreateIn,
    RegionLevel,
    RegionListOut,
    RegionOut,
    RegionUpdateIn,
)
from .base import (
    POINT_RELATED,
    _department_for_body,
    _domain_for_body,
    _find_region,
    _get_point,
    _organisation_for_body,
    _point_for_body,
    _region_for_body,
    point_detail,
    point_out,
    router,
)

# --- Points ----------------------------------------------------------------------------------------


@router.get("/points", response={200: PointListOut, **errors(422)}, summary="List points")
def list_points(
    request,
    parent: int | None = Query(None, ge=1, le=MAX_ID, description="id of the parent point"),
    kind: PointKind | None = None,
    region: str | None = Query(
        None,
        pattern=REGION_CODE,
        description="division code: points in that region and below; a town's 12-digit form works",
    ),
    q: str | None = Query(None, max_length=100, pattern=NO_CONTROL, description="text search"),
    active: bool | None = Query(None),
    department: int | None = Query(
        None, ge=1, le=MAX_ID, description="id of a department: its windows and sub-zones"
    ),
    organisation: int | None = Query(
        None, ge=1, le=MAX_ID, description="id of a partner organisation: its stations"
    ),
    limit: int = Limit,
    offset: int = Offset,
):
    """The points the caller may see, by id (stable across pages while names change)."""
    refuse_unknown_query(
        request,
        {
            "parent",
            "kind",
            "region",
            "q",
            "active",
            "department",
            "organisation",
            "limit",
            "offset",
        },
    )
    qs = access.points_for(request.auth, "view")
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if department is not None:
        qs = qs.filter(department_id=department)
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if region is not None:
        found = _find_region(region)
        qs = qs.in_region(found) if found else qs.none()
    if q:
        qs = qs.search(q)
    if active is not None:
        qs = qs.filter(active=active)
    count = qs.count()
    # The page's ids first (an index walk, fast even at offset 60,000), then those rows with their
    # relations: joining before OFFSET would join every skipped row too.
    page = qs.order_by("id").values("id")[offset : offset + limit]
    items = ServicePoint.objects.filter(id__in=page).select_related(*POINT_RELATED).order_by("id")
    return {"items": [point_out(p) for p in items], "count": count}


@router.get(
    "/points/{point_id}", response={200: PointDetailOut, **errors(404, 422)}, summary="Get a point"
)
def get_point(request, point_id: int = Path(..., ge=1, le=MAX_ID)):
    point = _get_point(request.auth, point_id, "view")
    return point_detail(point.pk)


@router.post(
    "/points",
    response={201: PointDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Add a point",
)
def create_point(request, payload: PointCreateIn):
    """Add a point under `parent` (which the caller must be allowed to add to). A county centre has
    no parent and needs a county `region` the caller administers."""
    user = request.auth
    parent = _point_for_body(user, payload.parent)
    if parent is None:
        if payload.kind != ServicePoint.Kind.COUNTY_CENTRE:
            raise ApiError(409, ["body", "parent"], _("请选择上级服务点。"), "rule")
        if payload.region is None:
            raise ApiError(
                409, ["body", "region"], _("县政务服务中心必须对应一个县级区划。"), "rule"
            )
        region = _region_for_body(payload.region)
        if not access.regions_for(user, "add_child").filter(pk=region.pk).exists():
            raise Forbidden(["body", "region"], _("您无权在该区划新增县政务服务中心。"))
    else:
        if not access.can(user, "add_child", parent):
            raise Forbidden(["body", "parent"], _("您无权在该服务点下新增服务点。"))
        region = _region_for_body(payload.region)
    point = actions.create_point(
        parent,
        kind=payload.kind,
        name=payload.name,
        by=user,
        region=region,
        domain=_domain_for_body(payload.domain),
        department=_department_for_body(user, payload.department),
        organisation=_organisation_for_body(user, payload.organisation),
        address=payload.address,
        phone=payload.phone,
        signage_in_place=payload.signage_in_place,
    )
    return Status(201, point_detail(point.pk))


@router.patch(
    "/points/{point_id}",
    response={200: PointDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Change a point",
)
def update_point(request, payload: PointUpdateIn, point_id: int = Path(..., ge=1, le=MAX_ID)):
    """Change the fields sent; moving a point (`parent`) needs the right to add under the new
    parent. `domain`, `department` and `organisation` may be set to null."""
    user = request.auth
    point = _get_point(user, point_id, "change")
    sent = payload.model_dump(exclude_unset=True)
    changes = {k: v for k, v in sent.items() if k in actions.POINT_FIELDS}
    if "parent" in sent:
        parent = _point_for_body(user, sent["parent"])
        if parent.pk != point.parent_id and not access.can(user, "add_child", parent):
            raise Forbidden(["body", "parent"], _("您无权把服务点移到该服务点下。"))
        changes["parent"] = parent
    if "region" in sent:
        changes["region"] = _region_for_body(sent["region"])
    if "domain" in sent:
        changes["domain"] = _domain_for_body(sent["domain"])
    if "department" in sent:
        changes["department"] = _department_for_body(user, sent["department"])
    if "organisation" in sent:
        changes["organisation"] = _organisation_for_body(user, sent["organisation"])
    actions.update_point(point, by=user, **changes)
    return point_detail(point.pk)


@router.put(
    "/points/{point_id}/hours",
    response={200: PointDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Replace a point's opening hours",
)
def set_hours(request, payload: HoursIn, point_id: int = Path(..., ge=1, le=MAX_ID)):
    point = _get_point(request.auth, point_id, "change")
    periods = [
        actions.Period(
            weekday=p.weekday,
            opens_at=dt.time.fromisoformat(p.opens_at),
            closes_at=dt.time.fromisoformat(p.closes_at),
            kind=p.kind,
        )
        for p in payload.hours
    ]
    actions.set_opening_hours(point, periods, by=request.auth)
    return point_detail(point.pk)


# --- Regions ---------------------------------------------------------------------------------------


def region_out(r: Region) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "level": r.level,
        "parent": r.parent.code if r.parent_id else None,
        "active": r.active,
        "is_virtual": r.is_virtual,
    }


RegionCodePath = Path(..., pattern=REGION_CODE, description="division code")


def _get_region(user, code: str, action: access.Action) -> Region:
    try:
        return access.get_region_for(user, code, action)
    except Http404:
        if action != "view" and access.regions_for(user, "view").filter(code=code).exists():
            raise Forbidden(["path", "code"], _("您无权修改该区划。")) from None
        raise ApiError(404, ["path", "code"], _("区划不存在或无权访问。"), "not_found") from None


@router.get("/regions", response={200: RegionListOut, **errors(422)}, summary="List regions")
def list_regions(
    request,
    parent: str | None = Query(None, pattern=REGION_CODE, description="code of the region above"),
    level: RegionLevel | None = None,
    q: str | None = Query(None, max_length=100, pattern=NO_CONTROL, description="name or code"),
    limit: int = Limit,
    offset: int = Offset,
):
    """The regions the caller may see, by code."""
    refuse_unknown_query(request, {"parent", "level", "q", "limit", "offset"})
    qs = access.regions_for(request.auth, "view")
    if parent is not None:
        found = _find_region(parent)
        qs = qs.filter(parent=found) if found else qs.none()
    if level is not None:
        qs = qs.filter(level=level)
    if q and q.strip():
        qs = qs.filter(Q(name__contains=q.strip()) | Q(code__startswith=q.strip()))
    count = qs.count()
    items = qs.select_related("parent").order_by("code")[offset : offset + limit]
    return {"items": [region_out(r) for r in items], "count": count}


@router.get(
    "/regions/{code}", response={200: RegionOut, **errors(404, 422)}, summary="Get a region"
)
def get_region(request, code: str = RegionCodePath):
    region = _find_region(code)
    region = _get_region(request.auth, region.code if region else code, "view")
    return region_out(Region.objects.select_related("parent").get(pk=region.pk))


@router.post(
    "/regions",
    response={201: RegionOut, **errors(400, 403, 404, 409, 422)},
    summary="Add a region",
)
def create_region(request, payload: RegionCreateIn):
    """Add a division below `parent` (region administrators, inside their region)."""
    user = request.auth
    parent = _find_region(payload.parent)
    if parent is None or not access.regions_for(user, "view").filter(pk=parent.pk).exists():
        raise NotVisible("parent", _("上级区划"))
    if not access.regions_for(user, "add_child").filter(pk=parent.pk).exists():
        raise Forbidden(["body", "parent"], _("您无权在该区划下新增区划。"))
    region = actions.create_region(parent, code=payload.code, name=payload.name, by=user)
    return Status(201, region_out(region))


@router.patch(
    "/regions/{code}",
    response={200: RegionOut, **errors(400, 403, 404, 409, 422)},
    summary="Change a region",
)
def update_region(request, payload: RegionUpdateIn, code: str = RegionCodePath):
    found = _find_region(code)
    region = _get_region(request.auth, found.code if found else code, "change")
    sent = payload.model_dump(exclude_unset=True)
    region = actions.update_region(region, by=request.auth, **sent)
    return region_out(Region.objects.select_related("parent").get(pk=region.pk))
