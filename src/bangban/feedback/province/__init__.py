"""The provincial 好差评 system, through an adapter (鲁政办发〔2020〕10号; docs/province.md, decision
0052): off by default, on when `BANGBAN_PROVINCE_URL` is set.

- `fields`: the national field set and the explicit conversions (`national_level`, `PF` …);
- `gateway`: `ProvinceGateway` — `OffGateway`, `HttpGateway` — and the HMAC signature;
- `outbox`: `queue_rating` (in the rating's transaction), `queue_new_services`, `deliver_due`,
  `retry_failed`;
- `mirror`: ratings from the province into our store (`mirror`, `pull_ratings`); imported where
  used, as it uses the actions, which use this package;
- `health`: whether the province answers, from the cache;
- `rating_url(case)`: the province's page for the public pages, or None.
"""

from __future__ import annotations

from .fields import PF, from_national_level, national_level
from .gateway import gateway_for
from .health import healthy
from .outbox import deliver_due, enabled, queue_new_services, queue_rating, retry_failed

__all__ = [
    "PF",
    "deliver_due",
    "enabled",
    "from_national_level",
    "national_level",
    "queue_new_services",
    "queue_rating",
    "rating_url",
    "retry_failed",
]


def rating_url(case) -> str | None:
    """The province's rating page for the latest occasion of `case` when the adapter is on and the
    province answers (`health.healthy`: from the cache, or a probe of at most a second, once a
    minute); None otherwise — our own page `/pj/<token>/` is then the one to rate on."""
    if not enabled():
        return None
    occasion = case.occasions.order_by("-sequence").first()
    if occasion is None:
        return None
    gateway = gateway_for()
    if not healthy(gateway):
        return None
    occasion.case = case
    return gateway.rating_url(occasion.number)
