"""The feedback app's subscription to the network's changes (`bangban.network.changes`):

- a county the network has just made (a division import, a new county centre) gets its first
  reason set, from `data/default_reasons.csv` (one query when the county has one already);
- when points move (`update_point`: the moved point and everything under it) or any point of a
  county may have changed (a division import), the `point_path` of the ratings and rectifications
  at those points is rewritten (decision 0066), in the network write's transaction: one read of
  the stale rows per table, nothing written when no path changed (a rename).
"""

from __future__ import annotations

from bangban.network.changes import NetworkChange
from bangban.network.paths import refresh_point_path

from .actions.settings import give_default_reasons
from .models import Rating, ReasonSet, Rectification


def network_changed(change: NetworkChange) -> None:
    if not ReasonSet.objects.filter(county=change.county).exists():
        give_default_reasons(change.county, by=change.by)
    refresh_point_path(Rating.objects.all(), change)
    refresh_point_path(Rectification.objects.all(), change)
