"""Seed the calendar table from the installed chinesecalendar package (2004 through its last year), so
that a fresh `migrate` has it. Later years: `bangban calendar sync`, or an admin enters them."""

from django.db import migrations


def seed(apps, schema_editor):
    from bangban.workdays.seeding import sync_years

    sync_years(apps.get_model("workdays", "CalendarYear"), apps.get_model("workdays", "CalendarDay"))


def unseed(apps, schema_editor):
    apps.get_model("workdays", "CalendarDay").objects.all().delete()
    apps.get_model("workdays", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
