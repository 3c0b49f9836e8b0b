"""(filled by its topic: settings)."""

from .common import router  # noqa: F401
