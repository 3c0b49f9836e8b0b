"""The printed documents of a case: the acceptance receipt (受理回执 / 登记回执), the one-time notice
(一次性告知书) and the refusal (不予受理通知书).

Each document is built once, as a `Sheet` (what it says, in order), from which both the print page
and the .docx are made, so the two can never say different things. Applicants' ID numbers and phones
appear masked only; the receipt's QR codes carry the public case page's and the rating page's token
URLs and nothing else, and it prints the rating card's number (评价卡号, decision 0048).

The rating page of a case is built here once (`rating_path`, `rating_url`), for the receipt, the
completion text (`cases.notifications.completed`) and the public case page.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import qrcode
import qrcode.image.pil
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bangban.catalog.templatetags.catalog import limit
from bangban.staff.directory import hours_summary

from .models import Case, CaseEvent, CaseMaterial, Notice, clock_of, deemed_cutoff
from .workflow import State


@dataclass(frozen=True)
class Line:
    """One labelled fact of a document (a row of its form)."""

    label: str
    value: str


@dataclass(frozen=True)
class Table:
    """The materials of a document: column headings and rows of text."""

    caption: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str = ""


@dataclass
class Sheet:
    """What a printed document says, in order: the title and its number, the facts (a two-column
    form), a paragraph before the table, the table, the paragraphs after it (the last one the
    free-of-charge statement, in bold), the signature lines,
    the point issuing it with the date, and, on a receipt, the QR code's URL and caption."""

    slug: str
    title: str
    number: str
    facts: list[Line]
    intro: str = ""
    table: Table | None = None
    paragraphs: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    issuer: list[Line] = field(default_factory=list)
    qr_url: str = ""
    qr_caption: str = ""
    #: A receipt's second QR code: the rating page (扫码评价).
    rating_qr_url: str = ""
    rating_qr_caption: str = ""

    @property
    def codes(self) -> list[tuple[str, str]]:
        """(url, caption) of each QR code the document prints, in order."""
        return [
            (url, caption)
            for url, caption in (
                (self.qr_url, self.qr_caption),
                (self.rating_qr_url, self.rating_qr_caption),
            )
            if url
        ]

    @property
    def filename(self) -> str:
        """The .docx name: the title and the case or document number (`受理回执-370323-…docx`)."""
        return f"{self.title}-{self.number}.docx"

    @property
    def ascii_filename(self) -> str:
        """The fallback name for clients that cannot read an RFC 5987 name."""
        return f"{self.slug}-{self.number}.docx"


# --- The rating page of a case -----------------------------------------------------------------------


def rating_path(case: Case) -> str:
    """The path of `case`'s public rating page (`/pj/<public_token>/`, the feedback app's
    `rate:case`): the receipt's 扫码评价 code, the completion text and the public case page lead
    there. The one place it is built."""
    return f"/pj/{case.public_token}/"


def rating_url(case: Case) -> str:
    """The rating page as an absolute URL on the site's public address (`BANGBAN_PUBLIC_URL`), for
    what has no request to build it from (a text message)."""
    return settings.BANGBAN_PUBLIC_URL + rating_path(case)


# --- Shared pieces -----------------------------------------------------------------------------------


def day_text(day: dt.date | None) -> str:
    """A date as the document writes it (2026年11月25日 in Chinese)."""
    return date_format(day, "DATE_FORMAT") if day else ""


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def work_phone(user) -> str:
    """The work phone of a helper (for the applicant to call), or ""."""
    profile = getattr(user, "helper_profile", None) if user is not None else None
    return getattr(profile, "work_phone", "") or ""


def _helper_text(user) -> str:
    phone = work_phone(user)
    return f"{person_name(user)}（{phone}）" if phone else person_name(user)


def _applicant_lines(case: Case) -> list[Line]:
    """Who the matter is for: name, the masked document number, the masked phone."""
    applicant = case.applicant
    phone = case.contact_phone_masked or applicant.phone_masked
    if applicant.kind == applicant.Kind.ORGANISATION:
        label = _("统一社会信用代码")
    else:
        label = _("%(document)s号码") % {"document": applicant.get_document_type_display()}
    lines = [Line(_("申请人"), applicant.name), Line(label, applicant.number_masked)]
    if applicant.kind == applicant.Kind.ORGANISATION and applicant.legal_representative:
        lines.append(Line(_("法定代表人"), applicant.legal_representative))
    lines.append(Line(_("联系电话"), phone or "—"))
    return lines


def _item_lines(case: Case) -> list[Line]:
    """The item as it stood when the case was registered (its revision)."""
    return [
        Line(_("办理事项"), case.revision.name),
        Line(_("事项编码"), case.item.implementation_code),
    ]


