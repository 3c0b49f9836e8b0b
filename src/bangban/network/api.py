"""The network's JSON API: tokens, points, regions, departments and partner organisations, accounts. Thin: validate, ask the gate, call an
action or a queryset, render. See docs/api.md.

Status codes: 401 no or bad token; 403 visible but not allowed; 404 missing or not visible (the gate
makes them look the same, also for ids named in a body); 409 well-formed but against a rule of the
network (`NetworkError`); 422 malformed input; 429 login locked out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.errors import ValidationError
from ninja.security import HttpBearer

from . import access, actions

try:
    from ninja import Status
except ImportError:  # django-ninja before 1.5 takes a (status, body) tuple

    def Status(status_code, value):  # noqa: N802
        return status_code, value


from .models import (
    ApiToken,
    Department,
    Domain,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    Membership,
    PartnerOrganisation,
    Region,
    ServicePoint,
)
from .schemas import (
    COUNTIES_CODE,
    MAX_ID,
    NO_CONTROL,
    REGION_CODE,
    AccountIn,
    AccountOut,
    DepartmentCreateIn,
    DepartmentListOut,
    DepartmentOut,
    DepartmentUpdateIn,
    EquipmentCheckIn,
    EquipmentCheckListOut,
    EquipmentCheckOut,
    EquipmentCreateIn,
    EquipmentListOut,
    EquipmentOut,
    EquipmentUpdateIn,
    HoursIn,
    OrganisationCreateIn,
    OrganisationListOut,
    OrganisationOut,
    OrganisationUpdateIn,
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
    TokenIn,
    TokenOut,
    errors,
)

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class ApiError(Exception):
    """An error answer in the one shape: status, where, Chinese message, kind."""

    def __init__(self, status: int, loc: list, msg: str, type: str):  # noqa: A002
        self.status, self.loc, self.msg, self.type = status, loc, msg, type
        super().__init__(msg)


class NotVisible(ApiError):
    def __init__(self, field: str, what: str):
        super().__init__(
            404, ["body", field], _("%(what)s不存在或无权访问。") % {"what": what}, "not_found"
        )


class Forbidden(ApiError):
    def __init__(self, loc: list, msg: str):
        super().__init__(403, loc, msg, "permission_denied")


# --- Tokens ----------------------------------------------------------------------------------------


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; the user of an unexpired token of an active account."""

    def authenticate(self, request: HttpRequest, token: str):
        if not token or len(token) > 200:
            return None
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest(token), expires_at__gt=timezone.now(), user__is_active=True)
            .first()
        )
        if row is None:
            return None
        request.user = row.user
        return row.user


auth_router = Router(tags=["auth"])


@auth_router.post(
    "/token",
    auth=None,
    response={200: TokenOut, **errors(400, 422, 429)},
    summary="Issue a bearer token",
)
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token valid `BANGBAN_TOKEN_HOURS` hours.
    Failed attempts are throttled per username and address together (django-axes): 429 while
    locked out."""
    try:
        user = authenticate(request=request, username=payload.username, password=payload.password)
    except PermissionDenied:  # pragma: no cover - axes versions that raise through authenticate
        user = None
        request.axes_locked_out = True
    if getattr(request, "axes_locked_out", False):
        # Answer in the API's shape; AxesMiddleware would otherwise swap in the web lockout page.
        request.axes_locked_out = False
        raise ApiError(
            429,
            ["body", "username"],
            _("登录失败次数过多，该账号在本地址已被暂时锁定，请稍后再试。"),
            "locked_out",
        )
    if user is None or not user.is_active:
        raise ApiError(401, ["body", "password"], _("用户名或密码错误。"), "invalid_credentials")
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(hours=settings.BANGBAN_TOKEN_HOURS)
    ApiToken.objects.create(user=user, digest=digest(token), expires_at=expires_at)
    return {"token": token, "expires_at": expires_at}


# --- Helpers ---------------------------------------------------------------------------------------


def _find_region(code: str) -> Region | None:
    """A region by code; a town's 12-digit form (its 9 digits and "000") finds the town."""
    region = Region.objects.filter(code=code).first()
    if region is None and len(code) == 12 and code.endswith("000"):
        region = Region.objects.filter(code=code[:9], level=Region.Level.TOWN).first()
    return region


