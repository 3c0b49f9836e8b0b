"""The network API's departments and partner organisations, and the accounts created for them,
their points and regions."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query

from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, NO_CONTROL, errors

from .. import access, actions
from ..models import (
    Department,
    Membership,
    PartnerOrganisation,
    Region,
)
from ..schemas import (
    COUNTIES_CODE,
    AccountIn,
    AccountOut,
    DepartmentCreateIn,
    DepartmentListOut,
    DepartmentOut,
    DepartmentUpdateIn,
    OrganisationCreateIn,
    OrganisationListOut,
    OrganisationOut,
    OrganisationUpdateIn,
)
from .base import (
    _department_for_body,
    _find_region,
    _organisation_for_body,
    _point_for_body,
    router,
)

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
    refuse_unknown_query(request, {"county", "active", "q", "limit", "offset"})
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
        if action != "view" and access.departments_for(user).filter(pk=department_id).exists():
            raise Forbidden(["path", "department_id"], _("您无权修改该部门。")) from None
        raise ApiError(
            404, ["path", "department_id"], _("部门不存在或无权访问。"), "not_found"
        ) from None


def _get_organisation(user, organisation_id: int, action: access.Action) -> PartnerOrganisation:
    try:
        return access.get_organisation_for(user, organisation_id, action)
    except Http404:
        if action != "view" and access.organisations_for(user).filter(pk=organisation_id).exists():
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
    qs = access.departments_for(request.auth)
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
    qs = access.organisations_for(request.auth)
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
    (docs/architecture.md "Who acts where"). The binding field follows the role: `region` for
    region_admin, supervisor and special_supervisor (特邀监督员), `point` for town_admin, point_lead and helper, `department` for
    department_admin, `organisation` for partner_admin."""
    user = request.auth
    role = payload.role
    if role in ("region_admin", "supervisor", "special_supervisor"):
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
