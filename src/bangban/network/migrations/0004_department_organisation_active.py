"""Departments and partner organisations can be deactivated (never deleted). Every existing row is
in service: the column is added with the default True, which fills it for them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0003_equipment"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="active",
            field=models.BooleanField(default=True, verbose_name="在用"),
        ),
        migrations.AddField(
            model_name="partnerorganisation",
            name="active",
            field=models.BooleanField(default=True, verbose_name="在用"),
        ),
    ]
