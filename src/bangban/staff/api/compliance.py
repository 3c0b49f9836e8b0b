"""The staff API: compliance with the rules (达标情况), per group or per point."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema

from bangban.kernel.api import Limit, Offset, refuse_unknown_query
from bangban.kernel.errors import ApiError
from bangban.kernel.schemas import MAX_ID, errors
from bangban.network import access
from bangban.network.models import ServicePoint
from bangban.network.schemas import PointKind

from .. import compliance
from ..models import TRAININGS_PER_YEAR, Helper
from ..qualification import reasons_from_training, reasons_not_qualified, with_training
from .common import router

# --- Compliance (达标情况) -------------------------------------------------------------------------
# The page's levels and scope (staff/views/compliance_pages.py `compliance_overview`), through the same functions:
# groups summed in the database by `compliance.summary`, points by `compliance.with_compliance`.

RuleCode = Literal[tuple(compliance.RULE_CODES)]  # type: ignore[valid-type]
GroupLevel = Literal["province", "city", "county", "town", "point"]
COMPLIANCE_REGION = r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{9}000)$"
_GROUP_LEVEL = {2: "province", 4: "city", 6: "county"}
FailRule = Query(None, description="only the rows failing this rule")


class RuleCountsOut(Schema):
    staffing: int
    qualified: int
    training: int
    equipment: int
    signage: int


class ComplianceItemOut(Schema):
    level: GroupLevel = Field(description="a group of points (its region's level), or one point")
    region: str | None = Field(description="the group's division code (null for a point)")
    point: int | None = Field(description="the point's id (null for a group)")
    name: str
    kind: PointKind | None = Field(description="the point's kind (null for a group)")  # type: ignore[valid-type]
    points: int = Field(description="points assessed (1 for a point)")
    failing: RuleCountsOut = Field(
        description="per rule, the points failing it (0 or 1 for a point)"
    )
    missing: RuleCountsOut | None = Field(
        description="a point's shortfall per rule: helpers short, unqualified people, organisers "
        "short, equipment missing or overdue, signage (null for a group)"
    )


class ComplianceOut(Schema):
    on: dt.date
    region: str | None = Field(description="the region shown (null for a point's or a scope's)")
    point: int | None = Field(description="the point shown with its children")
    items: list[ComplianceItemOut]
    count: int


class RuleOut(Schema):
    rule: RuleCode  # type: ignore[valid-type]
    ok: bool
    missing: int


class UnqualifiedOut(Schema):
    name: str
    reasons: list[str]


class OrganiserShortOut(Schema):
    id: int
    name: str
    trainings: int = Field(description="trainings held this year")
    required: int


class OverdueOut(Schema):
    id: int
    kind: str = Field(description="equipment kind code")
    quantity: int
    last_checked_on: dt.date | None
    next_check_on: dt.date


class CompliancePointOut(Schema):
    id: int
    name: str
    kind: PointKind  # type: ignore[valid-type]
    on: dt.date
    assessed: bool = Field(description="a kind of point the rules apply to")
    rules: list[RuleOut]
    required_helpers: int
    qualified_helpers: int = Field(description="qualified (full-time where required) helpers")
    unqualified: list[UnqualifiedOut] = Field(description="people serving there, not qualified")
    organisers: int = Field(description="training organisers responsible for the point")
    organisers_short: list[OrganiserShortOut]
    equipment: int = Field(description="equipment items in use")
    equipment_overdue: list[OverdueOut]
    signage_in_place: bool


def _counts(values: dict) -> dict:
    return {code: int(values[code]) for code in compliance.RULE_CODES}


def _point_item(p: ServicePoint) -> dict:
    return {
        "level": "point",
        "region": None,
        "point": p.pk,
        "name": p.name,
        "kind": p.kind,
        "points": 1,
        "failing": {r.code: int(not getattr(p, r.ok)) for r in compliance.RULES},
        "missing": {r.code: int(getattr(p, r.missing)) for r in compliance.RULES},
    }


def _group_items(groups: list[dict], level: str) -> list[dict]:
    return [
        {
            "level": level,
            "region": g["group"],
            "point": None,
            "name": g["name"],
            "kind": None,
            "points": g["points"],
            "failing": _counts({c: g[f"{c}_failing"] for c in compliance.RULE_CODES}),
            "missing": None,
        }
        for g in groups
    ]


def _not_visible(loc: list) -> ApiError:
    return ApiError(404, loc, _("区划或服务点不存在或无权访问。"), "not_found")


@router.get(
    "/compliance",
    response={200: ComplianceOut, **errors(404, 422)},
    summary="Compliance with the rules, per group or per point",
)
def get_compliance(
    request,
    region: str | None = Query(
        None,
        pattern=COMPLIANCE_REGION,
        description="division code: a province or city (one row per city or county), a county "
        "(its zone, sub-zones and windows, then one row per town) or a town (its points, paged)",
    ),
    point: int | None = Query(
        None, ge=1, le=MAX_ID, description="a point: it and its children (e.g. a town centre's)"
    ),
    fail: RuleCode | None = FailRule,  # type: ignore[valid-type]
    limit: int = Limit,
    offset: int = Offset,
):
    """达标情况 as on the compliance page, within the caller's scope: without `region` or `point`,
    where the page starts for the caller; with both, the point (which must lie in the region).
    Groups are summed in the database; points are paged. `404` when the region or point is missing,
    nothing of it is in the caller's scope, or the point lies outside the region."""
    refuse_unknown_query(request, {"region", "point", "fail", "limit", "offset"})
    user = request.auth
    on = timezone.localdate()
    here = None
    code = region[:9] if region else ""
    if point is not None:
        try:
            here = access.get_point_for(
                user, point, queryset=ServicePoint.objects.select_related("county", "region")
            )
        except Http404:
            raise _not_visible(["query", "point"]) from None
        if code and not here.region.code.startswith(code):
            # Both given: the region only narrows, and the point lies outside it.
            raise _not_visible(["query", "point"])
    code, here = compliance.start(user, code, here)
    drilled = compliance.drill_down(user, on, code="" if here else code, point=here, rule=fail)
    level = drilled.level
    if level.paged:
        items = [_point_item(p) for p in drilled.points[offset : offset + limit]]
        count = drilled.points.count()
        if level.missing(bool(count)):
            raise _not_visible(["query", "region"])
        return {
            "on": on,
            "region": level.code or None,
            "point": here.pk if here else None,
            "items": items,
            "count": count,
        }
    all_items = [_point_item(p) for p in drilled.points] if drilled.points is not None else []
    all_items += _group_items(drilled.groups, level.group_level)
    if level.missing(bool(all_items)):
        raise _not_visible(["query", "region"])
    return {
        "on": on,
        "region": level.code or None,
        "point": None,
        "items": all_items[offset : offset + limit],
        "count": len(all_items),
    }


