"""The ledger's pages under /cases/. Each section's views live in the module named beside it.

`<case:number>` matches a case number only (`370323-20261125-0042`), so fixed paths such as `new/`
never collide with a case's pages."""

from django.urls import path, register_converter

from . import (
    action_views,
    case_views,
    chart_views,
    document_views,
    excel_views,
    register_views,
    transfer_views,
    views,
)


class CaseNumber:
    regex = r"\d{6}-\d{8}-\d{4,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CaseNumber, "case")

app_name = "cases"

urlpatterns = [
    # views.py: the ledger list and its pickers
    path("", views.ledger, name="ledger"),
    path("options/", views.ledger_options, name="ledger_options"),
    # case_views.py: the case page, the logged full-ID view and authorisation scan
    path("<case:number>/", case_views.case_detail, name="case"),
    path("<case:number>/reveal/", case_views.reveal, name="reveal"),
    path(
        "<case:number>/authorisation-scan/",
        case_views.authorisation_scan,
        name="authorisation_scan",
    ),
    # register_views.py: registration and its item search
    path("new/", register_views.register, name="register"),
    path("new/items/", register_views.item_search, name="item_search"),
    # action_views.py: the actions on a case
    path("<case:number>/act/<str:action>/", action_views.act, name="act"),
    # transfer_views.py: the transfers inbox
    path("transfers/", transfer_views.transfers, name="transfers"),
    path(
        "transfers/<int:pk>/<str:answer>/",
        transfer_views.transfer_answer,
        name="transfer_answer",
    ),
    # document_views.py: the receipt, the one-time notice and the refusal, printed and as .docx
    path("<case:number>/receipt/", document_views.receipt, name="receipt"),
    path("<case:number>/receipt.docx", document_views.receipt_docx, name="receipt_docx"),
    path("<case:number>/notices/<str:notice>/", document_views.notice, name="notice"),
    path(
        "<case:number>/notices/<str:notice>.docx",
        document_views.notice_docx,
        name="notice_docx",
    ),
    path("<case:number>/refusal/", document_views.refusal, name="refusal"),
    path("<case:number>/refusal.docx", document_views.refusal_docx, name="refusal_docx"),
    # excel_views.py: the ledger's Excel export (background) and the historical import
    path("export.xlsx", excel_views.export, name="export"),
    path("exports/", excel_views.exports, name="exports"),
    path("exports/<int:pk>/", excel_views.export_file, name="export_file"),
    path("import/", excel_views.import_cases, name="import"),
    path("import/template.xlsx", excel_views.import_template, name="import_template"),
    # chart_views.py: the workflow chart (附件2) page and SVG
    path("workflow/", chart_views.workflow, name="workflow"),
    path("workflow.svg", chart_views.workflow_svg, name="workflow_svg"),
]
