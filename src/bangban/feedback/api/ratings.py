"""Ratings through the API (docs/api.md, 好差评：评价): the villager's rating without an account
(`POST /public/ratings`: the receipt's token and the last four digits of the applicant's phone, the
same gate and limits as the page /pj/<token>/), and the ratings staff may see (`GET /ratings`,
`GET /ratings/{id}`, scoped by `scope.ratings_for`). No answer ever holds the rater's phone or its
digest."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema

from bangban.kernel.api import Limit, Offset, Status, one_error, refuse_unknown_query
from bangban.kernel.errors import ApiError
from bangban.kernel.schemas import MAX_ID, Day, Id, Input, errors, text
from bangban.network.models import ServicePoint, path_under

from .. import actions, public_gate
from ..models import BAD, Rating
from ..rules import rater_digest
from ..scope import ratings_for
from .common import router

# --- Schemas ---------------------------------------------------------------------------------------


class PublicRatingIn(Input):
    token: text(64, 16, pattern=r"^[A-Za-z0-9_-]+$") = Field(
        description="the case's token, from the receipt's QR code or the SMS link"
    )
    phone_last4: text(4, 4, pattern=r"^[0-9]{4}$") = Field(
        description="the last four digits of the applicant's own phone (the principal's for 代办)"
    )
    occasion: Id = Field(description="the service occasion rated (one of the case's)")
    level: int = Field(ge=1, le=5, description="1 非常不满意 … 5 非常满意")
    reasons: list[text(40, 1)] = Field(
        default_factory=list, max_length=5, description="codes of the county's current reasons"
    )
    comment: text(500) = ""
    anonymous: bool = Field(False, description="匿名: no call-back")
    follow_up: bool = Field(
        False, description="the follow-up rating (追评) of a replied rectification"
    )
    channel: Literal["qr", "sms"] = Field("qr", description="qr: the receipt; sms: the text's link")


class PublicRatingOut(Schema):
    id: int
    occasion: int
    level: int
    assess: int = Field(description="1 first rating, 2 follow-up (追评)")
    channel: str
    reasons: list[str]
    anonymous: bool
    rated_at: dt.datetime


class Ref(Schema):
    id: int
    name: str


class OccasionRef(Schema):
    id: int
    number: str
    kind: str
    on: dt.date


class RectificationRef(Schema):
    id: int
    status: str


class RatingOut(Schema):
    id: int
    case: str = Field(description="the case number")
    occasion: OccasionRef
    point: Ref
    helper: Ref | None
    level: int
    bad: bool
    assess: int
    channel: str
    reasons: list[str]
    comment: str
    anonymous: bool
    flagged: bool = Field(description="疑似刷评: many ratings from one phone in a short time")
    province_default: bool
    overturned: bool
    rated_at: dt.datetime
    rated_on: dt.date
    rectification: RectificationRef | None


class RatingListOut(Schema):
    items: list[RatingOut]
    count: int


# --- The villager ----------------------------------------------------------------------------------


def _throttled(minutes: int):
    return one_error(
        429,
        [],
        _("尝试次数过多，为了保护办件信息，请 %(n)d 分钟后再试。") % {"n": minutes},
        "throttled",
        {"Retry-After": str(minutes * 60)},
    )


@router.post(
    "/public/ratings",
    auth=None,
    response={201: PublicRatingOut, **errors(400, 403, 404, 409, 422, 429)},
    summary="Rate a service occasion without an account",
)
def rate_publicly(request, payload: PublicRatingIn):
    """The villager's rating, as the page /pj/<token>/ gives it: the case by its receipt's token,
    the last four digits of the applicant's own phone (the principal's for 代办; never the proxy's
    or a staff phone), one of the case's occasions. No account: a request carrying a staff
    session or bearer token is refused (403). 404 at `token` for an unknown token, at `occasion`
    for an occasion not of this case; 409 for a rule (`phone_last4`, `occasion` already rated or
    its window closed, `reasons` of the wrong kind, `follow_up`); 429 with Retry-After when the
    client or the token tried too often (counted with the page's tries)."""
    refuse_unknown_query(request, set())
    minutes = public_gate.limited(request, "rate.rating.client", settings.BANGBAN_RATING_RATE)
    if minutes:
        return _throttled(minutes)
    case = public_gate.case_of(payload.token)
    if case is None:
        raise ApiError(404, ["body", "token"], _("评价链接无效。"), "not_found")
    problem, minutes = public_gate.check_code(request, case, payload.phone_last4)
    if minutes:
        return _throttled(minutes)
    if problem:
        raise ApiError(409, ["body", "phone_last4"], problem, "rule")
    occasion = case.occasions.filter(pk=payload.occasion).first()
    if occasion is None:
        raise ApiError(404, ["body", "occasion"], _("该办件没有这次服务。"), "not_found")
    rating = actions.rate_occasion(
        occasion,
        level=payload.level,
        channel=payload.channel,
        reasons=payload.reasons,
        comment=payload.comment,
        anonymous=payload.anonymous,
        rater_phone_digest=rater_digest(case),
        by=public_gate.staff_user(request),
        follow_up=payload.follow_up,
    )
    return Status(201, public_out(rating))


def public_out(rating: Rating) -> dict:
    return {
        "id": rating.pk,
        "occasion": rating.occasion_id,
        "level": rating.level,
        "assess": rating.assess,
        "channel": rating.channel,
        "reasons": list(rating.reasons),
        "anonymous": rating.anonymous,
        "rated_at": rating.rated_at,
    }


# --- Staff -----------------------------------------------------------------------------------------

FromQuery = Query(None, alias="from", description="rated on or after (YYYY-MM-DD)")
ToQuery = Query(None, alias="to", description="rated on or before (YYYY-MM-DD)")
LIST_QUERY = {"point", "helper", "level", "bad", "flagged", "from", "to", "limit", "offset"}
RELATED = ("case", "occasion", "point", "helper", "rectification")


def rating_out(rating: Rating) -> dict:
    occasion, helper = rating.occasion, rating.helper
    rect = getattr(rating, "rectification", None)
    return {
        "id": rating.pk,
        "case": rating.case.number,
        "occasion": {
            "id": occasion.pk,
            "number": f"{rating.case.number}-{occasion.sequence}",
            "kind": occasion.kind,
            "on": occasion.on,
        },
        "point": {"id": rating.point_id, "name": rating.point.name},
        "helper": None
        if helper is None
        else {"id": helper.pk, "name": helper.get_full_name() or helper.username},
        "level": rating.level,
        "bad": rating.level in BAD,
        "assess": rating.assess,
        "channel": rating.channel,
        "reasons": list(rating.reasons),
        "comment": rating.comment,
        "anonymous": rating.anonymous,
        "flagged": rating.flagged,
        "province_default": rating.province_default,
        "overturned": rating.overturned,
        "rated_at": rating.rated_at,
        "rated_on": rating.rated_on,
        "rectification": None if rect is None else {"id": rect.pk, "status": rect.status},
    }


@router.get("/ratings", response={200: RatingListOut, **errors(404, 422)}, summary="List ratings")
def list_ratings(
    request,
    point: int | None = Query(
        None, ge=1, le=MAX_ID, description="a point: ratings of it and the points below it"
    ),
    helper: int | None = Query(None, ge=1, le=MAX_ID, description="the user rated"),
    level: int | None = Query(None, ge=1, le=5),
    bad: bool | None = Query(None, description="true: 差评 (levels 1–2) only; false: the others"),
    flagged: bool | None = Query(None, description="疑似刷评"),
    rated_from: Day | None = FromQuery,
    rated_to: Day | None = ToQuery,
    limit: int = Limit,
    offset: int = Offset,
):
    """The ratings of the points you may see, newest first (follow-up ratings included, `assess`
    2), with the occasion, the point and the person rated, and the rectification of a bad one."""
    refuse_unknown_query(request, LIST_QUERY)
    qs = ratings_for(request.auth)
    if point is not None:
        found = ServicePoint.objects.filter(pk=point).first()
        if found is None:
            raise ApiError(404, ["query", "point"], _("服务点不存在或无权访问。"), "not_found")
        qs = qs.filter(path_under("point_path", found.subtree_prefix))
    if helper is not None:
        qs = qs.filter(helper_id=helper)
    if level is not None:
        qs = qs.filter(level=level)
    if bad is not None:
        qs = qs.filter(level__in=BAD) if bad else qs.filter(~Q(level__in=BAD))
    if flagged is not None:
        qs = qs.filter(flagged=flagged)
    if rated_from is not None:
        qs = qs.filter(rated_on__gte=rated_from)
    if rated_to is not None:
        qs = qs.filter(rated_on__lte=rated_to)
    count = qs.count()
    page = qs.order_by("-rated_at", "-pk").values("pk")[offset : offset + limit]
    rows = Rating.objects.filter(pk__in=page).select_related(*RELATED).order_by("-rated_at", "-pk")
    return {"items": [rating_out(r) for r in rows], "count": count}


@router.get(
    "/ratings/{rating_id}", response={200: RatingOut, **errors(404, 422)}, summary="Get a rating"
)
def get_rating(request, rating_id: int = Path(..., ge=1, le=MAX_ID)):
    """One rating of a point you may see; 404 otherwise."""
    refuse_unknown_query(request, set())
    found = ratings_for(request.auth).filter(pk=rating_id).select_related(*RELATED).first()
    if found is None:
        raise ApiError(404, ["path", "rating_id"], _("评价不存在或无权访问。"), "not_found")
    return rating_out(found)
