"""Supervision's JSON API (docs/api.md, 监督检查): complaints and requests, inspections, the county's
checklists, the figures, and the 12345 platform's callback.

One router (`common.router`); its operations by topic, added in the documented order."""

# The order of these imports is the order of the operations in the OpenAPI document.
# isort: off
from . import complaints, inspections, checklists, figures, hotline  # noqa: F401

# isort: on
from .common import router

__all__ = ["router"]
