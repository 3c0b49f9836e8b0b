"""The error every write on the network raises when a rule is broken (`kernel.errors.RuleError`),
importable from `network.actions` as before; `staff.actions` subclasses it.
"""

from __future__ import annotations

from bangban.kernel.errors import RuleError


class NetworkError(RuleError):
    """A rule of the network was broken. `errors` maps a field name to Chinese messages."""
