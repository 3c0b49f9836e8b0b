"""Summary rows of the ledger (decision 0067): per county and day, the cases completed and those
completed on time. A completed case never changes again (closed cases keep their history:
`correct_deadlines` touches open ones only), so one row per county and day, incremented by the
actions that complete a case (`complete_case`, the historical import), is exact; `recount` builds
them afresh from the cases (the migration, the bench's generator, the test that compares)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from bangban.network.models import Region

from ..workflow import State


class CompletionTallyQuerySet(models.QuerySet):
    def completions(self, today: dt.date) -> dict[str, int]:
        """The completions of `CaseQuerySet.figures` (this month's and this quarter's, completed
        and on time, up to today), from the tallies: one query over at most ~92 rows a county."""
        month = today.replace(day=1)
        quarter = month.replace(month=(today.month - 1) // 3 * 3 + 1)
        rows = self.filter(day__gte=quarter, day__lte=today)
        this_month = Q(day__gte=month)

        def total(field, q=None):
            return Coalesce(Sum(field, filter=q), 0)

        return rows.aggregate(
            month_completed=total("completed", this_month),
            month_on_time=total("on_time", this_month),
            quarter_completed=total("completed"),
            quarter_on_time=total("on_time"),
        )


class CompletionTally(models.Model):
    """Cases of a county completed on a day, and how many of them on time (on or before the
    promised deadline)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    completed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)

    objects = CompletionTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county", "day"], name="completion_tally_unique_day"),
        ]
        # The quarter's sums of a region read from the index alone (a province's 9,900 rows: 4.5
        # → 1.5 ms on PostgreSQL at 1,000,000 cases; decision 0071).
        indexes = [
            models.Index(fields=["county", "day", "completed", "on_time"], name="completion_sums")
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.day}: {self.on_time}/{self.completed}"


def completed_on_time(case) -> bool:
    """The rule of `CaseQuerySet.on_time`, asked of one completed case."""
    return case.promised_deadline is not None and case.completed_on <= case.promised_deadline


def count_completion(case) -> None:
    """One more case of the county completed on its day: one statement (insert or increment),
    inside the completing action's transaction, like the case numbers' counter."""
    county_id, day, on_time = case.county_id, case.completed_on, completed_on_time(case)
    table = connection.ops.quote_name(CompletionTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (county_id, day, completed, on_time) VALUES (%s, %s, 1, %s) "  # noqa: S608 - table name only
            f"ON CONFLICT (county_id, day) DO UPDATE SET completed = {table}.completed + 1, "
            f"on_time = {table}.on_time + EXCLUDED.on_time",
            [county_id, day, int(on_time)],
        )


def counted_from_cases(cases) -> list[CompletionTally]:
    """The tallies the completed ones of `cases` make, counted from scratch."""
    rows = (
        cases.filter(status=State.COMPLETED)
        .values("county_id", "completed_on")
        .annotate(
            completed=models.Count("pk"),
            on_time=models.Count("pk", filter=Q(completed_on__lte=F("promised_deadline"))),
        )
        .order_by()
    )
    return [
        CompletionTally(
            county_id=r["county_id"],
            day=r["completed_on"],
            completed=r["completed"],
            on_time=r["on_time"],
        )
        for r in rows
    ]
