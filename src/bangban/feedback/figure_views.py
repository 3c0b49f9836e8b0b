"""The figures page of 好差评 (好差评统计) and its Excel download: the figures of the user's scope
(`feedback.figures.figures_for`) for a period, by point, helper or town. Thin: the filter is read
here (`FigureFilter`), the figures are `figures.py`'s, the workbook `spreadsheets.py`'s."""

from __future__ import annotations

import os
import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bangban.kernel.days import EARLIEST_EVENT, LATEST_DAY

from . import spreadsheets
from .figures import GROUPINGS, PRESETS, RATES, FigureSet, Period, figures_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows of the figures table per page (the Excel download has them all).
ROWS_PER_PAGE = 100


class FigureFilter(forms.Form):
    """The period (a preset, or from/to) and the grouping of the figures."""

    period = forms.ChoiceField(
        label=gettext_lazy("统计期间"),
        choices=[*PRESETS.items(), ("custom", gettext_lazy("自定义"))],
        required=False,
    )
    start = forms.DateField(label=gettext_lazy("从"), required=False)
    end = forms.DateField(label=gettext_lazy("到"), required=False)
    by = forms.ChoiceField(label=gettext_lazy("分组"), choices=GROUPINGS.items(), required=False)

    def add_prefix(self, field_name):
        """`start` and `end` are read from and written as `from` and `to`."""
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            day = data.get(name)
            if day and not EARLIEST_EVENT <= day <= LATEST_DAY:
                self.add_error(name, gettext_lazy("日期应在 2000-01-01 到 2100-12-31 之间。"))
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext_lazy("结束日期不能早于开始日期。"))
        return data

    def chosen(self, today) -> tuple[Period, str]:
        """The period and grouping asked for; this month by point where nothing (valid) is."""
        data = self.cleaned_data if self.is_valid() else {}
        by = data.get("by") or "point"
        start, end = data.get("start"), data.get("end")
        if data.get("period") in PRESETS or not (start or end):
            return Period.preset(data.get("period") or "month", today), by
        return Period(start or end.replace(day=1), end or today), by


def _read(request) -> tuple[FigureFilter, FigureSet]:
    form = FigureFilter(request.GET or None)
    today = timezone.localdate()
    period, by = form.chosen(today)
    return form, figures_for(request.user, period, by, today)


@login_required
@require_GET
def figures(request):
    """好差评统计: the figures of the user's scope, one row per point, helper or town, and the total."""
    form, figure_set = _read(request)
    page = Paginator(figure_set.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "figures": figure_set,
        "page": page,
        "rates": RATES,
        "grouping": GROUPINGS[figure_set.by],
        "query": query.urlencode(),
    }
    return render(request, "feedback/figures/figures.html", context)


@login_required
@require_GET
def figures_export(request):
    """The same figures (every row) as an Excel workbook."""
    _form, figure_set = _read(request)
    fd, file_path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        spreadsheets.write_figures(file_path, figure_set)
        handle = open(file_path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        os.unlink(file_path)  # the open handle keeps the data until the response is sent
    return FileResponse(
        handle,
        as_attachment=True,
        filename=spreadsheets.figures_file_name(figure_set),
        content_type=XLSX,
    )


urls = [
    path("figures/", figures, name="figures"),
    path("figures/export/", figures_export, name="figures_export"),
]
