# The ledger's order index carries the county and the completion day (decision 0061).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_completion_tallies"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="case_registered_order",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["registered_on", "sequence", "id", "county", "completed_on"],
                name="case_registered_order",
            ),
        ),
    ]
