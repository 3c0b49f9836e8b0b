# A county's ledger order carrying the completion day; the county's own index, which both it and the
# unique sequence begin with, dropped (decision 0061, last section).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_applicant_grams"),
        ("network", "0006_special_supervisor"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["county", "registered_on", "sequence", "id", "completed_on"],
                name="case_county_order",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="county",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.region",
                verbose_name="所属县",
            ),
        ),
    ]
