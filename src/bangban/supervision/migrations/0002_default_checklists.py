"""Every county that exists already gets the default inspection checklist ("帮办代办服务点督查评分表")
from `supervision/data/default_checklist.csv`, unless it has a checklist; a county made later gets it
from `supervision.on_network`."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "data" / "default_checklist.csv"
NAME = "帮办代办服务点督查评分表"


def give_default_checklists(apps, schema_editor):
    Region = apps.get_model("network", "Region")
    Checklist = apps.get_model("supervision", "Checklist")
    ChecklistSection = apps.get_model("supervision", "ChecklistSection")
    ChecklistItem = apps.get_model("supervision", "ChecklistItem")
    with DEFAULTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    titles = list(dict.fromkeys(row["section"].strip() for row in rows))
    having = set(Checklist.objects.values_list("county_id", flat=True))
    for county in Region.objects.filter(level="county").exclude(pk__in=having).order_by("pk"):
        checklist = Checklist.objects.create(county=county, name=NAME, active=True)
        for order, title in enumerate(titles):
            section = ChecklistSection.objects.create(checklist=checklist, title=title, order=order)
            ChecklistItem.objects.bulk_create(
                ChecklistItem(
                    section=section,
                    text=row["text"].strip(),
                    points=Decimal(row["points"]),
                    deduction=Decimal(row["deduction"]),
                    cap=Decimal(row["cap"]),
                    method=row["method"].strip(),
                    photo_required=row["photo_required"].strip().lower() == "true",
                    applies_to=[v.strip() for v in row["applies_to"].split("|") if v.strip()],
                    order=j,
                )
                for j, row in enumerate(r for r in rows if r["section"].strip() == title)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(give_default_checklists, migrations.RunPython.noop),
    ]
