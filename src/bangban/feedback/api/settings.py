"""The county's reasons and settings: read them (a region admin or supervisor of the county or
above, a town admin of one of its towns), save a new version of the reasons and change the settings
(a region admin of the county, its city or province). 404 for a county the caller does not see, 403
for one they see but may not change."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema

from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden
from bangban.kernel.schemas import Input, errors, text
from bangban.network.models import Region
from bangban.network.schemas import REGION_CODE

from .. import scope
from ..actions import save_reason_set, set_policy
from ..actions.settings import MAX_REASONS
from ..models import ReasonSet
from ..reasons import ReasonData, current_reason_set, reasons_of
from ..rules import policy_for
from .common import router

#: Any division code (404 for one that is not a county you see), as the network's paths take them.
CountyCode = Path(..., pattern=REGION_CODE, description="the county's 6-digit division code")
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class ReasonIO(Input):
    code: text(40, 1, SLUG_PATTERN)
    label: text(40, 1)
    polarity: Literal["good", "bad", "any"]
    position: Annotated[int, Field(ge=0, le=32767)] = 0


class ReasonSetIn(Input):
    reasons: Annotated[list[ReasonIO], Field(min_length=1, max_length=MAX_REASONS)]


class ReasonSetOut(Schema):
    version: int
    created_at: dt.datetime | None
    created_by: str | None
    reasons: list[ReasonIO]


class ReasonSetListOut(Schema):
    items: list[ReasonSetOut]
    count: int


class PolicyIO(Input):
    count_basic_as_good: bool
    rectification_days: Annotated[int, Field(ge=1, le=60)]


class SettingsOut(Schema):
    county: str
    county_name: str
    policy: PolicyIO
    policy_saved: bool
    reasons: ReasonSetOut | None
    may_change: bool


def _county(request, code: str, action: str) -> Region:
    try:
        return scope.get_county_for(request.user, code, action)
    except Http404:
        if action != "view" and scope.counties_for(request.user).filter(code=code).exists():
            raise Forbidden([], _("您只能查看该县的好差评设置，不能修改。")) from None
        raise ApiError(404, ["path", "code"], _("县不存在或无权访问。"), "not_found") from None


def reason_set_out(reason_set: ReasonSet | None) -> dict | None:
    if reason_set is None:
        return None
    by = reason_set.created_by
    return {
        "version": reason_set.version,
        "created_at": reason_set.created_at,
        "created_by": (by.get_full_name() or by.username) if by else None,
        "reasons": [
            {"code": r.code, "label": r.label, "polarity": r.polarity, "position": r.position}
            for r in reasons_of(reason_set)
        ],
    }


def _settings(request, county: Region) -> dict:
    policy = policy_for(county.pk)
    return {
        "county": county.code,
        "county_name": county.name,
        "policy": {
            "count_basic_as_good": policy.count_basic_as_good,
            "rectification_days": policy.rectification_days,
        },
        "policy_saved": policy.pk is not None,
        "reasons": reason_set_out(current_reason_set(county.pk)),
        "may_change": scope.counties_for(request.user, "change").filter(pk=county.pk).exists(),
    }


@router.get(
    "/rating-settings/{code}",
    response={200: SettingsOut, **errors(404, 422)},
    summary="A county's rating settings",
)
def get_settings(request, code: str = CountyCode):
    """The county's current reason set and its settings (the defaults when it has set none)."""
    refuse_unknown_query(request, set())
    return _settings(request, _county(request, code, "view"))


@router.put(
    "/rating-settings/{code}/policy",
    response={200: SettingsOut, **errors(400, 403, 404, 409, 422)},
    summary="Change a county's rating settings",
)
def put_policy(request, payload: PolicyIO, code: str = CountyCode):
    """Whether 基本满意 counts as good in 好评率, and the rectification's deadline (1–60 working
    days from the review). Recorded in the admin history."""
    region = _county(request, code, "change")
    set_policy(
        region,
        count_basic_as_good=payload.count_basic_as_good,
        rectification_days=payload.rectification_days,
        by=request.user,
    )
    return _settings(request, region)


@router.get(
    "/rating-settings/{code}/reasons",
    response={200: ReasonSetListOut, **errors(404, 422)},
    summary="List a county's reason versions",
)
def list_reason_sets(request, code: str = CountyCode, limit: int = Limit, offset: int = Offset):
    """Every version of the county's reasons, newest first: a rating names the version it was given
    under, whose labels it keeps."""
    refuse_unknown_query(request, {"limit", "offset"})
    region = _county(request, code, "view")
    sets = ReasonSet.objects.filter(county=region).select_related("created_by")
    page = sets.order_by("-version")[offset : offset + limit]
    return {"items": [reason_set_out(s) for s in page], "count": sets.count()}


@router.post(
    "/rating-settings/{code}/reasons",
    response={201: ReasonSetOut, **errors(400, 403, 404, 409, 422)},
    summary="Save a new version of a county's reasons",
)
def post_reason_set(request, payload: ReasonSetIn, code: str = CountyCode):
    """The whole list as it should be from now on (at most 30; codes unique slugs, labels up to 40
    characters; polarity good, bad or any): saved as version n + 1. The old versions stay as they
    were. 409 when the list is the current version unchanged."""
    region = _county(request, code, "change")
    reason_set = save_reason_set(
        region,
        reasons=[
            ReasonData(code=r.code, label=r.label, polarity=r.polarity, position=r.position)
            for r in payload.reasons
        ],
        by=request.user,
    )
    return Status(201, reason_set_out(reason_set))
