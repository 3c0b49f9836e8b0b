# The completion order (decision 0072): a list of a range of completion days, in that order, read
# from the index alone at any scope. Partial: a case enters them when it is completed.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0021_region_figures"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("completed_on__isnull", False)),
                fields=["completed_on", "registered_on", "sequence", "id", "county"],
                name="case_completed_order",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("completed_on__isnull", False)),
                fields=["county", "completed_on", "registered_on", "sequence", "id"],
                name="case_county_completed",
            ),
        ),
    ]
