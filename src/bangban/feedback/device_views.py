"""The hall rating devices' pages (评价器): the devices of the points the user sees, registering one
(its token shown once, on the page that answers the registration, never again), deactivating one,
and pushing an occasion to one for the applicant to rate now. The writes are `actions.devices`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bangban.cases.models import Occasion
from bangban.cases.scope import cases_for
from bangban.kernel.forms import add_rule_errors
from bangban.network import access
from bangban.network.models import ServicePoint

from . import scope
from .actions import deactivate_device, push_occasion, register_device
from .device_forms import DeviceForm, PushForm
from .errors import FeedbackError
from .rules import DEVICE_WINDOW

PAGE_SIZE = 50
#: The points offered when registering a device: at most this many (a city's admin types less).
POINTS_OFFERED = 1000
#: The occasions offered for a push: those of the last days, newest first.
PUSH_DAYS = 7
PUSH_OFFERED = 50


def _points(user):
    """The points `user` may register a device at (the first POINTS_OFFERED, by county and kind)."""
    order = ("county__code", "kind", "name", "pk")
    changeable = access.points_for(user, "change").filter(active=True).order_by(*order)
    ids = list(changeable.values_list("pk", flat=True)[:POINTS_OFFERED])
    return ServicePoint.objects.filter(pk__in=ids).order_by(*order)


def _list(request, *, form=None, created=None, token=None, status=200):
    user = request.user
    devices = scope.devices_for(user).select_related("point").order_by("-active", "point__name")
    page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
    changeable = set(scope.devices_for(user, "change").values_list("pk", flat=True))
    actable = set(scope.devices_for(user, "act").values_list("pk", flat=True))
    now = timezone.now()
    for device in page:
        device.may_change = device.pk in changeable
        device.may_push = device.pk in actable and device.active
        device.waiting = (
            device.active
            and device.pushed_at is not None
            and now - device.pushed_at <= DEVICE_WINDOW
        )
    points = _points(user)
    context = {
        "page": page,
        "form": form or (DeviceForm(points=points) if points else None),
        "created": created,
        "token": token,
    }
    response = render(request, "feedback/devices/list.html", context, status=status)
    if token:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def device_list(request):
    if request.method == "GET":
        return _list(request)
    form = DeviceForm(request.POST, points=_points(request.user))
    if form.is_valid():
        try:
            device, token = register_device(
                form.cleaned_data["point"], name=form.cleaned_data["name"], by=request.user
            )
        except FeedbackError as error:
            add_rule_errors(form, error)
        else:
            return _list(request, created=device, token=token)
    return _list(request, form=form)


@login_required
@require_POST
def device_deactivate(request, pk: int):
    device = scope.get_device_for(request.user, pk, "change")
    try:
        deactivate_device(device, by=request.user)
    except FeedbackError as error:
        for problems in error.errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("已停用评价器“%(name)s”。") % {"name": device.name})
    return redirect("feedback:devices")


def _push_candidates(user, device):
    since = timezone.localdate() - dt.timedelta(days=PUSH_DAYS)
    return list(
        Occasion.objects.filter(
            Q(point=device.point) | Q(helper=user),
            on__gte=since,
            case__in=cases_for(user),
        )
        .exclude(ratings__assess=1)
        .select_related("case", "helper")
        .order_by("-on", "-at")[:PUSH_OFFERED]
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_push(request, pk: int):
    user = request.user
    device = scope.get_device_for(user, pk, "act")
    occasions = _push_candidates(user, device)
    form = PushForm(request.POST or None, occasions=occasions)
    if request.method == "POST" and form.is_valid():
        occasion = next(o for o in occasions if o.pk == form.cleaned_data["occasion"])
        try:
            push_occasion(device, occasion=occasion, by=user)
        except FeedbackError as error:
            add_rule_errors(form, error)
        else:
            messages.success(
                request,
                _("已推送到“%(name)s”，请办事群众在 15 分钟内评价。") % {"name": device.name},
            )
            return redirect("feedback:devices")
    return render(
        request,
        "feedback/devices/push.html",
        {"device": device, "form": form, "occasions": occasions},
    )


urls = [
    path("devices/", device_list, name="devices"),
    path("devices/<int:pk>/deactivate/", device_deactivate, name="device_deactivate"),
    path("devices/<int:pk>/push/", device_push, name="device_push"),
]
