"""The rectification's workflow chart: the page (the drawing inline, the table under it) and the SVG
file, both drawn from the one table (`feedback.workflow.RECTIFICATION`) by the kernel
(`kernel.workflow_chart`, decision 0042), like the ledger's (`cases.chart_views`). Any logged-in user
may see them."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _

from bangban.kernel import workflow_chart

from . import workflow


def build_chart() -> workflow_chart.WorkflowChart:
    """The chart of the table as it is now."""
    return workflow_chart.build_chart(
        workflow.RECTIFICATION,
        title=_("整改工作流程图"),
        subtitle=_("依据系统的流转规则生成：箭头上写明操作和可以执行的人员"),
        description=_("整改工作流程图：差评、投诉举报和督查问题的整改（内容见下方表格）"),
        keeping_title=_("不改变状态的操作（在所列状态下进行，整改状态不变）"),
        note=_(
            "实名差评 1 个工作日内回访（3 次未接通视为已回访）；整改期限默认自差评之日起 5 个"
            "工作日；答复后 5 个工作日内可追评一次；逾期由上一级督办。"
        ),
    )


chart, chart_svg = workflow_chart.chart_views(
    build_chart,
    template="feedback/rectifications/workflow.html",
    filename="rectification-workflow.svg",
)


urls = [
    path("rectifications/workflow/", chart, name="rectification_workflow"),
    path("rectifications/workflow.svg", chart_svg, name="rectification_workflow_svg"),
]
