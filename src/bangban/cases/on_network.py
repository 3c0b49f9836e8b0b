"""The ledger's subscription to the network's changes (`bangban.network.changes`): when points
move (`update_point`) or any point of a county may have changed (a division import), the scope
columns of the cases at those points are rewritten (decision 0061), in the network write's
transaction. A rename or a new point changes no path: one read finds nothing stale."""

from __future__ import annotations

from bangban.network.changes import NetworkChange

from .actions.paths import cases_at, refresh_paths
from .models import Case


def network_changed(change: NetworkChange) -> None:
    if change.points is None:
        refresh_paths(Case.objects.filter(county=change.county))
    elif change.points:
        refresh_paths(cases_at(sorted(change.points)))
