"""好差评's JSON API (docs/api.md, 好差评): ratings and the hall devices, rectifications and appeals,
the county's reasons and settings, the figures, and the provincial system's callback.

One router (`common.router`); its operations by topic, added in the documented order."""

# The order of these imports is the order of the operations in the OpenAPI document.
# isort: off
from . import ratings, cards, devices, rectifications, settings, figures, province  # noqa: F401

# isort: on
from .common import router

__all__ = ["router"]
