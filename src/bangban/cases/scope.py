"""Which cases a user may see or act on: the ledger scoped through the one gate (`network.access`).

A case is visible to the points that registered and that handle it, and to everyone above those in
the tree (a town admin, a county admin, a supervisor of the region), and to its first responsible
helper wherever they are (首问负责: they follow it to the end), and to a point while a transfer of
the case to it is pending. "Missing" and "not allowed" look the same (Http404), as everywhere.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from bangban.network import access
from bangban.network.models import ServicePoint

from .models import Case, Transfer


def cases_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Case]:
    """The cases `user` may `action`: those registered or handled at a point the user may `action`,
    and, for viewing, those the user is first responsible for."""
    qs = queryset if queryset is not None else Case.objects.all()
    if access.is_superuser(user):
        return qs
    if not getattr(user, "is_active", False):
        return qs.none()
    q = Q()
    points = access.points_q(user, action)
    if points:
        visible = ServicePoint.objects.filter(points).values("pk")
        offered = Transfer.objects.filter(
            case=OuterRef("pk"), status=Transfer.Status.PENDING, to_point__in=visible
        )
        q |= Q(registering_point__in=visible) | Q(handling_point__in=visible) | Q(Exists(offered))
    if action == "view":
        q |= Q(responsible=user)
    return qs.filter(q) if q else qs.none()


def get_case_for(user, number: str, action: access.Action = "view", queryset=None) -> Case:
    """The case numbered `number` if `user` may `action` it; Http404 whether it is missing or not."""
    try:
        return cases_for(user, action, queryset).get(number=number)
    except (Case.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
