"""Writes on the ledger. One transaction each, the case row locked where two people could act at once;
each appends exactly one event to the case's timeline (`cases.events`) and queues the applicant's
message through the outbox (`cases.notifications`).

Scope is asked by the callers through `cases.scope`; these functions hold the ledger's own rules
(the workflow table, the clock, who may be responsible) and raise `CaseError` naming every problem.

One module per topic (decision 0046), each written on `core` (the error, the lock, the workflow
table enforced, the change and its event, the service occasion an action records: `_serve`,
decision 0048) and `deemed` (deemed acceptance, applied first by every
action):

- `applicants`: what is typed about an applicant, checked and stored, and the grams of the names
  (`index_applicants`, decision 0070);
- `registration`: 登记;
- `materials`: 收取材料 and the one-time notice (一次性告知);
- `clock`: 受理, 中止, 恢复, 延长, 办结, 撤回;
- `refusal`: 不予受理; `progress`: 进度反馈; `visits`: 上门服务;
- `transfers`: 转办 and its answers and escalation;
- `deadlines`: corrections when the calendar changes, and the yellow and red warnings;
- `reveals`: full ID numbers and authorisation scans, logged;
- `excel`: the background export asked for, and the historical import.

Rules and reads that write nothing live beside the actions, not in them: numbering in
`cases.numbering`, `direction_between` and `recomputed_deadlines` in `cases.rules`, `may_reveal` in
`cases.scope`. Callers import every action from here (`from bangban.cases.actions import …`); the
names of those rules are kept here too for them.
"""

from ..numbering import case_number, next_sequence, rating_cards
from ..rules import direction_between, recomputed_deadlines
from ..scope import REVEAL_ACTION, may_reveal
from .applicants import CREDIT_CODE, ApplicantData, index_applicants, phone_columns
from .clock import (
    accept_case,
    complete_case,
    extend_case,
    resume_case,
    suspend_case,
    withdraw_case,
)
from .core import CaseError
from .deadlines import correct_deadlines, send_warnings
from .deemed import DEEMED_FIELDS, apply_deemed_acceptance
from .excel import (
    IMPORTABLE_STATES,
    ImportedCase,
    check_imported_cases,
    import_cases,
    request_export,
)
from .materials import NoticeItem, issue_notice, set_material_status
from .progress import record_progress
from .refusal import refuse_case
from .registration import (
    EARLIEST_RECEIPT,
    AuthorisationData,
    Registration,
    register_case,
    registration_errors,
    scan_problem,
)
from .reveals import SCAN_TYPES, authorisation_scan, reveal_number
from .transfers import (
    accept_transfer,
    decline_transfer,
    escalate_transfers,
    transfer_case,
)
from .visits import record_home_visit

__all__ = [
    "CREDIT_CODE",
    "DEEMED_FIELDS",
    "EARLIEST_RECEIPT",
    "IMPORTABLE_STATES",
    "REVEAL_ACTION",
    "SCAN_TYPES",
    "ApplicantData",
    "AuthorisationData",
    "CaseError",
    "ImportedCase",
    "NoticeItem",
    "Registration",
    "accept_case",
    "accept_transfer",
    "apply_deemed_acceptance",
    "authorisation_scan",
    "case_number",
    "check_imported_cases",
    "complete_case",
    "correct_deadlines",
    "decline_transfer",
    "direction_between",
    "escalate_transfers",
    "extend_case",
    "import_cases",
    "index_applicants",
    "issue_notice",
    "may_reveal",
    "next_sequence",
    "phone_columns",
    "rating_cards",
    "recomputed_deadlines",
    "record_home_visit",
    "record_progress",
    "refuse_case",
    "register_case",
    "registration_errors",
    "request_export",
    "resume_case",
    "reveal_number",
    "scan_problem",
    "send_warnings",
    "set_material_status",
    "suspend_case",
    "transfer_case",
    "withdraw_case",
]
