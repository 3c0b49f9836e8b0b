"""The public rating pages under /pj/ (评价): what the receipt's QR code and the SMS link open."""

from __future__ import annotations

app_name = "rate"

urlpatterns: list = []
