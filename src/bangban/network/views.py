"""The network pages: the tree with search and drill-down, a point's page, the edit forms, the
architecture chart pages, and the Chinese lockout page of the login throttle.

Thin on purpose: every point is read through the gate (`access.get_point_for` / `access.points_for`,
404 for missing and not-allowed alike), every write goes through `actions.py`. Each page runs a fixed
number of SQL queries whatever the size of the network (counts are aggregated in the database).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Length, Substr
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import access, actions
from .forms import (
    AccountForm,
    AccountSearchForm,
    AddPointForm,
    DepartmentForm,
    EquipmentCheckForm,
    EquipmentForm,
    HoursFormSet,
    OrganisationForm,
    PointAccountForm,
    PointForm,
    SearchForm,
    SignageForm,
    UnitFilterForm,
    account_roles_for,
    add_network_errors,
    child_kinds,
    point_roles_for,
)
from .models import (
    BINDING,
    CODE_LENGTHS,
    Department,
    Equipment,
    OpeningHours,
    PartnerOrganisation,
    Region,
    Role,
    ServicePoint,
)

Kind = ServicePoint.Kind
PAGE_SIZE = 50

#: Kinds in the order a county centre lists its children.
KIND_RANK = Case(
    *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(Kind.values)),
    output_field=IntegerField(),
)


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


@dataclass
class Crumb:
    label: str
    url: str | None = None


def _children_of(user, point: ServicePoint):
    """The visible children of `point`, each with the number of points directly under it."""
    return (
        access.points_for(user, "view")
        .filter(parent=point)
        .select_related("region", "organisation", "department", "domain")
        .annotate(kind_rank=KIND_RANK, child_count=Count("children"))
        .order_by("kind_rank", "domain__position", "region__code", "name", "id")
    )


def _page(request, queryset, size: int = PAGE_SIZE):
    paginator = Paginator(queryset, size)
    return paginator.get_page(request.GET.get("page"))


def _ancestors(user, point: ServicePoint) -> list[ServicePoint]:
    ids = point.ancestor_ids
    if not ids:
        return []
    found = {p.pk: p for p in access.points_for(user, "view").filter(pk__in=ids).only("id", "name")}
    return [found[i] for i in ids if i in found]


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
        context["results"] = _page(request, _search(request.user, text))
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
            "ancestors": _ancestors(request.user, point),
            "children": _page(request, _children_of(request.user, point)),
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
        "ancestors": _ancestors(user, point),
        "hours_by_day": _hours_by_day(point),
        "children": _page(request, _children_of(user, point)),
        "can_change": access.can(user, "change", point),
        "can_add": bool(child_kinds(point)) and access.can(user, "add_child", point),
        "parent_visible": point.parent_id is not None
        and access.points_for(user, "view").filter(pk=point.parent_id).exists(),
        "people": _people_at(user, point),
        "can_add_account": bool(point_roles_for(user, point)),
        **_equipment_context(point),
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
        {"point": point, "form": form, "ancestors": _ancestors(request.user, point)},
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
        {"point": parent, "form": form, "ancestors": _ancestors(request.user, parent)},
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
            "ancestors": _ancestors(request.user, point),
        },
    )


# --- The architecture chart -----------------------------------------------------------------------


def _top_point(user) -> ServicePoint:
    """The user's top visible point: the county centre of a county admin, a town admin's centre."""
    point = (
        access.points_for(user, "view")
        .annotate(ancestry_length=Length("ancestry"))
        .order_by("ancestry_length", "county__code", "id")
        .first()
    )
    if point is None:
        raise Http404
    return point


@login_required
def chart(request, pk: int | None = None):
    from . import chart as charts

    user = request.user
    point = _top_point(user) if pk is None else access.get_point_for(user, pk, "view")
    node = charts.build_chart(point, user)
    context = {"root": point, "chart": node, "option": charts.to_echarts(node)}
    return render(request, "network/chart.html", context)


@login_required
def chart_svg(request, pk: int):
    from . import chart as charts

    point = access.get_point_for(request.user, pk, "view")
    svg = charts.to_svg(charts.build_chart(point, request.user))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="architecture-{point.pk}.svg"'
    return response


# --- Accounts -------------------------------------------------------------------------------------

#: Roles in the order of Role (highest first).
ROLE_RANK = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(Role.values)),
    output_field=IntegerField(),
)


def _people_at(user, point: ServicePoint):
    """The memberships bound to `point`, highest role first (one query, through the gate)."""
    return (
        access.memberships_visible_to(user)
        .filter(point=point)
        .select_related("user")
        .annotate(role_rank=ROLE_RANK)
        .order_by("role_rank", "user__username", "id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_account_new(request, pk: int):
    """A new account bound to a point: town admin (at a town centre), point lead or helper."""
    user = request.user
    point = access.get_point_for(
        user, pk, "view", queryset=ServicePoint.objects.select_related("region", "county")
    )
    roles = point_roles_for(user, point)
    if not roles:
        raise Http404
    form = PointAccountForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        if not access.can_grant(user, role, point):
            form.add_error("role", _("您无权在此服务点授予该角色。"))
        else:
            try:
                account = actions.create_account(**form.account_arguments(), binding=point, by=user)
            except actions.NetworkError as error:
                add_network_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已新增账号“%(username)s”（%(role)s）。")
                    % {"username": account.username, "role": Role(role).label},
                )
                return redirect("network:point", pk=point.pk)
    return render(
        request,
        "network/point_account_new.html",
        {"point": point, "form": form, "ancestors": _ancestors(user, point)},
    )


@login_required
def accounts(request):
    """The accounts whose memberships lie within the user's scope, one row per membership."""
    user = request.user
    search = AccountSearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    rows = access.memberships_visible_to(user).select_related(
        "user", "region", "point", "department", "organisation"
    )
    if text:
        rows = rows.filter(
            Q(user__username__icontains=text)
            | Q(user__first_name__contains=text)
            | Q(user__last_name__contains=text)
        )
    rows = rows.annotate(role_rank=ROLE_RANK).order_by("user__username", "role_rank", "id")
    roles = access.grantable_roles(user)
    context = {
        "search": search,
        "query": text,
        "page": _page(request, rows),
        "can_add": bool(account_roles_for(user)),
        "can_add_at_points": any(role in access.POINT_ROLES for role in roles),
    }
    return render(request, "network/accounts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_new(request):
    """A new account bound to a region, a department or a partner organisation."""
    user = request.user
    if not account_roles_for(user):
        raise Http404
    form = AccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        binding = form.binding()
        if not access.can_grant(user, role, binding):
            form.add_error(BINDING[Role(role)], _("您无权在这里授予该角色。"))
        else:
            try:
                account = actions.create_account(
                    **form.account_arguments(), binding=binding, by=user
                )
            except actions.NetworkError as error:
                add_network_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已新增账号“%(username)s”（%(role)s）。")
                    % {"username": account.username, "role": Role(role).label},
                )
                return redirect("network:accounts")
    return render(request, "network/account_new.html", {"form": form})


