"""Every write of 好差评, one typed function each, one transaction each (docs/architecture.md
"Inside an app"). By topic: `core` (the rectification locked, the table enforced, the change and
its event), `ratings` (a rating by any channel: the QR page, the paper card, the hall device, the
province), `rectifications` (a bad review put right), `deadlines` (the system's steps: the
follow-up window's end, escalation, the morning warnings), `appeals` (申诉复核), `settings` (the
county's reasons and settings), `cards` (a paper rating card entered by staff), `devices` (the hall
rating devices: registered, deactivated, an occasion pushed, rated)."""

from .appeals import decide_appeal, file_appeal, may_appeal, may_decide
from .cards import enter_card
from .core import FeedbackError
from .deadlines import close_expired, escalate_overdue, send_warnings
from .devices import deactivate_device, push_occasion, rate_on_device, register_device
from .ratings import rate_occasion
from .rectifications import (
    answer_follow_up,
    close_answered,
    explain,
    finish,
    fix,
    follow_up_link,
    open_for,
    open_rectification,
    record_call,
    rectify,
    reply,
    reveal_phone,
    verify,
)
from .settings import give_default_reasons, save_reason_set, set_policy

__all__ = [
    "FeedbackError",
    "answer_follow_up",
    "close_answered",
    "close_expired",
    "deactivate_device",
    "decide_appeal",
    "enter_card",
    "escalate_overdue",
    "explain",
    "file_appeal",
    "finish",
    "fix",
    "follow_up_link",
    "give_default_reasons",
    "may_appeal",
    "may_decide",
    "open_for",
    "open_rectification",
    "push_occasion",
    "rate_occasion",
    "rate_on_device",
    "record_call",
    "rectify",
    "register_device",
    "reply",
    "reveal_phone",
    "save_reason_set",
    "send_warnings",
    "set_policy",
    "verify",
]
