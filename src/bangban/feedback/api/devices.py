"""(filled by its topic: devices)."""

from .common import router  # noqa: F401
