# Nothing stored in clear completes a mask (docs/decisions/0030): applicants' birth dates (the 8
# digits an ID number's mask hides) and phones, and cases' contact phones (the proxy's for 代办), are
# encrypted; phones get a mask for display and a keyed digest for finding. Existing rows are
# encrypted here, in batches, and the clear columns dropped.

from django.db import migrations, models

BATCH = 500


def _batches(queryset):
    """`queryset` in batches by primary key (a county's rows, never all in memory at once)."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _immediate_constraints(schema_editor):
    # PostgreSQL: rows updated under deferred foreign keys would leave trigger events pending, and
    # the columns dropped afterwards in this transaction would then be refused.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _phone_columns(phone, prefix):
    from bangban.cases.identifiers import mask_phone
    from bangban.kernel import protection

    return {
        f"{prefix}_encrypted": protection.encrypt(phone) if phone else "",
        f"{prefix}_masked": mask_phone(phone) if phone else "",
        f"{prefix}_digest": protection.phone_digest(phone) if phone else "",
    }


def protect(apps, schema_editor):
    from bangban.kernel import protection

    _immediate_constraints(schema_editor)
    Applicant = apps.get_model("cases", "Applicant")
    Case = apps.get_model("cases", "Case")
    applicants = Applicant.objects.filter(models.Q(birth_on__isnull=False) | ~models.Q(phone=""))
    for rows in _batches(applicants):
        for row in rows:
            if row.birth_on is not None:
                row.birth_on_encrypted = protection.encrypt(row.birth_on.isoformat())
            for name, value in _phone_columns(row.phone, "phone").items():
                setattr(row, name, value)
        Applicant.objects.bulk_update(
            rows, ["birth_on_encrypted", "phone_encrypted", "phone_masked", "phone_digest"]
        )
    for rows in _batches(Case.objects.exclude(contact_phone="")):
        for row in rows:
            for name, value in _phone_columns(row.contact_phone, "contact_phone").items():
                setattr(row, name, value)
        Case.objects.bulk_update(
            rows, ["contact_phone_encrypted", "contact_phone_masked", "contact_phone_digest"]
        )


def unprotect(apps, schema_editor):
    """Back to the clear columns (with the data key that encrypted them)."""
    import datetime as dt

    from bangban.kernel import protection

    _immediate_constraints(schema_editor)
    Applicant = apps.get_model("cases", "Applicant")
    Case = apps.get_model("cases", "Case")
    applicants = Applicant.objects.exclude(birth_on_encrypted="", phone_encrypted="")
    for rows in _batches(applicants):
        for row in rows:
            birth = protection.decrypt_or_blank(row.birth_on_encrypted)
            row.birth_on = dt.date.fromisoformat(birth) if birth else None
            row.phone = protection.decrypt_or_blank(row.phone_encrypted)
        Applicant.objects.bulk_update(rows, ["birth_on", "phone"])
    for rows in _batches(Case.objects.exclude(contact_phone_encrypted="")):
        for row in rows:
            row.contact_phone = protection.decrypt(row.contact_phone_encrypted)
        Case.objects.bulk_update(rows, ["contact_phone"])


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_drop_status_completed_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicant",
            name="birth_on_encrypted",
            field=models.TextField(blank=True, default="", verbose_name="出生日期（加密）"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="applicant",
            name="phone_encrypted",
            field=models.TextField(blank=True, default="", verbose_name="联系电话（加密）"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="applicant",
            name="phone_masked",
            field=models.CharField(blank=True, max_length=30, verbose_name="联系电话"),
        ),
        migrations.AddField(
            model_name="applicant",
            name="phone_digest",
            field=models.CharField(
                blank=True, db_index=True, max_length=64, verbose_name="电话查找摘要"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="contact_phone_encrypted",
            field=models.TextField(blank=True, default="", verbose_name="接收进度的电话（加密）"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="case",
            name="contact_phone_masked",
            field=models.CharField(blank=True, max_length=30, verbose_name="接收进度的电话"),
        ),
        migrations.AddField(
            model_name="case",
            name="contact_phone_digest",
            field=models.CharField(
                blank=True, db_index=True, max_length=64, verbose_name="接收进度的电话查找摘要"
            ),
        ),
        migrations.RunPython(protect, unprotect),
        migrations.RemoveField(model_name="applicant", name="birth_on"),
        migrations.RemoveField(model_name="applicant", name="phone"),
        migrations.RemoveField(model_name="case", name="contact_phone"),
    ]
