"""`CaseError`: a rule of the ledger was broken (decision 0016), and where the API says it was.

The API answers 409 at the field sent, or at the case (its number in the path) when its state no
longer allows the action because someone else acted first; 403 when the only problem is who acts
(the workflow table does not give the action to the caller).
"""

from __future__ import annotations

from bangban.kernel.errors import RuleError

#: The fields of `actions.ApplicantData` that `register_case` names as they are.
APPLICANT_FIELDS = {"name", "document_type", "number", "phone", "birth_on"}


class CaseError(RuleError):
    """A rule of the ledger was broken. `errors` maps a field name to Chinese messages."""

    def locate(self, field: str) -> tuple[list, str]:
        """Where a field is, as pydantic would say it, and its kind: "conflict" for the case's
        state or a transfer answered meanwhile (someone acted first), "rule" for the rest."""
        if field == "status":
            return ["path", "number"], "conflict"
        if field == "transfer":
            return ["path", "transfer_id"], "conflict"
        if field == "materials":  # the checklist is not complete enough (accept, complete)
            return ["path", "number"], "rule"
        if field in APPLICANT_FIELDS:
            return ["body", "applicant", field], "rule"
        parts: list = []
        for part in field.split("."):
            # items.<n>.line_id (n from 1) → ["items", n - 1, "line"], as the body names it.
            parts.append(int(part) - 1 if part.isdigit() else "line" if part == "line_id" else part)
        return ["body", *parts], "rule"

    def response(self) -> tuple[int, list[dict]]:
        """403 when the only problem is who acts, 409 otherwise, one item per message."""
        if set(self.errors) == {"by"}:
            return 403, [
                {"loc": [], "msg": msg, "type": "permission_denied"} for msg in self.errors["by"]
            ]
        return super().response()
