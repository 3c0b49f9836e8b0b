"""The staff API: helper profiles and their qualification."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query

from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, NO_CONTROL, Day, errors
from bangban.network import access
from bangban.network.models import Domain, Membership

from .. import actions, scope
from ..helper_filter import HelperFilter, serving_places
from ..models import Helper
from ..qualification import reasons_from_training, reasons_not_qualified, with_training
from .common import OnDay, router
from .schemas import (
    HelperCreateIn,
    HelperListOut,
    HelperOut,
    HelperUpdateIn,
    QualificationOut,
    ServingAccountListOut,
)

# --- Helpers ---------------------------------------------------------------------------------------


def _helper_rows(user, qs, on: dt.date):
    serving = serving_places(user, "point_id", "id")
    return with_training(qs, on).select_related("user").prefetch_related(serving, "domains")


def helper_out(h: Helper, on: dt.date) -> dict:
    reasons = reasons_from_training(h, on)
    return {
        "id": h.pk,
        "username": h.user.username,
        "full_name": str(h),
        "full_time": h.full_time,
        "origin": h.origin,
        "started_on": h.started_on,
        "left_on": h.left_on,
        "work_phone": h.work_phone,
        "domains": sorted(d.code for d in h.domains.all()),
        "serving": [
            {"point": m.point_id, "point_name": m.point.name, "role": m.role}
            for m in h.user.serving
        ],
        "qualified": not reasons,
        "reasons": reasons,
    }


def _one_helper(user, pk: int) -> dict:
    today = timezone.localdate()
    return helper_out(_helper_rows(user, Helper.objects.filter(pk=pk), today).get(), today)


def _get_helper(user, helper_id: int, action: access.Action) -> Helper:
    try:
        return scope.get_helper_for(user, helper_id, action)
    except Http404:
        if action != "view" and scope.helpers_for(user).filter(pk=helper_id).exists():
            raise Forbidden(["path", "helper_id"], _("您无权修改该帮办代办员的档案。")) from None
        raise ApiError(
            404, ["path", "helper_id"], _("帮办代办员不存在或无权访问。"), "not_found"
        ) from None


@router.get("/helpers", response={200: HelperListOut, **errors(422)}, summary="List helpers")
def list_helpers(
    request,
    point: int | None = Query(None, ge=1, le=MAX_ID, description="id of a point they serve at"),
    town: str | None = Query(
        None,
        pattern=r"^([0-9]{9}|[0-9]{9}000)$",
        description="town code (9 digits, or its 12-digit form): serving at a point in that town",
    ),
    qualified: bool | None = Query(None, description="qualified to serve today, or not"),
    q: str | None = Query(None, max_length=100, pattern=NO_CONTROL, description="name"),
    limit: int = Limit,
    offset: int = Offset,
):
    """The helper profiles the caller may see, by id, each with today's qualification."""
    refuse_unknown_query(request, {"point", "town", "qualified", "q", "limit", "offset"})
    user = request.auth
    today = timezone.localdate()
    wanted = HelperFilter(point=point, town=town or "", qualified=qualified, text=q or "")
    qs = wanted.apply(scope.helpers_for(user), today)
    count = qs.count()
    page = list(qs.order_by("id").values_list("id", flat=True)[offset : offset + limit])
    items = _helper_rows(user, Helper.objects.filter(id__in=page), today).order_by("id")
    return {"items": [helper_out(h, today) for h in items], "count": count}


@router.post(
    "/helpers",
    response={201: HelperOut, **errors(400, 403, 404, 409, 422)},
    summary="Give an account its helper profile",
)
def create_helper(request, payload: HelperCreateIn):
    """Create the helper profile of an account serving (helper or point lead) at a point you may
    change — an account made by `POST /accounts` has none until then, and is not qualified without
    one. Same fields and rules as `PATCH /helpers/{id}`. An account you cannot see → 404; one you
    see but may not manage → 403; one that has a profile already → 409."""
    user = request.auth
    person = scope.accounts_to_profile(user).filter(pk=payload.user).first()
    if person is None:
        if scope.accounts_to_profile(user, "view").filter(pk=payload.user).exists():
            raise Forbidden(["body", "user"], _("您无权为该账号建立帮办代办员档案。"))
        raise NotVisible("user", _("账号"))
    codes = set(payload.domains)
    domains = list(Domain.objects.filter(code__in=codes))
    if len(domains) != len(codes):
        raise NotVisible("domains", _("领域"))
    helper = actions.create_helper(
        person,
        by=user,
        origin=payload.origin,
        started_on=payload.started_on,
        full_time=payload.full_time,
        left_on=payload.left_on,
        work_phone=payload.work_phone,
        domains=domains,
    )
    return Status(201, _one_helper(user, helper.pk))


