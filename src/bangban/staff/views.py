"""The staff pages: helpers (list, page, profile edit) and trainings (organisers, sessions).

Thin on purpose, like the network pages: everything is read through the gate
(`network.access.helpers_visible_to` / `organisers_for`, 404 for missing and not-allowed alike) and
every write goes through `staff.actions`.
"""

from __future__ import annotations

import datetime as dt
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangban.network import access
from bangban.network.forms import add_network_errors
from bangban.network.models import Membership, ServicePoint

from . import actions
from .forms import HelperForm, HelperSearchForm, ResultsForm, TrainingForm
from .models import TRAININGS_PER_YEAR, Helper, TrainingOrganiser, TrainingSession
from .qualification import reasons_from_training, with_training

PAGE_SIZE = 50


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _serving_at(points) -> Exists:
    """The helper serves (helper or point lead) at one of `points` (a queryset of point ids)."""
    return Exists(
        Membership.objects.filter(
            user=OuterRef("user_id"), role__in=access.SERVING_ROLES, point__in=points
        )
    )


def _places(user) -> Prefetch:
    """Where each helper serves, among the points the user may see."""
    return Prefetch(
        "user__memberships",
        queryset=Membership.objects.filter(
            role__in=access.SERVING_ROLES,
            point__in=access.points_for(user, "view").values("pk"),
        )
        .select_related("point")
        .order_by("point__name", "id"),
        to_attr="serving",
    )


def _with_reasons(helpers, on: dt.date):
    for helper in helpers:
        helper.reasons = reasons_from_training(helper, on)
    return helpers


# --- Helpers --------------------------------------------------------------------------------------


@login_required
def helpers(request):
    """The helpers in the user's scope: search by name, filter by point or town, qualified today."""
    user = request.user
    today = timezone.localdate()
    towns = list(
        access.points_for(user, "view")
        .filter(kind=ServicePoint.Kind.TOWN_CENTRE)
        .select_related("region")
        .order_by("region__code")[:300]
    )
    search = HelperSearchForm(request.GET or None, towns=towns)
    rows = access.helpers_visible_to(user)
    point = town = None
    text = ""
    if search.is_valid():
        text = search.cleaned_data["q"]
        if search.cleaned_data.get("point"):
            point = access.get_point_for(user, search.cleaned_data["point"])
            rows = rows.filter(_serving_at([point.pk]))
        if search.cleaned_data.get("town"):
            town = next(t for t in towns if str(t.pk) == search.cleaned_data["town"])
            low, high = town.region.code_range
            rows = rows.filter(
                _serving_at(
                    ServicePoint.objects.filter(
                        region__code__gte=low, region__code__lt=high
                    ).values("pk")
                )
            )
    if text:
        rows = rows.filter(
            Q(user__username__icontains=text)
            | Q(user__first_name__contains=text)
            | Q(user__last_name__contains=text)
        )
    rows = (
        with_training(rows, today)
        .select_related("user")
        .prefetch_related(_places(user))
        .order_by("user__first_name", "user__username", "id")
    )
    page = _page(request, rows)
    _with_reasons(page.object_list, today)
    context = {
        "search": search,
        "query": text,
        "point": point,
        "town": town,
        "filtered": bool(text or point or town),
        "page": page,
        "today": today,
    }
    return render(request, "staff/helpers.html", context)


@login_required
def helper_detail(request, pk: int):
    user = request.user
    today = timezone.localdate()
    helper = access.get_helper_for(
        user,
        pk,
        "view",
        queryset=with_training(Helper.objects.select_related("user"), today).prefetch_related(
            _places(user), "domains"
        ),
    )
    helper.reasons = reasons_from_training(helper, today)
    attendances = helper.attendances.select_related("session__organiser").order_by(
        "-session__held_on", "session_id"
    )
    context = {
        "helper": helper,
        "attendances": attendances,
        "today": today,
        "can_change": access.helpers_for(user, "change").filter(pk=helper.pk).exists(),
    }
    return render(request, "staff/helper.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def helper_edit(request, pk: int):
    user = request.user
    helper = access.get_helper_for(
        user, pk, "change", queryset=Helper.objects.select_related("user")
    )
    initial = {
        "full_time": helper.full_time,
        "origin": helper.origin,
        "started_on": helper.started_on,
        "left_on": helper.left_on,
        "work_phone": helper.work_phone,
        "domains": list(helper.domains.all()),
    }
    form = HelperForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_helper(helper.user, by=user, **form.cleaned_data)
        except actions.StaffError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已保存“%(name)s”的档案。") % {"name": helper})
            return redirect("staff:helper", pk=helper.pk)
    return render(request, "staff/helper_form.html", {"helper": helper, "form": form})


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
        access.organisers_for(user, "view")
        .with_trainings(year)
        .select_related("county")
        .order_by("county__code", "kind", "name", "id")
    )
    context = {
        "page": _page(request, rows),
        "year": year,
        "required": TRAININGS_PER_YEAR,
    }
    return render(request, "staff/organisers.html", context)


@login_required
def organiser_detail(request, pk: int):
    user = request.user
    today = timezone.localdate()
    year = _year(request, today)
    organiser = access.get_organiser_for(
        user, pk, "view", queryset=TrainingOrganiser.objects.select_related("county")
    )
    points = (
        organiser.points.filter(pk__in=access.points_for(user, "view").values("pk"))
        .select_related("region")
        .order_by("ancestry", "name", "id")
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
        "can_manage": access.organisers_for(user, "change").filter(pk=organiser.pk).exists(),
    }
    return render(request, "staff/organiser.html", context)


def _candidates(organiser: TrainingOrganiser, today: dt.date, also=()):
    """The helpers serving at the organiser's points (active today), and those named in `also`."""
    return (
        Helper.objects.filter(
            Q(
                _serving_at(organiser.points.values("pk")),
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
    organiser = access.get_organiser_for(user, pk, "change")
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
                organiser__in=access.organisers_for(user, action).values("pk")
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
    can_manage = access.organisers_for(user, "change").filter(pk=session.organiser_id).exists()
    attendances = session.attendances.select_related("helper__user").order_by(
        "helper__user__first_name", "helper__user__username", "id"
    )
    if not can_manage:
        attendances = attendances.filter(helper__in=access.helpers_visible_to(user).values("pk"))
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
