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
from bangban.network.models import ServicePoint

from .models import Case, Transfer

#: Up to this many points (a county and everything below it), a scope's points are read first and
#: matched as lists of ids; above it (a city, a province) by sub-queries.
POINT_LIST_LIMIT = 2000


def cases_for(user, action: access.Action = "view", queryset=None) -> QuerySet[Case]:
    """The cases `user` may `action`: those registered or handled at a point the user may `action`,
    or on offer to one by a pending transfer, and, for viewing, those the user is first responsible
    for.

    Written so that an index serves every part (bench/README.md "bench_cases.py": one OR of
    sub-queries made both databases read all 1,000,000 cases): for up to POINT_LIST_LIMIT points,
    the points and the cases on offer to them are read first (two small queries) and the scope is an
    OR of id lists, which both databases answer from the point indexes; for a city or a province it
    is one semi-join on a union of sub-queries, each indexed."""
    qs = queryset if queryset is not None else Case.objects.all()
    if access.is_superuser(user):
        return qs
    if not getattr(user, "is_active", False):
        return qs.none()
    mine = Q(responsible=user) if action == "view" else Q()
    points = access.points_q(user, action)
    if not points:
        return qs.filter(mine) if mine else qs.none()
    visible = ServicePoint.objects.filter(points).values_list("pk", flat=True)
    ids = list(visible.order_by()[: POINT_LIST_LIMIT + 1])
    if len(ids) <= POINT_LIST_LIMIT:
        offered = Transfer.objects.filter(status=Transfer.Status.PENDING, to_point__in=ids)
        q = Q(registering_point__in=ids) | Q(handling_point__in=ids)
        q |= Q(pk__in=list(offered.values_list("case_id", flat=True)))
        return qs.filter(q | mine)
    parts = [
        Case.objects.filter(registering_point__in=visible).values("pk"),
        Case.objects.filter(handling_point__in=visible).values("pk"),
        Transfer.objects.filter(status=Transfer.Status.PENDING, to_point__in=visible).values(
            "case_id"
        ),
    ]
    if mine:
        parts.append(Case.objects.filter(mine).values("pk"))
    first, *rest = (part.order_by() for part in parts)
    return qs.filter(pk__in=first.union(*rest, all=True))


def may(user, case: Case, action: access.Action = "view") -> bool:
    """May `user` `action` this one case? The rule of `cases_for`, asked of one row: its registering
    or handling point, or a point a pending transfer offers it to, is one the user may `action`; or,
    to view, the user is its first responsible helper. One query (none for the helper themself)."""
    if access.is_superuser(user):
        return True
    if not getattr(user, "is_active", False):
        return False
    if action == "view" and case.responsible_id == user.pk:
        return True
    points = access.points_q(user, action)
    if not points:
        return False
    offered = Transfer.objects.filter(case=case.pk, status=Transfer.Status.PENDING)
    here = Q(pk__in=[case.registering_point_id, case.handling_point_id])
    return (
        ServicePoint.objects.filter(points)
        .filter(here | Q(pk__in=offered.values("to_point")))
        .exists()
    )


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
