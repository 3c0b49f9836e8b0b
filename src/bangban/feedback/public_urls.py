"""The public rating pages under /pj/ (评价): what the receipt's QR code and the SMS link open
(`/pj/<token>/`; the SMS link adds `?from=sms` so that the rating's channel is the text's)."""

from __future__ import annotations

from django.urls import path

from . import public_views

app_name = "rate"

urlpatterns = [
    path("<str:token>/", public_views.case, name="case"),
    path("<str:token>/thanks/", public_views.thanks, name="thanks"),
]