def _point_lines(point, day: dt.date) -> list[Line]:
    """The point issuing a document: name, address, phone, hours when it has them, the date."""
    lines = [Line(_("服务点"), point.name)]
    if point.address:
        lines.append(Line(_("地址"), point.address))
    if point.phone:
        lines.append(Line(_("电话"), point.phone))
    hours = hours_summary(point.hours.all())
    if hours:
        lines.append(Line(_("服务时间"), hours))
    lines.append(Line(_("日期"), day_text(day)))
    return lines


def _deadline_text(day: dt.date | None, provisional: bool, number: int, unit: str) -> str:
    """A deadline: the date, said to be provisional (暂定) when a year it touched is not yet known;
    before acceptance, the limit counted from the acceptance day."""
    if day is None:
        return _("%(limit)s，自受理之日起计算") % {"limit": limit(number, unit)}
    text = day_text(day)
    if provisional:
        text += _("（暂定）")
    return text


def free_statement() -> str:
    return _("帮办代办服务免费，不收取任何费用。")


# --- The receipt -------------------------------------------------------------------------------------


def receipt(
    case: Case, *, public_url: str, rating_url: str = "", today: dt.date | None = None
) -> Sheet:
    """受理回执 (登记回执 while not yet accepted): what was registered and received, the deadlines, who
    answers for it, a QR code to `public_url` (the public case page) to follow it, the rating
    card's number and a second QR code to `rating_url` (the rating page, `rating_path`) to rate it.
    The acceptance and deadlines are those of `today` (`clock_of`: deemed acceptance printed as
    soon as it is due)."""
    revision = case.revision
    clock = clock_of(case, deemed_cutoff(today or timezone.localdate()))
    accepted = clock.accepted_on is not None
    if accepted:
        accepted_text = day_text(clock.accepted_on)
        if clock.acceptance_deemed:
            accepted_text += _("（视为受理）")
    else:
        accepted_text = _("尚未受理")
    facts = [
        Line(_("办件编号"), case.number),
        Line(_("登记日期"), day_text(case.registered_on)),
        *_applicant_lines(case),
        *_item_lines(case),
        Line(_("服务类型"), str(case.get_kind_display())),
        Line(_("服务方式"), str(case.get_mode_display())),
        Line(_("收到材料日期"), day_text(case.received_on)),
        Line(_("受理日期"), accepted_text),
        Line(
            _("承诺办结期限"),
            _deadline_text(
                clock.promised_deadline,
                clock.promised_provisional,
                revision.promised_limit,
                revision.promised_limit_unit,
            ),
        ),
        Line(
            _("法定办结期限"),
            _deadline_text(
                clock.legal_deadline,
                clock.legal_provisional,
                revision.legal_limit,
                revision.legal_limit_unit,
            ),
        ),
        Line(_("首问负责人"), _helper_text(case.responsible)),
    ]
    if case.rating_card:
        facts.append(Line(_("评价卡号"), case.rating_card))
    lines = [
        line
        for line in case.materials.select_related("material").order_by("position")
        if line.status != CaseMaterial.Status.NOT_NEEDED
    ]
    table = Table(
        caption=_("收取材料情况"),
        headers=(_("序号"), _("材料名称"), _("份数"), _("收取情况")),
        rows=[
            (
                str(n),
                line.material.name,
                line.material.copies_text,
                str(line.get_status_display()),
            )
            for n, line in enumerate(lines, start=1)
        ],
        empty=_("办理该事项不需要提交申请材料。"),
    )
    return Sheet(
        slug="receipt",
        title=_("受理回执") if accepted else _("登记回执"),
        number=case.number,
        facts=facts,
        table=table,
        paragraphs=[
            _(
                "首问负责人负责跟踪办理全程，有疑问请与其联系。"
                "办理进度将通过短信告知，也可以扫描二维码查询。"
            )
            + _(
                "欢迎对每一次服务进行评价：扫描“扫码评价”二维码，"
                "或在评价卡上写明评价卡号后投入服务点的评价箱。"
            ),
            free_statement(),
        ],
        issuer=_point_lines(case.registering_point, case.registered_on),
        qr_url=public_url,
        qr_caption=_("扫码查询办理进度"),
        rating_qr_url=rating_url,
        rating_qr_caption=_("扫码评价"),
    )


# --- The one-time notice -----------------------------------------------------------------------------