def _region_for_body(code: str | None, field: str = "region") -> Region | None:
    if code is None:
        return None
    region = _find_region(code)
    if region is None:
        raise NotVisible(field, _("区划"))
    return region


def _point_for_body(user, pk: int | None, field: str = "parent") -> ServicePoint | None:
    if pk is None:
        return None
    try:
        return access.get_point_for(user, pk, "view")
    except Http404:
        raise NotVisible(field, _("服务点")) from None


def _domain_for_body(code: str | None) -> Domain | None:
    if code is None:
        return None
    domain = Domain.objects.filter(code=code).first()
    if domain is None:
        raise NotVisible("domain", _("领域"))
    return domain


def _department_for_body(user, pk: int | None) -> Department | None:
    if pk is None:
        return None
    department = access.departments_for(user).filter(pk=pk).first()
    if department is None:
        raise NotVisible("department", _("部门"))
    return department


def _organisation_for_body(user, pk: int | None) -> PartnerOrganisation | None:
    if pk is None:
        return None
    organisation = access.organisations_for(user).filter(pk=pk).first()
    if organisation is None:
        raise NotVisible("organisation", _("合作单位"))
    return organisation


POINT_RELATED = ("region", "county", "domain")


def point_out(p: ServicePoint) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "name": p.name,
        "parent": p.parent_id,
        "region": p.region.code,
        "region_name": p.region.name,
        "county": p.county.code,
        "domain": p.domain.code if p.domain_id else None,
        "department": p.department_id,
        "organisation": p.organisation_id,
        "address": p.address,
        "phone": p.phone,
        "signage_in_place": p.signage_in_place,
        "active": p.active,
        "updated_at": p.updated_at,
    }


def point_detail(point_id: int) -> dict:
    p = ServicePoint.objects.select_related(*POINT_RELATED).get(pk=point_id)
    out = point_out(p)
    out["hours"] = [
        {
            "weekday": h.weekday,
            "opens_at": f"{h.opens_at:%H:%M}",
            "closes_at": f"{h.closes_at:%H:%M}",
            "kind": h.kind,
        }
        for h in p.hours.all()
    ]
    return out


