"""`calendar_changed(first, last)`: sent after a transaction that changed the working-day calendar
for the days `first`..`last` has committed (an admin entered a year, or corrected a day). Apps whose
stored dates were counted on the calendar listen (the ledger corrects its open deadlines)."""

from django.dispatch import Signal

calendar_changed = Signal()
