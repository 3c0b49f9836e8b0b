"""The ledger's workflow chart (附件2 工作流程图), drawn from the one workflow table
(`cases.workflow.TRANSITIONS`, in `cases.workflow.LEDGER`), never from a copy: a change to the table
shows on the page, in the SVG and in the table beside them. The drawing is any workflow's
(`bangban.kernel.workflow_chart`, decision 0042); the ledger gives it its words."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _

from bangban.kernel import workflow_chart
from bangban.kernel.workflow_chart import (
    BOX_H,
    START,
    Arrow,
    Node,
    Row,
    Step,
    WorkflowChart,
    box_width,
    lay_out,
    to_svg,
    to_svg_element,
)

from . import workflow

__all__ = [
    "BOX_H",
    "START",
    "Arrow",
    "Node",
    "Row",
    "Step",
    "WorkflowChart",
    "box_width",
    "build_chart",
    "chart_context",
    "lay_out",
    "to_svg",
    "to_svg_element",
]


def build_chart() -> WorkflowChart:
    """The chart of the table as it is now (`TRANSITIONS` read at each call)."""
    table = replace(workflow.LEDGER, transitions=workflow.TRANSITIONS)
    return workflow_chart.build_chart(
        table,
        title=_("帮办代办工作流程图"),
        subtitle=_("（附件2）依据系统的流转规则生成：箭头上写明操作和可以执行的人员"),
        description=_("帮办代办工作流程图（内容见下方表格）"),
        keeping_title=_("不改变状态的操作（在所列状态下进行，办件状态不变）"),
        note=_(
            "办理期限自受理日（含视为受理）起算，中止期间不计入；转办待接收期间，办件状态不变。"
        ),
    )


def chart_context() -> dict:
    """What `cases/workflow.html` needs."""
    chart = build_chart()
    return {"chart": chart, "svg": to_svg_element(chart)}
