"""The ledger in Excel (台账): the export in the layout a county office keeps, and the import of
historical cases from the same layout (docs/decisions/0021-ledger-excel.md).

The export has one row per case, Chinese column headers whatever the interface language, ID numbers
and phones masked as on every list. Its rows are streamed out of the database in one query
(`values_list(...).iterator()`, the counts of notices and transfers as subqueries of it) straight
into the sheet's XML, spliced into a workbook XlsxWriter writes around them (`write_ledger`), so a
hundred thousand rows take as little memory as a hundred, in seconds. Small exports are sent at
once; larger ones are written by the task worker (`tasks.export_ledger`).

The import reads a sheet of that layout (or the template of its own columns) by its headers: the
columns it needs must be there, the ledger's derived columns (序号, 预警, 告知次数 …) and any others
are ignored. Every row is parsed, its names resolved in the county (item codes, points, people),
then every case checked by `actions.check_imported_cases`; each problem is reported by row and
column, and nothing is written unless every row is good (`actions.import_cases`, one transaction).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import IntegrityError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from bangban.catalog.models import ItemRevision, Mode, ServiceItem
from bangban.kernel.spreadsheets import (
    Column,
    Invalid,
    Problem,
    Sheet,
    date,
    text,
)
from bangban.kernel.spreadsheets import as_text as _as_text
from bangban.kernel.spreadsheets import open_workbook as _open
from bangban.network.models import Membership, Region, ServicePoint

from . import actions
from .actions import CREDIT_CODE, ApplicantData, CaseError, ImportedCase
from .identifiers import DocumentType
from .ledger import LedgerFilter
from .models import (
    NEAR_DEADLINE,
    OVERDUE,
    Applicant,
    Case,
    LedgerExport,
    Notice,
    ReadingDay,
    Transfer,
    deadline_values,
    deemed_due,
    warning_of,
)
from .scope import cases_for
from .workflow import State

log = logging.getLogger(__name__)

#: The most data rows one import file may hold (split larger ledgers into several files).
MAX_ROWS = 10_000
SHEET_TITLE = "工作台账"
DATE_FORMAT = "yyyy-mm-dd"
TEXT = "@"


def zh(label) -> str:
    """A label in Chinese whatever the interface language: the workbook's own vocabulary."""
    with translation.override("zh-hans"):
        return str(label)


# --- The layout -----------------------------------------------------------------------------------

#: The export's columns: (header, width). The import reads those of `import_sheet` among them.
EXPORT_COLUMNS = (
    ("序号", 7),
    ("办件编号", 23),
    ("登记日期", 12),
    ("申请人", 14),
    ("证件类型", 14),
    ("证件号码", 21),
    ("联系电话", 14),
    ("特殊群体", 14),
    ("事项名称", 30),
    ("事项编码", 24),
    ("帮办/代办", 10),
    ("服务方式", 10),
    ("来源渠道", 12),
    ("登记服务点", 24),
    ("首问负责人", 12),
    ("承办服务点", 24),
    ("承办人", 12),
    ("收件日期", 12),
    ("受理日期", 12),
    ("承诺期限", 12),
    ("法定期限", 12),
    ("状态", 13),
    ("办结日期", 12),
    ("是否按期办结", 13),
    ("预警", 8),
    ("告知次数", 10),
    ("重复告知", 10),
    ("转办次数", 10),
    ("原办件编号", 23),
)
EXPORT_HEADERS = [header for header, _width in EXPORT_COLUMNS]
#: The columns written as dates (a real date cell, so Excel sorts and filters them as dates).
DATE_COLUMNS = frozenset({"登记日期", "收件日期", "受理日期", "承诺期限", "法定期限", "办结日期"})
NUMBER_COLUMNS = frozenset({"序号", "告知次数", "重复告知", "转办次数"})


def _labels(choices) -> dict[str, str]:
    """value → its Chinese label."""
    return {value: zh(label) for value, label in choices}


def document_labels() -> dict[str, str]:
    return {**_labels(DocumentType.choices), CREDIT_CODE: zh(_("统一社会信用代码"))}


# --- The export -----------------------------------------------------------------------------------

