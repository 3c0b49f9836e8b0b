"""The days that make sense in Bangban (decision 0032): a person's history (a birth, the start of
someone's work) from 1900-01-01, what happens in the system (cases, trainings, equipment checks,
authorisations) from 2000-01-01 — the working-day calendar's first year — and nothing after
2100-12-31, its last. The JSON API says these bounds in its schema; the actions hold them for every
path (page, API, import), with the bounds that need the database (an equipment check not before the
equipment was added) or today (not in the future)."""

from __future__ import annotations

import datetime as dt

EARLIEST_PERSONAL = dt.date(1900, 1, 1)
EARLIEST_EVENT = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
