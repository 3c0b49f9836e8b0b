"""What the staff pages share: paging and where each helper serves."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Prefetch

from ..helper_filter import serving_places
from ..qualification import reasons_from_training

PAGE_SIZE = 50


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _places(user) -> Prefetch:
    """Where each helper serves, among the points the user may see."""
    return serving_places(user, "point__name", "id")


def _with_reasons(helpers, on: dt.date):
    for helper in helpers:
        helper.reasons = reasons_from_training(helper, on)
    return helpers
