"""The linkage directory page (联动信息库) and its export: the one deliberate exception to scope."""

from __future__ import annotations

import os
import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangban.network.models import Domain, Region

from .. import directory
from .common import PAGE_SIZE
from .excel_pages import XLSX

# --- The linkage directory (联动信息库): the one deliberate exception to scope ------------------


class DirectoryForm(forms.Form):
    place = forms.CharField(
        label=gettext_lazy("镇（街道）或区划代码"), required=False, max_length=100
    )
    domain = forms.ChoiceField(label=gettext_lazy("领域"), required=False)
    q = forms.CharField(label=gettext_lazy("姓名或服务点名称"), required=False, max_length=50)
    show = forms.ChoiceField(
        required=False, choices=[(directory.POINTS, directory.POINTS), (directory.HELPERS, "")]
    )

    def __init__(self, *args, domains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", _("全部领域")), *domains]

    def _text(self, name: str) -> str:
        text = self.cleaned_data[name].strip()
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise forms.ValidationError(_("搜索内容含有无效字符。"))
        return text

    def clean_place(self) -> str:
        return self._text("place")

    def clean_q(self) -> str:
        return self._text("q")


#: Towns offered in the place picker when the deployment has no more than this many.
TOWN_PICKER_MAX = 300


def _directory_request(request):
    """The form, the filter (None when the input is bad) and the domain names, from the query."""
    domains = list(Domain.objects.values_list("code", "name"))
    form = DirectoryForm(request.GET or None, domains=domains)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    f = directory.Filter(
        place=data.get("place", ""), domain=data.get("domain", ""), text=data.get("q", "")
    )
    return form, f


@login_required
def directory_page(request):
    """Every active point and qualified helper of the deployment, directory fields only, 50 a page."""
    form, f = _directory_request(request)
    today = timezone.localdate()
    show = directory.HELPERS if request.GET.get("show") == directory.HELPERS else directory.POINTS
    context = {"form": form, "show": show, "today": today, "rows": [], "error": ""}
    rows_of = directory.helper_rows if show == directory.HELPERS else directory.point_rows
    page = Paginator([], PAGE_SIZE).get_page(1)
    if f is not None:
        try:
            queryset = (directory.helpers if show == directory.HELPERS else directory.points)(
                f, on=today
            )
            page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
        except directory.UnknownPlace:
            form.add_error("place", _("找不到名为“%(name)s”的镇（街道）或县。") % {"name": f.place})
            page = Paginator([], PAGE_SIZE).get_page(1)
        else:
            context["rows"] = rows_of(list(page.object_list), on=today)
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in (("points", directory.POINTS), ("helpers", directory.HELPERS)):
        query["show"] = value
        context[f"query_{key}"] = query.urlencode()
    query.pop("show", None)
    context["query_export"] = query.urlencode()
    context["page"] = page
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        response = render(request, "staff/_directory_results.html", context)
    else:
        towns = list(
            Region.objects.filter(level=Region.Level.TOWN, active=True)
            .order_by("code")
            .values_list("name", flat=True)[: TOWN_PICKER_MAX + 1]
        )
        context["towns"] = towns if len(towns) <= TOWN_PICKER_MAX else []
        response = render(request, "staff/directory.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def directory_export(request):
    """The directory of the current filter as .xlsx (XlsxWriter in constant memory, written to a
    temporary file and streamed from it); refused above directory.MAX_EXPORT_ROWS rows."""
    form, f = _directory_request(request)
    if f is None:
        return _directory_refused(request, form, _("查找条件有误，请修改后再导出。"))
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        directory.export(f, path, on=timezone.localdate())
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except directory.UnknownPlace:
        return _directory_refused(
            request, form, _("找不到名为“%(name)s”的镇（街道）或县。") % {"name": f.place}
        )
    except directory.TooManyRows as error:
        return _directory_refused(request, form, str(error))
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    name = _("联动信息库") + f"-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


def _directory_refused(request, form, message: str):
    today = timezone.localdate()
    context = {
        "form": form,
        "show": directory.POINTS,
        "today": today,
        "rows": [],
        "error": message,
        "page": Paginator([], PAGE_SIZE).get_page(1),
        "query_points": "",
        "query_helpers": "show=helpers",
        "query_export": "",
    }
    return render(request, "staff/directory.html", context, status=400)
