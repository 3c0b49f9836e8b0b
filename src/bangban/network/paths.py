"""A point's tree path kept on the rows it scopes (decisions 0061, 0066): a case's registering,
handling and offered paths, a rating's, rectification's, complaint's or inspection's `point_path`.
Each is `ServicePoint.subtree_prefix` (`/1/4/89/`), matched by `models.path_under` as one index
range.

The apps write the path as they create or re-point a row (`path_of`, which locks the point's row for
the rest of the transaction), and rewrite it when points move, from their `on_network` subscription
(`refresh_path_columns`, or `refresh_point_path` for a row's one `point_path`: one read of the stale
rows, one update of them). The network writes none of them: it imports no later app.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import CharField, Expression, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from bangban.kernel.statements import Param, Statement

from .changes import NetworkChange
from .models import ServicePoint


def path_of(point: ServicePoint | int | None) -> str:
    """The point's path as committed ("" for no point), its row locked for the rest of the
    transaction so that a move of it, or of a point above it, cannot slip between this read and the
    write of the row that keeps it (`update_point` locks the point it moves and rewrites the rows
    below it)."""
    if point is None:
        return ""
    pk = point if isinstance(point, int) else point.pk
    found = _ANCESTRY.tuples({"pk": pk})
    if not found:
        raise ServicePoint.DoesNotExist(f"no point {pk}")
    return f"{found[0][0]}{pk}/"


#: A point's ancestry, its row locked: once per registration and transfer (decision 0071).
_ANCESTRY = Statement(
    lambda: ServicePoint.objects.select_for_update().filter(pk=Param("pk")).values_list("ancestry")
)


def path_sql(points: QuerySet[ServicePoint]) -> Subquery:
    """The path of the one point `points` selects, as SQL (NULL when it selects none)."""
    path = Concat("ancestry", Cast("pk", CharField()), Value("/"), output_field=CharField())
    return Subquery(points.annotate(path=path).values("path")[:1], output_field=CharField())


def point_path(field: str) -> Coalesce:
    """The path of the point a row's foreign key `field` names, "" when it names none, as SQL."""
    return Coalesce(
        path_sql(ServicePoint.objects.filter(pk=OuterRef(field))),
        Value(""),
        output_field=CharField(),
    )


def _expressions(columns: Mapping[str, str | Expression]) -> dict[str, Expression]:
    return {
        column: point_path(source) if isinstance(source, str) else source
        for column, source in columns.items()
    }


def refresh_path_columns(rows: QuerySet, columns: Mapping[str, str | Expression]) -> int:
    """Rewrite the path columns of those of `rows` that are stale: `columns` maps each column to the
    point foreign key it mirrors (`{"point_path": "point"}`) or to an expression of what it should
    hold. One read of the stale rows' ids, one update of them; the number of rows rewritten."""
    expected = _expressions(columns)
    stale = Q()
    for column in expected:
        stale |= ~Q(**{column: F(f"new_{column}")})
    ids = list(
        rows.annotate(**{f"new_{column}": value for column, value in expected.items()})
        .filter(stale)
        .order_by()
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    return rows.model._default_manager.filter(pk__in=ids).update(**_expressions(columns))


def refresh_point_path(rows: QuerySet, change: NetworkChange, *, point: str = "point") -> int:
    """After `change`, rewrite the `point_path` of those of `rows` (rows carrying a point foreign
    key named `point`, mirrored in `point_path`) at the points it names, or at any point of its
    county when it names none in particular (a division import). The number of rows rewritten."""
    if change.points is None:
        at = ServicePoint.objects.filter(county=change.county).values("pk")
    elif change.points:
        at = sorted(change.points)
    else:
        return 0
    return refresh_path_columns(rows.filter(**{f"{point}__in": at}), {"point_path": point})
