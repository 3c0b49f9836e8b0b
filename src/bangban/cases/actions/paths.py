"""The case's scope columns (decision 0061): the tree paths of its registering and handling points
and of the point a pending transfer offers it to, which `cases.scope` reads as index ranges.

The actions that change a case's points write them as they go (registration, the historical
import, a transfer offered, accepted or declined); when points themselves move (`update_point`,
a division import), `cases.on_network` rewrites the paths of the cases at those points here,
in the network write's transaction.
"""

from __future__ import annotations

from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from bangban.network.models import ServicePoint

from ..models import Case, Transfer


def path_of(point: ServicePoint) -> str:
    """The point's path as committed, its row locked for the rest of the transaction so that a
    move of it, or of a point above it, cannot slip between this read and the write of the case
    (`update_point` locks the point it moves and rewrites the rows below it)."""
    ancestry = (
        ServicePoint.objects.select_for_update().values_list("ancestry", flat=True).get(pk=point.pk)
    )
    return f"{ancestry}{point.pk}/"


def _path_of(points: QuerySet) -> Subquery:
    """The path (`ServicePoint.subtree_prefix`) of the one point `points` selects, as SQL."""
    path = Concat("ancestry", Cast("pk", CharField()), Value("/"), output_field=CharField())
    return Subquery(points.annotate(path=path).values("path")[:1], output_field=CharField())


def expected_paths() -> dict[str, Subquery | Coalesce]:
    """What each scope column should hold, as expressions on a case row."""
    offered = Transfer.objects.filter(case=OuterRef("pk"), status=Transfer.Status.PENDING)
    to_point = ServicePoint.objects.filter(pk=OuterRef("to_point"))
    return {
        "registering_path": _path_of(ServicePoint.objects.filter(pk=OuterRef("registering_point"))),
        "handling_path": _path_of(ServicePoint.objects.filter(pk=OuterRef("handling_point"))),
        "offered_path": Coalesce(
            Subquery(
                offered.annotate(path=_path_of(to_point)).values("path")[:1],
                output_field=CharField(),
            ),
            Value(""),
            output_field=CharField(),
        ),
    }


def refresh_paths(cases: QuerySet[Case]) -> int:
    """Rewrite the scope columns of those of `cases` whose points' paths have changed: one read of
    the stale rows, one update of them. The number of cases rewritten."""
    expected = expected_paths()
    stale = (
        cases.annotate(**{f"new_{name}": value for name, value in expected.items()})
        .filter(
            ~Q(registering_path=F("new_registering_path"))
            | ~Q(handling_path=F("new_handling_path"))
            | ~Q(offered_path=F("new_offered_path"))
        )
        .values_list("pk", flat=True)
    )
    ids = list(stale.order_by())
    if not ids:
        return 0
    return Case.objects.filter(pk__in=ids).update(**expected_paths())


def cases_at(points: list[int]) -> QuerySet[Case]:
    """The cases registered or handled at `points`, or on offer to one of them."""
    offered = Transfer.objects.filter(status=Transfer.Status.PENDING, to_point__in=points)
    return Case.objects.filter(
        Q(registering_point__in=points)
        | Q(handling_point__in=points)
        | Q(pk__in=offered.values("case_id"))
    )