#: What a row of the export reads, in one query (the counts are subqueries: no query per row).
EXPORT_FIELDS = (
    "number",
    "registered_on",
    "applicant__name",
    "applicant__document_type",
    "applicant__number_masked",
    "contact_phone_masked",
    "applicant__phone_masked",
    "elderly",
    "disabled",
    "revision__name",
    "item__implementation_code",
    "kind",
    "mode",
    "channel",
    "registering_point__name",
    "responsible__first_name",
    "responsible__username",
    "handling_point__name",
    "handling_helper__first_name",
    "handling_helper__username",
    "received_on",
    "accepted_on",
    "promised_deadline",
    "legal_deadline",
    "status",
    "completed_on",
    "notice_count",
    "repeated_count",
    "transfer_count",
    "original_number",
    # What the clock of a case due for deemed acceptance is counted from (`models.clock_of`).
    "deemed_deadline",
    "revision__promised_limit",
    "revision__promised_limit_unit",
    "revision__legal_limit",
    "revision__legal_limit_unit",
)


@dataclass(frozen=True)
class _Limits:
    """The time limits of a row's revision, as `models.deadline_values` reads them."""

    promised_limit: int
    promised_limit_unit: str
    legal_limit: int
    legal_limit_unit: str


def _count_of(model, **filters) -> Coalesce:
    rows = (
        model.objects.filter(case=OuterRef("pk"), **filters)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def export_rows_query(cases: QuerySet[Case]):
    """The export's rows of `cases` (filtered and ordered already), as tuples of EXPORT_FIELDS."""
    return cases.annotate(
        notice_count=_count_of(Notice),
        repeated_count=_count_of(Notice, repeated=True),
        transfer_count=_count_of(Transfer),
    ).values_list(*EXPORT_FIELDS)


def ledger_cases(user, ledger_filter: LedgerFilter, today) -> QuerySet[Case]:
    """The cases of the ledger list for `user` and the (valid) filter: the same rows, same order."""
    return ledger_filter.apply(cases_for(user), today)


def export_rows(rows: Iterable[tuple], today) -> Iterable[list]:
    """The export's rows, in EXPORT_COLUMNS' order, from tuples of EXPORT_FIELDS."""
    states = _labels(State.choices)
    kinds = _labels(Case.Kind.choices)
    modes = _labels(Mode.choices)
    channels = _labels(Case.Channel.choices)
    documents = document_labels()
    elderly, disabled = zh(_("老年人")), zh(_("残疾人"))
    yes, no = zh(_("是")), zh(_("否"))
    cards = {NEAR_DEADLINE: zh(_("黄牌")), OVERDUE: zh(_("红牌")), "": ""}
    day = ReadingDay.of(today)
    for index, (
        number,
        registered_on,
        name,
        document_type,
        masked,
        contact_phone,
        applicant_phone,
        is_elderly,
        is_disabled,
        item_name,
        item_code,
        kind,
        mode,
        channel,
        registering_point,
        responsible_name,
        responsible_username,
        handling_point,
        helper_name,
        helper_username,
        received_on,
        accepted_on,
        promised,
        legal,
        status,
        completed_on,
        notices,
        repeated,
        transfers,
        original,
        deemed_deadline,
        *limits,
    ) in enumerate(rows, start=1):
        if deemed_due(status, deemed_deadline, received_on, day.cutoff):
            # Due for deemed acceptance, not yet recorded: shown as the law has it (reads never write).
            accepted_on = received_on
            counted = deadline_values(_Limits(*limits), received_on)
            promised, legal = counted["promised_deadline"], counted["legal_deadline"]
        phone = contact_phone or applicant_phone
        special = "、".join(
            label for flag, label in ((is_elderly, elderly), (is_disabled, disabled)) if flag
        )
        on_time = ""
        if status == State.COMPLETED and promised is not None:
            on_time = yes if completed_on <= promised else no
        warning = cards[warning_of(status, promised, today, day.near_until)]
        yield [
            index,
            number,
            registered_on,
            name,
            documents.get(document_type, document_type),
            masked,
            phone,
            special,
            item_name,
            item_code,
            kinds.get(kind, kind),
            modes.get(mode, mode),
            channels.get(channel, channel),
            registering_point,
            responsible_name or responsible_username,
            handling_point,
            (helper_name or helper_username) if helper_username else "",
            received_on,
            accepted_on,
            promised,
            legal,
            states.get(status, status),
            completed_on,
            on_time,
            warning,
            notices,
            repeated,
            transfers,
            original,
        ]


#: Control characters (XML 1.0 cannot hold most; a carriage return would come back a line feed) and
#: non-characters: written as Excel's own escape (`_x0007_`), as XlsxWriter does.
EXCEL_ESCAPED = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
#: Text that reads as that escape (`_x0041_` is "A" to Excel): its underscore escaped (`_x005F_x0041_`),
#: as XlsxWriter does, so that it reads back as written.
EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _skeleton(path: str) -> None:
    """The workbook around the data rows, written by XlsxWriter: the sheet 工作台账 with its styled
    header row, widths and number formats per column, the header and the case numbers frozen, a
    filter on the header (its range is set to the rows by `write_ledger`)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    try:
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        day = workbook.add_format({"num_format": DATE_FORMAT})
        text_format = workbook.add_format({"num_format": TEXT})
        ws = workbook.add_worksheet(SHEET_TITLE)
        for col, (title, width) in enumerate(EXPORT_COLUMNS):
            ws.write_string(0, col, title, header)
            if title in DATE_COLUMNS:
                ws.set_column(col, col, width, day)
            else:
                ws.set_column(col, col, width, None if title in NUMBER_COLUMNS else text_format)
        ws.freeze_panes(1, 2)
        ws.autofilter(0, 0, 0, len(EXPORT_COLUMNS) - 1)
    finally:
        workbook.close()


def _column_styles(sheet_xml: str) -> list[str]:
    """The style attribute of each column's cells (` s="3"` or ""), as XlsxWriter set the columns."""
    styles = [""] * len(EXPORT_COLUMNS)
    for element in re.findall(r"<col [^>]*/>", sheet_xml):
        low, high = (
            int(re.search(rf'{name}="(\d+)"', element).group(1)) for name in ("min", "max")
        )
        style = re.search(r' style="(\d+)"', element)
        for col in range(low - 1, high):
            styles[col] = f' s="{style.group(1)}"' if style else ""
    return styles


def _rows_xml(rows: Iterable[list], out, styles: list[str]) -> int:
    """The data rows as the sheet's XML (`<row>` elements, strings inline, dates as day numbers in
    their column's date style) to the text stream `out`; the number of rows."""
    letters = [xl_col_to_name(col) for col in range(len(EXPORT_COLUMNS))]
    dates = [h in DATE_COLUMNS for h in EXPORT_HEADERS]
    count = 0
    for count, row in enumerate(rows, start=1):
        r = count + 1
        cells = [f'<row r="{r}">']
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            ref = f"{letters[col]}{r}"
            if dates[col]:
                cells.append(f'<c r="{ref}"{styles[col]}><v>{(value - EXCEL_EPOCH).days}</v></c>')
            elif type(value) is int:
                cells.append(f'<c r="{ref}"{styles[col]}><v>{value}</v></c>')
            else:
                text_value = escape(str(value))
                if "_x" in text_value:
                    text_value = EXCEL_ESCAPE.sub(lambda m: f"_x005F{m.group()}", text_value)
                if EXCEL_ESCAPED.search(text_value):
                    text_value = EXCEL_ESCAPED.sub(lambda m: f"_x{ord(m.group()):04X}_", text_value)
                space = ' xml:space="preserve"' if text_value != text_value.strip() else ""
                cells.append(
                    f'<c r="{ref}"{styles[col]} t="inlineStr"><is><t{space}>{text_value}</t></is></c>'
                )
        cells.append("</row>")
        out.write("".join(cells))
    return count


def write_ledger(path: str, rows: Iterable[list]) -> int:
    """The ledger workbook (one sheet 工作台账) to the file at `path`, in the catalog exports'
    style: a bold shaded header row, widths per column, the header and the case numbers frozen, a
    filter on every column. Returns the number of rows.

    XlsxWriter writes the workbook around the rows (`_skeleton`); the rows themselves are streamed
    as sheet XML into a temporary file and spliced into the sheet: the same XML XlsxWriter writes
    in constant memory, about five times faster (100,000 rows: decision 0021). Memory stays flat."""
    import zipfile

    sheet_name = "xl/worksheets/sheet1.xml"
    last = xl_col_to_name(len(EXPORT_COLUMNS) - 1)
    with tempfile.TemporaryDirectory() as scratch:
        skeleton = os.path.join(scratch, "skeleton.xlsx")
        fragment = os.path.join(scratch, "rows.xml")
        _skeleton(skeleton)
        with zipfile.ZipFile(skeleton) as source:
            sheet = source.read(sheet_name).decode()
            styles = _column_styles(sheet)
            with open(fragment, "w", encoding="utf-8") as out:
                count = _rows_xml(rows, out, styles)
            end = max(count + 1, 1)
            head, tail = sheet.split("</sheetData>")
            head = _replace_once(
                head, f'<dimension ref="A1:{last}1"/>', f'<dimension ref="A1:{last}{end}"/>'
            )
            tail = _replace_once(
                tail, f'<autoFilter ref="A1:{last}1"/>', f'<autoFilter ref="A1:{last}{end}"/>'
            )
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
                for info in source.infolist():
                    if info.filename == sheet_name:
                        with target.open(sheet_name, "w", force_zip64=True) as dst:
                            dst.write(head.encode())
                            with open(fragment, "rb") as src:
                                shutil.copyfileobj(src, dst, 1 << 20)
                            dst.write(b"</sheetData>" + tail.encode())
                    elif info.filename == "xl/workbook.xml":
                        book = source.read(info).decode()
                        book = _replace_once(book, f"!$A$1:${last}$1<", f"!$A$1:${last}${end}<")
                        target.writestr(info.filename, book)
                    else:
                        target.writestr(info.filename, source.read(info))
    return count


def _replace_once(text_value: str, old: str, new: str) -> str:
    if text_value.count(old) != 1:
        raise ValueError(f"unexpected workbook layout: {old!r}")
    return text_value.replace(old, new)


def export_file_name(today) -> str:
    return _("工作台账") + f"-{today:%Y%m%d}.xlsx"


def write_ledger_export(user, ledger_filter: LedgerFilter, path: str) -> int:
    """The user's filtered ledger to the file at `path`; the number of rows."""
    today = timezone.localdate()
    cases = ledger_cases(user, ledger_filter, today)
    rows = export_rows_query(cases).iterator(chunk_size=2000)
    return write_ledger(path, export_rows(rows, today))


def produce_export(export_id: int) -> None:
    """The background job of a LedgerExport: the requester's rows as they may see them now, written
    to the export's file; marked done with the row count, or failed with the reason."""
    export = (
        LedgerExport.objects.select_related("requested_by")
        .filter(pk=export_id, status=LedgerExport.Status.PENDING)
        .first()
    )
    if export is None:  # already taken by another worker, or gone
        return
    claimed = LedgerExport.objects.filter(pk=export.pk, status=LedgerExport.Status.PENDING).update(
        status=LedgerExport.Status.RUNNING
    )
    if not claimed:
        return
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        ledger_filter = LedgerFilter(export.query)
        if not ledger_filter.is_valid():
            raise ValueError(_("筛选条件无效。"))
        rows = write_ledger_export(export.requested_by, ledger_filter, path)
        name = f"ledger-{export.pk}-{secrets.token_hex(8)}.xlsx"
        with open(path, "rb") as handle:
            export.file.save(name, File(handle), save=False)
        export.status = LedgerExport.Status.DONE
        export.rows = rows
        export.error = ""
    except Exception as error:  # noqa: BLE001 - a failed export is reported on its row, not lost
        log.exception("ledger export %s failed", export.pk)
        export.status = LedgerExport.Status.FAILED
        export.error = (str(error) or error.__class__.__name__)[:500]
    finally:
        os.unlink(path)
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "rows", "file", "error", "finished_at"])


