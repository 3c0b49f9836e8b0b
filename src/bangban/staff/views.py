"""The staff pages: helpers (list, page, profile), trainings (organisers, sessions), the
compliance page, the linkage directory and the Excel import/export of helpers and equipment.

Thin on purpose, like the network pages: everything is read through the gate (`network.access`,
and `staff.scope` for helpers and organisers; 404 for missing and not-allowed alike) and every
write goes through the actions.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bangban.network import access
from bangban.network.forms import SearchForm, add_network_errors
from bangban.network.models import (
    Domain,
    Equipment,
    Membership,
    Region,
    ServicePoint,
)

from . import actions, compliance, directory, scope, spreadsheets
from .forms import (
    CoverageForm,
    HelperForm,
    HelperSearchForm,
    OrganiserNameForm,
    ResultsForm,
    TrainingForm,
)
from .helper_filter import HelperFilter, serving_at
from .models import (
    TRAININGS_PER_YEAR,
    CoverageCorrection,
    Helper,
    TrainingOrganiser,
    TrainingSession,
)
from .qualification import reasons_from_training, with_training
from .staffing import FULL_TIME_ONLY

PAGE_SIZE = 50


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _places(user) -> Prefetch:
    """Where each helper serves, among the points the user may see."""
    return Prefetch(
        "user__memberships",
        queryset=Membership.objects.serving(at=access.points_for(user, "view").values("pk"))
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


# --- Compliance (达标情况) -------------------------------------------------------------------------
# Per group or per point, whether each rule is met (staff/compliance.py); every red cell links to its
# cause. Each level is a fixed number of queries: groups are summed in the database, points paginated.

COMPLIANCE_PAGE_SIZE = 50
Kind = ServicePoint.Kind


@dataclass
class ComplianceCell:
    ok: bool
    missing: int = 0
    url: str = ""
    #: Not red yet: this year's trainings can still be held before the year is out.
    pending: bool = False


@dataclass
class ComplianceRow:
    name: str
    url: str
    kind: str
    cells: list
    points: int | None = None  # a group's number of points; None for a point
    cause_url: str = ""


def _fail_filter(request) -> str | None:
    rule = request.GET.get("fail")
    return rule if rule in compliance.RULE_CODES else None


def _point_row(point) -> ComplianceRow:
    cause = reverse("staff:compliance_point", args=[point.pk])
    cells = []
    for rule in compliance.RULES:
        ok = bool(getattr(point, rule.ok))
        cells.append(
            ComplianceCell(
                ok=ok,
                missing=getattr(point, rule.missing),
                url=f"{cause}#rule-{rule.code}",
                pending=rule.code == "training",
            )
        )
    return ComplianceRow(
        name=point.name,
        url=f"{reverse('staff:compliance')}?point={point.pk}",
        kind=point.get_kind_display(),
        cells=cells,
        cause_url=cause,
    )


def _group_row(row: dict, name: str, kind: str, drill: str) -> ComplianceRow:
    cells = [
        ComplianceCell(
            ok=row[f"{code}_failing"] == 0,
            missing=row[f"{code}_failing"],
            url=f"{drill}&fail={code}",
            pending=code == "training",
        )
        for code in compliance.RULE_CODES
    ]
    return ComplianceRow(name=name, url=drill, kind=kind, cells=cells, points=row["points"])


def _total_row(rows: list[ComplianceRow]) -> ComplianceRow | None:
    """The sum of the rows shown (counted in Python: no second pass over the database)."""
    if not rows:
        return None
    cells = []
    for i, code in enumerate(compliance.RULE_CODES):
        missing = sum(
            (r.cells[i].missing if r.points is not None else int(not r.cells[i].ok)) for r in rows
        )
        cells.append(ComplianceCell(ok=missing == 0, missing=missing, pending=code == "training"))
    points = sum(r.points if r.points is not None else 1 for r in rows)
    return ComplianceRow(name=_("合计"), url="", kind="", cells=cells, points=points)


def _point_ancestors(user, point) -> list[ServicePoint]:
    """The visible points above `point`, below the county centre (the county is a crumb itself)."""
    ids = point.ancestor_ids
    found = {
        p.pk: p
        for p in access.points_for(user, "view")
        .filter(pk__in=ids)
        .exclude(kind=Kind.COUNTY_CENTRE)
        .only("id", "name")
    }
    return [found[i] for i in ids if i in found]


def _region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _compliance_crumbs(code: str) -> list[tuple[str, str]]:
    """(name, code) of the regions from the province down to `code` (codes are prefixes)."""
    codes = [code[:n] for n in (2, 4, 6, 9) if n <= len(code)]
    names = _region_names(codes)
    return [(names.get(c, c), c) for c in codes]


def _group_kind(level: str) -> str:
    return {"province": _("省"), "city": _("市"), "county": _("县（区）"), "town": _("镇（街道）")}[
        level
    ]


def _drilled_rows(request, drilled: compliance.Drilled) -> dict:
    """The rows of a level of the drill-down: a page of points (a town's, a point and its children,
    or a scope's), or a county's points and the groups below (one aggregated row each) with their
    total. 404 when a region was asked for and nothing of it is visible."""
    level = drilled.level
    if level.paged:
        page = Paginator(drilled.points, COMPLIANCE_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [_point_row(p) for p in page]
        if level.missing(bool(page.paginator.count)):
            raise Http404
        return {"rows": rows, "page": page}
    rows = [_point_row(p) for p in drilled.points] if drilled.points is not None else []
    base = reverse("staff:compliance")
    rows += [
        _group_row(g, g["name"], _group_kind(level.group_level), f"{base}?region={g['group']}")
        for g in drilled.groups
    ]
    if level.missing(bool(rows)):
        raise Http404
    return {"rows": rows, "total": _total_row(rows)}


@login_required
def compliance_overview(request):
    """达标情况: the user's scope top-down, one row per group or point, one column per rule."""
    user = request.user
    on = timezone.localdate()
    rule = _fail_filter(request)
    context = {
        "rules": compliance.RULES,
        "rule": compliance.RULES_BY_CODE.get(rule),
        "on": on,
        "crumbs": [],
        "ancestors": [],
    }
    code = request.GET.get("region", "")
    point = None
    if request.GET.get("point"):
        point = access.get_point_for(
            user, request.GET["point"], queryset=ServicePoint.objects.select_related("county")
        )
    code, point = compliance.start(user, code, point)
    if point is not None:
        code = ""
        context["point"] = point
        context["crumbs"] = _compliance_crumbs(point.county.code)
        context["ancestors"] = _point_ancestors(user, point)
        context["title"] = point.name
    elif code:
        if not (code.isascii() and code.isdigit() and len(code) in (2, 4, 6, 9)):
            raise Http404
        context["crumbs"] = _compliance_crumbs(code)
        context["title"] = context["crumbs"][-1][0]
    drilled = compliance.drill_down(user, on, code=code, point=point, rule=rule)
    context.update(_drilled_rows(request, drilled))
    context.setdefault("title", _("达标情况"))
    context["here"] = request.GET.copy()
    context["here"].pop("fail", None)
    context["here"].pop("page", None)
    return render(request, "staff/compliance.html", context)


@login_required
def compliance_point(request, pk: int):
    """What a point is missing, rule by rule: the cause behind each red cell."""
    user = request.user
    on = timezone.localdate()
    point = access.get_point_for(
        user,
        pk,
        queryset=compliance.with_compliance(ServicePoint.objects.all(), on).select_related(
            "county", "region"
        ),
    )
    return render(
        request,
        "staff/compliance_point.html",
        {
            "point": point,
            "on": on,
            "year": on.year,
            "assessed": point.kind in compliance.ASSESSED,
            "rules": compliance.RULES,
            "checks": list(zip(compliance.RULES, _point_row(point).cells, strict=True)),
            "crumbs": _compliance_crumbs(point.county.code),
            "ancestors": _point_ancestors(user, point),
            "people": compliance.serving_people(point, on),
            "organisers": compliance.organisers_of(point, on.year),
            "equipment": compliance.equipment_of(point, on),
            "full_time_only": point.kind in FULL_TIME_ONLY,
            "trainings_per_year": TRAININGS_PER_YEAR,
        },
    )


# --- The linkage directory (联动信息库): the one deliberate exception to scope ------------------


class DirectoryForm(forms.Form):
    place = forms.CharField(
        label=gettext_lazy("镇（街道）或区划代码"), required=False, max_length=100
    )
    domain = forms.ChoiceField(label=gettext_lazy("领域"), required=False)
    q = forms.CharField(label=gettext_lazy("姓名或服务点名称"), required=False, max_length=50)
    show = forms.ChoiceField(
        required=False, choices=[(directory.POINTS, directory.POINTS), (directory.HELPERS, "")]
    )

    def __init__(self, *args, domains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", _("全部领域")), *domains]

    def _text(self, name: str) -> str:
        text = self.cleaned_data[name].strip()
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise forms.ValidationError(_("搜索内容含有无效字符。"))
        return text

    def clean_place(self) -> str:
        return self._text("place")

    def clean_q(self) -> str:
        return self._text("q")


#: Towns offered in the place picker when the deployment has no more than this many.
TOWN_PICKER_MAX = 300


def _directory_request(request):
    """The form, the filter (None when the input is bad) and the domain names, from the query."""
    domains = list(Domain.objects.values_list("code", "name"))
    form = DirectoryForm(request.GET or None, domains=domains)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    f = directory.Filter(
        place=data.get("place", ""), domain=data.get("domain", ""), text=data.get("q", "")
    )
    return form, f


@login_required
def directory_page(request):
    """Every active point and qualified helper of the deployment, directory fields only, 50 a page."""
    form, f = _directory_request(request)
    today = timezone.localdate()
    show = directory.HELPERS if request.GET.get("show") == directory.HELPERS else directory.POINTS
    context = {"form": form, "show": show, "today": today, "rows": [], "error": ""}
    rows_of = directory.helper_rows if show == directory.HELPERS else directory.point_rows
    page = Paginator([], PAGE_SIZE).get_page(1)
    if f is not None:
        try:
            queryset = (directory.helpers if show == directory.HELPERS else directory.points)(
                f, on=today
            )
            page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
        except directory.UnknownPlace:
            form.add_error("place", _("找不到名为“%(name)s”的镇（街道）或县。") % {"name": f.place})
            page = Paginator([], PAGE_SIZE).get_page(1)
        else:
            context["rows"] = rows_of(list(page.object_list), on=today)
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in (("points", directory.POINTS), ("helpers", directory.HELPERS)):
        query["show"] = value
        context[f"query_{key}"] = query.urlencode()
    query.pop("show", None)
    context["query_export"] = query.urlencode()
    context["page"] = page
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        response = render(request, "staff/_directory_results.html", context)
    else:
        towns = list(
            Region.objects.filter(level=Region.Level.TOWN, active=True)
            .order_by("code")
            .values_list("name", flat=True)[: TOWN_PICKER_MAX + 1]
        )
        context["towns"] = towns if len(towns) <= TOWN_PICKER_MAX else []
        response = render(request, "staff/directory.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def directory_export(request):
    """The directory of the current filter as .xlsx (XlsxWriter in constant memory, written to a
    temporary file and streamed from it); refused above directory.MAX_EXPORT_ROWS rows."""
    form, f = _directory_request(request)
    if f is None:
        return _directory_refused(request, form, _("查找条件有误，请修改后再导出。"))
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        directory.export(f, path, on=timezone.localdate())
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except directory.UnknownPlace:
        return _directory_refused(
            request, form, _("找不到名为“%(name)s”的镇（街道）或县。") % {"name": f.place}
        )
    except directory.TooManyRows as error:
        return _directory_refused(request, form, str(error))
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    name = _("联动信息库") + f"-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


def _directory_refused(request, form, message: str):
    today = timezone.localdate()
    context = {
        "form": form,
        "show": directory.POINTS,
        "today": today,
        "rows": [],
        "error": message,
        "page": Paginator([], PAGE_SIZE).get_page(1),
        "query_points": "",
        "query_helpers": "show=helpers",
        "query_export": "",
    }
    return render(request, "staff/directory.html", context, status=400)


# --- Excel import and export of helpers --------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The largest upload accepted (a 10,000-row file is well under 2 MB).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
#: Points listed in the template's reference sheet.
TEMPLATE_POINTS_MAX = 10_000


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传用模板填写的 .xlsx 文件。"))
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过 10 MB。"))
        return upload


def _may_import_helpers(user) -> bool:
    return any(role in access.grantable_roles(user) for role in spreadsheets.IMPORT_ROLES)


@login_required
@require_http_methods(["GET", "POST"])
def helpers_import(request):
    """Upload a filled-in template: every row is checked first; all problems are listed by row, or
    every row is imported in one transaction. Synchronous: the browser shows a progress bar while
    the request runs (docs/decisions/0008-helper-spreadsheets.md)."""
    if not _may_import_helpers(request.user):
        raise Http404
    return _import_page(request, spreadsheets.import_helpers, "helpers")


def _import_page(request, run, what: str):
    """The upload page of an import (`what`: "helpers" or "equipment"): the form, and on a valid
    POST the result of `run(file, by=user)`; an htmx POST gets the result fragment only."""
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = run(form.cleaned_data["file"], by=request.user)
    context = {"form": form, "result": result, "what": what}
    if request.headers.get("HX-Request"):
        return render(request, "staff/_import_result.html", context)
    return render(request, f"staff/import_{what}.html", context)


@login_required
def helpers_template(request):
    """The helpers template: header, example row, drop-down lists, instructions, and the points
    where the user may grant roles (their numbers)."""
    if not _may_import_helpers(request.user):
        raise Http404
    return _template_response(request.user, spreadsheets.helper_sheet(), _("帮办代办员导入模板"))


def _template_response(user, sheet: spreadsheets.Sheet, name: str) -> HttpResponse:
    """The template of `sheet`, with a sheet 服务点 listing the active points `user` may change
    (their numbers)."""
    points = (
        access.points_for(user, "change")
        .filter(active=True)
        .select_related("region")
        .order_by("ancestry", "kind", "name", "id")
        .values_list("pk", "name", "kind", "region__name")[:TEMPLATE_POINTS_MAX]
    )
    kinds = dict(ServicePoint.Kind.choices)
    reference = (
        _("服务点"),
        [_("服务点编号"), _("名称"), _("类型"), _("所在区划")],
        [(pk, name, str(kinds[kind]), region) for pk, name, kind, region in points],
    )
    stream = io.BytesIO()
    spreadsheets.write_template(sheet, stream, references=[reference])
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name + ".xlsx")
    return response


@login_required
def helpers_export(request):
    """The helpers the user may see, in the template's columns (without passwords)."""
    queryset = (
        scope.helpers_for(request.user)
        .select_related("user")
        .prefetch_related("domains", "user__memberships")
        .order_by("user__username", "pk")
    )
    headers = [h for h in spreadsheets.helper_sheet().headers if h != _("初始密码")]
    rows = spreadsheets.helper_export_rows(queryset.iterator(chunk_size=1000))
    return _export_response(_("帮办代办员"), headers, rows)


def _export_response(title: str, headers: list[str], rows) -> FileResponse:
    """`rows` as .xlsx, written in constant memory to a temporary file and streamed from it."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        spreadsheets.write_export(path, title, headers, rows)
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    name = title + f"-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


# --- Excel import and export of equipment -------------------------------------------------------


def _may_import_equipment(user) -> bool:
    """Someone who may change some point (the importer's rows are checked point by point)."""
    return access.is_superuser(user) or bool(access.points_q(user, "change"))


@login_required
@require_http_methods(["GET", "POST"])
def equipment_import(request):
    """Upload a filled-in equipment template: all rows checked first, then all imported in one
    transaction, or nothing (as the helpers import)."""
    if not _may_import_equipment(request.user):
        raise Http404
    return _import_page(request, spreadsheets.import_equipment, "equipment")


@login_required
def equipment_template(request):
    """The equipment template: header, example row, drop-down lists of kinds and states,
    instructions, and the points the user may change (their numbers)."""
    if not _may_import_equipment(request.user):
        raise Http404
    return _template_response(request.user, spreadsheets.equipment_sheet(), _("设施设备导入模板"))


@login_required
def equipment_export(request):
    """The equipment at the points the user may view, with the last and the next check's date."""
    queryset = (
        Equipment.objects.visible_to(request.user)
        .with_check_dates()
        .select_related("point", "kind", "responsible")
        .order_by("point_id", "kind__position", "pk")
    )
    rows = spreadsheets.equipment_export_rows(queryset.iterator(chunk_size=1000))
    return _export_response(_("设施设备"), spreadsheets.equipment_export_headers(), rows)
