"""The Excel engine every app's imports and exports use (decision 0041): openpyxl in read-only mode
for uploads, the header row checked against the template's columns, every cell of every row parsed
and checked before anything is written, every problem reported by row and column in Chinese
(`Problem`). Templates are written with openpyxl (a header row, an example row, drop-down lists for
the enumerations, an instructions sheet); exports with XlsxWriter in constant memory.

An app describes its sheet (`Sheet` of `Column`s with their parsers: `text`, `phone`, `choice`,
`date`, `positive_int`, or its own raising `Invalid`), reads an upload (`read`, `read_sheets`),
checks the rows against its rules and writes them through its actions in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

#: The most data rows one file may hold (a county's helpers fit many times over).
MAX_ROWS = 10_000


class Invalid(ValueError):
    """A cell's value is not acceptable; the message is Chinese."""


@dataclass(frozen=True)
class Problem:
    row: int | None  # the spreadsheet's row number (the header is row 1); None: the whole file
    column: str | None
    message: str
    sheet: str | None = None  # the worksheet, named in workbooks of several data sheets

    def __str__(self) -> str:
        if self.row is None:
            text = self.message
        elif self.column is None:
            text = _("第 %(row)d 行：%(msg)s") % {"row": self.row, "msg": self.message}
        else:
            text = _("第 %(row)d 行「%(col)s」：%(msg)s") % {
                "row": self.row,
                "col": self.column,
                "msg": self.message,
            }
        if self.sheet is None:
            return text
        if self.row is None:
            return _("「%(sheet)s」表：%(msg)s") % {"sheet": self.sheet, "msg": self.message}
        return _("「%(sheet)s」表%(problem)s") % {"sheet": self.sheet, "problem": text}


# --- Cell parsers ---------------------------------------------------------------------------------


def as_text(value: Any) -> str:
    if type(value) is str:  # most cells: the quick way
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def clean(text: str) -> str:
    if CONTROL_CHARACTERS.search(text):
        raise Invalid(_("含有无效字符。"))
    return text


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        s = clean(as_text(value))
        if len(s) > max_length:
            raise Invalid(_("不能超过 %(n)d 个字。") % {"n": max_length})
        return s

    return parse


PHONE = re.compile(r"^[0-9+()\- ]{3,40}$")


def phone(value: Any) -> str:
    s = clean(as_text(value))
    if s and not PHONE.match(s):
        raise Invalid(_("电话号码只能包含数字、空格、“-”“+”和括号。"))
    return s


def choice(options: dict[str, Any]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        s = as_text(value)
        if s not in options:
            raise Invalid(_("请填写以下之一：%(options)s。") % {"options": "、".join(options)})
        return options[s]

    return parse


DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, TypeError) as error:
            raise Invalid(_("不是有效的日期。")) from error
    match = DATE_TEXT.match(as_text(value))
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise Invalid(_("日期格式应为 2024-03-01。"))


def positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid(_("请填写正整数。"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 1:
        raise Invalid(_("请填写正整数。"))
    return value


# --- The generic reader ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Callable[[Any], Any]
    required: bool = False
    choices: Sequence[str] = ()  # a drop-down list in the template
    example: Any = ""
    note: str = ""
    width: int = 16
    #: False: the drop-down only suggests (a cell may hold several choices or other text).
    strict: bool = True
    #: The template's number format of the column ("@": text, so codes keep their leading zeros).
    number_format: str = ""


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    instructions: list[str] = field(default_factory=list)
    max_rows: int = MAX_ROWS

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def example_row(self) -> list[Any]:
        return [c.example for c in self.columns]


def open_workbook(file):
    """The workbook of an upload (read-only, values not formulas), or a Problem when unreadable."""
    from openpyxl import load_workbook

    try:
        return load_workbook(file, read_only=True, data_only=True), None
    except Exception:  # noqa: BLE001 - any damaged or non-Excel file ends here
        return None, Problem(
            None, None, _("无法读取该文件，请上传用模板填写的 Excel 文件（.xlsx）。")
        )


def read(file, sheet: Sheet) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Parse the first worksheet of an uploaded .xlsx: ([(row number, {key: value})], problems).
    Empty rows and the template's own example row are skipped."""
    book, unreadable = open_workbook(file)
    if unreadable:
        return [], [unreadable]
    try:
        parsed, problems = read_rows(book.worksheets[0], sheet)
        if not parsed and not problems:
            problems.append(Problem(None, None, _("文件中没有数据行。")))
        return parsed, problems
    finally:
        book.close()


def read_sheets(
    file, sheets: Sequence[Sheet]
) -> tuple[dict[str, list[tuple[int, dict]]], list[Problem]]:
    """Parse the worksheets of an uploaded .xlsx named by `sheets`' titles, each as `read` does:
    ({title: [(row number, {key: value})]}, problems naming their sheet). A missing sheet is a
    problem; an empty one is not, unless all are."""
    book, unreadable = open_workbook(file)
    if unreadable:
        return {}, [unreadable]
    try:
        found: dict[str, list[tuple[int, dict]]] = {}
        problems: list[Problem] = []
        for sheet in sheets:
            if sheet.title not in book.sheetnames:
                problems.append(
                    Problem(
                        None,
                        None,
                        _("缺少「%(sheet)s」表。请下载最新模板填写。") % {"sheet": sheet.title},
                    )
                )
                continue
            rows, sheet_problems = read_rows(book[sheet.title], sheet, name=sheet.title)
            found[sheet.title] = rows
            problems.extend(sheet_problems)
        if not problems and not any(found.values()):
            problems.append(Problem(None, None, _("文件中没有数据行。")))
        return found, problems
    finally:
        book.close()


def read_rows(ws, sheet: Sheet, *, name: str | None = None):
    """Parse the rows of one worksheet against `sheet` (its header checked first): ([(row number,
    {key: value})], problems); `name` names the worksheet in the problems. A row with a bad cell
    is kept with `_invalid` set and the keys of the cells that parsed."""
    rows = ws.iter_rows(values_only=True)
    header = [as_text(v) for v in next(rows, ())]
    while header and header[-1] == "":
        header.pop()
    if header != sheet.headers:
        return [], [
            Problem(
                1,
                None,
                _("表头与模板不一致。应为：%(want)s；实际为：%(got)s。请下载最新模板填写。")
                % {"want": "、".join(sheet.headers), "got": "、".join(header) or _("（空）")},
                name,
            )
        ]
    example = [as_text(v) for v in sheet.example_row()]
    parsed: list[tuple[int, dict]] = []
    problems: list[Problem] = []
    width = len(sheet.columns)
    for number, values in enumerate(rows, start=2):
        values = list(values[:width]) + [None] * (width - len(values[:width]))
        texts = [as_text(v) for v in values]
        if not any(texts):
            continue
        if texts == example:
            continue
        if len(parsed) + len({p.row for p in problems}) >= sheet.max_rows:
            return [], [
                Problem(
                    None,
                    None,
                    _("一个文件最多 %(n)d 行数据，请分成几个文件导入。") % {"n": sheet.max_rows},
                    name,
                )
            ]
        record: dict[str, Any] = {}
        ok = True
        for column, value, value_text in zip(sheet.columns, values, texts, strict=True):
            if column.required and value_text == "":
                problems.append(Problem(number, column.header, _("请填写。"), name))
                ok = False
                continue
            try:
                record[column.key] = column.parse(value)
            except Invalid as error:
                problems.append(Problem(number, column.header, str(error), name))
                ok = False
        if ok:
            parsed.append((number, record))
        else:
            parsed.append((number, {**record, "_invalid": True}))
    return parsed, problems


def write_template(
    sheet: Sheet | Sequence[Sheet], stream, *, references: Iterable[tuple[str, list, list]] = ()
):
    """An .xlsx template: the data sheet or sheets (header row, example row, drop-down lists), an
    instructions sheet, and optional reference sheets ((title, headers, rows))."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheets = [sheet] if isinstance(sheet, Sheet) else list(sheet)
    book = Workbook()
    book.remove(book.active)
    data_sheets = [book.create_sheet(s.title) for s in sheets]
    options = book.create_sheet(_("选项"))
    options.sheet_state = "hidden"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    option_index = 0
    for sheet, ws in zip(sheets, data_sheets, strict=True):
        ws.append(sheet.headers)
        ws.append(sheet.example_row())
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            cell = ws.cell(row=1, column=index)
            cell.font, cell.fill = bold, fill
            example = ws.cell(row=2, column=index)
            example.font = Font(italic=True, color="808080")
            ws.column_dimensions[letter].width = column.width
            if column.number_format:
                ws.column_dimensions[letter].number_format = column.number_format
                example.number_format = column.number_format
        ws.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            if not column.choices:
                continue
            option_index += 1
            letter = get_column_letter(option_index)
            options.cell(row=1, column=option_index, value=column.header)
            for row, value in enumerate(column.choices, start=2):
                options.cell(row=row, column=option_index, value=value)
            validation = DataValidation(
                type="list",
                formula1=f"'{options.title}'!${letter}$2:${letter}${len(column.choices) + 1}",
                allow_blank=not column.required,
                showErrorMessage=column.strict,
                errorTitle=_("输入有误"),
                error=_("请从下拉列表中选择。"),
            )
            ws.add_data_validation(validation)
            target = get_column_letter(index)
            validation.add(f"{target}2:{target}{sheet.max_rows + 1}")
    notes = book.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 90
    for sheet in sheets:
        for line in sheet.instructions:
            notes.append([line])
    for sheet in sheets:
        notes.append([])
        if len(sheets) == 1:
            notes.append([_("列"), _("说明")])
        else:
            notes.append([_("「%(sheet)s」表的列") % {"sheet": sheet.title}, _("说明")])
        for column in sheet.columns:
            required = _("必填") if column.required else _("选填")
            notes.append([column.header, f"{required}。{column.note}"])
    for title, headers, rows in references:
        ref = book.create_sheet(title)
        ref.append(headers)
        for row in rows:
            ref.append(list(row))
        for index in range(1, len(headers) + 1):
            ref.column_dimensions[get_column_letter(index)].width = 24
    book.save(stream)


def write_export(path: str, title: str, headers: list[str], rows: Iterable[Sequence[Any]]) -> int:
    """One worksheet, a header row and `rows`, with XlsxWriter in constant memory."""
    return write_export_sheets(path, [(title, headers, rows)])[0]


def write_export_sheets(path: str, sheets: Iterable[tuple]) -> list[int]:
    """Worksheets written one after the other with XlsxWriter in constant memory; each is (title,
    headers, rows) or (title, headers, rows, number formats by column: "@" keeps a column text
    when someone adds rows in Excel). Returns the number of rows of each."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats: dict[str, Any] = {}
    counts = []
    for title, headers, rows, *rest in sheets:
        ws = workbook.add_worksheet(title)
        number_formats = rest[0] if rest else [""] * len(headers)
        for col, (header, number_format) in enumerate(zip(headers, number_formats, strict=True)):
            ws.write_string(0, col, header, bold)
            if number_format and number_format not in formats:
                formats[number_format] = workbook.add_format({"num_format": number_format})
            ws.set_column(col, col, 16, formats.get(number_format))
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(count, col, value)
                elif value is not None and value != "":  # an empty value leaves the cell empty
                    ws.write_string(count, col, as_text(value))
        counts.append(count)
    workbook.close()
    return counts
