"""Excel templates, imports and exports of helpers and equipment.

A small generic reader (`read`): openpyxl in read-only mode, the header row checked against the
template's columns, every cell of every row parsed and checked before anything is written, every
problem reported by row and column in Chinese. An import writes nothing unless every row is good,
then writes all rows in one transaction through the real actions (helpers:
`network.actions.create_account`, `grant_membership`, `staff.actions.save_helper`; equipment:
`network.actions.add_equipment` and `record_equipment_check`).

Templates are written with openpyxl (a header row, an example row, drop-down lists for the
enumerations, an instructions sheet); exports with XlsxWriter in constant memory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bangban.kernel.days import EARLIEST_EVENT
from bangban.network import access
from bangban.network.actions import (
    MAX_QUANTITY,
    NetworkError,
    add_equipment,
    create_account,
    record_equipment_check,
)
from bangban.network.models import (
    Domain,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    Role,
    ServicePoint,
)

from . import actions
from .models import Helper

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


def _as_text(value: Any) -> str:
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


def _clean(text: str) -> str:
    if CONTROL_CHARACTERS.search(text):
        raise Invalid(_("含有无效字符。"))
    return text


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        s = _clean(_as_text(value))
        if len(s) > max_length:
            raise Invalid(_("不能超过 %(n)d 个字。") % {"n": max_length})
        return s

    return parse


PHONE = re.compile(r"^[0-9+()\- ]{3,40}$")


def phone(value: Any) -> str:
    s = _clean(_as_text(value))
    if s and not PHONE.match(s):
        raise Invalid(_("电话号码只能包含数字、空格、“-”“+”和括号。"))
    return s


def choice(options: dict[str, Any]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        s = _as_text(value)
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
    match = DATE_TEXT.match(_as_text(value))
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


def _open(file):
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
    book, unreadable = _open(file)
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
    book, unreadable = _open(file)
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
    header = [_as_text(v) for v in next(rows, ())]
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
    example = [_as_text(v) for v in sheet.example_row()]
    parsed: list[tuple[int, dict]] = []
    problems: list[Problem] = []
    width = len(sheet.columns)
    for number, values in enumerate(rows, start=2):
        values = list(values[:width]) + [None] * (width - len(values[:width]))
        texts = [_as_text(v) for v in values]
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
                    ws.write_string(count, col, _as_text(value))
        counts.append(count)
    workbook.close()
    return counts


# --- Helpers --------------------------------------------------------------------------------------


def _zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


IMPORT_ROLES = (Role.HELPER, Role.POINT_LEAD)
DOMAIN_SEPARATORS = re.compile(r"[、,，;；\s]+")


def domain_list(value: Any) -> list[str]:
    return [name for name in DOMAIN_SEPARATORS.split(_as_text(value)) if name]


def helper_sheet() -> Sheet:
    roles = {_zh(Role(r).label): r for r in IMPORT_ROLES}
    origins = {_zh(label): value for value, label in Helper.Origin.choices}
    yes_no = {_zh(_("是")): True, _zh(_("否")): False}
    domains = list(Domain.objects.values_list("name", flat=True))
    return Sheet(
        title=_("帮办代办员"),
        columns=[
            Column(
                _("用户名"),
                "username",
                text(150),
                True,
                example="zhangsan",
                note=_("登录用的用户名，不能与已有账号重复。"),
            ),
            Column(_("姓名"), "full_name", text(150), True, example="张三"),
            Column(
                _("初始密码"),
                "password",
                text(128),
                True,
                example="Bangban-2026-xyz",
                note=_("至少 8 位，不能全是数字；请通知本人首次登录后修改，导入后删除本文件。"),
                width=20,
            ),
            Column(
                _("服务点编号"),
                "point",
                positive_int,
                True,
                example=1,
                note=_(
                    "服务点页面地址中的数字（/points/编号/），见“服务点”表；只能是您可以授权的服务点。"
                ),
            ),
            Column(
                _("角色"),
                "role",
                choice(roles),
                True,
                choices=list(roles),
                example=next(iter(roles)),
            ),
            Column(
                _("专职"),
                "full_time",
                choice(yes_no),
                True,
                choices=list(yes_no),
                example=_zh(_("是")),
                width=8,
            ),
            Column(
                _("人员来源"),
                "origin",
                choice(origins),
                True,
                choices=list(origins),
                example=next(iter(origins)),
            ),
            Column(
                _("开始从事受理工作日期"),
                "started_on",
                date,
                True,
                example=dt.date(2023, 3, 1),
                note=_("格式 2023-03-01。"),
                width=22,
            ),
            Column(_("离岗日期"), "left_on", date, example="", note=_("在岗的留空。")),
            Column(_("工作电话"), "work_phone", phone, example="0533-3210000"),
            Column(
                _("负责领域"),
                "domains",
                domain_list,
                example="、".join(domains[:2]),
                note=_("用“、”分隔，可选：%(names)s。") % {"names": "、".join(domains)},
                width=30,
            ),
        ],
        instructions=[
            _("帮办代办员导入模板"),
            _(
                "在“帮办代办员”表中每行填写一个人，第 2 行是示例（灰色斜体），导入时会被忽略，也可以删除。"
            ),
            _(
                "导入时先检查全部行，任何一行有问题都不会导入，并按行列出全部问题；全部无误后一次性导入。"
            ),
            _("每行新建一个账号，并授予在该服务点的岗位和帮办代办员档案。"),
        ],
    )


@dataclass
class ImportResult:
    problems: list[Problem]
    created: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _grant_check(by) -> Callable[[str, ServicePoint], bool]:
    cache: dict[tuple[str, int], bool] = {}

    def allowed(role: str, point: ServicePoint) -> bool:
        key = (role, point.pk)
        if key not in cache:
            cache[key] = access.can_grant(by, role, point)
        return cache[key]

    return allowed


def check_helpers(rows: list[tuple[int, dict]], problems: list[Problem], *, by, sheet: Sheet):
    """The checks across rows and against the database; adds to `problems`. Returns the points
    and domains the rows name."""
    User = get_user_model()
    col = {c.key: c.header for c in sheet.columns}
    good = [(n, r) for n, r in rows if not r.get("_invalid")]
    names = {r["username"].lower() for _n, r in good if r.get("username")}
    taken = (
        set(
            User.objects.annotate(lower=Lower("username"))
            .filter(lower__in=names)
            .values_list("lower", flat=True)
        )
        if names
        else set()
    )
    point_ids = {r["point"] for _n, r in good if "point" in r}
    points = {p.pk: p for p in ServicePoint.objects.filter(pk__in=point_ids)}
    domains = {d.name: d for d in Domain.objects.all()}
    allowed = _grant_check(by)
    seen: dict[str, int] = {}
    today = timezone.localdate()
    for number, r in good:
        username = r["username"]
        if username.lower() in taken:
            problems.append(
                Problem(
                    number, col["username"], _("用户名 %(name)s 已被使用。") % {"name": username}
                )
            )
        elif username.lower() in seen:
            problems.append(
                Problem(
                    number,
                    col["username"],
                    _("与第 %(row)d 行的用户名重复。") % {"row": seen[username.lower()]},
                )
            )
        seen.setdefault(username.lower(), number)
        point = points.get(r["point"])
        if point is None or not allowed(r["role"], point):
            problems.append(
                Problem(
                    number,
                    col["point"],
                    _("找不到编号为 %(id)s 的服务点，或您无权在该服务点授予此角色。")
                    % {"id": r["point"]},
                )
            )
        elif not point.active:
            problems.append(
                Problem(number, col["point"], _("服务点“%(name)s”已停用。") % {"name": point.name})
            )
        unknown = [name for name in r["domains"] if name not in domains]
        if unknown:
            problems.append(
                Problem(
                    number,
                    col["domains"],
                    _("没有这些领域：%(names)s。") % {"names": "、".join(unknown)},
                )
            )
        if r["started_on"] > today:
            problems.append(
                Problem(number, col["started_on"], _("开始从事受理工作的日期不能晚于今天。"))
            )
        if r["left_on"] is not None and r["left_on"] < r["started_on"]:
            problems.append(
                Problem(number, col["left_on"], _("离岗日期不能早于开始从事受理工作的日期。"))
            )
        try:
            validate_password(
                r["password"], user=User(username=username, first_name=r["full_name"])
            )
        except ValidationError as error:
            problems.append(Problem(number, col["password"], " ".join(error.messages)))
    return points, domains


def import_helpers(file, *, by) -> ImportResult:
    """Check every row; if all are good, create every account, membership and profile in one
    transaction. Nothing is written when any row has a problem."""
    sheet = helper_sheet()
    rows, problems = read(file, sheet)
    if problems and not rows:
        return ImportResult(problems)
    points, domains = check_helpers(rows, problems, by=by, sheet=sheet)
    if problems:
        return ImportResult(sorted(problems, key=lambda p: p.row or 0))
    created = []
    current = None
    try:
        with transaction.atomic():
            for number, r in rows:
                current = number
                point = points[r["point"]]
                user = create_account(
                    username=r["username"],
                    password=r["password"],
                    role=r["role"],
                    binding=point,
                    by=by,
                    full_name=r["full_name"],
                )
                actions.save_helper(
                    user,
                    by=by,
                    origin=r["origin"],
                    started_on=r["started_on"],
                    full_time=r["full_time"],
                    left_on=r["left_on"],
                    work_phone=r["work_phone"],
                    domains=[domains[name] for name in r["domains"]],
                )
                created.append(
                    {
                        "row": number,
                        "username": user.username,
                        "name": r["full_name"],
                        "point": point.name,
                    }
                )
    except NetworkError as error:  # a rule the checks above did not foresee (or a race)
        messages = [m for ms in error.errors.values() for m in ms]
        return ImportResult([Problem(current, None, "；".join(messages))])
    return ImportResult([], created)


def helper_export_rows(helpers) -> Iterable[list]:
    """Rows of the helpers export (the template's columns, without the password)."""
    roles = {r: _zh(Role(r).label) for r in Role.values}
    origins = {value: _zh(label) for value, label in Helper.Origin.choices}
    for helper in helpers:
        serving = [
            m for m in helper.user.memberships.all() if m.point_id and m.role in IMPORT_ROLES
        ]
        for m in serving or [None]:
            yield [
                helper.user.username,
                helper.user.get_full_name(),
                m.point_id if m else "",
                roles[m.role] if m else "",
                _zh(_("是")) if helper.full_time else _zh(_("否")),
                origins.get(helper.origin, helper.origin),
                helper.started_on.isoformat(),
                helper.left_on.isoformat() if helper.left_on else "",
                helper.work_phone,
                "、".join(d.name for d in helper.domains.all()),
            ]


# --- Equipment ------------------------------------------------------------------------------------


def equipment_sheet() -> Sheet:
    kinds = list(EquipmentKind.objects.order_by("position", "code").values_list("name", flat=True))
    states = {_zh(label): value for value, label in Equipment.State.choices}
    return Sheet(
        title=_("设施设备"),
        columns=[
            Column(
                _("服务点编号"),
                "point",
                positive_int,
                True,
                example=1,
                note=_(
                    "服务点页面地址中的数字（/points/编号/），见“服务点”表；只能是您可以管理的服务点。"
                ),
            ),
            Column(
                _("设备类型"),
                "kind",
                choice({name: name for name in kinds}),
                True,
                choices=kinds,
                example=kinds[0] if kinds else "",
            ),
            Column(
                _("数量"),
                "quantity",
                positive_int,
                True,
                example=2,
                note=_("正整数，不超过 %(n)d。") % {"n": MAX_QUANTITY},
                width=8,
            ),
            Column(
                _("状态"),
                "state",
                choice(states),
                True,
                choices=list(states),
                example=next(iter(states)),
                width=10,
            ),
            Column(
                _("负责人用户名"),
                "responsible",
                text(150),
                example="",
                note=_("负责检查的人员的用户名，须在该服务点或其上级任职；可留空。"),
                width=18,
            ),
            Column(
                _("备注"),
                "note",
                text(200),
                example=_zh(_("示例行，导入时忽略")),
                note=_("不超过 200 个字。"),
                width=30,
            ),
            Column(
                _("最近检查日期"),
                "checked_on",
                date,
                example="",
                note=_(
                    "格式 2024-03-01，不能晚于今天。填写后按“检查正常”登记一次检查，检查人为导入人；"
                    "状态为“故障”或“已报废”时请留空。"
                ),
                width=16,
            ),
        ],
        instructions=[
            _("设施设备导入模板"),
            _(
                "在“设施设备”表中每行填写一个服务点的一类设备，第 2 行是示例（灰色斜体），导入时会被忽略，也可以删除。"
            ),
            _(
                "导入时先检查全部行，任何一行有问题都不会导入，并按行列出全部问题；全部无误后一次性导入。"
            ),
            _("每行新登记一条设施设备，不会修改或合并已登记的设备。"),
        ],
    )


def check_equipment(rows: list[tuple[int, dict]], problems: list[Problem], *, by, sheet: Sheet):
    """The checks across rows and against the database (the same rules as `add_equipment` and
    `record_equipment_check`); adds to `problems`. Returns the points, kinds and people named."""
    User = get_user_model()
    col = {c.key: c.header for c in sheet.columns}
    good = [(n, r) for n, r in rows if not r.get("_invalid")]
    point_ids = {r["point"] for _n, r in good}
    points = {p.pk: p for p in ServicePoint.objects.filter(pk__in=point_ids)}
    # The gate once for all the rows' points: those the importer may change (access.can).
    changeable = set(
        access.points_for(by, "change").filter(pk__in=points).values_list("pk", flat=True)
    )
    kinds = {k.name: k for k in EquipmentKind.objects.all()}
    usernames = {r["responsible"] for _n, r in good if r["responsible"]}
    people = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    # Where each person may view (the rule of `add_equipment`: at the point or above it).
    viewable = {
        name: set(
            access.points_for(user, "view").filter(pk__in=points).values_list("pk", flat=True)
        )
        for name, user in people.items()
    }
    today = timezone.localdate()
    for number, r in good:
        point = points.get(r["point"])
        if point is None or point.pk not in changeable:
            problems.append(
                Problem(
                    number,
                    col["point"],
                    _("找不到编号为 %(id)s 的服务点，或您无权管理该服务点的设施设备。")
                    % {"id": r["point"]},
                )
            )
            point = None
        elif not point.active:
            problems.append(
                Problem(number, col["point"], _("服务点“%(name)s”已停用。") % {"name": point.name})
            )
        if r["quantity"] > MAX_QUANTITY:
            problems.append(
                Problem(number, col["quantity"], _("数量不能超过 %(n)d。") % {"n": MAX_QUANTITY})
            )
        name = r["responsible"]
        if name:
            if name not in people:
                problems.append(
                    Problem(
                        number,
                        col["responsible"],
                        _("找不到用户名为 %(name)s 的在用账号。") % {"name": name},
                    )
                )
            elif point is not None and point.pk not in viewable[name]:
                problems.append(
                    Problem(
                        number,
                        col["responsible"],
                        _("责任人必须是在本服务点或其上级任职的人员。"),
                    )
                )
        checked_on = r["checked_on"]
        if checked_on is not None:
            if checked_on > today:
                problems.append(Problem(number, col["checked_on"], _("检查日期不能晚于今天。")))
            elif checked_on < EARLIEST_EVENT:
                problems.append(
                    Problem(number, col["checked_on"], _("检查日期不能早于 2000 年 1 月 1 日。"))
                )
            if r["state"] != Equipment.State.WORKING:
                problems.append(
                    Problem(
                        number,
                        col["checked_on"],
                        _("状态为“%(state)s”时请留空：导入的检查按“检查正常”登记。")
                        % {"state": _zh(Equipment.State(r["state"]).label)},
                    )
                )
    return points, kinds, people


def import_equipment(file, *, by) -> ImportResult:
    """Check every row; if all are good, add every piece of equipment (and its check) in one
    transaction. Nothing is written when any row has a problem."""
    sheet = equipment_sheet()
    rows, problems = read(file, sheet)
    if problems and not rows:
        return ImportResult(problems)
    points, kinds, people = check_equipment(rows, problems, by=by, sheet=sheet)
    if problems:
        return ImportResult(sorted(problems, key=lambda p: p.row or 0))
    created = []
    current = None
    try:
        with transaction.atomic():
            for number, r in rows:
                current = number
                point = points[r["point"]]
                equipment = add_equipment(
                    point,
                    kind=kinds[r["kind"]],
                    quantity=r["quantity"],
                    state=r["state"],
                    responsible=people.get(r["responsible"]),
                    note=r["note"],
                    # in use before it was put on record: on record from its last check
                    added_on=r["checked_on"],
                    by=by,
                )
                if r["checked_on"] is not None:
                    record_equipment_check(
                        equipment,
                        checked_on=r["checked_on"],
                        result=EquipmentCheck.Result.OK,
                        by=by,
                    )
                created.append(
                    {
                        "row": number,
                        "point": point.name,
                        "kind": r["kind"],
                        "quantity": r["quantity"],
                        "checked_on": r["checked_on"],
                    }
                )
    except NetworkError as error:  # a rule the checks above did not foresee (or a race)
        messages = [m for ms in error.errors.values() for m in ms]
        return ImportResult([Problem(current, None, "；".join(messages))])
    return ImportResult([], created)


def equipment_export_headers() -> list[str]:
    """The template's columns, with the point's name after its number and the next check's date."""
    headers = equipment_sheet().headers
    return [headers[0], _("服务点名称"), *headers[1:], _("下次检查日期")]


def equipment_export_rows(equipment) -> Iterable[list]:
    """Rows of the equipment export; `equipment` is annotated by `with_check_dates()`."""
    states = {value: _zh(label) for value, label in Equipment.State.choices}
    for e in equipment:
        retired = e.state == Equipment.State.RETIRED
        yield [
            e.point_id,
            e.point.name,
            e.kind.name,
            e.quantity,
            states.get(e.state, e.state),
            e.responsible.username if e.responsible else "",
            e.note,
            e.last_checked_on.isoformat() if e.last_checked_on else "",
            "" if retired or e.next_check_on is None else e.next_check_on.isoformat(),
        ]