def _refuse_unknown_query(request, allowed: set[str]) -> None:
    """A misspelt filter (`regoin=`) must not silently widen the answer: 422 naming it."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ValidationError(
            [{"loc": ["query", name], "type": "extra_forbidden", "msg": ""} for name in unknown]
        )


def _get_point(user, point_id: int, action: access.Action) -> ServicePoint:
    try:
        return access.get_point_for(user, point_id, action)
    except Http404:
        if action != "view" and access.points_for(user, "view").filter(pk=point_id).exists():
            raise Forbidden(["path", "point_id"], _("您无权修改该服务点。")) from None
        raise ApiError(
            404, ["path", "point_id"], _("服务点不存在或无权访问。"), "not_found"
        ) from None


# --- Points ----------------------------------------------------------------------------------------

router = Router(tags=["network"])

Limit = Query(50, ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")
Offset = Query(0, ge=0, le=MAX_OFFSET)


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
    _refuse_unknown_query(
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
    _refuse_unknown_query(request, {"parent", "level", "q", "limit", "offset"})
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


# --- Departments and partner organisations ---------------------------------------------------------


def department_out(d: Department) -> dict:
    return {
        "id": d.pk,
        "county": d.county.code,
        "name": d.name,
        "active": d.active,
        "windows": d.window_count,
        "subzones": d.subzone_count,
    }


def organisation_out(o: PartnerOrganisation) -> dict:
    return {
        "id": o.pk,
        "county": o.county.code,
        "name": o.name,
        "partner_type": o.partner_type,
        "active": o.active,
        "stations": o.station_count,
    }


def _unit_list(request, qs, out, *, county, active, q, limit, offset) -> dict:
    """One page of departments or organisations the caller sees, filtered, by id."""
    _refuse_unknown_query(request, {"county", "active", "q", "limit", "offset"})
    if county is not None:
        qs = qs.in_counties(county)
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        qs = qs.search(q)
    count = qs.count()
    rows = qs.select_related("county").with_point_counts().order_by("id")[offset : offset + limit]
    return {"items": [out(row) for row in rows], "count": count}


def _county_to_manage(user, code: str, may_manage, what: str) -> Region:
    """The county named in a body, if the caller manages its departments or organisations: 404
    when the county is unknown or out of sight, 403 when the caller sees it but may not."""
    county = Region.objects.filter(code=code, level=Region.Level.COUNTY).first()
    if county is not None and may_manage(user, county):
        return county
    if county is not None and (
        access.regions_for(user, "view").filter(pk=county.pk).exists()
        or access.points_for(user, "view").filter(county=county).exists()
    ):
        raise Forbidden(["body", "county"], _("您无权为该县（区）新增%(what)s。") % {"what": what})
    raise NotVisible("county", _("县（区）"))


def _get_department(user, department_id: int, action: access.Action) -> Department:
    try:
        return access.get_department_for(user, department_id, action)
    except Http404:
        if (
            action != "view"
            and access.departments_visible_to(user).filter(pk=department_id).exists()
        ):
            raise Forbidden(["path", "department_id"], _("您无权修改该部门。")) from None
        raise ApiError(
            404, ["path", "department_id"], _("部门不存在或无权访问。"), "not_found"
        ) from None


def _get_organisation(user, organisation_id: int, action: access.Action) -> PartnerOrganisation:
    try:
        return access.get_organisation_for(user, organisation_id, action)
    except Http404:
        if (
            action != "view"
            and access.organisations_visible_to(user).filter(pk=organisation_id).exists()
        ):
            raise Forbidden(["path", "organisation_id"], _("您无权修改该合作单位。")) from None
        raise ApiError(
            404, ["path", "organisation_id"], _("合作单位不存在或无权访问。"), "not_found"
        ) from None


def _department_detail(pk: int) -> dict:
    return department_out(
        Department.objects.select_related("county").with_point_counts().get(pk=pk)
    )


def _organisation_detail(pk: int) -> dict:
    return organisation_out(
        PartnerOrganisation.objects.select_related("county").with_point_counts().get(pk=pk)
    )


CountiesFilter = Query(
    None,
    pattern=COUNTIES_CODE,
    description="county code (a city or province code: all its counties)",
)
UnitText = Query(None, max_length=100, pattern=NO_CONTROL, description="text in the name")


@router.get(
    "/departments", response={200: DepartmentListOut, **errors(422)}, summary="List departments"
)
def list_departments(
    request,
    county: str | None = CountiesFilter,
    active: bool | None = Query(None, description="in service (true) or deactivated (false)"),
    q: str | None = UnitText,
    limit: int = Limit,
    offset: int = Offset,
):
    """The departments (进驻部门) the caller sees, by id, each with the number of its windows and
    sub-zones (`GET /points?department=<id>` lists them)."""
    qs = access.departments_visible_to(request.auth)
    return _unit_list(
        request, qs, department_out, county=county, active=active, q=q, limit=limit, offset=offset
    )


@router.get(
    "/departments/{department_id}",
    response={200: DepartmentOut, **errors(404, 422)},
    summary="Get a department",
)
def get_department(request, department_id: int = Path(..., ge=1, le=MAX_ID)):
    department = _get_department(request.auth, department_id, "view")
    return _department_detail(department.pk)


@router.post(
    "/departments",
    response={201: DepartmentOut, **errors(400, 403, 404, 409, 422)},
    summary="Add a department",
)
def create_department(request, payload: DepartmentCreateIn):
    """Add a department to a county the caller administers; the name must be new in the county
    (409 otherwise)."""
    user = request.auth
    county = _county_to_manage(user, payload.county, access.can_manage_departments, _("部门"))
    department = actions.create_department(county, name=payload.name, by=user)
    return Status(201, _department_detail(department.pk))


@router.patch(
    "/departments/{department_id}",
    response={200: DepartmentOut, **errors(400, 403, 404, 409, 422)},
    summary="Rename, deactivate or reactivate a department",
)
def update_department(
    request, payload: DepartmentUpdateIn, department_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Change the fields sent: `name`; `active` false deactivates (the department keeps its windows,
    sub-zones, items and cases but takes no new ones), true reactivates. Nothing is deleted."""
    user = request.auth
    department = _get_department(user, department_id, "change")
    actions.update_department(department, by=user, **payload.model_dump(exclude_unset=True))
    return _department_detail(department.pk)


