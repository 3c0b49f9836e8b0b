"""What every staff endpoint module shares: the router and the day and year parameters
(paging is the kernel's `Limit`, `Offset`)."""

from __future__ import annotations

from typing import Literal

from ninja import Query, Router

from ..models import Helper, TrainingOrganiser

MIN_YEAR, MAX_YEAR = 2000, 2100

Origin = Literal[tuple(Helper.Origin.values)]  # type: ignore[valid-type]
OrganiserKind = Literal[tuple(TrainingOrganiser.Kind.values)]  # type: ignore[valid-type]

router = Router(tags=["staff"])


OnDay = Query(None, description="the day (YYYY-MM-DD); today by default")
Year = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="calendar year; this year by default")