# --- The import: the sheet ------------------------------------------------------------------------

SEPARATORS = re.compile(r"[、,，;；/／\s]+")


def _optional_choice(options: dict[str, Any], default: Any):
    def parse(value: Any) -> Any:
        s = _as_text(value)
        if s == "":
            return default
        if s not in options:
            raise Invalid(_("请填写以下之一：%(options)s。") % {"options": "、".join(options)})
        return options[s]

    return parse


def _required_choice(options: dict[str, Any]):
    return _optional_choice(options, None)


def _unmasked(what: str, max_length: int):
    """Text that must not be a masked value (an exported ledger shows numbers masked)."""
    parse = text(max_length)

    def parse_unmasked(value: Any) -> str:
        s = parse(value)
        if "*" in s:
            raise Invalid(
                _("%(what)s已打码（导出的台账只显示部分号码），请填写完整号码。") % {"what": what}
            )
        return s

    return parse_unmasked


def _special(value: Any) -> bool:
    """特殊群体: 老年人 and/or 残疾人; only 残疾人 is read (老年人 follows from the ID number)."""
    words = [w for w in SEPARATORS.split(_as_text(value)) if w]
    allowed = {zh(_("老年人")), zh(_("残疾人"))}
    unknown = [w for w in words if w not in allowed]
    if unknown:
        raise Invalid(_("只能填写“老年人”“残疾人”或留空。"))
    return zh(_("残疾人")) in words


