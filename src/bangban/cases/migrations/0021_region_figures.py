# A region's live figures read from indexes alone (decision 0071): the open cases by county with
# what their warnings are read from, and the completion tallies with their sums.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_county_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("awaiting_materials", "in_progress", "registered", "suspended"))
                ),
                fields=[
                    "county",
                    "status",
                    "promised_deadline",
                    "deemed_deadline",
                    "received_on",
                    "id",
                ],
                name="case_open_figures",
            ),
        ),
        migrations.AddIndex(
            model_name="completiontally",
            index=models.Index(
                fields=["county", "day", "completed", "on_time"], name="completion_sums"
            ),
        ),
    ]
