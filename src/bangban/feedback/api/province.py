"""(filled by its topic: province)."""

from .common import router  # noqa: F401
