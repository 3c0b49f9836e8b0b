"""The workflow chart (附件2 工作流程图): the page (the drawing inline, the table under it) and the SVG file,
both drawn from `cases.workflow.TRANSITIONS` by `cases.chart` (the drawing: `kernel.workflow_chart`).
Any logged-in user may see them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import chart as charts


@login_required
@require_safe
def workflow(request):
    return render(request, "cases/workflow.html", charts.chart_context())


@login_required
@require_safe
def workflow_svg(request):
    svg = charts.to_svg(charts.build_chart())
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="workflow.svg"'
    return response
