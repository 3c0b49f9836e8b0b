"""好差评's staff pages under /feedback/; each topic's views are in the module named beside it and
list their own `urls`."""

from __future__ import annotations

from . import card_views, device_views, settings_views

app_name = "feedback"

urlpatterns: list = [*card_views.urls, *device_views.urls, *settings_views.urls]
