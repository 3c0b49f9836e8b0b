"""`bangban calendar sync [--force]`: bring the calendar table up to the installed chinesecalendar."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangban.workdays import calendar
from bangban.workdays.models import CalendarDay, CalendarYear
from bangban.workdays.seeding import sync_years
from bangban.workdays.signals import calendar_changed


class Command(BaseCommand):
    help = (
        "sync: add the years the installed chinesecalendar package knows to the calendar table. "
        "Years an admin entered are kept unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["sync"], help="sync: re-seed from the package")
        parser.add_argument(
            "--force",
            action="store_true",
            help="also overwrite years an admin entered (source=admin) with the package's data",
        )

    def handle(self, *args, subcommand: str, force: bool, **options):
        if subcommand != "sync":  # pragma: no cover - argparse refuses other values
            raise CommandError(f"unknown subcommand {subcommand}")
        with transaction.atomic():
            report = sync_years(CalendarYear, CalendarDay, force=force)
            transaction.on_commit(calendar.invalidate)
        calendar.invalidate()
        for year in report["added"] + report["updated"]:
            calendar_changed.send(
                sender=CalendarDay, first=dt.date(year, 1, 1), last=dt.date(year, 12, 31)
            )

        def years(key):
            return ", ".join(str(y) for y in report[key]) or "-"

        self.stdout.write(f"added: {years('added')}")
        self.stdout.write(f"updated: {years('updated')}")
        self.stdout.write(
            f"kept (entered by an admin; --force to overwrite): {years('kept_admin')}"
        )
        self.stdout.write(f"unchanged: {len(report['unchanged'])} years")
