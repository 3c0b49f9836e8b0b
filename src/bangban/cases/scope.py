"""Which cases a user may see or act on: the ledger scoped through the one gate (`network.access`).

A case is visible to the points that registered and that handle it, and to everyone above those in
the tree (a town admin, a county admin, a supervisor of the region), and to its first responsible
helper wherever they are (首问负责: they follow it to the end), and to a point while a transfer of
the case to it is pending. "Missing" and "not allowed" look the same (Http404), as everywhere.
Within a case, fewer may see the applicant's full ID number (`may_reveal`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from bangban.network import access
from bangban.network.models import Region, Role, ServicePoint, path_under

from .models import Case, CompletionTally, Transfer


def _ranges(m) -> Q | None:
    """The cases one membership reaches, as ranges on the case's own columns (decision 0061), or
    None for a binding that is not a range of the tree (a department's or a partner's points, a
    town's or a village's region), which `cases_for` matches by its points' ids."""
    if m.role in access.REGION_BOUND:
        region = m.region
        if region.level == Region.Level.COUNTY:
            return Q(county_id=region.pk)
        counties = access.county_ids_of(region)
        return None if counties is None else Q(county_id__in=counties)
    if m.role in (Role.DEPARTMENT_ADMIN, Role.PARTNER_ADMIN):
        return None
    path = m.point.subtree_prefix
    return (
        path_under("registering_path", path)
        | path_under("handling_path", path)
        # Said in the words of the partial index's condition, so that the database may use it:
        # SQLite does not infer "not empty" from the range, and without it reads every case.
        | (path_under("offered_path", path) & ~Q(offered_path=""))
    )


def _holds(m, case: Case) -> bool | None:
    """Does one membership reach `case`, answered from the case's row (None: ask the database)?"""
    if m.role in access.REGION_BOUND:
        if m.region.level == Region.Level.COUNTY:
            return case.county_id == m.region_id
        return None
    if m.role in (Role.DEPARTMENT_ADMIN, Role.PARTNER_ADMIN):
        return None
    path = m.point.subtree_prefix
    paths = (case.registering_path, case.handling_path, case.offered_path)
    return any(p.startswith(path) for p in paths if p)


def cases_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Case]:
    """The cases `user` may `action`: those registered or handled at a point the user may `action`,
    or on offer to one by a pending transfer, and, for viewing, those the user is first responsible
    for.

    Every membership is a range of the case's own indexed columns (decision 0061): a county is
    `county`, a city or a province its counties, a point and what is below it a range of the
    registering, handling and offered paths; only a department's or partner's points and a town's
    region are matched by their points' ids (read first: one small query)."""
    qs = queryset if queryset is not None else Case.objects.all()
    if access.is_superuser(user):
        return qs
    if not getattr(user, "is_active", False):
        return qs.none()
    q = Q(responsible=user) if action == "view" and _responsible_outside(user) else Q()
    listed = Q()
    for m in access.memberships(user):
        if action not in access.ROLE_ACTIONS[m.role]:
            continue
        ranges = _ranges(m)
        if ranges is None:
            listed |= access.binding_points_q(m)
        else:
            q |= ranges
    if listed:
        ids = list(ServicePoint.objects.filter(listed).values_list("pk", flat=True).order_by())
        offered = Transfer.objects.filter(status=Transfer.Status.PENDING, to_point__in=ids)
        q |= Q(registering_point__in=ids) | Q(handling_point__in=ids)
        q |= Q(pk__in=offered.values("case_id"))
    return qs.filter(q) if q else qs.none()


def transfers_to(user, action: access.Action = "act", queryset=None) -> QuerySet[Transfer]:
    """The transfers to a point `user` may `action` (accept or decline them: "act"), filtered
    through the point's own columns (`access.points_through`), so that a region's few pending
    transfers are read with their points rather than each of its points probed for transfers."""
    qs = queryset if queryset is not None else Transfer.objects.all()
    q = access.points_through(user, "to_point", action)
    return qs.none() if q is None else qs.filter(q)


def figures_for(user, today) -> dict[str, int]:
    """The live figures of the user's whole scope (`CaseQuerySet.figures`): open cases from the
    cases in scope; the month's and quarter's completions from the daily tallies when the scope is
    exactly whole counties (decision 0067: a region's administrator or supervisor, a superuser),
    else from the cases too. Two queries either way (three for a region role: their counties)."""
    scoped = cases_for(user)
    tallies = _tallies(user)
    if tallies is None:
        return scoped.figures(today)
    return {**scoped.open_figures(today), **tallies.completions(today)}


