"""Every write of 好差评, one typed function each, one transaction each (docs/architecture.md
"Inside an app"). By topic: `core` (the rectification locked, the table enforced, the change and
its event), `ratings` (a rating by any channel: the QR page, the paper card, the hall device, the
province), `rectifications` (a bad review put right), `appeals` (申诉复核), `settings` (the county's
reasons and settings), `cards` (a paper rating card entered by staff), `devices` (the hall rating
devices: registered, deactivated, an occasion pushed, rated)."""

from .cards import enter_card
from .core import FeedbackError
from .devices import deactivate_device, push_occasion, rate_on_device, register_device
from .ratings import rate_occasion
from .rectifications import open_rectification
from .settings import give_default_reasons, save_reason_set, set_policy

__all__ = [
    "FeedbackError",
    "deactivate_device",
    "enter_card",
    "give_default_reasons",
    "open_rectification",
    "push_occasion",
    "rate_occasion",
    "rate_on_device",
    "register_device",
    "save_reason_set",
    "set_policy",
]
