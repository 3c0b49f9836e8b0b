"""(filled by its topic: figures)."""

from .common import router  # noqa: F401
