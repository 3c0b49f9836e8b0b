"""The Excel import, template and export of the item catalog (docs/decisions/0013-catalog-spreadsheets.md).

Thin like the other pages: the catalog's scope (`scope.catalog_counties`, `scope.can_edit_catalog`) decides
who may do what, 404 for everyone else; the checks and the writes are in `spreadsheets` and
`actions`. The upload page is every import's page (`kernel.import_pages`: a plain POST, or htmx with
a progress bar).
"""

from __future__ import annotations

import io
import os
import tempfile

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangban.kernel.import_pages import UploadForm, import_page
from bangban.kernel.spreadsheets import write_export_sheets
from bangban.network.models import Domain

from . import spreadsheets
from .forms import ItemSearchForm
from .models import Material, ServiceItem
from .scope import can_edit_catalog, catalog_counties

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_http_methods(["GET", "POST"])
def items_import(request):
    """Upload a filled-in workbook: both sheets checked first, every problem listed by sheet, row
    and column, or every item created or revised in one transaction. For those who maintain a
    county's catalog only."""
    if not can_edit_catalog(request.user):
        raise Http404
    # 20 MB, the kernel's limit: 5,000 items with 15,000 materials make about 1 MB.
    form = UploadForm(request.POST or None, request.FILES or None)
    return import_page(
        request,
        form,
        lambda data: spreadsheets.import_catalog(data["file"], by=request.user),
        page="catalog/import.html",
        result="catalog/import_result.html",
    )


@login_required
def items_template(request):
    """The workbook to fill in: sheets 事项 and 材料 with an example row and drop-down lists, the
    instructions, and the departments of the counties the user maintains."""
    if not can_edit_catalog(request.user):
        raise Http404
    stream = io.BytesIO()
    spreadsheets.write_template(request.user, stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, _("服务事项导入模板") + ".xlsx"
    )
    return response


def _filtered(request, counties: list):
    """The items of `counties` the list page's filters (?q=&domain=&mode=&level=&county=) select,
    read by the list page's own form; a bad value of a filter is ignored, as on the list page."""
    search = ItemSearchForm(
        request.GET or None, domains=Domain.objects.order_by("position"), counties=counties
    )
    f = search.filters()
    return ServiceItem.objects.filter(county__in=counties, current__isnull=False).matching(
        q=f["q"],
        county=f["county"],
        domain=f["domain"],
        mode=f["mode"],
        level=f["level"],
        counties=counties,
    )


@login_required
def items_export(request):
    """The items of the counties the user works in, both sheets in the template's layout, so that
    the file can be edited and imported again. Items out of use only for those who maintain them."""
    user = request.user
    counties = list(catalog_counties(user))
    if not counties:
        raise Http404
    editable = list(catalog_counties(user, "change").values_list("pk", flat=True))
    items = (
        _filtered(request, counties)
        .filter(Q(active=True) | Q(county__in=editable))
        .order_by("county__code", "implementation_code", "pk")
    )
    rows = (
        items.select_related("county", "current__department")
        .prefetch_related(Prefetch("current__domains", queryset=Domain.objects.all()))
        .iterator(chunk_size=1000)
    )
    materials = (
        Material.objects.filter(revision_id__in=items.order_by().values("current_id"))
        .order_by("revision__item__county__code", "revision__item__implementation_code", "position")
        .values_list(*spreadsheets.MATERIAL_EXPORT_FIELDS)
        .iterator(chunk_size=2000)
    )
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write_export_sheets(path, spreadsheets.export_sheets(rows, materials))
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    name = _("服务事项") + f"-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
