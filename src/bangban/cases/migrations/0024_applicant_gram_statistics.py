# PostgreSQL keeps the frequencies of up to 1,000 of the applicants' name grams, where its default
# of 100 left a common surname (王, held by 1 % of the names) estimated at the average gram's count
# (decision 0075). SQLite keeps no such statistics: kernel.search.among decides for it.

from django.db import migrations

TABLE = "cases_applicantgram"


def raise_target(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN gram SET STATISTICS 1000")
        schema_editor.execute(f"ANALYZE {TABLE}")


def default_target(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN gram SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0023_open_cards"),
    ]

    operations = [migrations.RunPython(raise_target, default_target, elidable=False)]
