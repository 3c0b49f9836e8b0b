"""(filled by its topic: rectifications)."""

from .common import router  # noqa: F401
