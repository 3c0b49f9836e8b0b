"""The upload page of an Excel import, said once for every app (the ledger's historical cases, the
catalog's items, staff's helpers and equipment).

A GET shows the page with its form; a valid POST runs the import and shows the page with its
result; an htmx POST (the page's form, with a progress bar while it runs) gets the result fragment
alone, which the page swaps in. The form posts to the page's own address. Who may import, the
checks and the writes stay the app's: its view asks the gate, and `run` is its import.

The upload is an `UploadForm`: one .xlsx file no larger than its `max_bytes`, in the app's words.

The pages are built of the project's templates: `_crumbs.html` (where the page sits),
`_import_form.html` (the upload form, with a county to choose when the page offers `counties`) and
`_import_result.html` (form errors, or every problem found and nothing imported, or what was
imported: each app's result template extends it with its own `done` block).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class UploadForm(forms.Form):
    """The file of an import: an .xlsx no larger than `max_bytes`. An app's form subclasses it for
    another limit or other words (the ledger's also takes a county)."""

    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))
    max_bytes = 20 * 1024 * 1024
    not_xlsx: str | Promise = gettext_lazy("请上传用模板填写的 .xlsx 文件。")
    too_large: str | Promise = gettext_lazy("文件不能超过 20 MB。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(self.not_xlsx)
        if upload.size > self.max_bytes:
            raise forms.ValidationError(self.too_large)
        return upload


def import_page(
    request: HttpRequest,
    form: forms.Form,
    run: Callable[[dict[str, Any]], Any],
    *,
    page: str,
    result: str,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The import page `page` (or, for htmx, its result fragment `result`) with `form` (bound to
    the request's data on a POST) and, once the form is valid, `run(form.cleaned_data)`'s result,
    with `context` besides."""
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run(form.cleaned_data)
    values = {**(context or {}), "form": form, "result": outcome, "import_url": request.path}
    if request.headers.get("HX-Request"):
        return render(request, result, values)
    return render(request, page, values)
