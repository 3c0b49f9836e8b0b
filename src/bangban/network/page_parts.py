"""What several network pages share: the paging, the points above a point (its breadcrumbs), its
visible children, the people bound to it, its equipment card, and the posting of a form to an action. Each is read through the gate and
runs a fixed number of queries whatever the size of the network."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone

from . import access, actions
from .forms import add_network_errors
from .models import Equipment, Role, ServicePoint

Kind = ServicePoint.Kind
PAGE_SIZE = 50

#: Kinds in the order a county centre lists its children.
KIND_RANK = Case(
    *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(Kind.values)),
    output_field=IntegerField(),
)

#: Roles in the order of Role (highest first).
ROLE_RANK = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(Role.values)),
    output_field=IntegerField(),
)


def children_of(user, point: ServicePoint):
    """The visible children of `point`, each with the number of points directly under it."""
    return (
        access.points_for(user, "view")
        .filter(parent=point)
        .select_related("region", "organisation", "department", "domain")
        .annotate(kind_rank=KIND_RANK, child_count=Count("children"))
        .order_by("kind_rank", "domain__position", "region__code", "name", "id")
    )


def page(request, queryset, size: int = PAGE_SIZE):
    paginator = Paginator(queryset, size)
    return paginator.get_page(request.GET.get("page"))


def ancestors(user, point: ServicePoint) -> list[ServicePoint]:
    """The points above `point` that `user` may see, top first (one query)."""
    ids = point.ancestor_ids
    if not ids:
        return []
    found = {p.pk: p for p in access.points_for(user, "view").filter(pk__in=ids).only("id", "name")}
    return [found[i] for i in ids if i in found]


def people_at(user, point: ServicePoint):
    """The memberships bound to `point`, highest role first (one query, through the gate)."""
    return (
        access.memberships_for(user)
        .filter(point=point)
        .select_related("user")
        .annotate(role_rank=ROLE_RANK)
        .order_by("role_rank", "user__username", "id")
    )


def equipment_context(point: ServicePoint) -> dict:
    """The point page's equipment card: one query for every line with its last and next check."""
    today = timezone.localdate()
    rows = list(
        point.equipment.select_related("kind", "responsible")
        .with_check_dates()
        .order_by("state", "kind__position", "id")
    )
    for row in rows:
        row.overdue = row.state != Equipment.State.RETIRED and row.next_check_on < today
    return {"equipment": rows, "today": today}


def posted(request, form, write) -> tuple[bool, object]:
    """Run `write()` when `form` was posted and is valid: `(True, its result)`. An action's
    `NetworkError` goes back on the form and gives `(False, None)`, as does a GET or an invalid form."""
    if request.method != "POST" or not form.is_valid():
        return False, None
    try:
        return True, write()
    except actions.NetworkError as error:
        add_network_errors(form, error)
        return False, None
