"""Which service items a user may see or maintain: the catalog scoped through the one gate
(`network.access.catalog_counties`). Items without a revision yet are never shown. "Missing" and "not
allowed" look the same (Http404), as everywhere."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from bangban.network import access

from .models import ServiceItem


def items_for(user, action: access.Action = "view", queryset=None) -> QuerySet[ServiceItem]:
    """The items of the counties whose catalog `user` may see ("view") or maintain ("change")."""
    qs = queryset if queryset is not None else ServiceItem.objects.all()
    return qs.filter(county__in=access.catalog_counties(user, action), current__isnull=False)


def get_item_for(user, pk, action: access.Action = "view", queryset=None) -> ServiceItem:
    """The item `pk` if `user` may `action` it; Http404 whether it is missing or not allowed."""
    try:
        return items_for(user, action, queryset).get(pk=pk)
    except (ServiceItem.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
