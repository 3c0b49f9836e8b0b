"""Which ratings, rectifications and appeals a user may see or act on, through the one gate
(`network.access`): those of the points the user may see (a helper their station, a town admin
their town, a county admin or supervisor their region, a partner admin their stations). "Missing"
and "not allowed" look the same (Http404). Who may *act* on a rectification is the workflow table's
(`feedback.workflow`), never the person rated; the rater's phone is never shown to anyone.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from bangban.network import access

from .models import Appeal, Rating, Rectification

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
