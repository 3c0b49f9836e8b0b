"""The task worker's upkeep of the database itself (`bangban run_huey` finds this module by its
name): every night, fresh statistics for SQLite's planner."""

from __future__ import annotations

from django.db import connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

#: The rows ANALYZE samples from each index: approximate statistics, about a second for a ledger of
#: 1,000,000 cases, which plan its reads as the exact ones do (decision 0072).
ANALYSIS_LIMIT = 1000


def refresh_statistics(using: str = "default") -> bool:
    """Give SQLite's planner fresh statistics (`ANALYZE`, each index sampled on at most
    ANALYSIS_LIMIT rows). Without them it plans from rules of thumb that fit a small database: a
    large ledger's city-wide red cards walked every case of the city (64 ms at 1,000,000 cases)
    where its statistics lead it to the open cases' index (0.1 ms). PostgreSQL keeps its own
    (autovacuum): nothing to do there. Whether it ran."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT:d}")
        cursor.execute("ANALYZE")
    return True


@db_periodic_task(crontab(hour="19", minute="40"))
def nightly_statistics() -> None:
    """03:40 Beijing time (19:40 UTC: the worker counts in UTC), when nobody is at work."""
    refresh_statistics()
