"""The deployment check on the database's collation (decision 0061)."""

from __future__ import annotations

import pytest
from django.db import connection

from bangban.network.checks import paths_compare_in_byte_order


def test_this_database_compares_paths_in_byte_order(db):
    assert paths_compare_in_byte_order(databases=["default"]) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_linguistic_collation_is_reported(db, monkeypatch):
    from bangban.network import checks

    # A collation that ignores punctuation at first, as glibc's en_US.UTF-8 does.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE COLLATION IF NOT EXISTS test_shifted (provider = icu, locale = 'und-u-ka-shifted')"
        )
    probe = "SELECT %s < %s COLLATE test_shifted, %s < %s COLLATE test_shifted"
    monkeypatch.setattr(checks, "PROBE", probe)
    (problem,) = paths_compare_in_byte_order(databases=["default"])
    assert problem.id == "bangban.E001" and "C.UTF-8" in problem.hint
