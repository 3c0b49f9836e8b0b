"""The staff app's subscription to the network's changes (`bangban.network.changes`): the county's
training organisers follow its network.

Called inside the announcing write's transaction, once per county changed (a province's division
import: once per county), so it costs a fixed number of queries per county, never per point.
"""

from __future__ import annotations

from bangban.network.changes import NetworkChange

from . import compliance_summary
from .actions import sync_organisers


def network_changed(change: NetworkChange) -> None:
    """Create the organisers the county lacks (the bureau with its county centre, a new department,
    town centre or partner organisation), let their names and being in service follow, and
    recompute which organisers train for the points changed (every point when `change.points` is
    None). A department or organisation changed is picked up whatever the points: its organiser's
    name and state are checked on every change, and a new one is created with all its points."""
    sync_organisers(change.county, by=change.by, points=change.points)
    compliance_summary.changed([change.county.pk])


def facts_changed(counties: frozenset[int] | None) -> None:
    """Memberships, equipment or signage changed at points of `counties`: their compliance
    summary rows are stale (`compliance_summary.changed`)."""
    compliance_summary.changed(counties)
