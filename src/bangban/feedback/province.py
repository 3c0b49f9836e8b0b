"""The provincial 好差评 system, through an adapter (鲁政办发〔2020〕10号): off by default."""

from __future__ import annotations

from django.conf import settings


def enabled() -> bool:
    """Whether the adapter is on (`BANGBAN_PROVINCE_RATING_URL` set)."""
    return bool(getattr(settings, "PROVINCE_RATING_URL", ""))


def queue_rating(rating) -> None:
    """Owe the province `rating` (in the rating's transaction), when the adapter is on."""
    if not enabled():
        return
