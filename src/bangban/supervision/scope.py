"""Who sees which complaints, inspections and checklists, through the one gate (`network.access`).
"Missing" and "not allowed" look the same (Http404). Who may *act* on a complaint is the workflow
table's (`supervision.workflow`), on its rectification `feedback.workflow`'s.

- Complaints carry a complainant's identity, so they are seen by those who manage: the county's
  region administrators and supervisors and those above (their counties), and a town, department
  or partner administrator for the points they manage — never a helper or a point lead, not even
  about their own point (they see the rectification, which names no complainant). A confidential
  complaint (a 举报, a fee complaint) is the county's and above only.
- Recording a complaint (`may_record`): the county's region administrators about any point, a
  town administrator about the points of their town.
- Inspections: a draft is its inspector's alone (an unannounced visit is never shown before it is
  submitted); once submitted, everyone who may see the point sees it, the point itself included.
  A special supervisor (特邀监督员) sees their own inspections only, and of the rest nothing but the
  directory (the points they may inspect: `points_to_inspect`).
- Checklists: seen by those who may inspect the county's points and its region roles; kept by the
  county's region administrators.

Written as index ranges (decision 0066): a region role's part is its counties (`county`), a town
administrator's, point lead's or helper's a range of the row's own `point_path` (the point's tree
path, kept by the actions and by `supervision.on_network`); a department's or partner's points are
matched by id.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from bangban.feedback.scope import REGION_ROLES, SUBTREE_ROLES
from bangban.network import access
from bangban.network.models import Region, Role, ServicePoint, path_under

from .models import Checklist, Complaint, Inspection

#: The roles that see the complaints of the points they manage (below the county).
MANAGER_ROLES = (Role.TOWN_ADMIN, Role.DEPARTMENT_ADMIN, Role.PARTNER_ADMIN)


def _nothing() -> Q:
    return Q(pk__in=[])


def complaints_q(user, action: access.Action = "view") -> Q | None:
    """A filter selecting the complaints `user` may `action` (None: all, a superuser)."""
    if access.is_superuser(user):
        return None
    if not getattr(user, "is_active", False):
        return _nothing()
    counties: set[int] = set()
    points = Q()
    ranges = Q()
    for m in access.memberships(user):
        if action not in access.ROLE_ACTIONS[m.role]:
            continue
        if m.role in REGION_ROLES:
            ids = access.county_ids_of(m.region)
            if ids is None:
                points |= access.binding_points_q(m)
            else:
                counties.update(ids)
        elif m.role in SUBTREE_ROLES and m.role in MANAGER_ROLES:
            ranges |= path_under("point_path", m.point.subtree_prefix)
        elif m.role in MANAGER_ROLES:
            points |= access.binding_points_q(m)
    q = Q(county_id__in=sorted(counties)) if counties else Q()
    if points:
        ranges |= Q(point_id__in=ServicePoint.objects.filter(points).values("pk"))
    if ranges:
        q |= ranges & Q(confidential=False)
    return q or _nothing()


def complaints_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Complaint]:
    qs = queryset if queryset is not None else Complaint.objects.all()
    q = complaints_q(user, action)
    return qs if q is None else qs.filter(q)


def get_complaint_for(user, pk, action: access.Action = "view") -> Complaint:
    try:
        found = (
            complaints_for(user, action)
            .select_related("county", "point", "town", "helper", "case", "rectification")
            .filter(pk=pk)
            .first()
        )
    except (ValueError, TypeError) as error:
        raise Http404 from error
    if found is None:
        raise Http404
    return found


def may_record(user, county: Region, point: ServicePoint | None) -> bool:
    """Whether `user` may record a complaint (a window complaint, a letter, a ticket typed in) of
    `county` about `point`: the county's region administrators (the bureau) for any point or none,
    a town administrator for the points of their town. Where it then goes is the action's
    (`rules.handler_of`): a 举报 or fee complaint recorded by a town is the bureau's. The pages
    offer the same: `record_counties`, `points_to_record`."""
    if access.is_superuser(user):
        return True
    if not getattr(user, "is_active", False):
        return False
    if point is not None and point.county_id != county.pk:
        return False
    for m in access.memberships(user):
        if m.role == Role.REGION_ADMIN and m.region_id == county.pk:
            return True
        if (
            m.role == Role.TOWN_ADMIN
            and point is not None
            and ServicePoint.objects.filter(access.binding_points_q(m), pk=point.pk).exists()
        ):
            return True
    return False


def points_to_inspect(user) -> QuerySet[ServicePoint]:
    """The points `user` may inspect (directory data: name, kind, address)."""
    return access.points_for(user, "inspect")


def inspections_q(user) -> Q | None:
    """A filter selecting the inspections `user` may see (None: all, a superuser): their own, and
    the submitted ones of the points they may see."""
    if access.is_superuser(user):
        return None
    if not getattr(user, "is_active", False):
        return _nothing()
    own = Q(inspector_id=user.pk)
    counties: set[int] = set()
    points = Q()
    seen = Q()
    for m in access.memberships(user):
        if "view" not in access.ROLE_ACTIONS[m.role]:
            continue
        ids = access.county_ids_of(m.region) if m.role in REGION_ROLES else None
        if ids is not None:
            counties.update(ids)
        elif m.role in SUBTREE_ROLES:
            seen |= path_under("point_path", m.point.subtree_prefix)
        else:
            points |= access.binding_points_q(m)
    if counties:
        seen |= Q(county_id__in=sorted(counties))
    if points:
        seen |= Q(point_id__in=ServicePoint.objects.filter(points).values("pk"))
    if seen:
        return own | (seen & Q(status=Inspection.Status.SUBMITTED))
    return own


def inspections_for(user, queryset=None) -> QuerySet[Inspection]:
    qs = queryset if queryset is not None else Inspection.objects.all()
    q = inspections_q(user)
    return qs if q is None else qs.filter(q)


def get_inspection_for(user, pk) -> Inspection:
    try:
        found = (
            inspections_for(user)
            .select_related("county", "point", "checklist", "inspector")
            .filter(pk=pk)
            .first()
        )
    except (ValueError, TypeError) as error:
        raise Http404 from error
    if found is None:
        raise Http404
    return found


def may_edit_inspection(user, inspection: Inspection) -> bool:
    """Only its inspector, while it is a draft."""
    return (
        getattr(user, "is_active", False)
        and inspection.status == Inspection.Status.DRAFT
        and inspection.inspector_id == user.pk
    )


def checklist_counties(user, action: str = "view") -> QuerySet[Region]:
    """The counties whose checklists `user` may see ("view": who may inspect there or is a region
    role of it) or keep ("change": a region administrator of the county or above)."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if access.is_superuser(user):
        return counties
    if not getattr(user, "is_active", False):
        return counties.none()
    q = Q()
    for m in access.memberships(user):
        if m.role == Role.REGION_ADMIN or (
            action == "view" and m.role in (Role.SUPERVISOR, Role.SPECIAL_SUPERVISOR)
        ):
            low, high = m.region.code_range
            q |= Q(code__gte=low, code__lt=high)
            if m.region.level in (Region.Level.TOWN, Region.Level.VILLAGE):
                q |= Q(pk=m.region.parent_id)
    return counties.filter(q) if q else counties.none()


def checklists_for(user, action: str = "view") -> QuerySet[Checklist]:
    return Checklist.objects.filter(county__in=checklist_counties(user, action))


# --- Recording a complaint by hand ------------------------------------------------------------------


def record_counties(user) -> QuerySet[Region]:
    """The counties in which `user` may record a complaint received at a window, by letter or by
    phone: those whose bureau they are (a region administrator of the county itself), and those of
    the towns they administer."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if access.is_superuser(user):
        return counties
    if not getattr(user, "is_active", False):
        return counties.none()
    ids = set()
    for m in access.memberships(user):
        if m.role == Role.REGION_ADMIN and m.region.level == Region.Level.COUNTY:
            ids.add(m.region_id)
        elif m.role == Role.TOWN_ADMIN:
            ids.add(m.point.county_id)
    return counties.filter(pk__in=sorted(ids))


def points_to_record(user, county: Region) -> QuerySet[ServicePoint]:
    """The points a complaint recorded by `user` in `county` may name: the points they may view
    there (the bureau: the county's; a town administrator: their town's); none if they may not
    record there."""
    if not record_counties(user).filter(pk=county.pk).exists():
        return ServicePoint.objects.none()
    return access.points_for(user, "view").filter(county_id=county.pk)
