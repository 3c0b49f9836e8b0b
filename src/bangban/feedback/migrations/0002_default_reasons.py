"""Every county that exists already gets its first reason set (version 1) from
`feedback/data/default_reasons.csv`; a county made later gets it from `feedback.on_network`."""

import csv
from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "data" / "default_reasons.csv"


def give_default_reasons(apps, schema_editor):
    Region = apps.get_model("network", "Region")
    ReasonSet = apps.get_model("feedback", "ReasonSet")
    Reason = apps.get_model("feedback", "Reason")
    with DEFAULTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    having = set(ReasonSet.objects.values_list("county_id", flat=True))
    for county in Region.objects.filter(level="county").exclude(pk__in=having).order_by("pk"):
        reason_set = ReasonSet.objects.create(county=county, version=1)
        Reason.objects.bulk_create(
            Reason(
                set=reason_set,
                code=row["code"].strip(),
                label=row["label"].strip(),
                polarity=row["polarity"].strip(),
                position=int(row["position"]),
            )
            for row in rows
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(give_default_reasons, migrations.RunPython.noop),
    ]
