"""The supervision app's rule error: `{field: [messages]}`, answered by the API's one handler as a
409 at the field (403 when the only problem is who acts) and put back on a page's form by
`kernel.forms.add_rule_errors`."""

from __future__ import annotations

from bangban.feedback.errors import FeedbackError


class SupervisionError(FeedbackError):
    """A complaint, ticket or inspection refused by a rule; nothing was written."""
