"""The figures page of complaints and inspections (监督检查统计) and its Excel download: the figures
of the user's scope (`supervision.figures.figures_for`) for a period, by point, helper or town, of
one county for those above a county. Thin: the filter is 好差评's (`feedback.figure_views.
FigureFilter`) with the county picker added, the figures are `figures.py`'s, the workbook
`spreadsheets.py`'s."""

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

from bangban.feedback.figure_views import ROWS_PER_PAGE, XLSX, FigureFilter

from . import spreadsheets
from .figures import GROUPINGS, FigureSet, counties_of, figures_for


class SupervisionFigureFilter(FigureFilter):
    """The period and grouping of 好差评's figures page, and the county for those above one (the
    field is left out for everyone else)."""

    county = forms.TypedChoiceField(
        label=gettext_lazy("县"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, data=None, *, counties=()):
        super().__init__(data)
        self.counties = {county.pk: county for county in counties}
        if len(self.counties) > 1:
            self.fields["county"].choices = [
                ("", gettext_lazy("全部")),
                *((pk, county.name) for pk, county in self.counties.items()),
            ]
        else:
            del self.fields["county"]

    def chosen_county(self):
        if "county" not in self.fields or not self.is_valid():
            return None
        return self.counties.get(self.cleaned_data.get("county"))


def _read(request) -> tuple[SupervisionFigureFilter, FigureSet]:
    form = SupervisionFigureFilter(request.GET or None, counties=counties_of(request.user))
    today = timezone.localdate()
    period, by = form.chosen(today)
    figure_set = figures_for(request.user, period, by, today, county=form.chosen_county())
    return form, figure_set


@login_required
@require_GET
def figures(request):
    """监督检查统计: the complaints and the inspections of the user's scope, one row per point,
    helper or town, and their totals."""
    form, figure_set = _read(request)
    # Both tables are paged together (page n shows the n-th 50 rows of each); the totals and the
    # Excel download have every row. A province has thousands of points: unpaged, the page was
    # 5 MB of HTML (bench/README.md).
    count = max(len(figure_set.complaints), len(figure_set.inspections))
    page = Paginator(range(count), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = slice(max(page.start_index() - 1, 0), page.end_index())
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "figures": figure_set,
        "page": page,
        "complaint_rows": figure_set.complaints[rows],
        "inspection_rows": figure_set.inspections[rows],
        "grouping": GROUPINGS[figure_set.by],
        "inspection_grouping": GROUPINGS[figure_set.inspections_by],
        "query": query.urlencode(),
    }
    return render(request, "supervision/figures/figures.html", context)


@login_required
@require_GET
def figures_export(request):
    """The same figures as an Excel workbook."""
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
    path("figures.xlsx", figures_export, name="figures_export"),
]
