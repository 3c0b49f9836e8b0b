"""Who may keep the working-day calendar: the calendar's policy, built on the one gate
(`network.access`; docs/decisions/0043-reads-and-scope-idiom.md). The calendar serves the whole
deployment, so it is kept by the deployment's top region (docs/decisions/0011-working-day-calendar.md);
everyone signed in reads it.
"""

from __future__ import annotations

from bangban.network import access
from bangban.network.models import Region, Role


def top_region() -> Region | None:
    """The deployment's top region: the one region with no parent (a province deployment's province,
    a county deployment's county). None when there are several roots (then only a superuser may act
    for the whole deployment)."""
    roots = list(Region.objects.filter(parent__isnull=True).order_by("pk")[:2])
    return roots[0] if len(roots) == 1 else None


def can_edit_calendar(user) -> bool:
    """May `user` correct the working-day calendar and enter a new year? The calendar serves the whole
    deployment, so only a superuser or a region admin bound to the deployment's top region (see
    `top_region`; docs/decisions/0011-working-day-calendar.md)."""
    if access.is_superuser(user):
        return True
    if not getattr(user, "is_active", False):
        return False
    # A region with a parent is never the top: only an admin of a root region costs a query.
    admin_regions = {
        m.region_id
        for m in access.memberships(user)
        if m.role == Role.REGION_ADMIN and m.region.parent_id is None
    }
    if not admin_regions:
        return False
    top = top_region()
    return top is not None and top.pk in admin_regions