def notice_sheet(notice: Notice) -> Sheet:
    """一次性告知书: every material to supply with its reason and note, the day to supply them by,
    the statement that this is everything at once, and lines for both signatures."""
    case = notice.case
    notice_lines = notice.lines.select_related("line__material").order_by("line__position")
    facts = [
        Line(_("告知书编号"), notice.number),
        Line(_("办件编号"), case.number),
        *_applicant_lines(case),
        *_item_lines(case),
        Line(_("收到材料日期"), day_text(case.received_on)),
        Line(_("告知日期"), day_text(notice.issued_on)),
        Line(_("告知人"), _helper_text(notice.issued_by)),
    ]
    if notice.repeated:
        facts.append(
            Line(_("重复告知"), _("是。原因：%(reason)s") % {"reason": notice.repeat_reason})
        )
    table = Table(
        caption=_("需要补正的材料"),
        headers=(_("序号"), _("材料名称"), _("份数"), _("原因"), _("说明")),
        rows=[
            (
                str(n),
                nl.line.material.name,
                nl.line.material.copies_text,
                str(nl.get_reason_display()),
                nl.note or nl.line.material.notes,
            )
            for n, nl in enumerate(notice_lines, start=1)
        ],
    )
    return Sheet(
        slug="notice",
        title=_("一次性告知书"),
        number=notice.number,
        facts=facts,
        intro=_(
            "%(name)s：您申请办理的“%(item)s”事项，经审查，申请材料不齐全或者不符合要求。"
            "现将需要补正的全部材料一次性告知如下："
        )
        % {"name": case.applicant.name, "item": case.revision.name},
        table=table,
        paragraphs=[
            _("请于 %(day)s 前补齐上述材料。") % {"day": day_text(notice.supply_by)},
            _(
                "以上为需要补正的全部材料，一次性告知，不再要求补正其他材料。"
                "材料补齐之日即予受理，办理期限自受理之日起计算。"
            ),
            free_statement(),
        ],
        signatures=[_("申请人（签收）"), _("帮办代办员")],
        issuer=_point_lines(case.handling_point, notice.issued_on),
    )


# --- The refusal -------------------------------------------------------------------------------------


def refusal_event(case: Case) -> CaseEvent | None:
    """The event that refused `case` (its reason, legal basis, number and date), or None when the
    case is not refused."""
    if case.status != State.REFUSED:
        return None
    return case.events.filter(action="refuse").select_related("by").order_by("-at", "-pk").first()


def refusal(case: Case, event: CaseEvent) -> Sheet:
    """不予受理通知书: the competent department's decision (decision 0029) — the department that
    decided and its document number (文号), the date, the reason and its legal basis, and the
    applicant's remedies; the helper who recorded it appears as the one who handled it (经办人)."""
    data = event.data or {}
    refused_on = dt.date.fromisoformat(data["refused_on"]) if data.get("refused_on") else None
    refused_on = refused_on or event.at.date()
    department = case.refusal_department.name if case.refusal_department_id else ""
    facts = [
        Line(_("通知书编号"), data.get("refusal", "")),
        Line(_("办件编号"), case.number),
        *_applicant_lines(case),
        *_item_lines(case),
        Line(_("收到材料日期"), day_text(case.received_on)),
        Line(_("作出决定的部门"), department or "—"),
        Line(_("决定文号"), case.refusal_document_number or "—"),
        Line(_("不予受理日期"), day_text(refused_on)),
        Line(_("不予受理理由"), data.get("reason", "")),
        Line(_("依据"), data.get("legal_basis") or "—"),
        Line(_("经办人"), _helper_text(event.by)),
    ]
    return Sheet(
        slug="refusal",
        title=_("不予受理通知书"),
        number=data.get("refusal") or case.number,
        facts=facts,
        intro=_(
            "%(name)s：您于 %(day)s 申请办理的“%(item)s”事项，经%(department)s审查，"
            "因上述理由，决定不予受理。"
        )
        % {
            "name": case.applicant.name,
            "day": day_text(case.received_on),
            "item": case.revision.name,
            "department": department,
        },
        paragraphs=[
            _(
                "如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，"
                "或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。"
            ),
            free_statement(),
        ],
        signatures=[_("申请人（签收）"), _("经办人（帮办代办员）")],
        issuer=[
            Line(_("作出决定的部门"), _("%(department)s（盖章）") % {"department": department}),
            *_point_lines(case.handling_point, refused_on),
        ],
    )


# --- .docx -------------------------------------------------------------------------------------------

#: Fonts of the usual official layout: the title in 黑体, the text in 仿宋; Latin letters and digits
#: in Times New Roman. Word and WPS read the East-Asian name from w:eastAsia.
TITLE_FONT = "黑体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"


