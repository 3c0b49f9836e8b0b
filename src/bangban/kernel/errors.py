"""The errors every app raises, and how the API answers them (docs/api.md, decision 0041).

- `RuleError`: a rule of a domain was broken by well-formed input. `errors` maps a field name to
  Chinese messages; a page shows them on the form's fields (`kernel.forms.add_rule_errors`), the API
  answers 409 with one item per message (`response()`). Each app names its own subclass
  (`NetworkError`, `CatalogError`, `CaseError` …) so that callers catch exactly the rules they mean,
  and `bangban/api.py` has one handler for all of them.
- `ApiError` and its two common kinds, `NotVisible` (404 for an id named in a body that the caller
  cannot see) and `Forbidden` (403): an answer of the API in the one error shape, raised by a view.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _


class RuleError(Exception):
    """A rule was broken. `errors` maps a field name to Chinese messages; a row's field is named
    `<list>.<n>.<field>` with n counted from 1 (a catalog item's `materials.2.name`)."""

    def __init__(self, errors: Mapping[str, str | list[str]]):
        self.errors: dict[str, list[str]] = {
            field: [msg] if isinstance(msg, str) else list(msg) for field, msg in errors.items()
        }
        super().__init__("; ".join(f"{f}: {' '.join(m)}" for f, m in self.errors.items()))

    def locate(self, field: str) -> tuple[list, str]:
        """Where `field` is, as pydantic would say it, and the kind of the error: `<list>.<n>.<f>`
        (n from 1) is `["body", <list>, n - 1, <f>]`, anything else `["body", field]`."""
        parts = field.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            return ["body", parts[0], int(parts[1]) - 1, parts[2]], "rule"
        return ["body", field], "rule"

    def response(self) -> tuple[int, list[dict]]:
        """(status, error items) of the API's answer: 409, one item per message."""
        items = []
        for field, messages in self.errors.items():
            loc, kind = self.locate(field)
            items.extend({"loc": loc, "msg": msg, "type": kind} for msg in messages)
        return 409, items


class ApiError(Exception):
    """An error answer in the one shape: status, where, Chinese message, kind."""

    def __init__(self, status: int, loc: list, msg: str, type: str):  # noqa: A002
        self.status, self.loc, self.msg, self.type = status, loc, msg, type
        super().__init__(msg)


class NotVisible(ApiError):
    def __init__(self, field: str, what: str):
        super().__init__(
            404, ["body", field], _("%(what)s不存在或无权访问。") % {"what": what}, "not_found"
        )


class Forbidden(ApiError):
    def __init__(self, loc: list, msg: str):
        super().__init__(403, loc, msg, "permission_denied")
