# The outbox's recipients are encrypted at rest and masked once for display (docs/decisions/0030):
# a dump of the outbox gives back no phone. The gateway decrypts at send time. Existing rows are
# encrypted here, in batches, and the clear column dropped.

from django.db import migrations, models

BATCH = 500


def _batches(queryset):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def protect(apps, schema_editor):
    from bangban.kernel import protection
    from bangban.messaging.models import mask_phone

    Message = apps.get_model("messaging", "Message")
    for rows in _batches(Message.objects.all()):
        for row in rows:
            row.recipient_encrypted = protection.encrypt(row.recipient)
            row.recipient_masked = mask_phone(row.recipient)
        Message.objects.bulk_update(rows, ["recipient_encrypted", "recipient_masked"])


def unprotect(apps, schema_editor):
    """Back to the clear column (with the data key that encrypted it)."""
    from bangban.kernel import protection

    Message = apps.get_model("messaging", "Message")
    for rows in _batches(Message.objects.all()):
        for row in rows:
            row.recipient = protection.decrypt(row.recipient_encrypted)
        Message.objects.bulk_update(rows, ["recipient"])


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="recipient_encrypted",
            field=models.TextField(default="", verbose_name="接收号码（加密）"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="message",
            name="recipient_masked",
            field=models.CharField(default="", max_length=32, verbose_name="接收号码"),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(model_name="message", name="message_recipient_not_empty"),
        migrations.RunPython(protect, unprotect),
        # A default only so that migrating backwards can add the column back to existing rows.
        migrations.AlterField(
            model_name="message",
            name="recipient",
            field=models.CharField(default="", max_length=32, verbose_name="接收号码"),
        ),
        migrations.RemoveField(model_name="message", name="recipient"),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.CheckConstraint(
                condition=models.Q(("recipient_encrypted", ""), _negated=True),
                name="message_recipient_not_empty",
            ),
        ),
    ]
