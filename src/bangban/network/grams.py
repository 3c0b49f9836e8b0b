"""Keeping the directory's grams right (decision 0069): `index_points` and `index_users` rewrite
the grams (`PointGram`, `UserGram`) of the points and users given from their names as the database
holds them now. Every write of a point's name (`actions.create_point`, `actions.update_point`, the
division import) or of a user's names (`accounts.create_account`, and so the helper spreadsheet;
the demos' bulk writes) calls one of them in its own transaction. A few queries per 500 rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from .gram_models import PointGram, UserGram, point_grams, user_grams
from .models import ServicePoint

CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def index_points(point_ids: Iterable[int]) -> None:
    """Rewrite the grams of the points `point_ids` from their names."""
    for chunk in _chunks(point_ids):
        PointGram.objects.filter(point_id__in=chunk).delete()
        PointGram.objects.bulk_create(
            [
                PointGram(point_id=pk, gram=gram)
                for pk, name in ServicePoint.objects.filter(pk__in=chunk).values_list("pk", "name")
                for gram in point_grams(name)
            ],
            batch_size=5000,
        )


def index_users(user_ids: Iterable[int]) -> None:
    """Rewrite the grams of the users `user_ids` from their first and last names."""
    User = get_user_model()
    for chunk in _chunks(user_ids):
        UserGram.objects.filter(user_id__in=chunk).delete()
        UserGram.objects.bulk_create(
            [
                UserGram(user_id=pk, gram=gram)
                for pk, first, last in User.objects.filter(pk__in=chunk).values_list(
                    "pk", "first_name", "last_name"
                )
                for gram in user_grams(first, last)
            ],
            batch_size=5000,
        )