def _code(value: Any) -> str:
    return text(36)(value).upper()


def import_sheet() -> Sheet:
    """The columns the import reads, with the export's headers; the template is made of them."""
    with translation.override("zh-hans"):
        documents = {label: value for value, label in document_labels().items()}
        kinds = {label: value for value, label in _labels(Case.Kind.choices).items()}
        modes = {label: value for value, label in _labels(Mode.choices).items()}
        channels = {label: value for value, label in _labels(Case.Channel.choices).items()}
        states = {zh(State(s).label): s for s in actions.IMPORTABLE_STATES}
        columns = [
            Column(
                "办件编号",
                "original_number",
                text(40),
                example="YY-2025-000123",
                note=_("原台账的编号，导入后作为“原办件编号”保留；系统按登记日期另行编号。"),
                width=22,
                number_format=TEXT,
            ),
            Column(
                "登记日期",
                "registered_on",
                date,
                True,
                example="2025-03-03",
                note=_("格式 2025-03-03，不能晚于今天。新编号按这一天编排。"),
                width=12,
            ),
            Column("申请人", "name", text(100), True, example="张秀英", width=14),
            Column(
                "证件类型",
                "document_type",
                _optional_choice(documents, DocumentType.RESIDENT_ID),
                choices=list(documents),
                example=zh(DocumentType.RESIDENT_ID.label),
                note=_("留空为居民身份证；企业或单位填“统一社会信用代码”。"),
                width=14,
            ),
            Column(
                "证件号码",
                "number",
                _unmasked(_("证件号码"), 40),
                True,
                example="370323194503121015",
                note=_("完整号码（校验位须正确）；请把该列设为文本格式。"),
                width=21,
                number_format=TEXT,
            ),
            Column(
                "联系电话",
                "phone",
                _unmasked(_("联系电话"), 30),
                example="13805331234",
                note=_("手机或座机，可留空。"),
                width=14,
                number_format=TEXT,
            ),
            Column(
                "特殊群体",
                "disabled",
                _special,
                example="",
                note=_("残疾人填“残疾人”；老年人由证件号码自动判断。"),
                width=14,
            ),
            Column(
                "事项名称",
                "item_name",
                text(200),
                example="城乡居民基本医疗保险参保登记",
                note=_("仅供阅读，以事项编码为准。"),
                width=30,
            ),
            Column(
                "事项编码",
                "item_code",
                _code,
                True,
                example="11370323MB00000000001",
                note=_("本县事项目录中的实施编码。"),
                width=24,
                number_format=TEXT,
            ),
            Column(
                "帮办/代办",
                "kind",
                _required_choice(kinds),
                True,
                choices=list(kinds),
                example=zh(Case.Kind.ASSISTED.label),
                width=10,
            ),
            Column(
                "服务方式",
                "mode",
                _required_choice(modes),
                True,
                choices=list(modes),
                example=zh(Mode.ON_SITE.label),
                note=_("须是该事项支持的办理方式。"),
                width=10,
            ),
            Column(
                "来源渠道",
                "channel",
                _optional_choice(channels, Case.Channel.WALK_IN),
                choices=list(channels),
                example=zh(Case.Channel.WALK_IN.label),
                note=_("留空为“现场”。"),
                width=12,
            ),
            Column(
                "登记服务点",
                "registering_point",
                text(100),
                True,
                example="",
                note=_("本县服务点的名称（同名时填服务点编号，见“服务点”表）。"),
                width=24,
            ),
            Column(
                "首问负责人",
                "responsible",
                text(150),
                True,
                example="",
                note=_("本县人员的用户名或姓名（重名时填用户名）。"),
                width=12,
            ),
            Column(
                "承办服务点",
                "handling_point",
                text(100),
                example="",
                note=_("留空为登记服务点。"),
                width=24,
            ),
            Column(
                "承办人",
                "handling_helper",
                text(150),
                example="",
                note=_("留空：承办服务点是登记服务点时为首问负责人。"),
                width=12,
            ),
            Column(
                "收件日期",
                "received_on",
                date,
                example="",
                note=_("收到材料的日期；留空为登记日期。"),
                width=12,
            ),
            Column(
                "受理日期",
                "accepted_on",
                date,
                example="2025-03-03",
                note=_("办理中和已办结的办件必填，不能早于收件日期。"),
                width=12,
            ),
            Column(
                "承诺期限",
                "promised_deadline",
                date,
                example="",
                note=_("留空按事项的承诺时限从受理日期起算。"),
                width=12,
            ),
            Column(
                "法定期限",
                "legal_deadline",
                date,
                example="",
                note=_("留空按事项的法定时限从受理日期起算。"),
                width=12,
            ),
            Column(
                "状态",
                "status",
                _required_choice(states),
                True,
                choices=list(states),
                example=zh(State.COMPLETED.label),
                note=_("可选：%(states)s。") % {"states": "、".join(states)},
                width=13,
            ),
            Column(
                "办结日期",
                "completed_on",
                date,
                example="2025-03-04",
                note=_("已办结的办件必填，其他状态留空。"),
                width=12,
            ),
        ]
        instructions = [
            _("历史办件导入模板"),
            _(
                "每行填写一个办件，第 2 行是示例（灰色斜体），导入时会被忽略，也可以删除。"
                "也可以直接上传按本系统导出格式整理的台账（按表头读取，序号、预警、告知次数等列会被忽略）。"
            ),
            _(
                "导入时先检查全部行，任何一行有问题都不会导入，并按行、列列出全部问题；"
                "全部无误后一次性导入。"
            ),
            _(
                "每个办件按自己的登记日期在本县重新编号（如 370323-20250303-0001），原编号保留为“原办件编号”；"
                "已导入过的编号不能再次导入。导入不会给申请人发送短信。"
            ),
        ]
    return Sheet(SHEET_TITLE, columns, instructions, max_rows=MAX_ROWS)


