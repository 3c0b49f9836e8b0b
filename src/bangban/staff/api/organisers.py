"""The staff API: training organisers (who trains which points)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query

from bangban.kernel.api import Limit, Offset, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, errors
from bangban.network import access

from .. import actions, scope
from ..models import TRAININGS_PER_YEAR, TrainingOrganiser
from .common import OrganiserKind, Year, router
from .schemas import CoverageIn, OrganiserDetailOut, OrganiserListOut, OrganiserUpdateIn

# --- Training organisers ---------------------------------------------------------------------------


def _organisers(qs, year: int):
    """Organisers with what `organiser_out` reads, in one query."""
    return (
        qs.with_trainings(year)
        .with_point_count()
        .select_related("county", "department", "organisation", "town_centre")
    )


def organiser_out(o: TrainingOrganiser, year: int) -> dict:
    return {
        "id": o.pk,
        "kind": o.kind,
        "name": o.name,
        "name_follows": o.name_follows,
        "active": o.active,
        "organises_for": o.organises_for,
        "county": o.county.code,
        "department": o.department_id,
        "town_centre": o.town_centre_id,
        "organisation": o.organisation_id,
        "point_count": o.point_count,
        "year": year,
        "trainings": o.trainings,
        "required": TRAININGS_PER_YEAR,
        "short": o.trainings < TRAININGS_PER_YEAR,
    }


def _get_organiser(
    user, organiser_id: int, action: scope.OrganiserAction, loc=None
) -> TrainingOrganiser:
    loc = loc or ["path", "organiser_id"]
    try:
        return scope.get_organiser_for(user, organiser_id, action)
    except Http404:
        if action != "view" and scope.organisers_for(user, "view").filter(pk=organiser_id).exists():
            refusal = (
                _("您无权更正该组织单位的培训范围或名称。")
                if action == "correct"
                else _("您无权为该组织单位登记培训。")
            )
            raise Forbidden(loc, refusal) from None
        raise ApiError(404, loc, _("培训组织单位不存在或无权访问。"), "not_found") from None


@router.get(
    "/training-organisers",
    response={200: OrganiserListOut, **errors(422)},
    summary="List training organisers",
)
def list_organisers(
    request,
    kind: OrganiserKind | None = None,
    county: str | None = Query(None, pattern=r"^[0-9]{6}$", description="county code"),
    short: bool | None = Query(None, description="fewer trainings than required in `year`"),
    active: bool | None = Query(None, description="in service, or not"),
    year: int | None = Year,
    limit: int = Limit,
    offset: int = Offset,
):
    """The organisers the caller may see, each with the trainings it held in `year` and the number
    of points it trains for."""
    refuse_unknown_query(request, {"kind", "county", "short", "active", "year", "limit", "offset"})
    year = year or timezone.localdate().year
    qs = scope.organisers_for(request.auth, "view").with_trainings(year)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    if county is not None:
        qs = qs.filter(county__code=county)
    if short is not None:
        qs = (
            qs.filter(trainings__lt=TRAININGS_PER_YEAR)
            if short
            else qs.filter(trainings__gte=TRAININGS_PER_YEAR)
        )
    count = qs.count()
    items = _organisers(qs, year).order_by("id")[offset : offset + limit]
    return {"items": [organiser_out(o, year) for o in items], "count": count}


@router.get(
    "/training-organisers/{organiser_id}",
    response={200: OrganiserDetailOut, **errors(404, 422)},
    summary="Get a training organiser",
)
def get_organiser(request, organiser_id: int = Path(..., ge=1, le=MAX_ID), year: int | None = Year):
    refuse_unknown_query(request, {"year"})
    user = request.auth
    year = year or timezone.localdate().year
    organiser = _get_organiser(user, organiser_id, "view")
    return _organiser_detail(user, organiser.pk, year)


def _organiser_detail(user, pk: int, year: int) -> dict:
    o = _organisers(TrainingOrganiser.objects.all(), year).get(pk=pk)
    visible = access.points_for(user, "view").values("pk")
    out = organiser_out(o, year)
    out["points"] = list(
        o.points.filter(pk__in=visible).order_by("id").values_list("id", flat=True)
    )
    out["corrections"] = [
        {"point": c.point_id, "change": c.change, "note": c.note, "created_at": c.created_at}
        for c in o.corrections.filter(point__in=visible).order_by("point_id")
    ]
    return out


@router.put(
    "/training-organisers/{organiser_id}/points",
    response={200: OrganiserDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Correct the points a training organiser trains for",
)
def set_organiser_points(
    request, payload: CoverageIn, organiser_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Make `points` exactly the points the organiser trains for (the county's region admins).
    What differs from the rule is kept as corrections (added / removed, with `note`) that every
    later recomputation — when points are added, moved or taken out of service — applies again.
    A point you cannot see → 404; a point of another county, a point out of service added, or any
    point added to an organiser out of service → 409."""
    user = request.auth
    organiser = _get_organiser(user, organiser_id, "correct")
    wanted = set(payload.points)
    points = list(access.points_for(user, "view").filter(pk__in=wanted))
    if len(points) != len(wanted):
        raise NotVisible("points", _("服务点"))
    actions.set_coverage(organiser, points, by=user, note=payload.note)
    return _organiser_detail(user, organiser.pk, timezone.localdate().year)


@router.patch(
    "/training-organisers/{organiser_id}",
    response={200: OrganiserDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Rename a training organiser",
)
def update_organiser(
    request, payload: OrganiserUpdateIn, organiser_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Give the organiser a name of its own (the county's region admins); `null` or `""`: its
    name follows its department's, organisation's or town's again."""
    user = request.auth
    organiser = _get_organiser(user, organiser_id, "correct")
    sent = payload.model_dump(exclude_unset=True)
    if "name" in sent:
        actions.rename_organiser(organiser, name=sent["name"] or "", by=user)
    return _organiser_detail(user, organiser.pk, timezone.localdate().year)