@router.get(
    "/partner-organisations",
    response={200: OrganisationListOut, **errors(422)},
    summary="List partner organisations",
)
def list_organisations(
    request,
    county: str | None = CountiesFilter,
    active: bool | None = Query(None, description="in service (true) or deactivated (false)"),
    q: str | None = UnitText,
    limit: int = Limit,
    offset: int = Offset,
):
    """The partner organisations (合作单位) the caller sees, by id, each with the number of its
    stations (`GET /points?organisation=<id>` lists them)."""
    qs = access.organisations_visible_to(request.auth)
    return _unit_list(
        request,
        qs,
        organisation_out,
        county=county,
        active=active,
        q=q,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/partner-organisations/{organisation_id}",
    response={200: OrganisationOut, **errors(404, 422)},
    summary="Get a partner organisation",
)
def get_organisation(request, organisation_id: int = Path(..., ge=1, le=MAX_ID)):
    organisation = _get_organisation(request.auth, organisation_id, "view")
    return _organisation_detail(organisation.pk)


@router.post(
    "/partner-organisations",
    response={201: OrganisationOut, **errors(400, 403, 404, 409, 422)},
    summary="Add a partner organisation",
)
def create_organisation(request, payload: OrganisationCreateIn):
    """Add a partner organisation (bank, post, supermarket, telecom) to a county the caller
    administers; the name must be new in the county (409 otherwise)."""
    user = request.auth
    county = _county_to_manage(user, payload.county, access.can_manage_organisations, _("合作单位"))
    organisation = actions.create_partner_organisation(
        county, name=payload.name, partner_type=payload.partner_type, by=user
    )
    return Status(201, _organisation_detail(organisation.pk))


@router.patch(
    "/partner-organisations/{organisation_id}",
    response={200: OrganisationOut, **errors(400, 403, 404, 409, 422)},
    summary="Rename, retype, deactivate or reactivate a partner organisation",
)
def update_organisation(
    request, payload: OrganisationUpdateIn, organisation_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Change the fields sent: `name`, `partner_type`; `active` false deactivates (the
    organisation keeps its stations but takes no new ones), true reactivates."""
    user = request.auth
    organisation = _get_organisation(user, organisation_id, "change")
    actions.update_partner_organisation(
        organisation, by=user, **payload.model_dump(exclude_unset=True)
    )
    return _organisation_detail(organisation.pk)


# --- Accounts --------------------------------------------------------------------------------------


@router.post(
    "/accounts",
    response={201: AccountOut, **errors(400, 403, 404, 409, 422)},
    summary="Create an account",
)
def create_account(request, payload: AccountIn):
    """Create a user with one role bound inside the caller's scope: only roles below one's own
    (ARCHITECTURE.md "Who acts where"). The binding field follows the role: `region` for
    region_admin and supervisor, `point` for town_admin, point_lead and helper, `department` for
    department_admin, `organisation` for partner_admin."""
    user = request.auth
    role = payload.role
    if role in ("region_admin", "supervisor"):
        field = "region"
        binding = _find_region(payload.region)
        if binding is None or not access.regions_for(user, "view").filter(pk=binding.pk).exists():
            raise NotVisible(field, _("区划"))
    elif role == "department_admin":
        field = "department"
        binding = _department_for_body(user, payload.department)
    elif role == "partner_admin":
        field = "organisation"
        binding = _organisation_for_body(user, payload.organisation)
    else:
        field = "point"
        binding = _point_for_body(user, payload.point, "point")
    if not access.can_grant(user, role, binding):
        raise Forbidden(["body", "role"], _("您无权在此范围内创建该角色的账号。"))
    account = actions.create_account(
        username=payload.username,
        password=payload.password,
        role=role,
        binding=binding,
        by=user,
        full_name=payload.full_name,
    )
    m = Membership.objects.select_related("region").get(user=account)
    return Status(
        201,
        {
            "id": account.pk,
            "username": account.username,
            "full_name": account.first_name,
            "role": m.role,
            "region": m.region.code if m.region_id else None,
            "point": m.point_id,
            "department": m.department_id,
            "organisation": m.organisation_id,
        },
    )


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
    _refuse_unknown_query(request, {"limit", "offset"})
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
    _refuse_unknown_query(request, {"limit", "offset"})
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
