"""Each complaint's public query token (/mailbox/q/<token>/, decision 0055): added empty, each
existing row given its own random token, then made unique."""

import secrets

from django.db import migrations, models

import bangban.supervision.models


def give_tokens(apps, schema_editor):
    Complaint = apps.get_model("supervision", "Complaint")
    for pk in Complaint.objects.filter(public_token__isnull=True).values_list("pk", flat=True):
        Complaint.objects.filter(pk=pk).update(public_token=secrets.token_urlsafe(32))


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_default_checklists"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="public_token",
            field=models.CharField(max_length=43, null=True, verbose_name="查询令牌"),
        ),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="complaint",
            name="public_token",
            field=models.CharField(
                default=bangban.supervision.models.new_public_token,
                editable=False,
                max_length=43,
                unique=True,
                verbose_name="查询令牌",
            ),
        ),
    ]
