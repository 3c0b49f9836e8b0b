"""好差评's staff pages under /feedback/; each topic's views are in the module named beside it and
list their own `urls`."""

from __future__ import annotations

from . import (
    appeal_views,
    card_views,
    chart_views,
    device_views,
    figure_views,
    rating_views,
    rectification_views,
    settings_views,
)

app_name = "feedback"

urlpatterns: list = [
    *rating_views.urls,
    *figure_views.urls,
    *chart_views.urls,
    *rectification_views.urls,
    *appeal_views.urls,
    *card_views.urls,
    *device_views.urls,
    *settings_views.urls,
]
