"""The supervision app's subscription to the network's changes (`bangban.network.changes`): a county
the network has just made (a division import, a new county centre) gets its first inspection
checklist, from `data/default_checklist.csv`. One query when the county has one already."""

from __future__ import annotations

from bangban.network.changes import NetworkChange

from .actions.checklists import give_default_checklist
from .models import Checklist


def network_changed(change: NetworkChange) -> None:
    if not Checklist.objects.filter(county=change.county).exists():
        give_default_checklist(change.county, by=change.by)
