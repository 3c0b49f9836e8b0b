"""Paper rating cards (纸质评价卡) entered by staff: look a card up by its number (the case's
occasions, the one the card is for by default), and enter it with its scan. The scan travels in the
JSON body, base64-encoded, as every file the API takes (decision 0031: the API reads JSON only)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema

from bangban.cases.models import Case
from bangban.cases.schemas import ScanIn
from bangban.cases.scope import cases_for
from bangban.kernel.api import Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, NotVisible
from bangban.kernel.schemas import Id, Input, errors, text

from ..actions import enter_card
from ..actions.cards import card_occasions, default_occasion, normalise_card
from ..actions.ratings import MAX_REASONS
from ..models import Level
from ..reasons import reason_labels
from .common import router

CARD = r"^[-0-9A-Za-z ]+$"
CardNumber = Path(..., min_length=1, max_length=40, pattern=CARD)


class CardIn(Input):
    card: text(40, 1, CARD)
    occasion: Id | None = Field(None, description="default: the latest occasion still to rate")
    level: Annotated[int, Field(ge=1, le=5)]
    reasons: Annotated[list[text(40, 1, r"^[-a-zA-Z0-9_]+$")], Field(max_length=MAX_REASONS)] = []
    comment: text(500) = ""
    scan: ScanIn


class CardOccasionOut(Schema):
    id: int
    sequence: int
    kind: str
    kind_label: str
    on: dt.date
    point: int
    point_name: str
    helper_name: str | None
    ratable: bool
    why_not: str


class CardOut(Schema):
    card: str
    case: str
    occasions: list[CardOccasionOut]
    default_occasion: int | None


class CardRatingOut(Schema):
    id: int
    case: str
    occasion: int
    level: int
    level_label: str
    reasons: list[str]
    reason_labels: list[str]
    channel: str
    rated_at: dt.datetime


def case_of_card(user, number: str) -> Case:
    """The case whose receipt carries card `number`, among the cases `user` sees; 404 otherwise."""
    card = normalise_card(number)
    case = cases_for(user).filter(rating_card=card).first() if card else None
    if case is None:
        raise ApiError(404, ["body", "card"], _("评价卡号不存在或无权访问。"), "not_found")
    return case


def _occasion_out(occasion) -> dict:
    helper = occasion.helper
    return {
        "id": occasion.pk,
        "sequence": occasion.sequence,
        "kind": occasion.kind,
        "kind_label": str(occasion.get_kind_display()),
        "on": occasion.on,
        "point": occasion.point_id,
        "point_name": occasion.point.name,
        "helper_name": (helper.get_full_name() or helper.username) if helper else None,
        "ratable": not occasion.why_not,
        "why_not": occasion.why_not,
    }


@router.get(
    "/rating-cards/{card}",
    response={200: CardOut, **errors(404, 422)},
    summary="Look up a rating card",
)
def get_card(request, card: str = CardNumber):
    """The case of the card and its occasions, newest first, each saying whether it may still be
    rated; `default_occasion` is the one the card is entered for unless told otherwise."""
    refuse_unknown_query(request, set())
    case = case_of_card(request.user, card)
    occasions = card_occasions(case)
    chosen = default_occasion(occasions)
    return {
        "card": case.rating_card,
        "case": case.number,
        "occasions": [_occasion_out(o) for o in occasions],
        "default_occasion": chosen.pk if chosen else None,
    }


@router.post(
    "/rating-cards",
    response={201: CardRatingOut, **errors(400, 403, 404, 409, 422)},
    summary="Enter a paper rating card",
)
def post_card(request, payload: CardIn):
    """The card's rating, entered with its scan (PDF, JPG or PNG): by someone who may act at the
    rated point, never the helper rated (403). 409 names every rule broken (the occasion rated
    already or out of its window, a reason of the wrong kind, the scan not what its name says)."""
    case = case_of_card(request.user, payload.card)
    occasion = None
    if payload.occasion is not None:
        occasion = case.occasions.select_related("point").filter(pk=payload.occasion).first()
        if occasion is None:
            raise NotVisible("occasion", _("该办件的服务记录"))
    try:
        content = base64.b64decode(payload.scan.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(
            422, ["body", "scan", "content_base64"], _("扫描件不是有效的 base64。"), "value_error"
        ) from None
    scan = ContentFile(content, name=payload.scan.filename)
    rating = enter_card(
        case,
        occasion=occasion,
        level=payload.level,
        reasons=payload.reasons,
        comment=payload.comment,
        scan=scan,
        by=request.user,
    )
    return Status(
        201,
        {
            "id": rating.pk,
            "case": case.number,
            "occasion": rating.occasion_id,
            "level": rating.level,
            "level_label": str(Level(rating.level).label),
            "reasons": rating.reasons,
            "reason_labels": reason_labels(rating),
            "channel": rating.channel,
            "rated_at": rating.rated_at,
        },
    )
