"""The feedback app's rule error: `{field: [messages]}`, answered by the API's one handler as a 409
at the field (403 when the only problem is who acts) and put back on a page's form by
`kernel.forms.add_rule_errors`."""

from __future__ import annotations

from bangban.kernel.errors import RuleError


class FeedbackError(RuleError):
    """A rating, rectification or appeal refused by a rule; nothing was written."""

    def locate(self, field: str) -> tuple[list, str]:
        if field == "status":
            return ["path", "id"], "conflict"
        return super().locate(field)

    def response(self) -> tuple[int, list[dict]]:
        if set(self.errors) == {"by"}:
            return 403, [
                {"loc": [], "msg": msg, "type": "permission_denied"} for msg in self.errors["by"]
            ]
        return super().response()
