"""Which ratings, rectifications and appeals a user may see or act on, through the one gate
(`network.access`): those of the points the user may see (a helper their station, a town admin
their town, a county admin or supervisor their region, a partner admin their stations). "Missing"
and "not allowed" look the same (Http404). Who may *act* on a rectification is the workflow table's
(`feedback.workflow`), never the person rated; the rater's phone is never shown to anyone.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from bangban.network import access
from bangban.network.models import Region, Role

from .models import Appeal, Rating, RatingDevice, Rectification

POINT_LIST_LIMIT = 2000


def _points(user):
    """The ids of the points `user` sees, as a list for a county, as a sub-query above it."""
    visible = access.points_for(user, "view").values_list("pk", flat=True).order_by()
    ids = list(visible[: POINT_LIST_LIMIT + 1])
    return ids if len(ids) <= POINT_LIST_LIMIT else visible


def ratings_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Rating]:
    qs = queryset if queryset is not None else Rating.objects.all()
    if access.is_superuser(user):
        return qs
    if not getattr(user, "is_active", False):
        return qs.none()
    return qs.filter(point_id__in=_points(user))


def rectifications_for(
    user, action: access.Action = "view", queryset=None
) -> QuerySet[Rectification]:
    qs = queryset if queryset is not None else Rectification.objects.all()
    if access.is_superuser(user):
        return qs
    if not getattr(user, "is_active", False):
        return qs.none()
    return qs.filter(point_id__in=_points(user))


def appeals_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Appeal]:
    qs = queryset if queryset is not None else Appeal.objects.all()
    return qs.filter(rating__in=ratings_for(user, action))


def get_rating_for(user, pk, action: access.Action = "view") -> Rating:
    found = ratings_for(user, action).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_rectification_for(user, pk, action: access.Action = "view") -> Rectification:
    found = (
        rectifications_for(user, action).select_related("county", "point", "town").filter(pk=pk)
    ).first()
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