def _read(file, sheet: Sheet) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Parse the ledger sheet of an upload by its headers: ([(row number, {key: value})], problems).
    The sheet 工作台账 if there is one, else the first; empty rows and the example row skipped."""
    book, unreadable = _open(file)
    if unreadable:
        return [], [unreadable]
    try:
        ws = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [_as_text(v) for v in next(rows, ())]
        positions: dict[str, int] = {}
        for index, title in enumerate(header):
            if title and title not in positions:
                positions[title] = index
        missing = [c.header for c in sheet.columns if c.required and c.header not in positions]
        if missing:
            return [], [
                Problem(
                    1,
                    None,
                    _("缺少这些列：%(names)s。请下载导入模板，或使用本系统导出的台账格式。")
                    % {"names": "、".join(missing)},
                )
            ]
        columns = [(c, positions.get(c.header)) for c in sheet.columns]
        example = [_as_text(c.example) for c in sheet.columns]
        parsed: list[tuple[int, dict]] = []
        problems: list[Problem] = []
        for number, values in enumerate(rows, start=2):
            cells = [values[i] if i is not None and i < len(values) else None for _c, i in columns]
            texts = [_as_text(v) for v in cells]
            if not any(texts) or texts == example:
                continue
            if len(parsed) >= sheet.max_rows:
                return [], [
                    Problem(
                        None,
                        None,
                        _("一个文件最多 %(n)d 行数据，请分成几个文件导入。")
                        % {"n": sheet.max_rows},
                    )
                ]
            record: dict[str, Any] = {}
            for (column, _i), value, value_text in zip(columns, cells, texts, strict=True):
                if column.required and value_text == "":
                    problems.append(Problem(number, column.header, _("请填写。")))
                    continue
                try:
                    record[column.key] = column.parse(value)
                except Invalid as error:
                    problems.append(Problem(number, column.header, str(error)))
            parsed.append((number, record))
        if not parsed and not problems:
            problems.append(Problem(None, None, _("文件中没有数据行。")))
        return parsed, problems
    finally:
        book.close()


# --- The import: names in the county --------------------------------------------------------------


class _Names:
    """The county's items, points and people, read once per file, found by what a ledger calls them."""

    def __init__(self, county: Region, rows: list[tuple[int, dict]]):
        codes = {r["item_code"] for _n, r in rows if r.get("item_code")}
        self.items = {
            item.implementation_code: item
            for item in ServiceItem.objects.filter(county=county, implementation_code__in=codes)
        }
        self.revisions: dict[int, list[ItemRevision]] = defaultdict(list)
        for revision in ItemRevision.objects.filter(item__in=self.items.values()).order_by(
            "item", "number"
        ):
            self.revisions[revision.item_id].append(revision)
        self.points_by_name: dict[str, list[ServicePoint]] = defaultdict(list)
        self.points_by_pk: dict[int, ServicePoint] = {}
        for point in ServicePoint.objects.filter(county=county):
            self.points_by_name[point.name].append(point)
            self.points_by_pk[point.pk] = point
        User = get_user_model()
        people = User.objects.filter(
            pk__in=Membership.objects.filter(point__county=county).values("user_id")
        )
        self.people_by_username = {u.username: u for u in people}
        self.people_by_name: dict[str, list] = defaultdict(list)
        for person in self.people_by_username.values():
            if person.first_name:
                self.people_by_name[person.first_name].append(person)

    def item(self, code: str):
        item = self.items.get(code)
        if item is None:
            raise Invalid(_("本县事项目录中没有实施编码为 %(code)s 的事项。") % {"code": code})
        return item

    def revision(self, item, day):
        """The item's revision as it stood on `day` (the first one when the item came later)."""
        revisions = self.revisions.get(item.pk) or []
        if not revisions:
            raise Invalid(_("该事项还没有任何版本。"))
        standing = [r for r in revisions if timezone.localdate(r.created_at) <= day]
        return standing[-1] if standing else revisions[0]

    def point(self, name: str) -> ServicePoint:
        found = self.points_by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Invalid(
                _("本县有多个名为“%(name)s”的服务点，请改填服务点编号。") % {"name": name}
            )
        if name.isdigit() and int(name) in self.points_by_pk:
            return self.points_by_pk[int(name)]
        raise Invalid(_("本县没有名为“%(name)s”的服务点。") % {"name": name})

    def person(self, name: str):
        if name in self.people_by_username:
            return self.people_by_username[name]
        found = self.people_by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Invalid(_("本县有多名人员叫“%(name)s”，请改填用户名。") % {"name": name})
        raise Invalid(_("本县没有用户名或姓名为“%(name)s”的人员。") % {"name": name})


