"""Which ratings, rectifications, appeals and rated occasions a user may see or act on, through the
one gate (`network.access`): those of the points the user may see (a helper their station and
below, a point lead theirs, a town admin their town, a department admin their department's windows,
a partner admin their organisation's stations, a region admin or supervisor their region's
counties). "Missing" and "not allowed" look the same (Http404). Who may *act* on a rectification is
the workflow table's (`feedback.workflow`), never the person rated; the rater's phone is never shown
to anyone.

Written as index ranges (the idiom of `cases.scope`): a region admin's or supervisor's part is the
counties of their region, read first (a province has fewer than 200) and matched on the rows' own
`county` column, which leads the indexes `rating_county_on` and `rectification_county_status`; a
helper's, point lead's or town administrator's is a range of the rows' own `point_path`, the
point's tree path (decision 0066; `rating_point_path_on`, `rectification_path_status`); the other
memberships' parts (a department's, a partner organisation's points) are the ids of their points,
read first up to POINT_LIST_LIMIT and matched on `point` (`rating_point_on`), or a sub-query above
that.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from bangban.cases.models import Occasion
from bangban.network import access
from bangban.network.models import Region, Role, ServicePoint, path_under

from .models import Appeal, Rating, RatingDevice, Rectification

#: Up to this many points, a scope's listed points are read first and matched as a list of ids.
POINT_LIST_LIMIT = 2000
#: The roles bound to a point and what is below it (`access.binding_points_q`: the point's
#: subtree), matched as a range of the rows' `point_path`.
SUBTREE_ROLES = (Role.HELPER, Role.POINT_LEAD, Role.TOWN_ADMIN)
#: The roles whose scope is whole counties (their region's). Not the special supervisor (特邀监督员),
#: bound to a region too: ratings and rectifications carry applicants' words (docs/decisions/0059).
REGION_ROLES = (Role.REGION_ADMIN, Role.SUPERVISOR)


def scope_q(
    user,
    action: access.Action = "view",
    *,
    county: str = "county",
    point: str = "point",
    path: str | None = "point_path",
    confidential: str | None = None,
):
    """A filter on rows carrying a `county`, a `point` and that point's `path` (named by the
    arguments, so that a related row's can be used: "rating__county", "rating__point_path"),
    selecting those `user` may `action`; None for everything (a superuser), an empty
    `Q(pk__in=[])` for nothing. Rows whose boolean field named `confidential` is true (a fee
    complaint, a 举报) are the county's and above only: never seen through a point's or a town's
    membership.

    A region role's part is its counties (`county`); a helper's, a point lead's or a town
    administrator's the range of its point's subtree on `path` (decision 0066); a department's or a
    partner organisation's (not a subtree of the tree), a town's or a village's region and a
    special supervisor's the ids of their points, read first. With `path=None` (rows keeping no
    path: the ledger's occasions) the subtree roles are matched by ids too."""
    if access.is_superuser(user):
        return None
    nothing = Q(pk__in=[])
    if not getattr(user, "is_active", False):
        return nothing
    counties: set[int] = set()
    subtrees: list[ServicePoint] = []
    listed = Q()
    for m in access.memberships(user):
        if action not in access.ROLE_ACTIONS[m.role]:
            continue
        ids = access.county_ids_of(m.region) if m.role in REGION_ROLES else None
        if ids is not None:
            counties.update(ids)
        elif path is not None and m.role in SUBTREE_ROLES:
            subtrees.append(m.point)
        else:
            listed |= access.binding_points_q(m)
    q = Q(**{f"{county}_id__in": sorted(counties)}) if counties else Q()
    by_points = Q()
    for top in subtrees:
        if top.county_id not in counties:
            by_points |= path_under(path, top.subtree_prefix)
    if listed:
        # The listed points, less those the counties above already hold.
        visible = (
            ServicePoint.objects.filter(listed)
            .exclude(county_id__in=sorted(counties))
            .values_list("pk", flat=True)
            .order_by()
        )
        ids = list(visible[: POINT_LIST_LIMIT + 1])
        by_points |= Q(**{f"{point}_id__in": ids if len(ids) <= POINT_LIST_LIMIT else visible})
    if by_points:
        if confidential is not None:
            by_points &= Q(**{confidential: False})
        q |= by_points
    return q or nothing


