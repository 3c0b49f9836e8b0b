"""What the network announces to the apps built on it.

`network` comes first in the app order and imports no later app, yet later apps keep things that
follow the network: the training organisers (staff) cover points, and a case's scope will be kept on
the case. So every write that changes a county's points, departments or partner organisations calls
`announce`, and each later app that cares has a module `on_network.py` with a function
`network_changed(change)`, found the way `bangban demo` finds each app's `demo.extend_demo`: by
name, in INSTALLED_APPS order. Subscribers run inside the announcing write's transaction, so what
they keep is never out of step with the network: if one fails, the whole write is undone.

Not Django signals: a signal fires from `save()` wherever it is called (bulk writes skip it), and
the workflow and the audit trail must not depend on it (docs/architecture.md "Inside an app").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps

from .models import Region


@dataclass(frozen=True)
class NetworkChange:
    """A change to one county's network.

    `points`: the ids of the points added, moved, renamed, re-bound (domain, department,
    organisation) or taken in or out of service — or None when any point of the county may have
    changed (a division import). `departments` and `organisations`: the ids of those added,
    renamed, deactivated or reactivated. `by`: who made the change (None for the system)."""

    county: Region
    by: object = None
    points: frozenset[int] | None = frozenset()
    departments: frozenset[int] = frozenset()
    organisations: frozenset[int] = frozenset()


def later_app_modules(module: str) -> Iterator[ModuleType]:
    """Each project app's module `module` (`"demo"`, `"on_network"`) after the network, in
    INSTALLED_APPS order (the order the apps depend on each other); apps without one are skipped."""
    for config in apps.get_app_configs():
        name = f"{config.name}.{module}"
        if (
            config.name != "bangban.network"
            and config.name.startswith("bangban.")
            and find_spec(name)
        ):
            yield import_module(name)


def announce(
    county: Region,
    *,
    by,
    points: Iterable[int] | None = (),
    departments: Iterable[int] = (),
    organisations: Iterable[int] = (),
) -> NetworkChange:
    """Tell every subscribing app about a change to `county`'s network; call it inside the write's
    transaction, after the write."""
    change = NetworkChange(
        county=county,
        by=by,
        points=None if points is None else frozenset(points),
        departments=frozenset(departments),
        organisations=frozenset(organisations),
    )
    for module in later_app_modules("on_network"):
        subscriber = getattr(module, "network_changed", None)
        if subscriber is not None:
            subscriber(change)
    return change


def facts_changed(counties: Iterable[int | None] | None) -> None:
    """Tell every subscribing app that what is recorded at some points of `counties` (ids; None:
    every county) changed without the network itself changing: who serves there (a membership),
    their equipment or its checks, their signage. Each later app's `on_network.facts_changed`, if
    it has one, runs inside the write's transaction (the staff app's compliance summary counts
    these facts: docs/decisions/0063-compliance-summary.md)."""
    ids = None if counties is None else frozenset(c for c in counties if c is not None)
    if ids is not None and not ids:
        return
    for module in later_app_modules("on_network"):
        subscriber = getattr(module, "facts_changed", None)
        if subscriber is not None:
            subscriber(ids)
