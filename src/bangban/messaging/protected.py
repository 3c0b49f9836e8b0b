"""The outbox's protected column, for `bangban rotate-data-key` (`bangban.kernel.rotation`): the
recipient, encrypted; no digest (nothing looks a message up by its phone)."""

from bangban.kernel.rotation import ProtectedColumns

PROTECTED = [ProtectedColumns(model="messaging.Message", encrypted=("recipient_encrypted",))]