def _person_name(user) -> str:
    return f"{user.last_name}{user.first_name}".strip() or _("（未填写姓名）")


def _unqualified_at(point: ServicePoint, on: dt.date) -> list[dict]:
    """`compliance.serving_people`'s unqualified people (names only, with the reasons) in two
    queries whatever their number: the helpers annotated by `with_training`, then anyone serving
    as a helper without a profile."""
    serving = compliance.serving_memberships(on).filter(point=point).values("user_id")
    people = [
        (h.user, reasons_from_training(h, on))
        for h in with_training(Helper.objects.filter(user__in=serving), on).select_related("user")
    ]
    people += [
        (u, reasons_not_qualified(None, on))
        for u in get_user_model().objects.filter(pk__in=serving, helper_profile__isnull=True)
    ]
    people.sort(key=lambda item: item[0].get_username())
    return [{"name": _person_name(user), "reasons": reasons} for user, reasons in people if reasons]


@router.get(
    "/compliance/points/{point_id}",
    response={200: CompliancePointOut, **errors(404, 422)},
    summary="What a point is missing, rule by rule",
)
def get_point_compliance(request, point_id: int = Path(..., ge=1, le=MAX_ID)):
    """Per rule whether the point meets it and how much is missing, with the causes the compliance
    page shows behind a red cell: the unqualified people (names only) and why, the organisers short
    of this year's trainings, the equipment whose check is overdue, the signage."""
    user = request.auth
    on = timezone.localdate()
    try:
        p = access.get_point_for(
            user, point_id, queryset=compliance.with_compliance(ServicePoint.objects.all(), on)
        )
    except Http404:
        raise ApiError(
            404, ["path", "point_id"], _("服务点不存在或无权访问。"), "not_found"
        ) from None
    equipment = compliance.equipment_of(p, on)
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "on": on,
        "assessed": p.kind in compliance.ASSESSED,
        "rules": [
            {"rule": r.code, "ok": bool(getattr(p, r.ok)), "missing": int(getattr(p, r.missing))}
            for r in compliance.RULES
        ],
        "required_helpers": p.required_helpers,
        "qualified_helpers": p.qualified_helpers,
        "unqualified": _unqualified_at(p, on),
        "organisers": p.organisers,
        "organisers_short": [
            {"id": o.pk, "name": o.name, "trainings": o.trainings, "required": TRAININGS_PER_YEAR}
            for o in compliance.organisers_of(p, on.year)
            if o.short
        ],
        "equipment": len(equipment),
        "equipment_overdue": [
            {
                "id": e.pk,
                "kind": e.kind.code,
                "quantity": e.quantity,
                "last_checked_on": e.last_checked_on,
                "next_check_on": e.next_check_on,
            }
            for e in equipment
            if e.overdue
        ],
        "signage_in_place": p.signage_in_place,
    }
