"""The supervision app's subscription to the network's changes (`bangban.network.changes`):

- a county the network has just made (a division import, a new county centre) gets its first
  inspection checklist, from `data/default_checklist.csv` (one query when the county has one
  already);
- when points move or any point of a county may have changed (a division import), the
  `point_path` of the complaints and inspections at those points is rewritten (decision 0066), in
  the network write's transaction (the rectifications are `feedback.on_network`'s).
"""

from __future__ import annotations

from bangban.network.changes import NetworkChange
from bangban.network.paths import refresh_point_path

from .actions.checklists import give_default_checklist
from .models import Checklist, Complaint, Inspection


def network_changed(change: NetworkChange) -> None:
    if not Checklist.objects.filter(county=change.county).exists():
        give_default_checklist(change.county, by=change.by)
    refresh_point_path(Complaint.objects.all(), change)
    refresh_point_path(Inspection.objects.all(), change)
