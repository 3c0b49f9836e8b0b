"""The one access gate: which service points (and so which of everything attached to them) a user
may see and change, and which accounts a user may create.

Every page and API endpoint asks here; nothing queries around it. "Missing" and "not allowed" look the
same to the caller (`get_point_for` raises Http404 for both).

Scope is asked as `<things>_for(user, action)` (docs/decisions/0043-reads-and-scope-idiom.md): here
for the network's own objects (points, regions, equipment, departments and organisations, accounts);
each other app's policy lives in its own `scope.py` (`staff.scope`, `catalog.scope`, `cases.scope`),
built on `points_for` / `points_q`.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Q, QuerySet
from django.http import Http404

from bangban.kernel.statements import Param, Statement

from .models import (
    BINDING,
    Department,
    Equipment,
    Membership,
    PartnerOrganisation,
    Region,
    Role,
    ServicePoint,
)

#: "act" is acting on the cases of a point (registering, handling, transferring): everyone working
#: there or above it, but not a supervisor, who only looks. "inspect" is recording an inspection
#: (明查暗访) of a point: the region's administrators, supervisors and special supervisors.
Action = Literal["view", "change", "add_child", "act", "inspect"]

#: Which roles may do what to the points of their binding. A special supervisor (特邀监督员) may
#: inspect the region's points and nothing else: no scope of cases, staff or ratings reaches them.
ROLE_ACTIONS: dict[str, set[str]] = {
    Role.REGION_ADMIN: {"view", "change", "add_child", "act", "inspect"},
    Role.SUPERVISOR: {"view", "inspect"},
    Role.SPECIAL_SUPERVISOR: {"inspect"},
    Role.DEPARTMENT_ADMIN: {"view", "change", "act"},
    Role.TOWN_ADMIN: {"view", "change", "add_child", "act"},
    Role.PARTNER_ADMIN: {"view", "change", "act"},
    Role.POINT_LEAD: {"view", "change", "act"},
    Role.HELPER: {"view", "act"},
}

#: The roles that see nothing of a point's business (cases, people, ratings, equipment): only
#: directory data — the linkage directory (联动信息库, `staff.directory`) every signed-in user reads,
#: the points they may inspect — and their own inspections (docs/decisions/0059).
DIRECTORY_ROLES = (Role.SPECIAL_SUPERVISOR,)

#: The roles each role may give to new accounts (inside its own scope; see `can_grant`).
GRANTABLE: dict[str, set[str]] = {
    Role.REGION_ADMIN: set(Role.values),
    Role.TOWN_ADMIN: {Role.POINT_LEAD, Role.HELPER},
    Role.DEPARTMENT_ADMIN: {Role.HELPER},
    Role.PARTNER_ADMIN: {Role.POINT_LEAD, Role.HELPER},
    Role.POINT_LEAD: {Role.HELPER},
    Role.SUPERVISOR: set(),
    Role.SPECIAL_SUPERVISOR: set(),
    Role.HELPER: set(),
}


#: What `memberships` reads with each membership: its binding (and a point's county:
#: `point_held`).
MEMBERSHIP_BINDINGS = ("region", "point__county", "department", "organisation")


#: A user's memberships with their bindings, compiled once (decision 0071).
_MEMBERSHIPS = Statement(
    lambda: Membership.objects.filter(user=Param("user")).select_related(*MEMBERSHIP_BINDINGS)
)


def memberships(user) -> list[Membership]:
    """The user's memberships, read once per user object (so once per request), each with its
    binding (and a point's county: `point_held`)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_bangban_memberships", None)
    if cached is None:
        cached = _MEMBERSHIPS.objects({"user": user.pk})
        user._bangban_memberships = cached
    return cached


def held_by(user, rows: list[Membership]) -> None:
    """Take `rows`, read with `MEMBERSHIP_BINDINGS` by a query of the caller's selecting all of
    `user`'s memberships and nothing else, as what `memberships(user)` answers (no query then):
    the API's token reads them with its user (`BearerToken`)."""
    for m in rows:
        m.user = user
    user._bangban_memberships = rows


def directory_only(user) -> bool:
    """Does `user` hold only `DIRECTORY_ROLES` (the navigation shows them nothing else)? Read
    from the memberships alone; a user with no role at all is not."""
    if is_superuser(user) or not getattr(user, "is_active", False):
        return False
    roles = {m.role for m in memberships(user)}
    return bool(roles) and roles <= set(DIRECTORY_ROLES)


def is_superuser(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def _region_points(region: Region) -> Q:
    """A region's points: a county's by their own county column; a city's or a province's by the
    ids of its counties (`county_ids_of`, read once per region object and shared with the case
    scope), not by a join on the counties' code range, which PostgreSQL's generic plan misjudges
    (112 ms for a city's points against 25 ms) and SQLite answers point by point; a town's or a
    village's by the range of their regions' codes."""
    if region.level in (Region.Level.TOWN, Region.Level.VILLAGE):
        low, high = region.code_range
        return Q(region__code__gte=low, region__code__lt=high)
    counties = county_ids_of(region)
    return Q(county_id=counties[0]) if len(counties) == 1 else Q(county_id__in=counties)


def _subtree(point: ServicePoint) -> Q:
    low = point.subtree_prefix
    return Q(pk=point.pk) | Q(ancestry__gte=low, ancestry__lt=low[:-1] + "0")


#: The roles bound to a region (`BINDING`): their points are the region's.
REGION_BOUND = (Role.REGION_ADMIN, Role.SUPERVISOR, Role.SPECIAL_SUPERVISOR)


def _binding_points(m: Membership) -> Q:
    if m.role in REGION_BOUND:
        return _region_points(m.region)
    if m.role == Role.DEPARTMENT_ADMIN:
        return Q(department_id=m.department_id)
    if m.role == Role.PARTNER_ADMIN:
        return Q(organisation_id=m.organisation_id)
    return _subtree(m.point)


def binding_points_q(m: Membership) -> Q:
    """The points of one membership's binding (whatever the role may do to them)."""
    return _binding_points(m)


def points_q(user, action: Action = "view") -> Q:
    """A filter selecting the points `user` may act on with `action` (empty Q: none)."""
    q = Q()
    for m in memberships(user):
        if action in ROLE_ACTIONS[m.role]:
            q |= _binding_points(m)
    return q


def _through(q: Q, relation: str) -> Q:
    """`q`, a filter on points, said of the rows whose `relation` names such a point."""
    said = Q(_connector=q.connector, _negated=q.negated)
    said.children = [
        _through(child, relation) if isinstance(child, Q) else (f"{relation}__{child[0]}", child[1])
        for child in q.children
    ]
    return said


def points_through(user, relation: str, action: Action = "view") -> Q | None:
    """`points_for(user, action)` as a filter on other rows: those whose `relation` (a foreign key
    to a point) names one of the points. A join the database may begin from the rows' side — a
    province's few pending transfers, each with its point, where `relation__in=points_for(…)`
    probes the rows of each of its 64,000 points (18–22 ms on SQLite). For a superuser, every row
    that names a point; None for none."""
    if is_superuser(user):
        return Q(**{f"{relation}__isnull": False})
    if not getattr(user, "is_active", False):
        return None
    q = points_q(user, action)
    return _through(q, relation) if q else None


def visible_points(user) -> QuerySet[ServicePoint]:
    return points_for(user, "view")


def points_for(user, action: Action = "view") -> QuerySet[ServicePoint]:
    if is_superuser(user):
        return ServicePoint.objects.all()
    if not getattr(user, "is_active", False):
        return ServicePoint.objects.none()
    q = points_q(user, action)
    if not q:
        return ServicePoint.objects.none()
    return ServicePoint.objects.filter(q)


def can(user, action: Action, point: ServicePoint) -> bool:
    """May `user` perform `action` on `point`? Always a question about a point."""
    if point is None or point.pk is None:
        return False
    if is_superuser(user):
        return True
    return points_for(user, action).filter(pk=point.pk).exists()


def point_held(user, pk, action: Action = "view") -> ServicePoint | None:
    """The point `pk`, with its county, when one of the user's own memberships is bound to it and
    lets them `action` it (a helper at their station): the membership's point, read with the
    memberships, no query. None otherwise — not a refusal: ask `get_point_for` then. The object is
    the membership's: read it, never change it."""
    if not getattr(user, "is_active", False):
        return None
    for m in memberships(user):
        if (
            m.point_id is not None
            and str(m.point_id) == str(pk)
            and m.role not in REGION_BOUND
            and m.role not in (Role.DEPARTMENT_ADMIN, Role.PARTNER_ADMIN)
            and action in ROLE_ACTIONS[m.role]
        ):
            return m.point  # `_subtree(m.point)` holds the point itself
    return None


def get_point_for(user, pk, action: Action = "view", queryset=None) -> ServicePoint:
    """The point `pk` if `user` may `action` it; Http404 whether it is missing or not allowed."""
    qs = queryset if queryset is not None else ServicePoint.objects.all()
    if not is_superuser(user):
        qs = qs.filter(pk__in=points_for(user, action).values("pk"))
    try:
        return qs.get(pk=pk)
    except (ServicePoint.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def equipment_for(user, action: Action = "view", queryset=None) -> QuerySet[Equipment]:
    """The equipment of the points `user` may act on with `action`."""
    qs = queryset if queryset is not None else Equipment.objects.all()
    if is_superuser(user):
        return qs
    return qs.filter(point__in=points_for(user, action).values("pk"))


# --- Regions -------------------------------------------------------------------------------------


def _region_q(user, action: Action) -> Q:
    q = Q()
    for m in memberships(user):
        # Not a special supervisor: the regions' pages count cases and people; the points they
        # inspect are read through `supervision.scope.points_to_inspect`.
        if m.role in (Role.REGION_ADMIN, Role.SUPERVISOR) and action in ROLE_ACTIONS[m.role]:
            low, high = m.region.code_range
            q |= Q(code__gte=low, code__lt=high)
    return q


def regions_for(user, action: Action = "view") -> QuerySet[Region]:
    """Regions a user may see: those inside a region they administer or supervise, and the regions of
    the points they may see. Only region admins change regions (and add them below their own)."""
    if is_superuser(user):
        return Region.objects.all()
    if not getattr(user, "is_active", False):
        return Region.objects.none()
    q = _region_q(user, action)
    if action == "view":
        # The regions of the points seen through a non-region membership (a region membership's
        # points all lie inside its region, already covered above).
        point_q = Q()
        for m in memberships(user):
            if m.role not in REGION_BOUND and "view" in ROLE_ACTIONS[m.role]:
                point_q |= _binding_points(m)
        if point_q:
            q |= Q(pk__in=ServicePoint.objects.filter(point_q).values("region_id"))
    if not q:
        return Region.objects.none()
    return Region.objects.filter(q)


def get_region_for(user, code: str, action: Action = "view") -> Region:
    try:
        return regions_for(user, action).get(code=code)
    except Region.DoesNotExist as error:
        raise Http404 from error


def county_ids_of(region: Region) -> list[int] | None:
    """The ids of the counties at or below `region` (a region role's scope, matched on the rows'
    own `county` column by the scopes of cases, feedback and supervision); None for a town or a
    village region (its points are matched one by one). A city's or a province's are read once per
    region object: the memberships are read once per request (`memberships`), so a page that asks
    several scopes reads them once."""
    if region.level == Region.Level.COUNTY:
        return [region.pk]
    if region.level in (Region.Level.TOWN, Region.Level.VILLAGE):
        return None
    cached = getattr(region, "_bangban_counties", None)
    if cached is None:
        # By the tree (a county is a child of its city, or of the province directly), not by the
        # code range: PostgreSQL's generic plan of the range, which psycopg prepares after five
        # runs, walks the code index over every region of the province and filters the level
        # (14–23 ms at Shandong's 64,000 regions), where the tree's is 0.5 ms.
        cities = Region.objects.filter(parent=region).values("pk")
        counties = Region.objects.filter(level=Region.Level.COUNTY).filter(
            Q(parent=region) | Q(parent__in=cities)
        )
        cached = list(counties.values_list("pk", flat=True))
        region._bangban_counties = cached
    return cached


# --- The county's departments and partner organisations -------------------------------------------
#
# Who sees and keeps the lists (docs/decisions/0024-departments-and-partner-organisations.md): a
# region admin manages those of the counties in its region; a supervisor sees them; a town admin,
# point lead or helper sees the list of the county of its point (read-only: ids and names for the
# pickers); a department admin sees its own department, a partner-organisation admin its own
# organisation (read-only). Missing and not allowed look the same (404).

#: The roles that see the whole list of their county (the county of the point they are bound to).
COUNTY_LIST_ROLES = (Role.TOWN_ADMIN, Role.POINT_LEAD, Role.HELPER)


def _unit_q(user, *, own_role: str, own_field: str) -> Q:
    """Which departments (own_role department_admin) or organisations (partner_admin) `user` sees."""
    q = Q()
    for m in memberships(user):
        # Not a special supervisor: the lists name each unit's administrators and windows.
        if m.role in (Role.REGION_ADMIN, Role.SUPERVISOR):
            low, high = m.region.code_range
            q |= Q(county__code__gte=low, county__code__lt=high)
        elif m.role in COUNTY_LIST_ROLES:
            q |= Q(county_id=m.point.county_id)
        elif m.role == own_role:
            q |= Q(pk=getattr(m, own_field))
    return q


def _units_in_view(model, user, *, own_role: str, own_field: str) -> QuerySet:
    if is_superuser(user):
        return model.objects.all()
    if not getattr(user, "is_active", False):
        return model.objects.none()
    q = _unit_q(user, own_role=own_role, own_field=own_field)
    return model.objects.filter(q) if q else model.objects.none()


#: What a user does with a county's departments and organisations: "view" them in the lists (and
#: through `get_department_for` / `get_organisation_for`), or "bind" a point, an account or a catalog
#: item to one of them (the pickers; managing the lists themselves is `can_manage_departments`).
UnitAction = Literal["view", "bind"]


def departments_for(user, action: UnitAction = "view") -> QuerySet[Department]:
    """The departments `user` may see in the list of departments (active or not), or ("bind") those
    a point, an account or a catalog item of theirs may be bound to."""
    if action == "bind":
        return _departments_to_bind(user)
    return _units_in_view(
        Department, user, own_role=Role.DEPARTMENT_ADMIN, own_field="department_id"
    )


def organisations_for(user, action: UnitAction = "view") -> QuerySet[PartnerOrganisation]:
    """The partner organisations `user` may see in the list of organisations (active or not), or
    ("bind") those a point or an account of theirs may be bound to."""
    if action == "bind":
        return _organisations_to_bind(user)
    return _units_in_view(
        PartnerOrganisation, user, own_role=Role.PARTNER_ADMIN, own_field="organisation_id"
    )


def _departments_to_bind(user) -> QuerySet[Department]:
    """Departments of the counties a user administers (or the user's own department)."""
    if is_superuser(user):
        return Department.objects.all()
    q = Q()
    for m in memberships(user):
        if m.role == Role.REGION_ADMIN:
            low, high = m.region.code_range
            q |= Q(county__code__gte=low, county__code__lt=high)
        elif m.role == Role.DEPARTMENT_ADMIN:
            q |= Q(pk=m.department_id)
    return Department.objects.filter(q) if q else Department.objects.none()


def _organisations_to_bind(user) -> QuerySet[PartnerOrganisation]:
    """Partner organisations of the counties a user administers (or the user's own organisation).
    A town admin picks from the organisations of its county when adding a partner station."""
    if is_superuser(user):
        return PartnerOrganisation.objects.all()
    q = Q()
    for m in memberships(user):
        if m.role == Role.REGION_ADMIN:
            low, high = m.region.code_range
            q |= Q(county__code__gte=low, county__code__lt=high)
        elif m.role == Role.TOWN_ADMIN:
            q |= Q(county_id=m.point.county_id)
        elif m.role == Role.PARTNER_ADMIN:
            q |= Q(pk=m.organisation_id)
    return PartnerOrganisation.objects.filter(q) if q else PartnerOrganisation.objects.none()


def unit_counties(user) -> QuerySet[Region]:
    """The counties whose departments and partner organisations `user` manages (adds, renames,
    deactivates): those in a region the user administers; every county for a superuser."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if is_superuser(user):
        return counties
    if not getattr(user, "is_active", False):
        return counties.none()
    q = Q()
    for m in memberships(user):
        if m.role == Role.REGION_ADMIN:
            low, high = m.region.code_range
            q |= Q(code__gte=low, code__lt=high)
    return counties.filter(q) if q else counties.none()


def manages_any_units(user) -> bool:
    """Does `user` keep the departments and organisations of some county (the navigation's link)?
    Read from the memberships alone."""
    if is_superuser(user):
        return True
    return bool(getattr(user, "is_active", False)) and any(
        m.role == Role.REGION_ADMIN for m in memberships(user)
    )


def _manages(user, county: Region | None) -> bool:
    if county is None or county.pk is None or county.level != Region.Level.COUNTY:
        return False
    if is_superuser(user):
        return True
    if not getattr(user, "is_active", False):
        return False
    return any(
        m.role == Role.REGION_ADMIN and _inside(county, m.region, strictly=False)
        for m in memberships(user)
    )


def can_manage_departments(user, county: Region | None) -> bool:
    """May `user` add, rename, deactivate and reactivate the departments of `county`?"""
    return _manages(user, county)


def can_manage_organisations(user, county: Region | None) -> bool:
    """May `user` add, rename (and retype), deactivate and reactivate the partner organisations of
    `county`?"""
    return _manages(user, county)


def get_department_for(user, pk, action: Literal["view", "change"] = "view") -> Department:
    """The department `pk` if `user` may see it ("view") or manage it ("change"); Http404 whether
    it is missing or not allowed."""
    try:
        department = departments_for(user).select_related("county").get(pk=pk)
    except (Department.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if action != "view" and not can_manage_departments(user, department.county):
        raise Http404
    return department


def get_organisation_for(
    user, pk, action: Literal["view", "change"] = "view"
) -> PartnerOrganisation:
    """The partner organisation `pk` if `user` may see it ("view") or manage it ("change");
    Http404 whether it is missing or not allowed."""
    try:
        organisation = organisations_for(user).select_related("county").get(pk=pk)
    except (PartnerOrganisation.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if action != "view" and not can_manage_organisations(user, organisation.county):
        raise Http404
    return organisation


# --- Accounts ------------------------------------------------------------------------------------


def _inside(region: Region, outer: Region, *, strictly: bool) -> bool:
    low, high = outer.code_range
    inside = low <= region.code < high
    return inside and (region.pk != outer.pk if strictly else True)


def _grant_allowed(m: Membership, role: str, binding) -> bool:
    if role not in GRANTABLE[m.role]:
        return False
    if m.role == Role.REGION_ADMIN:
        if isinstance(binding, Region):
            return _inside(binding, m.region, strictly=role == Role.REGION_ADMIN)
        if isinstance(binding, Department | PartnerOrganisation):
            return _inside(binding.county, m.region, strictly=False)
        if isinstance(binding, ServicePoint):
            return ServicePoint.objects.filter(_region_points(m.region), pk=binding.pk).exists()
        return False
    if not isinstance(binding, ServicePoint):
        return False
    if m.role == Role.TOWN_ADMIN:
        return ServicePoint.objects.filter(_subtree(m.point), pk=binding.pk).exists()
    if m.role == Role.DEPARTMENT_ADMIN:
        return binding.department_id == m.department_id
    if m.role == Role.PARTNER_ADMIN:
        return binding.organisation_id == m.organisation_id
    if m.role == Role.POINT_LEAD:
        return binding.pk == m.point_id
    return False


def can_grant(user, role: str, binding) -> bool:
    """May `user` create an account with `role` bound to `binding` (a Region, ServicePoint,
    Department or PartnerOrganisation)? Only roles below one's own, inside one's own scope."""
    if is_superuser(user):
        return True
    return any(_grant_allowed(m, role, binding) for m in memberships(user))


def grantable_roles(user) -> list[str]:
    """The roles a user may give at all (for forms and documentation)."""
    if is_superuser(user):
        return list(Role.values)
    roles: set[str] = set()
    for m in memberships(user):
        roles |= GRANTABLE[m.role]
    return [role for role in Role.values if role in roles]


#: The roles bound to a point (created from the point's page).
POINT_ROLES = [role for role in Role.values if BINDING[Role(role)] == "point"]


def memberships_for(user) -> QuerySet[Membership]:
    """The memberships a user may see (not `memberships(user)`, the user's own) (the accounts page, a point's people): for a region admin,
    those bound to regions inside its region and to departments and organisations of its counties;
    for everyone, those bound to the points the user may view."""
    if is_superuser(user):
        return Membership.objects.all()
    if not getattr(user, "is_active", False):
        return Membership.objects.none()
    q = Q()
    for m in memberships(user):
        if m.role == Role.REGION_ADMIN:
            low, high = m.region.code_range
            q |= Q(region__code__gte=low, region__code__lt=high)
            q |= Q(department__county__code__gte=low, department__county__code__lt=high)
            q |= Q(organisation__county__code__gte=low, organisation__county__code__lt=high)
    points = points_q(user, "view")
    if points:
        q |= Q(point__in=ServicePoint.objects.filter(points).values("pk"))
    return Membership.objects.filter(q) if q else Membership.objects.none()
