"""The helper list's filter, said once for the helpers page (`staff/views`) and `GET /helpers`
(`staff/api`), as `cases.ledger.LedgerFilter` is for the ledger: each front end reads its own
parameters, then narrows the helpers in scope (`scope.helpers_for`) here, and shows where each
serves (`serving_places`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from bangban.network import access
from bangban.network.models import Membership, Region, ServicePoint

from .models import Helper


def serving_at(points) -> Exists:
    """The helper serves (helper or point lead) at one of `points` (point ids, or a queryset of
    them)."""
    return Exists(Membership.objects.serving(at=points).filter(user=OuterRef("user_id")))


def serving_places(user, *order: str, via: str = "user__memberships") -> Prefetch:
    """Where each helper (`via` "user__memberships") or account (`via` "memberships") serves,
    among the points `user` may see, in `order`: a prefetch to the attribute `serving`."""
    return Prefetch(
        via,
        queryset=Membership.objects.serving(at=access.points_for(user, "view").values("pk"))
        .select_related("point")
        .order_by(*order),
        to_attr="serving",
    )


@dataclass(frozen=True)
class HelperFilter:
    """What a list of helpers is narrowed to: serving at a point (its id) or at a point in a town
    (the town's 9-digit code), qualified today or not, and a name or username."""

    point: int | None = None
    town: str = ""
    qualified: bool | None = None
    text: str = ""

    @property
    def filtered(self) -> bool:
        return bool(self.text or self.point or self.town or self.qualified is not None)

    def apply(self, helpers: QuerySet[Helper], on: dt.date) -> QuerySet[Helper]:
        """Narrow `helpers` (already scoped to the user) to this filter; `on` is the day
        "qualified" is judged on."""
        qs = helpers
        if self.point is not None:
            qs = qs.filter(serving_at([self.point]))
        if self.town:
            low, high = Region(code=self.town[:9]).code_range
            in_town = ServicePoint.objects.filter(region__code__gte=low, region__code__lt=high)
            qs = qs.filter(serving_at(in_town.values("pk")))
        if self.qualified is not None:
            ids = Helper.objects.qualified(on).values("pk")
            qs = qs.filter(pk__in=ids) if self.qualified else qs.exclude(pk__in=ids)
        text = self.text.strip()
        if text:
            qs = qs.filter(
                Q(user__username__icontains=text)
                | Q(user__first_name__contains=text)
                | Q(user__last_name__contains=text)
            )
        return qs
