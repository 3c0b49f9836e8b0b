"""The case's scope columns (decision 0061): the tree paths of its registering and handling points
and of the point a pending transfer offers it to, which `cases.scope` reads as index ranges.

The actions that change a case's points write them as they go (registration, the historical
import, a transfer offered, accepted or declined); when points themselves move (`update_point`,
a division import), `cases.on_network` rewrites the paths of the cases at those points here,
in the network write's transaction.
"""

from __future__ import annotations

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from bangban.network.models import ServicePoint
from bangban.network.paths import path_of, path_sql, point_path, refresh_path_columns

from ..models import Case, Transfer

__all__ = ["cases_at", "expected_paths", "path_of", "refresh_paths"]


def expected_paths() -> dict[str, Subquery | Coalesce]:
    """What each scope column should hold, as expressions on a case row."""
    offered = Transfer.objects.filter(case=OuterRef("pk"), status=Transfer.Status.PENDING)
    to_point = ServicePoint.objects.filter(pk=OuterRef("to_point"))
    return {
        "registering_path": point_path("registering_point"),
        "handling_path": point_path("handling_point"),
        "offered_path": Coalesce(
            Subquery(
                offered.annotate(path=path_sql(to_point)).values("path")[:1],
                output_field=CharField(),
            ),
            Value(""),
            output_field=CharField(),
        ),
    }


def refresh_paths(cases: QuerySet[Case]) -> int:
    """Rewrite the scope columns of those of `cases` whose points' paths have changed: one read of
    the stale rows, one update of them (`network.paths.refresh_path_columns`). The number of cases
    rewritten."""
    return refresh_path_columns(cases, expected_paths())


def cases_at(points: list[int]) -> QuerySet[Case]:
    """The cases registered or handled at `points`, or on offer to one of them."""
    offered = Transfer.objects.filter(status=Transfer.Status.PENDING, to_point__in=points)
    return Case.objects.filter(
        Q(registering_point__in=points)
        | Q(handling_point__in=points)
        | Q(pk__in=offered.values("case_id"))
    )
