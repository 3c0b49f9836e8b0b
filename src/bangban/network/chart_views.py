"""The architecture chart pages (附件1 体系架构图): drawn in the page with ECharts and as an SVG
file, both from `chart.build_chart` over the points the user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models.functions import Length
from django.http import Http404, HttpResponse
from django.shortcuts import render

from . import access
from .models import ServicePoint


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
