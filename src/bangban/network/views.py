"""The network pages: the tree with search and drill-down, a point's page and its edit forms, and
the Chinese lockout page of the login throttle. The accounts, equipment and signage, departments and
partner organisations, and the architecture chart have pages of their own (`account_views`,
`equipment_views`, `unit_views`, `chart_views`); what they share is in `page_parts`.

Thin on purpose: every point is read through the gate (`access.get_point_for` / `access.points_for`,
404 for missing and not-allowed alike), every write goes through `actions.py`. Each page runs a fixed
number of SQL queries whatever the size of the network (counts are aggregated in the database).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import access, actions
from .account_forms import point_roles_for
from .forms import (
    AddPointForm,
    HoursFormSet,
    PointForm,
    SearchForm,
    add_network_errors,
    child_kinds,
)
from .models import CODE_LENGTHS, OpeningHours, Region, Role, ServicePoint
from .page_parts import KIND_RANK, ancestors, children_of, equipment_context, page, people_at

Kind = ServicePoint.Kind


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a username has failed too often from one address."""
    minutes = max(1, math.ceil(float(settings.AXES_COOLOFF_TIME or 0) * 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


#: django-axes' username column (`AccessAttempt.username`, `AccessLog.username`).
AXES_USERNAME_LENGTH = 255


def throttled_username(request, credentials=None):
    """The username django-axes counts an attempt under: the one tried, cut to its column's 255
    characters. The login form lets any length through to `authenticate` (Django sets its 150 limit
    after the field's validators are made), and a longer name failed the login with a 500 on
    PostgreSQL. No account has such a name, so the cut name still counts only its own attempts."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:AXES_USERNAME_LENGTH] if isinstance(username, str) else username


# --- The tree -------------------------------------------------------------------------------------


def _region_breadcrumbs(region: Region | None) -> list[Region]:
    """The region and the regions above it (at most province → city → county: code prefixes)."""
    if region is None:
        return []
    codes = [region.code[:length] for length in CODE_LENGTHS.values() if length < len(region.code)]
    above = {r.code: r for r in Region.objects.filter(code__in=codes)} if codes else {}
    return [above[c] for c in codes if c in above] + [region]


def _region_rows(user, region: Region | None):
    """The child regions of `region` (provinces for None) that hold visible points, with counts:
    two aggregated queries, never a row per point."""
    child_length = {0: 2, 2: 4, 4: 6}[len(region.code) if region else 0]
    points = access.points_for(user, "view")
    if region is not None:
        low, high = region.code_range
        points = points.filter(county__code__gte=low, county__code__lt=high)
    counts = dict(
        points.order_by()
        .annotate(prefix=Substr("county__code", 1, child_length))
        .values("prefix")
        .annotate(n=Count("id"))
        .values_list("prefix", "n")
    )
    children = {r.code: r for r in Region.objects.filter(code__in=list(counts))}
    level = {2: Region.Level.PROVINCE, 4: Region.Level.CITY, 6: Region.Level.COUNTY}[child_length]
    return [
        # A division file may lack the province or city rows: show the code itself then.
        (children.get(code) or Region(code=code, name=code, level=level), counts[code])
        for code in sorted(counts)
    ]


def _memberships_home(user):
    """Where a user's tree starts: ("region", Region | None), ("point", point) or ("list", [...])."""
    if access.is_superuser(user):
        return "region", None
    places = []
    for m in access.memberships(user):
        # A special supervisor's region is not a place in the tree: they see no point of it
        # ("view"), so they start nowhere (an empty list).
        if m.role in (Role.REGION_ADMIN, Role.SUPERVISOR):
            places.append(("region", m.region))
        elif m.point_id:
            places.append(("point", m.point))
        elif m.department_id:
            places.append(("department", m.department))
        elif m.organisation_id:
            places.append(("organisation", m.organisation))
    unique = list(dict.fromkeys(places))
    if len(unique) == 1 and unique[0][0] in ("region", "point"):
        return unique[0]
    return "list", unique


@login_required
def tree(request):
    """The user's scope, top-down: regions with counts, then a point and its children; or search."""
    fragment = bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = _tree(request, fragment)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _tree(request, fragment: bool):
    search = SearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    context = {"search": search, "query": text}
    if text:
        context["results"] = page(request, _search(request.user, text))
        if fragment:
            return render(request, "network/_search_results.html", context)
        return render(request, "network/tree.html", context)
    if fragment and "q" in request.GET:
        return render(request, "network/_search_results.html", context)

    user = request.user
    if request.GET.get("point"):
        point = access.get_point_for(
            user, request.GET["point"], queryset=ServicePoint.objects.select_related("region")
        )
        return _point_level(request, point, context)
    if request.GET.get("region"):
        code = request.GET["region"]
        region = access.regions_for(user).filter(code=code, level__in=["province", "city"]).first()
        if region is None:
            county_centre = (
                access.points_for(user, "view")
                .filter(kind=Kind.COUNTY_CENTRE, county__code=code)
                .first()
            )
            if county_centre is None:
                raise Http404
            return _point_level(request, county_centre, context)
        return _region_level(request, region, context)

    what, where = _memberships_home(user)
    if what == "region":
        if where is not None and where.level == Region.Level.COUNTY:
            centre = (
                access.points_for(user, "view")
                .filter(kind=Kind.COUNTY_CENTRE, county=where)
                .select_related("region")
                .first()
            )
            if centre is not None:
                return _point_level(request, centre, context)
        return _region_level(request, where, context)
    if what == "point":
        return _point_level(request, where, context)
    context["places"] = _home_places(user, where)
    return render(request, "network/tree.html", context)


def _home_places(user, places):
    """Several memberships: the points they bind to, or the windows of a department / the stations
    of a partner organisation (one query, paginated by a hard cap)."""
    q = Q()
    regions = []
    for what, where in places:
        if what == "point":
            q |= Q(pk=where.pk)
        elif what == "department":
            q |= Q(department=where)
        elif what == "organisation":
            q |= Q(organisation=where)
        elif what == "region":
            regions.append(where)
    points = []
    if q:
        points = list(
            access.points_for(user, "view")
            .filter(q)
            .select_related("region")
            .annotate(kind_rank=KIND_RANK, child_count=Count("children"))
            .order_by("kind_rank", "domain__position", "region__code", "name", "id")[:200]
        )
    return {"regions": regions, "points": points}


def _region_level(request, region: Region | None, context):
    context.update(
        {
            "region": region,
            "region_crumbs": _region_breadcrumbs(region),
            "region_rows": _region_rows(request.user, region),
        }
    )
    return render(request, "network/tree.html", context)


def _point_level(request, point: ServicePoint, context):
    context.update(
        {
            "point": point,
            "ancestors": ancestors(request.user, point),
            "children": page(request, children_of(request.user, point)),
        }
    )
    return render(request, "network/tree.html", context)


def _search(user, text: str):
    return (
        access.points_for(user, "view")
        .search(text)
        .select_related("region", "parent")
        .annotate(ancestry_length=Length("ancestry"))
        .order_by("ancestry_length", "region__code", "name", "id")
    )


# --- A point --------------------------------------------------------------------------------------

DAY_ORDER = OpeningHours.Weekday


def _hours_by_day(point: ServicePoint):
    by_day: dict[int, list[OpeningHours]] = {}
    for period in point.hours.all():
        by_day.setdefault(period.weekday, []).append(period)
    return [(DAY_ORDER(day).label, by_day.get(day, [])) for day in DAY_ORDER.values]


@login_required
def point_detail(request, pk: int):
    point = access.get_point_for(
        request.user,
        pk,
        "view",
        queryset=ServicePoint.objects.select_related(
            "parent", "region", "county", "domain", "department", "organisation"
        ),
    )
    user = request.user
    context = {
        "point": point,
        "ancestors": ancestors(user, point),
        "hours_by_day": _hours_by_day(point),
        "children": page(request, children_of(user, point)),
        "can_change": access.can(user, "change", point),
        "can_add": bool(child_kinds(point)) and access.can(user, "add_child", point),
        "parent_visible": point.parent_id is not None
        and access.points_for(user, "view").filter(pk=point.parent_id).exists(),
        "people": people_at(user, point),
        "can_add_account": bool(point_roles_for(user, point)),
        **equipment_context(point),
    }
    return render(request, "network/point.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request, pk: int):
    point = access.get_point_for(
        request.user,
        pk,
        "change",
        queryset=ServicePoint.objects.select_related("parent", "region", "county"),
    )
    form = PointForm(request.POST or None, point=point, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_point(point, by=request.user, **form.changes())
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已保存“%(name)s”。") % {"name": form.cleaned_data["name"]})
            return redirect("network:point", pk=point.pk)
    return render(
        request,
        "network/point_form.html",
        {"point": point, "form": form, "ancestors": ancestors(request.user, point)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_add(request, pk: int):
    parent = access.get_point_for(
        request.user,
        pk,
        "add_child",
        queryset=ServicePoint.objects.select_related("region", "county"),
    )
    if not child_kinds(parent):
        raise Http404
    form = AddPointForm(request.POST or None, parent=parent, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = actions.create_point(parent, by=request.user, **form.point_arguments())
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已新增“%(name)s”。") % {"name": child.name})
            return redirect("network:point", pk=child.pk)
    return render(
        request,
        "network/point_add.html",
        {"point": parent, "form": form, "ancestors": ancestors(request.user, parent)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_hours(request, pk: int):
    point = access.get_point_for(request.user, pk, "change")
    hours_errors: list[str] = []
    if request.method == "POST":
        data = request.POST.copy()
        if "add_row" in data:
            total = data.get("form-TOTAL_FORMS", "0")
            data["form-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
            formset = HoursFormSet(data)
            formset.is_valid()  # only to show what is already wrong
        else:
            formset = HoursFormSet(data)
            if formset.is_valid():
                periods = [
                    actions.Period(
                        weekday=row["weekday"],
                        opens_at=row["opens_at"],
                        closes_at=row["closes_at"],
                        kind=row["kind"],
                    )
                    for row in formset.cleaned_data
                    if row and not row.get("DELETE")
                ]
                try:
                    actions.set_opening_hours(point, periods, by=request.user)
                except actions.NetworkError as error:
                    hours_errors = [msg for msgs in error.errors.values() for msg in msgs]
                else:
                    messages.success(request, _("服务时间已保存。"))
                    return redirect("network:point", pk=point.pk)
    else:
        initial = [
            {"weekday": h.weekday, "opens_at": h.opens_at, "closes_at": h.closes_at, "kind": h.kind}
            for h in point.hours.all()
        ]
        formset = HoursFormSet(initial=initial or [{"weekday": 1, "kind": "regular"}])
    return render(
        request,
        "network/point_hours.html",
        {
            "point": point,
            "formset": formset,
            "hours_errors": hours_errors,
            "ancestors": ancestors(request.user, point),
        },
    )
