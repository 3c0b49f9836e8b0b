"""(filled by its topic: ratings)."""

from .common import router  # noqa: F401
