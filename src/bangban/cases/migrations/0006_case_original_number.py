from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_identity_views_and_exports"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="original_number",
            field=models.CharField(
                blank=True, db_index=True, max_length=40, verbose_name="原办件编号"
            ),
        ),
    ]
