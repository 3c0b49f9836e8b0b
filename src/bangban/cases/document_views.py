"""The printed documents of a case, each as an A4 print page and as a .docx: the acceptance receipt,
the one-time notice and the refusal. What they say is built once in `cases.documents`; every one is
reached through the view scope (`cases.scope.get_case_for`), missing and not allowed alike 404."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bangban.catalog.qr import qr_svg

from . import documents
from .models import Case
from .scope import get_case_for

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _case(request, number: str) -> Case:
    queryset = Case.objects.select_related(
        "applicant",
        "item",
        "revision",
        "registering_point",
        "handling_point",
        "responsible__helper_profile",
        "refusal_department",
    )
    return get_case_for(request.user, number, queryset=queryset)


def _page(request, template: str, case: Case, sheet: documents.Sheet, docx_url: str):
    context = {
        "case": case,
        "sheet": sheet,
        "docx_url": docx_url,
        # Two codes side by side (the receipt's) a little smaller, so that the sheet stays one page.
        "codes": [
            (qr_svg(url, label=caption, size_mm=30 if len(sheet.codes) == 1 else 25), caption)
            for url, caption in sheet.codes
        ],
    }
    return render(request, template, context)


def _docx(sheet: documents.Sheet) -> HttpResponse:
    """The .docx as a download named with the case or document number: an ASCII name for old
    clients and the Chinese one in RFC 5987 form."""
    response = HttpResponse(documents.docx_bytes(sheet), content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="{sheet.ascii_filename}"; '
        f"filename*=UTF-8''{quote(sheet.filename, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _receipt(request, number: str) -> tuple[Case, documents.Sheet]:
    case = _case(request, number)
    public_url = request.build_absolute_uri(reverse("portal:case", args=[case.public_token]))
    rating_url = request.build_absolute_uri(documents.rating_path(case))
    return case, documents.receipt(case, public_url=public_url, rating_url=rating_url)


@login_required
def receipt(request, number: str):
    """受理回执 / 登记回执, to print and hand to the applicant."""
    case, sheet = _receipt(request, number)
    return _page(
        request,
        "cases/print_sheet.html",
        case,
        sheet,
        reverse("cases:receipt_docx", args=[number]),
    )


@login_required
def receipt_docx(request, number: str):
    return _docx(_receipt(request, number)[1])


def _notice(request, number: str, notice: str):
    case = _case(request, number)
    found = get_object_or_404(
        case.notices.select_related("issued_by__helper_profile"), number=notice
    )
    found.case = case
    return case, found, documents.notice_sheet(found)


@login_required
def notice(request, number: str, notice: str):
    """一次性告知书, to print for the applicant's signature."""
    case, found, sheet = _notice(request, number, notice)
    docx_url = reverse("cases:notice_docx", args=[number, found.number])
    return _page(request, "cases/print_sheet.html", case, sheet, docx_url)


@login_required
def notice_docx(request, number: str, notice: str):
    return _docx(_notice(request, number, notice)[2])


def _refusal(request, number: str) -> tuple[Case, documents.Sheet]:
    case = _case(request, number)
    event = documents.refusal_event(case)
    if event is None:
        raise Http404(_("该办件没有不予受理。"))
    return case, documents.refusal(case, event)


@login_required
def refusal(request, number: str):
    """不予受理通知书, for a refused case only."""
    case, sheet = _refusal(request, number)
    return _page(
        request,
        "cases/print_sheet.html",
        case,
        sheet,
        reverse("cases:refusal_docx", args=[number]),
    )


@login_required
def refusal_docx(request, number: str):
    return _docx(_refusal(request, number)[1])
