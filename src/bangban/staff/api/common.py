"""What every staff endpoint module shares: the router and the paging and year parameters."""

from __future__ import annotations

from typing import Literal

from ninja import Query, Router

from ..models import Helper, TrainingOrganiser

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
MIN_YEAR, MAX_YEAR = 2000, 2100

Origin = Literal[tuple(Helper.Origin.values)]  # type: ignore[valid-type]
OrganiserKind = Literal[tuple(TrainingOrganiser.Kind.values)]  # type: ignore[valid-type]

router = Router(tags=["staff"])


Limit = Query(50, ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")
Offset = Query(0, ge=0, le=MAX_OFFSET)
OnDay = Query(None, description="the day (YYYY-MM-DD); today by default")
Year = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="calendar year; this year by default")
