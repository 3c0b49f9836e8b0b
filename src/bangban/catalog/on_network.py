"""The catalog's subscription to the network's changes (`bangban.network.changes`): an item is found
by its department's name (decision 0062), so the grams of the items of a department added, renamed,
deactivated or reactivated are rewritten.

Called inside the announcing write's transaction, once per county changed; it reads the items of the
departments named in the change (none when only points changed), a few queries per 500 items.
"""

from __future__ import annotations

from bangban.network.changes import NetworkChange

from .actions import index_items
from .models import ServiceItem


def network_changed(change: NetworkChange) -> None:
    """Rewrite the grams of the county's items whose current revision names a department of the
    change (a rename changes what they are found by; the other changes cost a rewrite of nothing
    new)."""
    if not change.departments:
        return
    index_items(
        ServiceItem.objects.filter(
            county=change.county, current__department__in=change.departments
        ).values_list("pk", flat=True)
    )
