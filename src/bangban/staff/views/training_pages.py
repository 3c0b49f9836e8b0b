"""The trainings pages: organisers, their coverage, sessions and results."""

from __future__ import annotations

import datetime as dt
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangban.network import access
from bangban.network.forms import SearchForm, add_network_errors

from .. import actions, scope
from ..forms import CoverageForm, OrganiserNameForm, ResultsForm, TrainingForm
from ..helper_filter import serving_at
from ..models import (
    TRAININGS_PER_YEAR,
    CoverageCorrection,
    Helper,
    TrainingOrganiser,
    TrainingSession,
)
from .common import _page

# --- Trainings ------------------------------------------------------------------------------------


def _year(request, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= 2100 else today.year


@login_required
def organisers(request):
    """The training organisers in scope, each with this year's trainings against the rule."""
    user = request.user
    today = timezone.localdate()
    year = _year(request, today)
    rows = (
        scope.organisers_for(user, "view")
        .with_trainings(year)
        .with_point_count()
        .select_related("county", "department", "organisation", "town_centre")
        .order_by("county__code", "-active", "kind", "name", "id")
    )
    context = {
        "page": _page(request, rows),
        "year": year,
        "required": TRAININGS_PER_YEAR,
    }
    return render(request, "staff/organisers.html", context)


def _corrected(organiser: TrainingOrganiser, change: str) -> Exists:
    """The point (OuterRef) carries the organiser's correction `change`."""
    return Exists(
        CoverageCorrection.objects.filter(organiser=organiser, point=OuterRef("pk"), change=change)
    )


@login_required
def organiser_detail(request, pk: int):
    user = request.user
    today = timezone.localdate()
    year = _year(request, today)
    organiser = scope.get_organiser_for(
        user,
        pk,
        "view",
        queryset=TrainingOrganiser.objects.select_related(
            "county", "department", "organisation", "town_centre"
        ),
    )
    visible = access.points_for(user, "view").values("pk")
    points = (
        organiser.points.filter(pk__in=visible)
        .annotate(added=_corrected(organiser, CoverageCorrection.Change.ADDED))
        .select_related("region")
        .order_by("ancestry", "name", "id")
    )
    removed = (
        organiser.corrections.filter(change=CoverageCorrection.Change.REMOVED, point__in=visible)
        .select_related("point", "created_by")
        .order_by("point__ancestry", "point__name", "id")
    )
    sessions = (
        organiser.sessions.in_year(year)
        .annotate(
            attendees=Count("attendances"),
            passed=Count("attendances", filter=Q(attendances__passed=True)),
        )
        .order_by("-held_on", "-id")
    )
    years = sorted(
        {d.year for d in organiser.sessions.dates("held_on", "year")} | {today.year, year},
        reverse=True,
    )
    context = {
        "organiser": organiser,
        "points": _page(request, points),
        "sessions": sessions,
        "year": year,
        "years": years,
        "required": TRAININGS_PER_YEAR,
        "can_manage": scope.organisers_for(user, "change").filter(pk=organiser.pk).exists(),
        "can_correct": scope.organisers_to_correct(user).filter(pk=organiser.pk).exists(),
        "removed": removed,
    }
    return render(request, "staff/organiser.html", context)


#: Rows shown in each list of the coverage page; a search narrows them.
COVERAGE_ROWS = 200


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organiser_coverage(request, pk: int):
    """Correct what an organiser trains for (the county's region admins): remove points it covers,
    add points of its county, each time with a note; and give it a name of its own. Corrections
    survive every recomputation when the network changes (docs/decisions/0026)."""
    user = request.user
    organiser = scope.get_organiser_for(
        user,
        pk,
        "correct",
        queryset=TrainingOrganiser.objects.select_related(
            "county", "department", "organisation", "town_centre"
        ),
    )
    county_points = access.points_for(user, "view").filter(county_id=organiser.county_id)
    covered = county_points.filter(trainers=organiser)
    offered = county_points.filter(active=True).exclude(trainers=organiser)
    posted = request.POST.get("op") if request.method == "POST" else None
    data = {op: request.POST if op == posted else None for op in ("remove", "add", "name")}
    forms_by_op = {
        "remove": CoverageForm(data["remove"], prefix="remove", points=covered),
        "add": CoverageForm(data["add"], prefix="add", points=offered),
        "name": OrganiserNameForm(
            data["name"],
            prefix="name",
            initial={"name": "" if organiser.name_follows else organiser.name},
        ),
    }
    form = forms_by_op.get(posted)
    if form is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            if posted == "name":
                actions.rename_organiser(organiser, name=cleaned["name"], by=user)
            else:
                points = list(cleaned["points"])
                actions.correct_coverage(
                    organiser, by=user, note=cleaned["note"], **{posted: points}
                )
        except actions.StaffError as error:
            add_network_errors(form, error)
        else:
            if posted == "name":
                messages.success(request, _("名称已保存。"))
            elif posted == "add":
                messages.success(
                    request, _("已增加 %(n)s 个负责培训的服务点。") % {"n": len(points)}
                )
            else:
                messages.success(
                    request, _("已移除 %(n)s 个负责培训的服务点。") % {"n": len(points)}
                )
            return redirect("staff:organiser_coverage", pk=organiser.pk)
    search = SearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    covered_rows = covered.search(text)
    offered_rows = offered.search(text)
    order = ("ancestry", "name", "id")
    context = {
        "organiser": organiser,
        "search": search,
        "query": text,
        "covered": list(
            covered_rows.annotate(added=_corrected(organiser, CoverageCorrection.Change.ADDED))
            .select_related("region")
            .order_by(*order)[:COVERAGE_ROWS]
        ),
        "covered_count": covered_rows.count(),
        "offered": list(
            offered_rows.annotate(removed=_corrected(organiser, CoverageCorrection.Change.REMOVED))
            .select_related("region")
            .order_by(*order)[:COVERAGE_ROWS]
        ),
        "offered_count": offered_rows.count(),
        "limit": COVERAGE_ROWS,
        "remove_form": forms_by_op["remove"],
        "add_form": forms_by_op["add"],
        "name_form": forms_by_op["name"],
        "checked": {
            op: {str(value) for value in forms_by_op[op]["points"].value() or ()}
            for op in ("remove", "add")
        },
    }
    return render(request, "staff/organiser_coverage.html", context)


def _candidates(organiser: TrainingOrganiser, today: dt.date, also=()):
    """The helpers serving at the organiser's points (active today), and those named in `also`."""
    return (
        Helper.objects.filter(
            Q(
                serving_at(organiser.points.values("pk")),
                Q(left_on__isnull=True) | Q(left_on__gt=today),
            )
            | Q(pk__in=list(also))
        )
        .select_related("user")
        .order_by("user__first_name", "user__username", "id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request, pk: int):
    """Record a training the organiser held: date, topic, material, attendees with results."""
    user = request.user
    today = timezone.localdate()
    organiser = scope.get_organiser_for(user, pk, "change")
    form = TrainingForm(
        request.POST or None, request.FILES or None, candidates=_candidates(organiser, today)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.record_training(
                organiser,
                held_on=data["held_on"],
                topic=data["topic"],
                by=user,
                results=form.results(),
                material=data.get("material") or None,
            )
        except actions.StaffError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已登记培训“%(topic)s”。") % {"topic": session.topic})
            return redirect("staff:training", pk=session.pk)
    return render(request, "staff/training_form.html", {"organiser": organiser, "form": form})


def _session_for(user, pk, action: access.Action) -> TrainingSession:
    try:
        return (
            TrainingSession.objects.filter(
                organiser__in=scope.organisers_for(user, action).values("pk")
            )
            .select_related("organiser", "created_by")
            .get(pk=pk)
        )
    except (TrainingSession.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


@login_required
def training_detail(request, pk: int):
    user = request.user
    session = _session_for(user, pk, "view")
    can_manage = scope.organisers_for(user, "change").filter(pk=session.organiser_id).exists()
    attendances = session.attendances.select_related("helper__user").order_by(
        "helper__user__first_name", "helper__user__username", "id"
    )
    if not can_manage:
        attendances = attendances.filter(helper__in=scope.helpers_for(user).values("pk"))
    context = {
        "session": session,
        "organiser": session.organiser,
        "attendances": attendances,
        "can_manage": can_manage,
        "material_name": os.path.basename(session.material.name) if session.material else "",
    }
    return render(request, "staff/training.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def training_results(request, pk: int):
    user = request.user
    today = timezone.localdate()
    session = _session_for(user, pk, "change")
    recorded = dict(session.attendances.values_list("helper_id", "passed"))
    form = ResultsForm(
        request.POST or None,
        candidates=_candidates(session.organiser, today, also=recorded),
        recorded=recorded,
    )
    if request.method == "POST" and form.is_valid():
        actions.set_training_results(session, form.results(), by=user)
        messages.success(request, _("参训结果已保存。"))
        return redirect("staff:training", pk=session.pk)
    return render(
        request,
        "staff/training_results.html",
        {"session": session, "organiser": session.organiser, "form": form},
    )


@login_required
def training_material(request, pk: int):
    """The teaching material, only for those who may view the organiser."""
    session = _session_for(request.user, pk, "view")
    if not session.material:
        raise Http404
    try:
        handle = session.material.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle, as_attachment=True, filename=os.path.basename(session.material.name)
    )
