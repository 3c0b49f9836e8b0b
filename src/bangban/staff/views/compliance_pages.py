"""The compliance page (达标情况): the drill-down and the causes at one point."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.network import access
from bangban.network.models import Region, ServicePoint

from .. import compliance
from ..models import TRAININGS_PER_YEAR
from ..staffing import FULL_TIME_ONLY

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
