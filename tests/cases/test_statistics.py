"""The task worker's nightly statistics for SQLite's planner (`kernel.tasks`), of the ledger."""

from __future__ import annotations

import pytest
from django.db import connection

from bangban.kernel.tasks import refresh_statistics


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")
def test_the_nightly_statistics_describe_the_ledger(register):
    """SQLite's planner gets statistics of every index of the cases table (`sqlite_stat1`)."""
    for _n in range(3):
        register()
    try:
        assert refresh_statistics() is True
        with connection.cursor() as cursor:
            cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'cases_case'")
            stats = dict(cursor.fetchall())
        assert stats["case_county_order"].split()[0] == "3"  # three cases in the county's order
        assert "case_completed_order" not in stats or stats["case_completed_order"].startswith("0")
    finally:  # the other tests plan without statistics
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.execute("ANALYZE sqlite_schema")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL keeps its own")
def test_postgresql_keeps_its_own_statistics(db):
    assert refresh_statistics() is False