@router.get(
    "/helpers/without-profile",
    response={200: ServingAccountListOut, **errors(422)},
    summary="List accounts serving at a point without a helper profile",
)
def list_without_profile(
    request,
    point: int | None = Query(None, ge=1, le=MAX_ID, description="id of a point they serve at"),
    limit: int = Limit,
    offset: int = Offset,
):
    """The accounts serving (helper or point lead) at a point you may view that have no helper
    profile yet: they are not qualified to serve until one is created (`POST /helpers`). By id."""
    refuse_unknown_query(request, {"point", "limit", "offset"})
    user = request.auth
    qs = scope.accounts_to_profile(user, "view").filter(helper_profile__isnull=True)
    if point is not None:
        qs = qs.filter(Exists(Membership.objects.serving(at=point).filter(user=OuterRef("pk"))))
    count = qs.count()
    items = list(
        qs.order_by("id").prefetch_related(
            serving_places(user, "point_id", "id", via="memberships")
        )[offset : offset + limit]
    )
    manageable = set(
        scope.accounts_to_profile(user)
        .filter(pk__in=[u.pk for u in items])
        .values_list("pk", flat=True)
    )
    return {
        "items": [
            {
                "user": u.pk,
                "username": u.get_username(),
                "full_name": u.get_full_name() or u.get_username(),
                "serving": [
                    {"point": m.point_id, "point_name": m.point.name, "role": m.role}
                    for m in u.serving
                ],
                "may_create": u.pk in manageable,
            }
            for u in items
        ],
        "count": count,
    }


@router.get(
    "/helpers/{helper_id}", response={200: HelperOut, **errors(404, 422)}, summary="Get a helper"
)
def get_helper(request, helper_id: int = Path(..., ge=1, le=MAX_ID)):
    helper = _get_helper(request.auth, helper_id, "view")
    return _one_helper(request.auth, helper.pk)


@router.patch(
    "/helpers/{helper_id}",
    response={200: HelperOut, **errors(400, 403, 404, 409, 422)},
    summary="Change a helper's profile",
)
def update_helper(request, payload: HelperUpdateIn, helper_id: int = Path(..., ge=1, le=MAX_ID)):
    """Change the profile fields sent (those who may change a point the helper serves at).
    `domains` replaces the list; `left_on` may be set to null."""
    user = request.auth
    helper = _get_helper(user, helper_id, "change")
    sent = payload.model_dump(exclude_unset=True)
    domains = list(helper.domains.all())
    if "domains" in sent:
        codes = set(sent["domains"])
        domains = list(Domain.objects.filter(code__in=codes))
        if len(domains) != len(codes):
            raise NotVisible("domains", _("领域"))
    actions.save_helper(
        helper.user,
        by=user,
        origin=sent.get("origin", helper.origin),
        started_on=sent.get("started_on", helper.started_on),
        full_time=sent.get("full_time", helper.full_time),
        left_on=sent.get("left_on", helper.left_on),
        work_phone=sent.get("work_phone", helper.work_phone),
        domains=domains,
    )
    return _one_helper(user, helper.pk)


@router.get(
    "/helpers/{helper_id}/qualification",
    response={200: QualificationOut, **errors(404, 422)},
    summary="Is a helper qualified to serve on a day",
)
def get_qualification(
    request,
    helper_id: int = Path(..., ge=1, le=MAX_ID),
    on: Day | None = OnDay,
):
    """Qualified to serve (上岗资格, 先培训后上岗) on `on`: active, a year of acceptance work, a
    training passed; with the reasons when not."""
    refuse_unknown_query(request, {"on"})
    helper = _get_helper(request.auth, helper_id, "view")
    day = on or timezone.localdate()
    reasons = reasons_not_qualified(helper, day)
    return {"helper": helper.pk, "on": day, "qualified": not reasons, "reasons": reasons}
