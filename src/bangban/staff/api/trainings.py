"""The staff API: training sessions and their results."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Path, Query

from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, errors
from bangban.network import access

from .. import actions, scope
from ..helper_filter import serving_at
from ..models import Helper, TrainingAttendance, TrainingOrganiser, TrainingSession
from .common import MAX_YEAR, MIN_YEAR, router
from .organisers import _get_organiser
from .schemas import ResultIn, ResultsIn, TrainingIn, TrainingListOut, TrainingOut

# --- Trainings -------------------------------------------------------------------------------------


def _sessions(user, action: access.Action):
    return TrainingSession.objects.filter(
        organiser__in=scope.organisers_for(user, action).values("pk")
    )


def training_out(s: TrainingSession) -> dict:
    return {
        "id": s.pk,
        "organiser": s.organiser_id,
        "held_on": s.held_on,
        "topic": s.topic,
        "has_material": bool(s.material),
        "results": [
            {"helper": a.helper_id, "name": str(a.helper), "passed": a.passed}
            for a in s.attendances.all()
        ],
    }


def _training_detail(pk: int) -> dict:
    s = TrainingSession.objects.prefetch_related(
        Prefetch(
            "attendances",
            queryset=TrainingAttendance.objects.select_related("helper__user").order_by(
                "helper_id"
            ),
        )
    ).get(pk=pk)
    return training_out(s)


def _results(user, organiser: TrainingOrganiser, results: list[ResultIn], keep=()) -> dict:
    """The results named in a body, as {Helper: passed}: each helper must be visible (404) and
    serve at one of the organiser's points, unless already recorded at this training (409)."""
    wanted = {r.helper: r.passed for r in results}
    if not wanted:
        return {}
    visible = {h.pk: h for h in scope.helpers_for(user).filter(pk__in=list(wanted))}
    if user.is_superuser:
        visible = {h.pk: h for h in Helper.objects.filter(pk__in=list(wanted))}
    missing = [pk for pk in wanted if pk not in visible]
    if missing:
        raise NotVisible("results", _("帮办代办员"))
    serving = set(
        Helper.objects.filter(pk__in=list(wanted))
        .filter(serving_at(organiser.points.values("pk")))
        .values_list("pk", flat=True)
    ) | set(keep)
    outside = [pk for pk in wanted if pk not in serving]
    if outside:
        raise actions.StaffError(
            {
                "results": _("帮办代办员（编号 %(ids)s）不在该组织单位负责培训的服务点服务。")
                % {"ids": "、".join(str(pk) for pk in outside)}
            }
        )
    return {visible[pk]: passed for pk, passed in wanted.items()}


@router.get("/trainings", response={200: TrainingListOut, **errors(422)}, summary="List trainings")
def list_trainings(
    request,
    organiser: int | None = Query(None, ge=1, le=MAX_ID, description="id of the organiser"),
    year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="calendar year"),
    limit: int = Limit,
    offset: int = Offset,
):
    """The trainings of the organisers the caller may see, newest first."""
    refuse_unknown_query(request, {"organiser", "year", "limit", "offset"})
    qs = _sessions(request.auth, "view")
    if organiser is not None:
        qs = qs.filter(organiser_id=organiser)
    if year is not None:
        qs = qs.in_year(year)
    count = qs.count()
    items = qs.order_by("-held_on", "-id").prefetch_related(
        Prefetch(
            "attendances",
            queryset=TrainingAttendance.objects.select_related("helper__user").order_by(
                "helper_id"
            ),
        )
    )[offset : offset + limit]
    return {"items": [training_out(s) for s in items], "count": count}


@router.get(
    "/trainings/{training_id}",
    response={200: TrainingOut, **errors(404, 422)},
    summary="Get a training",
)
def get_training(request, training_id: int = Path(..., ge=1, le=MAX_ID)):
    session = _sessions(request.auth, "view").filter(pk=training_id).first()
    if session is None:
        raise ApiError(404, ["path", "training_id"], _("培训不存在或无权访问。"), "not_found")
    return _training_detail(session.pk)


@router.post(
    "/trainings",
    response={201: TrainingOut, **errors(400, 403, 404, 409, 422)},
    summary="Record a training",
)
def create_training(request, payload: TrainingIn):
    """Record a training the organiser held, with each attendee's result (the organiser's own
    admins). Attendees must serve at one of the organiser's points. Teaching material is uploaded
    on the training's page."""
    user = request.auth
    organiser = _get_organiser(user, payload.organiser, "change", loc=["body", "organiser"])
    results = _results(user, organiser, payload.results)
    session = actions.record_training(
        organiser, held_on=payload.held_on, topic=payload.topic, by=user, results=results
    )
    return Status(201, _training_detail(session.pk))


@router.patch(
    "/trainings/{training_id}",
    response={200: TrainingOut, **errors(400, 403, 404, 409, 422)},
    summary="Set a training's results",
)
def update_results(request, payload: ResultsIn, training_id: int = Path(..., ge=1, le=MAX_ID)):
    """Set who attended and whether each passed; attendees not named keep their result."""
    user = request.auth
    session = _sessions(user, "change").select_related("organiser").filter(pk=training_id).first()
    if session is None:
        if _sessions(user, "view").filter(pk=training_id).exists():
            raise Forbidden(["path", "training_id"], _("您无权修改该培训的考核结果。"))
        raise ApiError(404, ["path", "training_id"], _("培训不存在或无权访问。"), "not_found")
    recorded = session.attendances.values_list("helper_id", flat=True)
    results = _results(user, session.organiser, payload.results, keep=recorded)
    actions.set_training_results(session, results, by=user)
    return _training_detail(session.pk)
