# The open cases' index carries the ledger's order too (decision 0072): a scope's yellow or red
# cards in that order from the index alone.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0022_completed_order"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_open_figures"),
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
                    "registered_on",
                    "sequence",
                    "id",
                ],
                name="case_open_figures",
            ),
        ),
    ]
