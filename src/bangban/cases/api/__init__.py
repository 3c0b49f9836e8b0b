"""The case ledger's JSON API: register, list (the ledger's one filter), read, and one POST per action
(see docs/api.md, 办件, and decision 0016).

Thin, like catalog/api.py: validate, ask the gate (`cases.scope`), call an action in
`cases.actions` or a queryset, render. Document numbers and phones are always masked in answers.

Status codes: 401 no or bad token; 403 a case (or point) the caller sees but may not act on, or an
action the workflow table does not give them; 404 missing or not visible (also ids named in a body);
409 well-formed but against a rule of the ledger (`CaseError`, located at the field sent), including
an action the case's state no longer allows because someone else acted first; 422 malformed input.

One router (`common.router`); its operations by topic, added in the documented order: `reads`
(list, search, a case, its events), `registration`, `case_actions` (the actions and transfer
answers). `rendering` turns cases into answers.
"""

# The order of these imports is the order of the operations in the OpenAPI document.
# isort: off
from . import reads, registration, case_actions  # noqa: F401 - they add their operations

# isort: on
from .common import router

__all__ = ["router"]
