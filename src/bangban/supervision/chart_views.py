"""The complaint's workflow chart: the page (the drawing inline, the table under it) and the SVG
file, both drawn from the one table (`supervision.workflow.COMPLAINT`) by the kernel
(`kernel.workflow_chart`, decision 0042), like the rectification's (`feedback.chart_views`). Any
logged-in user may see them."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _

from bangban.kernel import workflow_chart

from . import workflow


def build_chart() -> workflow_chart.WorkflowChart:
    """The chart of the table as it is now."""
    return workflow_chart.build_chart(
        workflow.COMPLAINT,
        title=_("投诉举报工作流程图"),
        subtitle=_("依据系统的流转规则生成：箭头上写明操作和可以执行的人员"),
        description=_("投诉举报工作流程图（内容见下方表格）"),
        keeping_title=_("不改变状态的操作（在所列状态下进行，诉求状态不变）"),
        note=_(
            "自派单之日起 5 个工作日内答复；延期最多 10 个工作日，须经热线中心（其他来源由县行政"
            "审批服务局）批准；不属于本单位的工单 2 个工作日内退回；投诉、举报经整改后答复；"
            "举报和违规收费由县行政审批服务局办理，不向被投诉服务点公开。"
        ),
    )


chart, chart_svg = workflow_chart.chart_views(
    build_chart, template="supervision/complaints/workflow.html", filename="complaint-workflow.svg"
)


urls = [
    path("complaints/chart/", chart, name="complaint_chart"),
    path("complaints/chart.svg", chart_svg, name="complaint_chart_svg"),
]