# --- The import -----------------------------------------------------------------------------------

#: The action's field names → the sheet's column keys.
FIELD_KEYS = {
    "registered_on": "registered_on",
    "applicant.kind": "document_type",
    "applicant.name": "name",
    "applicant.number": "number",
    "applicant.birth_on": "number",
    "applicant.phone": "phone",
    "contact_phone": "phone",
    "item": "item_code",
    "mode": "mode",
    "kind": "kind",
    "channel": "channel",
    "registering_point": "registering_point",
    "handling_point": "handling_point",
    "responsible": "responsible",
    "received_on": "received_on",
    "accepted_on": "accepted_on",
    "promised_deadline": "promised_deadline",
    "legal_deadline": "legal_deadline",
    "status": "status",
    "completed_on": "completed_on",
    "original_number": "original_number",
}


@dataclass
class ImportResult:
    problems: list[Problem]
    created: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Problems:
    """At most one set of messages per (row, column), in the sheet's order."""

    def __init__(self, sheet: Sheet, problems: Iterable[Problem] = ()):
        self.order = {c.header: i for i, c in enumerate(sheet.columns)}
        self.items: list[Problem] = []
        self.seen: set[tuple] = set()
        for p in problems:
            self.add(p)

    def add(self, problem: Problem) -> None:
        key = (problem.row, problem.column, problem.message)
        if key not in self.seen:
            self.seen.add(key)
            self.items.append(problem)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row or 0, self.order.get(p.column, -1)))


