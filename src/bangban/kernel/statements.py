"""Statements compiled once (decision 0071): a query the ORM builds, kept as SQL per database and
shape, and run again with new values, neither built nor compiled again.

Django builds and compiles every query anew. For the hottest fixed-shape reads that is most of
their cost: a ledger page's rows (six joins, 45 columns) take 0.8 ms to build and compile and 0.25
ms to run, on every list and page. A `Statement` asks its builder once per database and shape for
a QuerySet with `Param` placeholders where the values go, and keeps the SQL, where each value goes
and how the rows are read back (the compiler's converters; for model rows, Django's own
populators of the related objects `select_related` names):

    ROWS = Statement(lambda n: Case.objects.filter(pk__in=[Param(i) for i in range(n)]))
    ROWS.tuples(keys, len(keys))      # the values by the Params' names (here 0…n-1); the shape

The SQL goes through the connection's cursor, so query logging, execute wrappers and PostgreSQL's
prepared statements apply as to any query. What a statement may hold: filters and joins whose values
are Params or constants, no annotations on model rows, no slicing by a value. A value is adapted as
the ORM adapts it by its type (a date or datetime through `connection.ops`).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Expression, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.transaction import TransactionManagementError


class Param(Expression):
    """Where a statement's value goes, named (a string or a position): `Param("digest")`."""

    def __init__(self, name: Hashable, output_field=None):
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"

    @property
    def identity(self):
        return (Param, self.name)

    def __eq__(self, other):
        return isinstance(other, Param) and other.name == self.name

    def __hash__(self):
        return hash((Param, self.name))

    def resolve_expression(self, *args, **kwargs):
        return self

    def as_sql(self, compiler, connection):
        return "%s", [self]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: tuple  # per parameter: ("value", name) or ("constant", value)
    converters: tuple  # (position, converter functions, expression)
    for_update: bool = False  # SELECT … FOR UPDATE: only inside a transaction, as the ORM says
    model: Any = None  # model rows: the model and what `ModelIterable` reads them with
    init_list: tuple = ()
    span: tuple = (0, 0)
    populators: tuple = ()


def _adapt(value, ops):
    if isinstance(value, dt.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return ops.adapt_datefield_value(value)
    if isinstance(value, dt.time):
        return ops.adapt_timefield_value(value)
    if isinstance(value, decimal.Decimal):
        return ops.adapt_decimalfield_value(value)
    return value


class Statement:
    """A query built by `build(*shape)` (a QuerySet with `Param`s), compiled once per database
    alias and shape, run by `tuples` (a `values_list` query) or `objects` (model rows)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, _Compiled] = {}

    def compiled(self, using: str, shape: tuple) -> _Compiled:
        key = (using, *shape)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = self._compile(self.build(*shape), using)
        return found

    @staticmethod
    def _compile(queryset: QuerySet, using: str) -> _Compiled:
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(
            ("value", p.name) if isinstance(p, Param) else ("constant", p) for p in params
        )
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(fields).items()
        )
        klass_info = compiler.klass_info
        for_update = bool(queryset.query.select_for_update)
        if not issubclass(queryset._iterable_class, ModelIterable) or klass_info is None:
            return _Compiled(sql, slots, converters, for_update)
        if compiler.annotation_col_map:
            raise ValueError("a statement's model rows carry no annotations")
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql,
            slots,
            converters,
            for_update,
            model=klass_info["model"],
            init_list=tuple(f[0].target.attname for f in compiler.select[start:end]),
            span=(start, end),
            populators=tuple(get_related_populators(klass_info, compiler.select, using)),
        )

    def _rows(self, values, shape: tuple, using: str) -> tuple[_Compiled, list[tuple]]:
        compiled = self.compiled(using, shape)
        connection = connections[using]
        if (
            compiled.for_update
            and connection.features.has_select_for_update
            and connection.get_autocommit()
        ):
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        ops = connection.ops
        params = [
            _adapt(values[name_or_value], ops) if kind == "value" else name_or_value
            for kind, name_or_value in compiled.slots
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters and rows:
            converted = []
            for row in rows:
                row = list(row)
                for position, functions, expression in compiled.converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
                converted.append(tuple(row))
            rows = converted
        return compiled, rows

    def tuples(self, values, *shape, using: str = "default") -> list[tuple]:
        """The rows of a `values_list` statement, as its QuerySet would give them."""
        return self._rows(values, shape, using)[1]

    def objects(self, values, *shape, using: str = "default") -> list:
        """The model rows of a statement, with the related objects it selects, as its QuerySet
        would give them."""
        compiled, rows = self._rows(values, shape, using)
        if compiled.model is None:
            raise ValueError("not a statement of model rows")
        start, end = compiled.span
        out = []
        for row in rows:
            obj = compiled.model.from_db(using, compiled.init_list, row[start:end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out