def _tallies(user):
    """The completion tallies that count exactly what `cases_for(user)` holds, or None when that
    is not a set of whole counties (a point's or a town's staff, a department's or partner's admin,
    or a county administrator who is also first responsible for a case in another county)."""
    if access.is_superuser(user):
        return CompletionTally.objects.all()
    if not getattr(user, "is_active", False):
        return None
    counties = _whole_counties(user)
    if counties is None or _responsible_outside(user):
        return None
    return CompletionTally.objects.filter(county_id__in=counties)


def _whole_counties(user) -> list[int] | None:
    """The counties the user views as a whole (sorted ids), when every membership that views is a
    region role's (an administrator's or supervisor's of a county, a city or the province); None
    otherwise, or when no membership views."""
    counties: set[int] = set()
    for m in access.memberships(user):
        if "view" not in access.ROLE_ACTIONS[m.role]:
            continue
        ids = access.county_ids_of(m.region) if m.role in access.REGION_BOUND else None
        if ids is None:
            return None
        counties.update(ids)
    return sorted(counties) or None


def _responsible_outside(user) -> bool:
    """May the user be first responsible for a case outside the rest of their view scope — so that
    `cases_for` must add those cases (`responsible = user`) to its ranges? Yes, without a query, for
    anyone whose scope is not whole counties (a helper's own cases may lie anywhere); for a region's
    administrator or supervisor, only when such a case exists: one indexed query, once per user
    object (so once per request). Without it the OR makes the database merge two index reads and
    sort the whole county's cases for the first page (5.6 ms of a county's API list at 1,000,000
    cases on PostgreSQL) instead of walking the county's index (decision 0061)."""
    cached = getattr(user, "_bangban_responsible_outside", None)
    if cached is None:
        counties = _whole_counties(user)
        cached = (
            counties is None
            or Case.objects.filter(responsible=user).exclude(county_id__in=counties).exists()
        )
        user._bangban_responsible_outside = cached
    return cached


def may(user, case: Case, action: access.Action = "view") -> bool:
    """May `user` `action` this one case? The rule of `cases_for`, asked of one row: from the case's
    own columns (no query) for a helper, a point's or town's staff and a county's administrators;
    one query for the other bindings."""
    if access.is_superuser(user):
        return True
    if not getattr(user, "is_active", False):
        return False
    if action == "view" and case.responsible_id == user.pk:
        return True
    unknown = False
    for m in access.memberships(user):
        if action not in access.ROLE_ACTIONS[m.role]:
            continue
        held = _holds(m, case)
        if held:
            return True
        unknown = unknown or held is None
    return unknown and cases_for(user, action).filter(pk=case.pk).exists()


def get_case_for(user, number: str, action: access.Action = "view", queryset=None) -> Case:
    """The case numbered `number` if `user` may `action` it; Http404 whether it is missing or not.

    The case is read by its number and then `may` is asked of it: one indexed row and one small
    query, where filtering by the scope would read a county's point lists first."""
    qs = queryset if queryset is not None else Case.objects.all()
    try:
        case = qs.get(number=number)
    except (Case.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if not may(user, case, action):
        raise Http404
    return case


#: The roles that are "the leads and admins above" a case's helpers (docs/domain.md "Full ID numbers"):
#: everyone who may change a point, which a supervisor and a helper may not (`access.ROLE_ACTIONS`).
REVEAL_ACTION: access.Action = "change"


def may_reveal(case: Case, user) -> bool:
    """Whether `user` may see the applicant's full ID number (docs/domain.md "Full ID numbers"): the case's
    first responsible helper and its handling helper, and the leads and admins of the point that
    registered it (where the first responsible helper took it) or that handles it, or above them.
    A supervisor, a helper elsewhere and the receiving point of a pending transfer may not; nor may
    a superuser through that flag alone (operators are not a role of the ledger). One query."""
    if user is None or not getattr(user, "is_active", False):
        return False
    if user.pk in (case.responsible_id, case.handling_helper_id):
        return True
    points = access.points_q(user, REVEAL_ACTION)
    if not points:
        return False
    return (
        ServicePoint.objects.filter(points)
        .filter(pk__in=[case.registering_point_id, case.handling_point_id])
        .exists()
    )