def _imported(record: dict, names: _Names) -> tuple[ImportedCase, dict[str, str]]:
    """The ImportedCase of a parsed row and the problems of its names (by column key). A cell that
    did not parse or resolve is stood in for by None, so that the ledger's rules still judge the
    rest of the row (their verdict on the stood-in cell itself is dropped: it has its own)."""
    problems: dict[str, str] = {}
    resolved: dict[str, Any] = {"revision": None}
    for key, column, find in (
        ("item", "item_code", names.item),
        ("registering_point", "registering_point", names.point),
        ("responsible", "responsible", names.person),
        ("handling_point", "handling_point", names.point),
        ("handling_helper", "handling_helper", names.person),
    ):
        resolved[key] = None
        if record.get(column):
            try:
                resolved[key] = find(record[column])
            except Invalid as error:
                problems[column] = str(error)
    if resolved["item"] is not None and record.get("registered_on"):
        try:
            resolved["revision"] = names.revision(resolved["item"], record["registered_on"])
        except Invalid as error:
            problems["item_code"] = str(error)
    document_type = record.get("document_type") or DocumentType.RESIDENT_ID
    organisation = document_type == CREDIT_CODE
    applicant = ApplicantData(
        kind=Applicant.Kind.ORGANISATION if organisation else Applicant.Kind.PERSON,
        name=record.get("name") or "",
        document_type=document_type,
        number=record.get("number") or "",
        phone=record.get("phone") or "",
        disabled=bool(record.get("disabled")) and not organisation,
    )
    case = ImportedCase(
        applicant=applicant,
        item=resolved["item"],
        revision=resolved["revision"],
        kind=record.get("kind"),
        mode=record.get("mode"),
        channel=record.get("channel") or Case.Channel.WALK_IN,
        status=record.get("status"),
        registering_point=resolved["registering_point"],
        responsible=resolved["responsible"],
        registered_on=record.get("registered_on"),
        handling_point=resolved["handling_point"],
        handling_helper=resolved["handling_helper"],
        received_on=record.get("received_on"),
        accepted_on=record.get("accepted_on"),
        promised_deadline=record.get("promised_deadline"),
        legal_deadline=record.get("legal_deadline"),
        completed_on=record.get("completed_on"),
        original_number=record.get("original_number") or "",
        contact_phone=record.get("phone") or "",
    )
    return case, problems


