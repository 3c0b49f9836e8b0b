"""Every write of 好差评, one typed function each, one transaction each (docs/architecture.md
"Inside an app"). By topic: `core` (the rectification locked, the table enforced, the change and
its event), `ratings` (a rating by any channel: the QR page, the paper card, the hall device, the
province), `rectifications` (a bad review put right), `appeals` (申诉复核), `settings` (the county's
reasons and settings, the devices)."""

from .core import FeedbackError
from .ratings import rate_occasion
from .rectifications import open_rectification

__all__ = ["FeedbackError", "open_rectification", "rate_occasion"]
