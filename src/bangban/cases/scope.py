"""Which cases a user may see or act on: the ledger scoped through the one gate (`network.access`).

A case is visible to the points that registered and that handle it, and to everyone above those in
the tree (a town admin, a county admin, a supervisor of the region), and to its first responsible
helper wherever they are (首问负责: they follow it to the end), and to a point while a transfer of
the case to it is pending. "Missing" and "not allowed" look the same (Http404), as everywhere.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from bangban.network import access
from bangban.network.models import ServicePoint

from .models import Case, Transfer


def cases_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Case]:
    """The cases `user` may `action`: those registered or handled at a point the user may `action`,
    or on offer to one by a pending transfer, and, for viewing, those the user is first responsible
    for.

    One semi-join on a union of four sub-queries, each served by its own index, rather than the four
    conditions joined by OR, under which neither database can use an index and every scoped query
    reads the whole ledger (bench/README.md "bench_cases.py")."""
    qs = queryset if queryset is not None else Case.objects.all()
    if access.is_superuser(user):
        return qs
    if not getattr(user, "is_active", False):
        return qs.none()
    parts = []
    points = access.points_q(user, action)
    if points:
        visible = ServicePoint.objects.filter(points).values("pk")
        parts += [
            Case.objects.filter(registering_point__in=visible).values("pk"),
            Case.objects.filter(handling_point__in=visible).values("pk"),
            Transfer.objects.filter(status=Transfer.Status.PENDING, to_point__in=visible).values(
                "case_id"
            ),
        ]
    if action == "view":
        parts.append(Case.objects.filter(responsible=user).values("pk"))
    if not parts:
        return qs.none()
    first, *rest = (part.order_by() for part in parts)
    return qs.filter(pk__in=first.union(*rest, all=True))


def get_case_for(user, number: str, action: access.Action = "view", queryset=None) -> Case:
    """The case numbered `number` if `user` may `action` it; Http404 whether it is missing or not.

    Narrowed to the case's key first, so the scope's union is checked for that one key rather than
    read for the whole of a county (PostgreSQL: 27 ms → 0.1 ms at 1,000,000 cases)."""
    qs = queryset if queryset is not None else Case.objects.all()
    key = Case.objects.filter(number=number).values("pk")[:1]
    try:
        return cases_for(user, action, qs.filter(pk=key)).get(number=number)
    except (Case.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
