"""Bangban (帮办): a county's three-level government-service assisted and proxy handling system."""

__version__ = "0.1.0"
