"""Stub: replaced by its helper."""
