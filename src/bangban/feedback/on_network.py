"""The feedback app's subscription to the network's changes (`bangban.network.changes`): a county
the network has just made (a division import, a new county centre) gets its first reason set, from
`data/default_reasons.csv`. One query when the county has one already."""

from __future__ import annotations

from bangban.network.changes import NetworkChange

from .actions.settings import give_default_reasons
from .models import ReasonSet


def network_changed(change: NetworkChange) -> None:
    if not ReasonSet.objects.filter(county=change.county).exists():
        give_default_reasons(change.county, by=change.by)