def import_ledger(file, *, county: Region, by) -> ImportResult:
    """Check every row of an uploaded ledger; if all are good, import every case into `county` in
    one transaction (actions.import_cases). Nothing is written when any row has a problem. The
    caller has checked that `by` administers the county (network.access)."""
    sheet = import_sheet()
    rows, read_problems = _read(file, sheet)
    problems = _Problems(sheet, read_problems)
    if any(p.row in (None, 1) for p in read_problems):
        return ImportResult(problems.sorted())
    columns = {c.key: c.header for c in sheet.columns}
    names = _Names(county, rows)
    flagged = {(p.row, p.column) for p in read_problems}
    entries: list[tuple[int, ImportedCase]] = []
    for number, record in rows:
        case, name_problems = _imported(record, names)
        for key, message in name_problems.items():
            problems.add(Problem(number, columns[key], message))
            flagged.add((number, columns[key]))
        entries.append((number, case))

    def add_rule_problems(errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            n, name = key.split(".", 1)
            number = entries[int(n) - 1][0]
            column = columns.get(FIELD_KEYS.get(name, ""))
            if (number, column) in flagged:
                continue  # the cell already has a problem of its own
            for message in messages:
                problems.add(Problem(number, column, message))

    cases = [case for _n, case in entries]
    if problems.items:
        add_rule_problems(actions.check_imported_cases(county, cases))
        return ImportResult(problems.sorted())
    try:
        created = actions.import_cases(county, cases=cases, by=by)
    except CaseError as error:
        add_rule_problems(error.errors)
        return ImportResult(problems.sorted())
    except IntegrityError:  # someone registered the same applicant or number meanwhile
        return ImportResult([Problem(None, None, _("导入期间台账有变动，请重新导入。"))])
    return ImportResult(
        [],
        [
            {
                "row": number,
                "number": case.number,
                "original": case.original_number,
                "applicant": case.applicant.name,
            }
            for (number, _c), case in zip(entries, created, strict=True)
        ],
    )


def point_reference(county: Region) -> tuple[str, list, list]:
    """The template's sheet 服务点: the county's points, their numbers and names."""
    rows = (
        ServicePoint.objects.filter(county=county)
        .order_by("ancestry", "name")
        .values_list("pk", "name", "active")
    )
    with translation.override("zh-hans"):
        yes, no = _("在用"), _("停用")
        return (
            _("服务点"),
            [_("服务点编号"), _("名称"), _("状态")],
            [(pk, name, yes if active else no) for pk, name, active in rows],
        )


def write_template(county: Region | None, stream) -> None:
    from bangban.kernel.spreadsheets import write_template as write

    references = [point_reference(county)] if county is not None else []
    write(import_sheet(), stream, references=references)
