"""Stub: replaced by its helper."""

urls: list = []
