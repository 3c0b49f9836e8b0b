"""What the card, device and settings tests share: cases registered through the ledger's action,
their occasion (the one the ledger wrote, or — before the ledger writes them — one recorded here
the way it would), the receipt's card number, and an API client with a bearer token."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

from django.utils import timezone

from bangban.cases.models import Case, Occasion
from bangban.network.api.auth import digest
from bangban.network.models import ApiToken

_cards = itertools.count(1)

#: The smallest PNG and PDF that are what their names say.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201b5a4e1e80000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def occasion_of(case: Case) -> Occasion:
    """The case's latest occasion (its registration's)."""
    found = case.occasions.order_by("-sequence").first()
    if found is not None:
        return found
    return Occasion.objects.create(
        case=case,
        sequence=1,
        kind=Occasion.Kind.REGISTER,
        on=case.received_on,
        point_id=case.registering_point_id,
        helper_id=case.responsible_id,
    )


def add_occasion(case: Case, *, kind: str, on: dt.date, helper=None) -> Occasion:
    last = case.occasions.order_by("-sequence").first()
    return Occasion.objects.create(
        case=case,
        sequence=(last.sequence if last else 0) + 1,
        kind=kind,
        on=on,
        point_id=case.registering_point_id,
        helper=helper,
    )


def card_of(case: Case) -> str:
    """The card number printed on the case's receipt."""
    if not case.rating_card:
        Case.objects.filter(pk=case.pk).update(rating_card=f"K{next(_cards):07d}")
        case.refresh_from_db(fields=["rating_card"])
    return case.rating_card


class Api:
    def __init__(self, client, user=None, headers=None):
        self.client = client
        if headers is not None:
            self.headers = headers
        else:
            token = secrets.token_urlsafe(32)
            ApiToken.objects.create(
                user=user,
                digest=digest(token),
                expires_at=timezone.now() + dt.timedelta(hours=1),
            )
            self.headers = {"authorization": f"Bearer {token}"}

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params, headers=self.headers)

    def post(self, path, body=None):
        return self.client.post(
            "/api/v1" + path, body or {}, content_type="application/json", headers=self.headers
        )

    def put(self, path, body):
        return self.client.put(
            "/api/v1" + path, body, content_type="application/json", headers=self.headers
        )
