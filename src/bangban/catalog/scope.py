"""Which service items a user may see or maintain: the catalog's policy (`catalog_counties`, whose
catalog a user sees or keeps), built on the one gate (`network.access`). Items without a revision
yet are never shown. "Missing" and "not allowed" look the same (Http404), as everywhere."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from bangban.kernel.statements import Param, Statement
from bangban.network import access
from bangban.network.models import Region, Role, ServicePoint

from .models import ServiceItem


def catalog_counties(user, action: access.Action = "view") -> QuerySet[Region]:
    """The counties whose item catalog a user may see ("view") or maintain ("change").

    Items are public information, so everyone working in a county sees its whole catalog: region
    admins and supervisors the counties of their region, everyone else the counties of the points they
    may see. Only region admins maintain a catalog (items belong to a county; a county, city or
    province admin keeps those of its counties)."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if access.is_superuser(user):
        return counties
    if not getattr(user, "is_active", False):
        return counties.none()
    q = Q()
    for m in access.memberships(user):
        # Not a special supervisor (特邀监督员): the catalog is theirs on its public pages (/p/items/…)
        # like any citizen's; the staff pages count the county's cases (docs/decisions/0059).
        if m.role == Role.REGION_ADMIN or (m.role == Role.SUPERVISOR and action == "view"):
            low, high = m.region.code_range
            q |= Q(code__gte=low, code__lt=high)
    if action == "view":
        points = access.points_q(user, "view")
        if points:
            q |= Q(pk__in=ServicePoint.objects.filter(points).values("county_id"))
    return counties.filter(q) if q else counties.none()


def can_edit_catalog(user, county: Region | None = None) -> bool:
    """May `user` maintain the catalog of `county` (or of any county, when None)?"""
    counties = catalog_counties(user, "change")
    if county is None:
        return counties.exists()
    return counties.filter(pk=county.pk).exists()


def items_for(user, action: access.Action = "view", queryset=None) -> QuerySet[ServiceItem]:
    """The items of the counties whose catalog `user` may see ("view") or maintain ("change")."""
    qs = queryset if queryset is not None else ServiceItem.objects.all()
    return qs.filter(county__in=catalog_counties(user, action), current__isnull=False)


#: An item with its current revision, compiled once: read on every registration (decision 0071).
_ITEM = Statement(
    lambda: ServiceItem.objects.select_related("current").filter(pk=Param("pk")).order_by("pk")[:1]
)


def item_at(user, pk, point: ServicePoint, queryset=None) -> ServiceItem | None:
    """The item `pk` with its current revision if `user` sees it, for a registration at `point` — a
    point the user may act at, so one whose county's catalog they see (`catalog_counties`): read by
    its id alone when it is of that county, through `items_for` otherwise (an item of another
    county the user sees is theirs to be refused by the registration's rules). None: not seen."""
    qs = queryset if queryset is not None else ServiceItem.objects.all()
    try:
        if queryset is None:
            key = int(pk)
            found = _ITEM.objects({"pk": key}) if 0 < key < 2**63 else []
            item = found[0] if found else None
        else:
            item = qs.select_related("current").filter(pk=pk).first()
    except (ValueError, TypeError):
        return None
    if item is not None and item.current_id is not None and item.county_id == point.county_id:
        return item
    if item is None:
        return None
    return items_for(user, "view", qs).select_related("current").filter(pk=pk).first()


def get_item_for(user, pk, action: access.Action = "view", queryset=None) -> ServiceItem:
    """The item `pk` if `user` may `action` it; Http404 whether it is missing or not allowed."""
    try:
        return items_for(user, action, queryset).get(pk=pk)
    except (ServiceItem.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
