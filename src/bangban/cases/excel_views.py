"""The ledger in Excel: the export of the filtered ledger (at once when small, in the background when
large), the user's background exports, and the import of historical cases
(docs/decisions/0021-ledger-excel.md).

Thin like the other pages: the rows are the ledger list's (`LedgerFilter` on `scope.cases_for`),
the writes are in `actions`, the workbook in `spreadsheets`. An export file is the requester's
alone (404 for everyone else); importing is for the admins of a county (`network.access`).
"""

from __future__ import annotations

import io
import os
import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from bangban.kernel.import_pages import UploadForm, import_page
from bangban.network import access
from bangban.network.models import Region

from . import actions, spreadsheets
from .models import LedgerExport
from .views import _valid_filter as valid_filter
from .views import ledger_data

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Up to this many rows an export is written during the request; more go to the task worker.
EXPORT_AT_ONCE = 5_000
#: The background exports listed on the exports page.
EXPORTS_LISTED = 50


@login_required
@require_GET
def export(request):
    """The ledger list's rows (same filter, same scope, same order) as Excel; a large export
    becomes a background job and the user is sent to their exports."""
    data, found = ledger_data(request, request.GET)  # a search by number: its digests only
    if found is not None and found.get("expired"):
        messages.error(request, _("按证件号码或电话查找已过期，请重新查找后再导出。"))
        return redirect("cases:ledger")
    shown, ledger_filter = valid_filter(data)  # a bad condition is left out, as on the list
    if ledger_filter is None:
        context = {"exports": _own_exports(request.user), "filter": shown}
        return render(request, "cases/exports.html", context, status=400)
    today = timezone.localdate()
    cases = spreadsheets.ledger_cases(request.user, ledger_filter, today)
    if cases[: EXPORT_AT_ONCE + 1].count() > EXPORT_AT_ONCE:
        actions.request_export(query=ledger_filter.query(), by=request.user)
        messages.info(
            request,
            _("超过 %(n)d 行的台账在后台生成，完成后可在本页下载。") % {"n": EXPORT_AT_ONCE},
        )
        return redirect("cases:exports")
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        spreadsheets.write_ledger_export(request.user, ledger_filter, path)
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    return FileResponse(
        handle,
        as_attachment=True,
        filename=spreadsheets.export_file_name(today),
        content_type=XLSX,
    )


def _own_exports(user):
    return LedgerExport.objects.filter(requested_by=user)[:EXPORTS_LISTED]


@login_required
@require_GET
def exports(request):
    """The user's background exports, newest first (htmx refreshes the list while one runs)."""
    own = list(_own_exports(request.user))
    waiting = any(
        e.status in (LedgerExport.Status.PENDING, LedgerExport.Status.RUNNING) for e in own
    )
    context = {
        "exports": own,
        "waiting": waiting,
        "may_import": _import_counties(request.user).exists(),
    }
    return render(request, "cases/exports.html", context)


@login_required
@require_GET
def export_file(request, pk: int):
    """A finished background export, for the one who asked for it only."""
    export = get_object_or_404(
        LedgerExport, pk=pk, requested_by=request.user, status=LedgerExport.Status.DONE
    )
    if not export.file:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = spreadsheets.export_file_name(timezone.localdate(export.requested_at))
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


# --- The historical import ------------------------------------------------------------------------


def _import_counties(user):
    """The counties whose historical cases `user` may import: those they administer."""
    return access.regions_for(user, "change").filter(level=Region.Level.COUNTY).order_by("code")


class ImportForm(UploadForm):
    county = forms.ModelChoiceField(
        label=gettext_lazy("导入到哪个县"), queryset=Region.objects.none(), empty_label=None
    )
    not_xlsx = gettext_lazy("请上传 .xlsx 文件（导入模板或本系统导出的台账）。")
    field_order = ["county", "file"]

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


@login_required
@require_http_methods(["GET", "POST"])
def import_cases(request):
    """Upload historical cases: every row checked first and every problem listed by row and
    column, or every case imported in one transaction."""
    counties = _import_counties(request.user)
    if not counties.exists():
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, counties=counties)
    return import_page(
        request,
        form,
        lambda data: spreadsheets.import_ledger(
            data["file"], county=data["county"], by=request.user
        ),
        page="cases/import.html",
        result="cases/import_result.html",
        context={"counties": counties},
    )


@login_required
@require_GET
def import_template(request):
    """The workbook to fill in: the ledger's columns with an example row and drop-down lists, the
    instructions, and the points of the county (`?county=<code>`, or the user's only county)."""
    counties = _import_counties(request.user)
    if not counties.exists():
        raise Http404
    code = request.GET.get("county", "")
    county = counties.filter(code=code).first() if code else None
    if county is None and not code and counties.count() == 1:
        county = counties.first()
    if code and county is None:
        raise Http404
    stream = io.BytesIO()
    spreadsheets.write_template(county, stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, _("历史办件导入模板") + ".xlsx"
    )
    return response
