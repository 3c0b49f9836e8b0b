"""Numbers of the ledger: a case's number and a notice's (or a written refusal's), each from a
county's gap-free counter for the day. `next_sequence` writes the counter row; it runs inside the
caller's transaction (the action that numbers something)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from .models import CaseCounter


def next_sequence(county_id: int, day: dt.date, series: str = CaseCounter.Series.CASE) -> int:
    """The next number of a county on a day in a series (cases, notices): one statement on a counter
    row, inside the caller's transaction, so numbers are gap-free and never given twice
    (docs/architecture.md "SQLite")."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (county_id, day, series, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 - table name only
            f"ON CONFLICT (county_id, day, series) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [county_id, day, series],
        )
        return cursor.fetchone()[0]


def case_number(county_code: str, day: dt.date, sequence: int, prefix: str = "") -> str:
    """`370323-20261125-0042` (docs/domain.md "Case numbers"): 4 digits, longer when needed; a notice's
    number has N before the sequence (`370323-20261125-N0007`)."""
    return f"{county_code}-{day:%Y%m%d}-{prefix}{sequence:04d}"
