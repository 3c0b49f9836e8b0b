"""The director's mailbox (局长信箱) under /mailbox/: public, no login (`public_views`)."""

from __future__ import annotations

from . import public_views

app_name = "mailbox"

urlpatterns: list = [*public_views.urls]