def qr_png(data: str) -> bytes:
    """The QR code for `data` as a PNG (black on white), for the receipt's .docx."""
    code = qrcode.QRCode(
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        image_factory=qrcode.image.pil.PilImage,
    )
    code.add_data(data)
    code.make(fit=True)
    stream = io.BytesIO()
    code.make_image().save(stream, format="PNG")
    return stream.getvalue()


def _set_fonts(run_or_style, east_asian: str, size_pt: float | None = None, bold=None) -> None:
    font = run_or_style.font
    font.name = LATIN_FONT
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    r_pr = run_or_style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _text(paragraph, text: str, *, size: float = 12, bold: bool = False, font: str = BODY_FONT):
    run = paragraph.add_run(text)
    _set_fonts(run, font, size, bold)
    return run


def _cell(cell, text: str, *, bold: bool = False, size: float = 11, center: bool = False):
    paragraph = cell.paragraphs[0]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text(paragraph, text, size=size, bold=bold)


#: The width of the text on an A4 page with the margins below.
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6


def _widths(table, widths) -> None:
    """Column widths in both places readers look: the grid (LibreOffice, WPS) and each cell (Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def docx_bytes(sheet: Sheet) -> bytes:
    """The sheet as a Word document in the usual official layout: A4, the title centred in bold
    黑体, the text in 仿宋, facts and materials as ruled tables, the QR code as a picture."""
    document = Document()
    document.core_properties.title = f"{sheet.title} {sheet.number}"
    document.core_properties.author = ""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    normal = document.styles["Normal"]
    _set_fonts(normal, BODY_FONT, 12)
    lang = normal.element.get_or_add_rPr().makeelement(
        qn("w:lang"), {qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN"}
    )
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.25

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    _text(title, sheet.title, size=20, bold=True, font=TITLE_FONT)
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _text(number, _("编号：%(number)s") % {"number": sheet.number}, size=11)

    facts = document.add_table(rows=0, cols=2)
    facts.style = "Table Grid"
    facts.alignment = WD_TABLE_ALIGNMENT.CENTER
    for line in sheet.facts:
        label, value = facts.add_row().cells
        _cell(label, line.label, bold=True)
        _cell(value, line.value)
    _widths(facts, [Cm(4.0), Cm(TEXT_WIDTH_CM - 4.0)])

    if sheet.intro:
        intro = document.add_paragraph()
        intro.paragraph_format.space_before = Pt(8)
        _text(intro, sheet.intro)
    if sheet.table is not None:
        heading = document.add_paragraph()
        heading.paragraph_format.space_before = Pt(8)
        _text(heading, sheet.table.caption, bold=True)
        if sheet.table.rows:
            table = document.add_table(rows=1, cols=len(sheet.table.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, header in zip(table.rows[0].cells, sheet.table.headers, strict=True):
                _cell(cell, header, bold=True, center=True)
            header = table.rows[0]._tr.get_or_add_trPr()
            header.append(header.makeelement(qn("w:tblHeader"), {}))  # repeated on each page
            for row in sheet.table.rows:
                cells = table.add_row().cells
                for n, (cell, text) in enumerate(zip(cells, row, strict=True)):
                    _cell(cell, text, center=n == 0)
            # The number column narrow, the name column twice as wide as the others.
            share = (TEXT_WIDTH_CM - 1.3) / len(sheet.table.headers)
            others = [Cm(share)] * (len(sheet.table.headers) - 2)
            _widths(table, [Cm(1.3), Cm(2 * share), *others])
        else:
            _text(document.add_paragraph(), sheet.table.empty)

    for position, text in enumerate(sheet.paragraphs, start=1):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(24)
        # the last paragraph is the free-of-charge statement, in bold as on the page
        _text(paragraph, text, bold=position == len(sheet.paragraphs))

    for label in sheet.signatures:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(14)
        _text(paragraph, f"{label}：______________　{_('日期：______年____月____日')}")

    issuer = document.add_paragraph()
    issuer.paragraph_format.space_before = Pt(14)
    for n, line in enumerate(sheet.issuer):
        if n:
            issuer.add_run().add_break()
        _text(issuer, f"{line.label}：{line.value}", size=11)

    codes = sheet.codes
    if codes:
        # The codes side by side in a borderless table, each with its caption below.
        table = document.add_table(rows=2, cols=len(codes))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for n, (url, caption) in enumerate(codes):
            picture = table.rows[0].cells[n].paragraphs[0]
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.paragraph_format.space_before = Pt(10)
            picture.add_run().add_picture(io.BytesIO(qr_png(url)), width=Cm(3.2))
            _cell(table.rows[1].cells[n], caption, size=10.5, center=True)

    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()
