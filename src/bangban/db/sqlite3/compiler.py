"""The SQL compilers of the SQLite backend: Django's, with a `SELECT` made for `select_for_update`
marked so that the backend begins its pending transaction before it (decision 0074). SQLite has no
row locks (Django leaves `FOR UPDATE` out); the write lock taken at once gives the same guarantee:
nothing the transaction read that way can change before it ends."""

from __future__ import annotations

from django.db.models.sql import compiler

#: Prefixed to a `select_for_update` query's SQL; a comment, so SQLite reads the same statement.
LOCKING = "/* for update */ "


class SQLCompiler(compiler.SQLCompiler):
    def as_sql(self, *args, **kwargs):
        sql, params = super().as_sql(*args, **kwargs)
        if self.query.select_for_update:
            sql = LOCKING + sql
        return sql, params


SQLInsertCompiler = compiler.SQLInsertCompiler
SQLDeleteCompiler = compiler.SQLDeleteCompiler
SQLUpdateCompiler = compiler.SQLUpdateCompiler
SQLAggregateCompiler = compiler.SQLAggregateCompiler
