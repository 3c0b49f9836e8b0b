"""Supervision's staff pages under /supervision/; each topic's views are in the module named beside
it and list their own `urls`."""

from __future__ import annotations

from . import chart_views, checklist_views, complaint_views, figure_views, inspection_views

app_name = "supervision"

urlpatterns: list = [
    *complaint_views.urls,
    *chart_views.urls,
    *inspection_views.urls,
    *checklist_views.urls,
    *figure_views.urls,
]
