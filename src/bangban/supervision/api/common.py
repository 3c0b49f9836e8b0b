"""The supervision API's router and what its operations share."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["supervision"])
