"""The network API's router and the lookups its endpoints share: an object named in a body or the
path, found within what the caller may see (404 otherwise, as the gate has it), and a point's answer."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router

from bangban.kernel.errors import ApiError, Forbidden, NotVisible

from .. import access
from ..models import (
    Department,
    Domain,
    PartnerOrganisation,
    Region,
    ServicePoint,
)

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
    department = access.departments_for(user, "bind").filter(pk=pk).first()
    if department is None:
        raise NotVisible("department", _("部门"))
    return department


def _organisation_for_body(user, pk: int | None) -> PartnerOrganisation | None:
    if pk is None:
        return None
    organisation = access.organisations_for(user, "bind").filter(pk=pk).first()
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


def _get_point(user, point_id: int, action: access.Action) -> ServicePoint:
    try:
        return access.get_point_for(user, point_id, action)
    except Http404:
        if action != "view" and access.points_for(user, "view").filter(pk=point_id).exists():
            raise Forbidden(["path", "point_id"], _("您无权修改该服务点。")) from None
        raise ApiError(
            404, ["path", "point_id"], _("服务点不存在或无权访问。"), "not_found"
        ) from None


#: The network's endpoints (`auth_router` has the token's).
router = Router(tags=["network"])
