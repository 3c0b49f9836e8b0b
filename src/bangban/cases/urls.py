"""The ledger's pages under /cases/. Each section's views live in the module named beside it.

`<case:number>` matches a case number only (`370323-20261125-0042`), so fixed paths such as `new/`
never collide with a case's pages."""

from django.urls import path, register_converter

from . import action_views, chart_views, document_views, excel_views, views


class CaseNumber:
    regex = r"\d{6}-\d{8}-\d{4,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CaseNumber, "case")

app_name = "cases"

urlpatterns = [
    # views.py: the ledger list, the case page, the logged full-ID view
    path("", views.ledger, name="ledger"),
    path("options/", views.ledger_options, name="ledger_options"),
    path("<case:number>/", views.case_detail, name="case"),
    path("<case:number>/reveal/", views.reveal, name="reveal"),
    path("<case:number>/authorisation-scan/", views.authorisation_scan, name="authorisation_scan"),
    # action_views.py: registration, the actions on a case, the transfers inbox
    path("new/", action_views.register, name="register"),
    path("new/items/", action_views.item_search, name="item_search"),
    path("<case:number>/act/<str:action>/", action_views.act, name="act"),
    path("transfers/", action_views.transfers, name="transfers"),
    path(
        "transfers/<int:pk>/<str:answer>/",
        action_views.transfer_answer,
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