def _scoped(qs: QuerySet, user, action, **names) -> QuerySet:
    q = scope_q(user, action, **names)
    return qs if q is None else qs.filter(q)


def ratings_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Rating]:
    """The ratings of the points `user` may `action` (the rated point: `Rating.point`)."""
    qs = queryset if queryset is not None else Rating.objects.all()
    return _scoped(qs, user, action)


def rectifications_for(
    user, action: access.Action = "view", queryset=None
) -> QuerySet[Rectification]:
    """The rectifications of the bad reviews (complaints, findings) of the points `user` may
    `action` (who may act on one is the workflow table's); a confidential one only through the
    county's memberships and above."""
    qs = queryset if queryset is not None else Rectification.objects.all()
    return _scoped(qs, user, action, confidential="confidential")


def appeals_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Appeal]:
    """The appeals of the ratings `user` may `action`."""
    qs = queryset if queryset is not None else Appeal.objects.all()
    return _scoped(
        qs,
        user,
        action,
        county="rating__county",
        point="rating__point",
        path="rating__point_path",
    )


def occasions_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Occasion]:
    """The service occasions (the ledger's `cases.Occasion`) at the points `user` may `action`: what
    the figures count as rated or not (an occasion's county is its point's)."""
    qs = queryset if queryset is not None else Occasion.objects.all()
    return _scoped(qs, user, action, county="point__county", path=None)


def get_rating_for(user, pk, action: access.Action = "view") -> Rating:
    try:
        found = ratings_for(user, action).filter(pk=pk).first()
    except (ValueError, TypeError) as error:
        raise Http404 from error
    if found is None:
        raise Http404
    return found


def get_rectification_for(user, pk, action: access.Action = "view") -> Rectification:
    try:
        found = (
            rectifications_for(user, action)
            .select_related("county", "point", "town")
            .filter(pk=pk)
            .first()
        )
    except (ValueError, TypeError) as error:
        raise Http404 from error
    if found is None:
        raise Http404
    return found


# --- The county's reasons and settings, and the hall devices ----------------------------------------


def counties_for(user, action: access.Action = "view") -> QuerySet[Region]:
    """The counties whose reasons and settings `user` may see ("view": a region admin or supervisor
    of the county or above it, and a town admin of one of its towns) or change ("change": a region
    admin of the county, or of its city or province)."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if access.is_superuser(user):
        return counties
    if not getattr(user, "is_active", False):
        return counties.none()
    q = Q()
    for m in access.memberships(user):
        if m.role == Role.REGION_ADMIN or (action == "view" and m.role == Role.SUPERVISOR):
            low, high = m.region.code_range
            q |= Q(code__gte=low, code__lt=high)
        elif action == "view" and m.role == Role.TOWN_ADMIN:
            q |= Q(pk=m.point.county_id)
    return counties.filter(q) if q else counties.none()


def get_county_for(user, code, action: access.Action = "view") -> Region:
    found = counties_for(user, action).filter(code=str(code)).first()
    if found is None:
        raise Http404
    return found


def devices_for(user, action: access.Action = "view", queryset=None) -> QuerySet[RatingDevice]:
    """The hall rating devices of the points `user` may `action` ("change": register and deactivate
    them; "act": push an occasion to them)."""
    qs = queryset if queryset is not None else RatingDevice.objects.all()
    if access.is_superuser(user):
        return qs
    if not getattr(user, "is_active", False):
        return qs.none()
    return qs.filter(point__in=access.points_for(user, action).values("pk"))


def get_device_for(user, pk, action: access.Action = "view") -> RatingDevice:
    try:
        return devices_for(user, action).select_related("point").get(pk=pk)
    except (RatingDevice.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
