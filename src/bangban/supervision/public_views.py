"""Stub: the public pages of the director's mailbox (局长信箱), replaced by its helper."""

urls: list = []
