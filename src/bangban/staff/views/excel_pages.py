"""The Excel import and export of helpers and of equipment."""

from __future__ import annotations

import io
import os
import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bangban.kernel import import_pages
from bangban.network import access
from bangban.network.models import ServicePoint

from .. import scope, spreadsheets

# --- Excel import and export of helpers --------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The largest upload accepted (a 10,000-row file is well under 2 MB).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
#: Points listed in the template's reference sheet.
TEMPLATE_POINTS_MAX = 10_000


class UploadForm(import_pages.UploadForm):
    max_bytes = UPLOAD_MAX_BYTES
    too_large = gettext_lazy("文件不能超过 10 MB。")


def _may_import_helpers(user) -> bool:
    return any(role in access.grantable_roles(user) for role in spreadsheets.IMPORT_ROLES)


@login_required
@require_http_methods(["GET", "POST"])
def helpers_import(request):
    """Upload a filled-in template: every row is checked first; all problems are listed by row, or
    every row is imported in one transaction. Synchronous: the browser shows a progress bar while
    the request runs (docs/decisions/0008-helper-spreadsheets.md)."""
    if not _may_import_helpers(request.user):
        raise Http404
    return _import_page(request, spreadsheets.import_helpers, "helpers")


def _import_page(request, run, what: str):
    """The upload page of an import (`what`: "helpers" or "equipment"): the form, and on a valid
    POST the result of `run(file, by=user)`; an htmx POST gets the result fragment only."""
    form = UploadForm(request.POST or None, request.FILES or None)
    return import_pages.import_page(
        request,
        form,
        lambda data: run(data["file"], by=request.user),
        page=f"staff/import_{what}.html",
        result="staff/_import_result.html",
        context={"what": what},
    )


@login_required
def helpers_template(request):
    """The helpers template: header, example row, drop-down lists, instructions, and the points
    where the user may grant roles (their numbers)."""
    if not _may_import_helpers(request.user):
        raise Http404
    return _template_response(request.user, spreadsheets.helper_sheet(), _("帮办代办员导入模板"))


def _template_response(user, sheet: spreadsheets.Sheet, name: str) -> HttpResponse:
    """The template of `sheet`, with a sheet 服务点 listing the active points `user` may change
    (their numbers)."""
    points = (
        access.points_for(user, "change")
        .filter(active=True)
        .select_related("region")
        .order_by("ancestry", "kind", "name", "id")
        .values_list("pk", "name", "kind", "region__name")[:TEMPLATE_POINTS_MAX]
    )
    kinds = dict(ServicePoint.Kind.choices)
    reference = (
        _("服务点"),
        [_("服务点编号"), _("名称"), _("类型"), _("所在区划")],
        [(pk, name, str(kinds[kind]), region) for pk, name, kind, region in points],
    )
    stream = io.BytesIO()
    spreadsheets.write_template(sheet, stream, references=[reference])
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name + ".xlsx")
    return response


@login_required
def helpers_export(request):
    """The helpers the user may see, in the template's columns (without passwords)."""
    queryset = (
        scope.helpers_for(request.user)
        .select_related("user")
        .prefetch_related("domains", "user__memberships")
        .order_by("user__username", "pk")
    )
    headers = [h for h in spreadsheets.helper_sheet().headers if h != _("初始密码")]
    rows = spreadsheets.helper_export_rows(queryset.iterator(chunk_size=1000))
    return _export_response(_("帮办代办员"), headers, rows)


def _export_response(title: str, headers: list[str], rows) -> FileResponse:
    """`rows` as .xlsx, written in constant memory to a temporary file and streamed from it."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        spreadsheets.write_export(path, title, headers, rows)
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    name = title + f"-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


# --- Excel import and export of equipment -------------------------------------------------------


def _may_import_equipment(user) -> bool:
    """Someone who may change some point (the importer's rows are checked point by point)."""
    return access.is_superuser(user) or bool(access.points_q(user, "change"))


@login_required
@require_http_methods(["GET", "POST"])
def equipment_import(request):
    """Upload a filled-in equipment template: all rows checked first, then all imported in one
    transaction, or nothing (as the helpers import)."""
    if not _may_import_equipment(request.user):
        raise Http404
    return _import_page(request, spreadsheets.import_equipment, "equipment")


@login_required
def equipment_template(request):
    """The equipment template: header, example row, drop-down lists of kinds and states,
    instructions, and the points the user may change (their numbers)."""
    if not _may_import_equipment(request.user):
        raise Http404
    return _template_response(request.user, spreadsheets.equipment_sheet(), _("设施设备导入模板"))


@login_required
def equipment_export(request):
    """The equipment at the points the user may view, with the last and the next check's date."""
    queryset = (
        access.equipment_for(request.user)
        .with_check_dates()
        .select_related("point", "kind", "responsible")
        .order_by("point_id", "kind__position", "pk")
    )
    rows = spreadsheets.equipment_export_rows(queryset.iterator(chunk_size=1000))
    return _export_response(_("设施设备"), spreadsheets.equipment_export_headers(), rows)
