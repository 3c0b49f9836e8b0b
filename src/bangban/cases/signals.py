"""`export_requested(export_id)`: sent once the transaction that created a `LedgerExport` has
committed (`actions.request_export`). The task worker's module (`cases.tasks`) listens and queues the
job, so the actions never import the tasks, which call the actions."""

from django.dispatch import Signal

export_requested = Signal()
