"""The helpers pages: the list, a helper's page and profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangban.network import access
from bangban.network.forms import add_network_errors
from bangban.network.models import ServicePoint

from .. import actions, scope
from ..forms import HelperForm, HelperSearchForm
from ..helper_filter import HelperFilter
from ..models import Helper
from ..qualification import reasons_from_training, with_training
from .common import _page, _places, _with_reasons
from .excel_pages import _may_import_equipment, _may_import_helpers

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
    point = town = None
    text = ""
    if search.is_valid():
        text = search.cleaned_data["q"]
        if search.cleaned_data.get("point"):
            point = access.get_point_for(user, search.cleaned_data["point"])
        if search.cleaned_data.get("town"):
            town = next(t for t in towns if str(t.pk) == search.cleaned_data["town"])
    wanted = HelperFilter(
        point=point.pk if point else None, town=town.region.code if town else "", text=text
    )
    rows = (
        with_training(wanted.apply(scope.helpers_for(user), today), today)
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
        "filtered": wanted.filtered,
        "page": page,
        "today": today,
        "may_import_helpers": _may_import_helpers(user),
        "may_import_equipment": _may_import_equipment(user),
    }
    return render(request, "staff/helpers.html", context)


@login_required
def helper_detail(request, pk: int):
    user = request.user
    today = timezone.localdate()
    helper = scope.get_helper_for(
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
        "can_change": scope.helpers_for(user, "change").filter(pk=helper.pk).exists(),
    }
    return render(request, "staff/helper.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def helper_edit(request, pk: int):
    user = request.user
    helper = scope.get_helper_for(
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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def helper_new(request, user_id: int):
    """Give a helper profile to someone who serves at a point the requester may change (an account
    made on the point's page has none yet, so is not qualified until it has one)."""
    user = request.user
    person = (
        scope.accounts_to_profile(user).filter(pk=user_id).select_related("helper_profile").first()
    )
    if person is None:
        raise Http404
    existing = getattr(person, "helper_profile", None)
    if existing is not None:
        return redirect("staff:helper_edit", pk=existing.pk)
    form = HelperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            helper = actions.save_helper(person, by=user, **form.cleaned_data)
        except actions.StaffError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已建立“%(name)s”的档案。") % {"name": helper})
            return redirect("staff:helper", pk=helper.pk)
    name = person.get_full_name() or person.get_username()
    return render(request, "staff/helper_form.html", {"helper": None, "name": name, "form": form})
