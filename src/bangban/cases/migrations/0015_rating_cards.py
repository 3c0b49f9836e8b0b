"""Service occasions for the cases written before the ledger recorded them (decision 0048): every
case gets its rating card number (评价卡号: 10 random digits, never derived from its number), and
every case registered here — not a historical import — its first occasion, REGISTER, on its day of
registration at its registering point by its first responsible helper, so that a deployment
upgraded mid-year can rate them. In batches of a thousand, each read once and written in bulk. The reverse keeps them (0014's
reverse drops both)."""

import secrets

from django.db import migrations
from django.db.models import Exists, OuterRef

BATCH = 1000
LOW = 10**9  # 10 digits, the first never 0: as `cases.numbering.rating_cards` draws them


def _cards(Case, count: int) -> list[str]:
    """`count` distinct card numbers not in the table yet."""
    cards: set[str] = set()
    while len(cards) < count:
        drawn = {str(LOW + secrets.randbelow(9 * LOW)) for _n in range(count - len(cards))}
        drawn -= cards
        taken = set(
            Case.objects.filter(rating_card__in=drawn).values_list("rating_card", flat=True)
        )
        cards |= drawn - taken
    return list(cards)


def give_cards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    while True:
        batch = list(Case.objects.filter(rating_card__isnull=True).order_by("pk").only("pk")[:BATCH])
        if not batch:
            return
        for case, card in zip(batch, _cards(Case, len(batch)), strict=True):
            case.rating_card = card
        Case.objects.bulk_update(batch, ["rating_card"], batch_size=500)


def record_registrations(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Occasion = apps.get_model("cases", "Occasion")
    imported = CaseEvent.objects.filter(case=OuterRef("pk"), action="import")
    served = Occasion.objects.filter(case=OuterRef("pk"))
    unserved = (
        Case.objects.exclude(Exists(imported))
        .exclude(Exists(served))
        .order_by("pk")
        .values_list("pk", "registered_on", "registering_point_id", "responsible_id")
    )
    while True:
        # A batch read whole, then written: the next read no longer finds it.
        rows = list(unserved[:BATCH])
        if not rows:
            return
        Occasion.objects.bulk_create(
            Occasion(
                case_id=pk,
                sequence=1,
                kind="register",
                on=registered_on,
                point_id=point_id,
                helper_id=responsible_id,
            )
            for pk, registered_on, point_id, responsible_id in rows
        )


def forward(apps, schema_editor):
    give_cards(apps, schema_editor)
    record_registrations(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_occasions"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
