"""The import's sheet (历史办件导入): the columns it reads, with the export's headers and their
parsers (the template is made of them), and the reading of an upload by its headers: the columns it
needs must be there, the ledger's derived columns (序号, 预警, 告知次数 …) and any others are
ignored, every cell parsed and each problem reported by row and column."""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from bangban.catalog.models import Mode
from bangban.kernel.spreadsheets import (
    Column,
    Invalid,
    Problem,
    Sheet,
    as_text,
    date,
    open_workbook,
    text,
)

from .. import actions
from ..identifiers import DocumentType
from ..models import Case
from ..workflow import State
from .layout import MAX_ROWS, SHEET_TITLE, TEXT, chinese_labels, document_labels, zh

SEPARATORS = re.compile(r"[、,，;；/／\s]+")


def _optional_choice(options: dict[str, Any], default: Any):
    def parse(value: Any) -> Any:
        s = as_text(value)
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
    words = [w for w in SEPARATORS.split(as_text(value)) if w]
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
        kinds = {label: value for value, label in chinese_labels(Case.Kind.choices).items()}
        modes = {label: value for value, label in chinese_labels(Mode.choices).items()}
        channels = {label: value for value, label in chinese_labels(Case.Channel.choices).items()}
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


def read_rows(file, sheet: Sheet) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Parse the ledger sheet of an upload by its headers: ([(row number, {key: value})], problems).
    The sheet 工作台账 if there is one, else the first; empty rows and the example row skipped."""
    book, unreadable = open_workbook(file)
    if unreadable:
        return [], [unreadable]
    try:
        ws = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [as_text(v) for v in next(rows, ())]
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
        example = [as_text(c.example) for c in sheet.columns]
        parsed: list[tuple[int, dict]] = []
        problems: list[Problem] = []
        for number, values in enumerate(rows, start=2):
            cells = [values[i] if i is not None and i < len(values) else None for _c, i in columns]
            texts = [as_text(v) for v in cells]
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