# --- Equipment and signage ------------------------------------------------------------------------


def _equipment_context(point: ServicePoint) -> dict:
    """The point page's equipment card: one query for every line with its last and next check."""
    today = timezone.localdate()
    rows = list(
        point.equipment.select_related("kind", "responsible")
        .with_check_dates()
        .order_by("state", "kind__position", "id")
    )
    for row in rows:
        row.overdue = row.state != Equipment.State.RETIRED and row.next_check_on < today
    return {"equipment": rows, "today": today}


def _point_equipment_url(point: ServicePoint) -> str:
    return reverse("network:point", args=[point.pk]) + "#equipment-heading"


def _get_equipment(user, pk: int, action: access.Action) -> Equipment:
    """Equipment at a point `user` may `action`; 404 whether it is missing or not allowed."""
    try:
        return (
            access.equipment_for(user, action)
            .select_related("point", "point__county", "kind")
            .get(pk=pk)
        )
    except Equipment.DoesNotExist as error:
        raise Http404 from error


@login_required
@require_http_methods(["GET", "POST"])
def equipment_add(request, pk: int):
    user = request.user
    point = access.get_point_for(
        user, pk, "change", queryset=ServicePoint.objects.select_related("county")
    )
    form = EquipmentForm(request.POST or None, point=point)
    if request.method == "POST" and form.is_valid():
        try:
            equipment = actions.add_equipment(point, by=user, **form.changes())
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已登记设施设备“%(what)s”。") % {"what": equipment})
            return redirect(_point_equipment_url(point))
    return render(
        request,
        "network/equipment_form.html",
        {
            "point": point,
            "form": form,
            "ancestors": _ancestors(user, point),
            "title": _("登记设施设备"),
            "submit": _("登记"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def equipment_edit(request, pk: int):
    user = request.user
    equipment = _get_equipment(user, pk, "change")
    point = equipment.point
    form = EquipmentForm(request.POST or None, point=point, equipment=equipment)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_equipment(equipment, by=user, **form.changes())
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已保存设施设备“%(what)s”。") % {"what": equipment})
            return redirect(_point_equipment_url(point))
    return render(
        request,
        "network/equipment_form.html",
        {
            "point": point,
            "form": form,
            "equipment": equipment,
            "ancestors": _ancestors(user, point),
            "title": _("编辑设施设备"),
            "submit": _("保存"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def equipment_check_add(request, pk: int):
    user = request.user
    equipment = _get_equipment(user, pk, "change")
    point = equipment.point
    form = EquipmentCheckForm(
        request.POST or None, initial={"checked_on": timezone.localdate(), "result": "ok"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_equipment_check(
                equipment,
                checked_on=form.cleaned_data["checked_on"],
                result=form.cleaned_data["result"],
                fault=form.cleaned_data["fault"],
                by=user,
            )
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已记录“%(what)s”的检查。") % {"what": equipment})
            return redirect(_point_equipment_url(point))
    checks = equipment.checks.select_related("checked_by")[:20]
    return render(
        request,
        "network/equipment_check.html",
        {
            "point": point,
            "equipment": equipment,
            "checks": checks,
            "form": form,
            "ancestors": _ancestors(user, point),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_signage(request, pk: int):
    user = request.user
    point = access.get_point_for(user, pk, "change")
    form = SignageForm(request.POST or None, request.FILES or None, point=point)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_signage(
                point,
                in_place=form.cleaned_data["in_place"],
                photo=form.cleaned_data["photo"],
                by=user,
            )
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("统一标识信息已保存。"))
            return redirect(_point_equipment_url(point))
    return render(
        request,
        "network/point_signage.html",
        {"point": point, "form": form, "ancestors": _ancestors(user, point)},
    )


@login_required
def signage_photo(request, pk: int):
    """The signage photo, served through the gate (media files are not public)."""
    point = access.get_point_for(request.user, pk, "view")
    if not point.signage_photo:
        raise Http404
    try:
        handle = point.signage_photo.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- Departments and partner organisations --------------------------------------------------------


@dataclass(frozen=True)
class Units:
    """What differs between the pages of departments and those of partner organisations."""

    kind: str  # "department" | "organisation": the url names and the templates' wording
    model: type
    form: type
    title: str
    noun: str
    visible: object  # access.departments_visible_to …
    get_for: object  # access.get_department_for …
    create: object  # actions.create_department …
    update: object  # actions.update_department …

    def url(self, name: str, *args) -> str:
        return reverse(f"network:{self.kind}_{name}", args=args)

    @property
    def list_url(self) -> str:
        return self.url("list")

    @property
    def new_url(self) -> str:
        return self.url("new")


DEPARTMENTS = Units(
    kind="department",
    model=Department,
    form=DepartmentForm,
    title=gettext_lazy("进驻部门"),
    noun=gettext_lazy("部门"),
    visible=access.departments_visible_to,
    get_for=access.get_department_for,
    create=actions.create_department,
    update=actions.update_department,
)
ORGANISATIONS = Units(
    kind="organisation",
    model=PartnerOrganisation,
    form=OrganisationForm,
    title=gettext_lazy("合作单位"),
    noun=gettext_lazy("合作单位"),
    visible=access.organisations_visible_to,
    get_for=access.get_organisation_for,
    create=actions.create_partner_organisation,
    update=actions.update_partner_organisation,
)


def _unit_list(request, units: Units):
    """The departments (organisations) the user sees, with ids, state and points; filterable. Three
    queries whatever their number: the counties, the count, the page."""
    user = request.user
    visible = units.visible(user)
    counties = list(
        Region.objects.filter(pk__in=visible.values("county_id"))
        .order_by("code")
        .only("code", "name")
    )
    managed = set(access.unit_counties(user).values_list("pk", flat=True))
    filters = UnitFilterForm(request.GET or None, counties=counties)
    rows = filters.filter(visible).select_related("county").with_point_counts()
    rows = rows.order_by("county__code", "-active", "name", "id")
    context = {
        "units": units,
        "filters": filters,
        "filtered": any(request.GET.get(name) for name in filters.fields),
        "page": _page(request, rows),
        "several_counties": len(counties) > 1,
        "managed": managed,
        "can_add": bool(managed),
    }
    return render(request, "network/units.html", context)


def _unit_new(request, units: Units):
    user = request.user
    counties = list(access.unit_counties(user).order_by("code"))
    if not counties:
        raise Http404
    form = units.form(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        try:
            unit = units.create(form.chosen_county(), by=user, **form.changes())
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(
                request, _("已新增%(what)s“%(name)s”。") % {"what": units.noun, "name": unit.name}
            )
            return redirect(units.url("list"))
    context = {"units": units, "form": form, "unit": None}
    return render(request, "network/unit_form.html", context)


def _unit_edit(request, units: Units, pk: int):
    """Rename (retype) a department (organisation); the page also offers to deactivate it."""
    user = request.user
    unit = units.get_for(user, pk, "change")
    form = units.form(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            units.update(unit, by=user, **form.changes())
        except actions.NetworkError as error:
            add_network_errors(form, error)
        else:
            messages.success(request, _("已保存“%(name)s”。") % {"name": form.cleaned_data["name"]})
            return redirect(units.url("list"))
    counted = units.model.objects.with_point_counts().get(pk=unit.pk)
    context = {"units": units, "form": form, "unit": unit, "counted": counted}
    return render(request, "network/unit_form.html", context)


def _unit_active(request, units: Units, pk: int):
    """Deactivate (active=0) or reactivate (active=1) a department (organisation): POST only."""
    user = request.user
    unit = units.get_for(user, pk, "change")
    if request.POST.get("active") not in ("0", "1"):
        return HttpResponseBadRequest(_("请求无效：请从修改页面的按钮停用或启用。"))
    active = request.POST["active"] == "1"
    units.update(unit, by=user, active=active)
    if active:
        message = _("已启用“%(name)s”，可以再为它新设服务点和管理员。")
    else:
        message = _("已停用“%(name)s”：原有的服务点、事项和办件保持不变，但不能再新设。")
    messages.success(request, message % {"name": unit.name})
    return redirect(units.url("list"))


@login_required
def departments(request):
    return _unit_list(request, DEPARTMENTS)


@login_required
@require_http_methods(["GET", "POST"])
def department_new(request):
    return _unit_new(request, DEPARTMENTS)


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, pk: int):
    return _unit_edit(request, DEPARTMENTS, pk)


@login_required
@require_POST
def department_active(request, pk: int):
    return _unit_active(request, DEPARTMENTS, pk)


@login_required
def organisations(request):
    return _unit_list(request, ORGANISATIONS)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request):
    return _unit_new(request, ORGANISATIONS)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk: int):
    return _unit_edit(request, ORGANISATIONS, pk)


@login_required
@require_POST
def organisation_active(request, pk: int):
    return _unit_active(request, ORGANISATIONS, pk)
