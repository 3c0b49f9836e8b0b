"""Supervision's workbooks on the kernel's Excel engine (`kernel.spreadsheets`): the figures of a
scope and period (`supervision.figures`) — the complaints one row per point, helper or town, the
inspections one row per point or town, each with its total row — every rate as its count, its
denominator and the rate (a number formatted as a percentage, empty when the denominator is 0),
and a sheet saying what each figure counts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bangban.kernel.spreadsheets import write_export_sheets

from .figures import GROUPINGS, ComplaintRow, FigureSet, InspectionRow
from .models import Category, Kind


def complaint_headers(by: str) -> tuple[list[str], list[str]]:
    """The complaints sheet's headers and their number formats."""
    headers = [str(GROUPINGS[by]), _("类型"), _("诉求数")]
    headers += [str(label) for label in Kind.labels]
    headers += [str(label) for label in Category.labels]
    headers += [
        _("已答复"),
        _("已退回"),
        _("按时办结数"),
        _("应办结数"),
        _("按时办结率"),
        _("有核实结论的答复数"),
        _("情况属实数"),
        _("属实率"),
        _("未办结"),
        _("已超期"),
    ]
    formats = ["", ""] + ["0"] * (len(headers) - 2)
    formats[headers.index(_("按时办结率"))] = "0.0%"
    formats[headers.index(_("属实率"))] = "0.0%"
    return headers, formats


def complaint_row(row: ComplaintRow) -> list:
    c = row.counts
    values: list = [row.name, row.kind, c["complaints"]]
    values += [count for _label, count in row.by_kind]
    values += [count for _label, count in row.by_category]
    on_time, upheld = row.on_time_rate, row.upheld_rate
    values += [c["answered"], c["returned"], on_time.count, on_time.of, on_time.value]
    values += [upheld.of, upheld.count, upheld.value, c["open"], c["overdue"]]
    return values


def inspection_headers(by: str) -> tuple[list[str], list[str]]:
    headers = [
        str(GROUPINGS[by]),
        _("类型"),
        _("检查次数"),
        _("暗访次数"),
        _("平均得分率"),
        _("最低得分率"),
        _("发现问题数"),
        _("整改办结数"),
        _("整改办结率"),
    ]
    formats = ["", "", "0", "0", "0.0%", "0.0%", "0", "0", "0.0%"]
    return headers, formats


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else round(percent, 1) / 100


def inspection_row(row: InspectionRow) -> list:
    c = row.counts
    rectified = row.rectified_rate
    return [
        row.name,
        row.kind,
        c["inspections"],
        c["unannounced"],
        _fraction(row.average),
        _fraction(row.lowest),
        rectified.of,
        rectified.count,
        rectified.value,
    ]


def _notes(figures: FigureSet) -> list[list[str]]:
    county = figures.county.name if figures.county else _("全部")
    return [
        [_("统计期间"), f"{figures.period.start:%Y-%m-%d} — {figures.period.end:%Y-%m-%d}"],
        [_("县"), county],
        [_("诉求"), _("受理日期在期间内的投诉举报、咨询求助和建议。")],
        [
            _("按时办结率"),
            _(
                "在答复期限内答复（或在退回期限内退回）的诉求数 / 应办结数；应办结数为已答复、"
                "已退回和截至 %(day)s 已超期未办结的诉求数。"
            )
            % {"day": f"{figures.today:%Y-%m-%d}"},
        ],
        [_("属实率"), _("核实为情况属实的答复数 / 有核实结论的答复数。")],
        [
            _("明查暗访"),
            _(
                "提交日期在期间内的检查；得分率为得分占该次检查满分的百分比（各层级评分表满分不同）。"
            ),
        ],
        [_("整改办结率"), _("整改已办结的检查问题数 / 发现问题数（问题处数至少 1 的检查项目）。")],
    ]


def write_figures(path: str, figures: FigureSet) -> None:
    c_headers, c_formats = complaint_headers(figures.by)
    c_rows = [complaint_row(row) for row in figures.complaints]
    c_rows.append(complaint_row(figures.complaints_total))
    i_headers, i_formats = inspection_headers(figures.inspections_by)
    i_rows = [inspection_row(row) for row in figures.inspections]
    i_rows.append(inspection_row(figures.inspections_total))
    write_export_sheets(
        path,
        [
            (_("投诉举报统计"), c_headers, c_rows, c_formats),
            (_("明查暗访统计"), i_headers, i_rows, i_formats),
            (_("说明"), [_("项目"), _("说明")], _notes(figures)),
        ],
    )


def figures_file_name(figures: FigureSet) -> str:
    return f"监督检查统计-{figures.period.start:%Y%m%d}-{figures.period.end:%Y%m%d}.xlsx"
