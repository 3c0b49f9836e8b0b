"""好差评's staff pages under /feedback/; each topic's views are in the module named beside it and
list their own `urls`."""

from __future__ import annotations

from . import figure_views, rating_views

app_name = "feedback"

urlpatterns: list = [*rating_views.urls, *figure_views.urls]
