"""好差评's workbooks on the kernel's Excel engine (`kernel.spreadsheets`): the figures of a scope and
period (`feedback.figures`), one row per point, helper or town and the total, each figure as its
count, its denominator and the rate (a number formatted as a percentage, empty when the denominator
is 0), with a sheet saying what each figure counts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bangban.kernel.spreadsheets import write_export_sheets

from .figures import GROUPINGS, RATES, FigureSet, Row


def _parts() -> dict[str, tuple[str, str]]:
    """The headers, translated now (not at import)."""
    return {
        "good_rate": (_("好评数"), _("有效评价数")),
        "bad_rate": (_("差评数"), _("有效评价数")),
        "unrated_rate": (_("未评价服务次数"), _("评价期已过的服务次数")),
        "rated_rate": (_("已评价服务次数"), _("服务次数")),
        "rectified_rate": (_("已整改差评数"), _("差评数")),
        "called_back_rate": (_("已回访实名差评数"), _("实名差评数")),
    }


def figure_headers(by: str) -> tuple[list[str], list[str]]:
    """The figures sheet's headers and their number formats."""
    headers, formats = [str(GROUPINGS[by]), _("类型")], ["", ""]
    for name, label in RATES.items():
        count, of = _parts()[name]
        headers += [count, of, str(label)]
        formats += ["0", "0", "0.0%"]
    headers.append(_("申诉撤销的评价数"))
    formats.append("0")
    return headers, formats


def figure_row(row: Row) -> list:
    values: list = [row.name, row.kind]
    for rate in row.rates().values():
        values += [rate.count, rate.of, rate.value]
    values.append(row.counts["overturned"])
    return values


def _notes(figures: FigureSet) -> list[list[str]]:
    return [
        [_("统计期间"), f"{figures.period.start:%Y-%m-%d} — {figures.period.end:%Y-%m-%d}"],
        [_("好评"), figures.good_rule],
        [
            _("好评率、差评率"),
            _("评价日期在期间内的有效首次评价中，好评（差评：1–2 级）所占比例。"),
        ],
        [
            _("未评价率"),
            _(
                "服务日期在期间内、评价期（服务后 5 个工作日）已过的服务中，没有有效首次评价的比例；"
                "省系统默认评价算作未评价。评价期已过的服务日期截至 %(day)s。"
            )
            % {"day": f"{figures.closed_through:%Y-%m-%d}"},
        ],
        [_("主动评价率"), _("服务日期在期间内的服务中，有有效首次评价的比例。")],
        [_("差评整改率"), _("期间内的有效差评中，整改已办结的比例。")],
        [
            _("实名差评回访率"),
            _("期间内的实名（非匿名）有效差评中，已回访或 3 次未接通的比例。"),
        ],
        [_("申诉撤销"), _("申诉后撤销的评价不计入以上任何一项，单独列出。")],
    ]


def write_figures(path: str, figures: FigureSet) -> None:
    headers, formats = figure_headers(figures.by)
    rows = [figure_row(row) for row in figures.rows]
    rows.append(figure_row(figures.total))
    write_export_sheets(
        path,
        [
            (_("好差评统计"), headers, rows, formats),
            (_("说明"), [_("项目"), _("说明")], _notes(figures)),
        ],
    )


def figures_file_name(figures: FigureSet) -> str:
    return f"好差评统计-{figures.period.start:%Y%m%d}-{figures.period.end:%Y%m%d}.xlsx"
