"""The case ledger (工作台账): applicants, cases, their materials checklist and their events.

Every write goes through `cases.actions`; `Case.status` is written only there, by the workflow table
(`cases.workflow`). Dates are local dates (Asia/Shanghai); datetimes end in `_at`.

One module per topic; every model and read is importable from `bangban.cases.models` (Django finds
the app's models through this package): `applicants` (and the grams of their names), `clock`
(deemed acceptance, deadlines, warnings), `cases` (the case, its reads and counters), `materials`
(checklist and notices), `transfers` (transfers and authorisations), `history` (events and identity
views), `requests` (background exports and idempotency keys), `occasions` (each time the applicant
was served: what a rating rates), `tallies` (completions per county and day: the figures' summary
rows).
"""

from .applicants import Applicant, ApplicantGram, applicant_grams
from .cases import Case, CaseCounter, CaseQuerySet, attach_names
from .clock import (
    DEEMABLE,
    NEAR_DEADLINE,
    NOTICE_WINDOW,
    OPEN_STATES,
    OVERDUE,
    Clock,
    ReadingDay,
    clock_of,
    deadline_values,
    deemed_cutoff,
    deemed_due,
    next_working_day,
    notice_in_time,
    open_warning_q,
    warning_of,
    warning_q,
)
from .history import CaseEvent, IdentityView
from .materials import CaseMaterial, Notice, NoticeLine
from .occasions import Occasion, OccasionQuerySet
from .requests import IdempotencyKey, LedgerExport
from .tallies import CompletionTally, count_completion, counted_from_cases
from .transfers import LEVEL_OF_KIND, Authorisation, Transfer

__all__ = [
    "DEEMABLE",
    "LEVEL_OF_KIND",
    "NEAR_DEADLINE",
    "NOTICE_WINDOW",
    "OPEN_STATES",
    "OVERDUE",
    "Applicant",
    "ApplicantGram",
    "Authorisation",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseMaterial",
    "CaseQuerySet",
    "Clock",
    "IdempotencyKey",
    "IdentityView",
    "LedgerExport",
    "Notice",
    "NoticeLine",
    "Occasion",
    "OccasionQuerySet",
    "ReadingDay",
    "Transfer",
    "CompletionTally",
    "count_completion",
    "counted_from_cases",
    "applicant_grams",
    "attach_names",
    "clock_of",
    "deadline_values",
    "deemed_cutoff",
    "deemed_due",
    "next_working_day",
    "notice_in_time",
    "open_warning_q",
    "warning_of",
    "warning_q",
]
