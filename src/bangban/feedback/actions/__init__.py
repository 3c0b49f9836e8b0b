"""Every write of 好差评, one typed function each, one transaction each (docs/architecture.md
"Inside an app"). By topic: `core` (the rectification locked, the table enforced, the change and
its event), `ratings` (a rating by any channel: the QR page, the paper card, the hall device, the
province), `rectifications` (a bad review put right), `deadlines` (the system's steps: the
follow-up window's end, escalation, the morning warnings), `appeals` (申诉复核), `settings` (the
county's reasons and settings, the devices)."""

from .appeals import decide_appeal, file_appeal, may_appeal, may_decide
from .core import FeedbackError
from .deadlines import close_expired, escalate_overdue, send_warnings
from .ratings import rate_occasion
from .rectifications import (
    answer_follow_up,
    explain,
    finish,
    fix,
    follow_up_link,
    open_rectification,
    record_call,
    rectify,
    reply,
    reveal_phone,
    verify,
)

__all__ = [
    "FeedbackError",
    "answer_follow_up",
    "close_expired",
    "decide_appeal",
    "escalate_overdue",
    "explain",
    "file_appeal",
    "finish",
    "fix",
    "follow_up_link",
    "may_appeal",
    "may_decide",
    "open_rectification",
    "rate_occasion",
    "record_call",
    "rectify",
    "reply",
    "reveal_phone",
    "send_warnings",
    "verify",
]
