"""好差评's staff pages under /feedback/; each topic's views are in the module named beside it and
list their own `urls`."""

from __future__ import annotations

app_name = "feedback"

urlpatterns: list = []
