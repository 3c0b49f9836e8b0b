"""Excel template, import and export of the item catalog: one workbook, sheets 事项 and 材料.

The 事项 sheet has one row per item, the 材料 sheet one row per material, tied to its item by the
implementation code (实施编码) and ordered by 序号. The import reads both sheets with the staff app's
generic reader (`staff.spreadsheets.read_sheets`), then checks across rows and against the database
(the importer's counties, departments, duplicate codes and numbers, materials of no item) and every
item with the catalog's own rules (`actions.check_item`), each problem mapped back to its sheet, row
and column. Nothing is written unless every row is good; then `actions.import_items` creates and
revises the items in one transaction (no revision for an item the file does not change).

The workbook's headers and choice values are the national implementation list's Chinese words
whatever the interface language, so a file exported in one language imports in another; the
messages about a file follow the interface language. An exported file re-imports with no change
(docs/decisions/0013-catalog-spreadsheets.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _

from bangban.network.models import Department, Domain, Region
from bangban.staff.spreadsheets import (
    Column,
    Invalid,
    Problem,
    Sheet,
    _as_text,
    choice,
    positive_int,
    read_sheets,
    text,
)

from . import actions
from .actions import (
    KEYWORDS_LIMIT,
    MATERIAL_TEXT_LIMITS,
    MAX_LIMIT,
    TEXT_LIMITS,
    CatalogError,
    ImportedItem,
    ItemData,
    MaterialData,
)
from .models import Level, LimitUnit, Material, Mode, split_keywords
from .scope import catalog_counties

#: Most rows of each sheet in one file (a county's catalog is a few thousand items).
MAX_ITEMS = 20_000
MAX_MATERIALS = 200_000
#: Department names offered in the template's drop-down list.
MAX_DEPARTMENTS = 5_000
TEXT = "@"


def zh(label) -> str:
    """A label in Chinese whatever the interface language: the workbook's own vocabulary."""
    with translation.override("zh-hans"):
        return str(label)


# --- Cell parsers ---------------------------------------------------------------------------------

ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SEPARATORS = re.compile(r"[、,，;；/／\s]+")


def _unescape(s: str) -> str:
    """Undo the OOXML escape of characters XML cannot hold (`_x000D_` for a carriage return), which
    Excel undoes when it reads a file but openpyxl leaves in place."""
    return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s) if "_x" in s else s


def line(max_length: int):
    """One line of text, as `staff.spreadsheets.text`, with escapes undone."""
    parse = text(max_length)

    def parse_line(value: Any) -> str:
        return parse(_unescape(value) if isinstance(value, str) else value)

    return parse_line


def keywords(value: Any) -> tuple[str, ...]:
    """An item's keywords (俗称) separated by 、，；or blanks; their rules are `check_item`'s."""
    return split_keywords(line(KEYWORDS_LIMIT * 2)(value))


def multiline(max_length: int):
    """Text that may hold line breaks and tabs (the guide)."""

    def parse(value: Any) -> str:
        s = _unescape(_as_text(value))
        if CONTROL.search(s):
            raise Invalid(_("含有无效字符。"))
        if len(s) > max_length:
            raise Invalid(_("不能超过 %(n)d 个字。") % {"n": max_length})
        return s

    return parse


def code(length: int | None, max_length: int = 36):
    """A code of letters and digits, upper-cased. A number in the cell lost its leading zeros when
    Excel took it for a number: said so."""

    def parse(value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            digits = _as_text(value)
            if length is not None and len(digits) < length:
                raise Invalid(
                    _(
                        "应为 %(n)d 位；单元格是数字格式时开头的 0 会丢失，请把该列设为文本格式后重新填写。"
                    )
                    % {"n": length}
                )
        s = _unescape(_as_text(value)).upper()
        if len(s) > max_length:
            raise Invalid(_("不能超过 %(n)d 位。") % {"n": max_length})
        return s

    return parse


def count(value: Any) -> int:
    """0 or a positive whole number; an empty cell is 0."""
    if value is None or _as_text(value) == "":
        return 0
    if isinstance(value, bool):
        raise Invalid(_("请填写 0 或正整数。"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise Invalid(_("请填写 0 或正整数。"))
    return value


def choice_or(options: dict[str, Any], default: Any):
    """One of `options`; an empty cell is `default`."""
    parse = choice(options)

    def parse_or_default(value: Any) -> Any:
        return default if _as_text(value) == "" else parse(value)

    return parse_or_default


def several(options: dict[str, Any], *, what: str):
    """Several of `options` separated by 、，；or spaces. Labels may hold a separator themselves
    (县级分区、窗口): they are found whole first, longest first."""
    names = sorted(options, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(name) for name in names)) if names else None

    def parse(value: Any) -> frozenset:
        s = _unescape(_as_text(value))
        found, rest, position = [], [], 0
        for match in pattern.finditer(s) if pattern else ():
            rest.append(s[position : match.start()])
            found.append(options[match.group()])
            position = match.end()
        rest.append(s[position:])
        unknown = [name for part in rest for name in SEPARATORS.split(part) if name]
        if unknown:
            raise Invalid(
                _("没有这些%(what)s：%(names)s。") % {"what": what, "names": "、".join(unknown)}
            )
        return frozenset(found)

    return parse


# --- The sheets -----------------------------------------------------------------------------------


def _labels(choices) -> dict[str, str]:
    return {zh(label): value for value, label in choices}


LEVEL_ALIASES = {"county": "县级", "town": "镇级", "village": "村级"}


@dataclass
class Vocabulary:
    """The names the workbook uses for the choices, in Chinese."""

    yes_no: dict[str, bool]
    units: dict[str, str]
    levels: dict[str, str]
    modes: dict[str, str]
    kinds: dict[str, str]
    forms: dict[str, str]
    necessities: dict[str, str]
    sources: dict[str, str]
    domains: dict[str, Domain]

    @classmethod
    def load(cls) -> Vocabulary:
        levels = _labels(Level.choices)
        levels.update({zh(alias): value for value, alias in LEVEL_ALIASES.items()})
        return cls(
            yes_no={zh(_("是")): True, zh(_("否")): False},
            units=_labels(LimitUnit.choices),
            levels=levels,
            modes=_labels(Mode.choices),
            kinds=_labels(Material.Kind.choices),
            forms=_labels(Material.Form.choices),
            necessities=_labels(Material.Necessity.choices),
            sources=_labels(Material.Source.choices),
            domains={d.name: d for d in Domain.objects.order_by("position", "code")},
        )

    def name(self, options: dict, value) -> str:
        """The workbook's name of `value` in `options` (its first name: the label, not an alias)."""
        return next(name for name, v in options.items() if v == value)


EXAMPLE_CODE = "11370323MB00000000001"


def item_sheet(vocabulary: Vocabulary, *, departments: list[str], county_codes: list[str]):
    v = vocabulary
    level_labels = [zh(label) for label in Level.labels]
    with translation.override("zh-hans"):
        yes, no = zh(_("是")), zh(_("否"))
        example_department = "县医疗保障局" if "县医疗保障局" in departments else ""
        example_department = example_department or (departments[0] if departments else "")
        columns = [
            Column(
                _("实施编码"),
                "implementation_code",
                code(None),
                True,
                example=EXAMPLE_CODE,
                note=_(
                    "事项在本县的实施编码，字母和数字，最长 36 位；与已有事项相同则更新该事项，否则新建。"
                ),
                width=26,
                number_format=TEXT,
            ),
            Column(
                _("基本编码"),
                "basic_code",
                code(12, 12),
                True,
                example="000172007000",
                note=_("12 位字母和数字。请保持文本格式，以免开头的 0 丢失。"),
                width=16,
                number_format=TEXT,
            ),
            Column(
                _("版本号"),
                "version",
                line(TEXT_LIMITS["version"]),
                example="3",
                width=8,
                number_format=TEXT,
            ),
            Column(
                _("事项名称"),
                "name",
                line(TEXT_LIMITS["name"]),
                True,
                example="城乡居民基本医疗保险参保登记",
                width=30,
            ),
            Column(
                _("事项类型代码"),
                "type_code",
                line(TEXT_LIMITS["type_code"]),
                True,
                example="07",
                note=_("按下一列“类型代码体系”所指的编码规则填写。"),
                number_format=TEXT,
            ),
            Column(
                _("事项类型"), "type_name", line(TEXT_LIMITS["type_name"]), True, example="公共服务"
            ),
            Column(
                _("类型代码体系"),
                "type_system",
                line(TEXT_LIMITS["type_system"]),
                True,
                example="山东省政务服务事项管理系统",
                note=_(
                    "事项类型代码所属的编码体系（各平台编码不同），如“山东省政务服务事项管理系统”。"
                ),
                width=24,
            ),
            Column(
                _("实施部门"),
                "department",
                line(100),
                True,
                choices=departments,
                example=example_department,
                note=_("本县的部门名称，见下拉列表和“部门”表。"),
                width=24,
            ),
            Column(
                _("所属领域"),
                "domains",
                several(v.domains, what=_("领域")),
                True,
                choices=list(v.domains),
                strict=False,
                example="医保",
                note=_("可填多个，用“、”分隔。可选：%(names)s。") % {"names": "、".join(v.domains)},
                width=20,
            ),
            Column(
                _("办理层级"),
                "levels",
                several(v.levels, what=_("办理层级")),
                True,
                choices=level_labels,
                strict=False,
                example="、".join(level_labels[:3]),
                note=_("可填多个，用“、”分隔。可选：%(names)s（也可简写为县级、镇级、村级）。")
                % {"names": "；".join(level_labels)},
                width=30,
            ),
            Column(
                _("办理方式"),
                "modes",
                several(v.modes, what=_("办理方式")),
                True,
                choices=list(v.modes),
                strict=False,
                example="掌上办、网上办、现场办",
                note=_("可填多个，用“、”分隔。可选：%(names)s。") % {"names": "、".join(v.modes)},
                width=24,
            ),
            Column(
                _("法定时限"),
                "legal_limit",
                count,
                True,
                example=20,
                note=_("0 到 %(n)d 的整数，0 表示即办。") % {"n": MAX_LIMIT},
                width=10,
            ),
            Column(
                _("法定时限单位"),
                "legal_limit_unit",
                choice_or(v.units, LimitUnit.WORKING),
                choices=list(v.units),
                example=zh(LimitUnit.WORKING.label),
                note=_("工作日或自然日；留空为工作日。"),
                width=12,
            ),
            Column(
                _("承诺时限"),
                "promised_limit",
                count,
                True,
                example=1,
                note=_("0 到 %(n)d 的整数，0 表示即办；单位相同时不能超过法定时限。")
                % {"n": MAX_LIMIT},
                width=10,
            ),
            Column(
                _("承诺时限单位"),
                "promised_limit_unit",
                choice_or(v.units, LimitUnit.WORKING),
                choices=list(v.units),
                example=zh(LimitUnit.WORKING.label),
                note=_("工作日或自然日；留空为工作日。"),
                width=12,
            ),
            Column(
                _("是否收费"),
                "fee_charged",
                choice_or(v.yes_no, False),
                choices=list(v.yes_no),
                example=no,
                note=_("事项本身是否收费（仅供告知；帮办代办服务一律免费）；留空为否。"),
                width=10,
            ),
            Column(
                _("收费标准及依据"),
                "fee_note",
                line(TEXT_LIMITS["fee_note"]),
                example="",
                note=_("收费时必填。"),
                width=24,
            ),
            Column(
                _("办事指南"),
                "guide",
                multiline(20_000),
                example="符合条件的城乡居民持有效身份证件办理。",
                note=_("可换行（Alt+Enter）。"),
                width=40,
            ),
            Column(
                _("是否在用"),
                "active",
                choice_or(v.yes_no, True),
                choices=list(v.yes_no),
                example=yes,
                note=_("填“否”则停用该事项（登记案件时不再可选）；留空为是。"),
                width=10,
            ),
            Column(
                _("所属县"),
                "county",
                code(None, 12),
                example=county_codes[0] if len(county_codes) == 1 else "",
                note=_("县级区划代码（如 370323）。只维护一个县的目录时可留空；维护多个县时必填。"),
                width=10,
                number_format=TEXT,
            ),
            Column(
                _("俗称"),
                "keywords",
                keywords,
                example="医保、合作医疗",
                note=_(
                    "选填。群众在窗口对事项的说法，如“低保”“社保卡”，搜索事项时能找到；"
                    "多个用“、”分隔，每个不超过 20 个字。"
                ),
                width=20,
            ),
        ]
        instructions = [
            _("服务事项导入模板"),
            _(
                "“事项”表每行填写一个事项，“材料”表每行填写一项申请材料，用实施编码对应到事项，按序号排列。"
                "两张表的第 2 行是示例（灰色斜体），导入时会被忽略，也可以删除。"
            ),
            _(
                "导入时先检查两张表的全部行，任何一行有问题都不会导入，并按表、行、列列出全部问题；"
                "全部无误后一次性导入。"
            ),
            _(
                "实施编码已有的事项按文件内容更新（内容有变化才生成新版本，旧版本保留）；"
                "其他事项新建。文件中没有的事项保持不变。"
            ),
            _(
                "文件中的每个事项须列出它的全部材料：某事项在“材料”表中没有行，导入后该事项就没有申请材料。"
                "材料的空白表格和示例样表不在文件中，按材料名称沿用当前版本的文件。"
            ),
            _("可先导出现有事项，修改后再导入。"),
        ]
    return Sheet(_("事项"), columns, instructions, max_rows=MAX_ITEMS)


def material_sheet(vocabulary: Vocabulary) -> Sheet:
    v = vocabulary
    with translation.override("zh-hans"):
        columns = [
            Column(
                _("实施编码"),
                "implementation_code",
                code(None),
                True,
                example=EXAMPLE_CODE,
                note=_("材料所属事项的实施编码，须在“事项”表中。"),
                width=26,
                number_format=TEXT,
            ),
            Column(
                _("序号"),
                "position",
                positive_int,
                True,
                example=1,
                note=_("材料在该事项中的顺序，同一事项内不能重复。"),
                width=8,
            ),
            Column(
                _("材料名称"),
                "name",
                line(MATERIAL_TEXT_LIMITS["name"]),
                True,
                example="居民身份证或户口簿",
                note=_("同一事项内不能重复。"),
                width=30,
            ),
            Column(
                _("材料类型"),
                "kind",
                choice_or(v.kinds, Material.Kind.OTHER),
                choices=list(v.kinds),
                example=zh(Material.Kind.CERTIFICATE.label),
                note=_("留空为“其他”。"),
                width=10,
            ),
            Column(
                _("材料形式"),
                "form",
                choice_or(v.forms, Material.Form.PAPER),
                choices=list(v.forms),
                example=zh(Material.Form.PAPER.label),
                note=_("留空为“纸质”。"),
                width=12,
            ),
            Column(
                _("必要性"),
                "necessity",
                choice_or(v.necessities, Material.Necessity.REQUIRED),
                choices=list(v.necessities),
                example=zh(Material.Necessity.REQUIRED.label),
                note=_("必要、非必要或容缺后补（可先受理、后补交）；留空为“必要”。"),
                width=10,
            ),
            Column(
                _("来源渠道"),
                "source",
                choice_or(v.sources, Material.Source.APPLICANT),
                choices=list(v.sources),
                example=zh(Material.Source.GOVERNMENT.label),
                note=_("留空为“申请人自备”。"),
                width=14,
            ),
            Column(
                _("原件份数"),
                "originals",
                count,
                example=1,
                note=_("0 到 99；留空为 0。纸质材料原件和复印件至少一份。"),
                width=10,
            ),
            Column(
                _("复印件份数"), "copies", count, example=1, note=_("0 到 99；留空为 0。"), width=10
            ),
            Column(
                _("受理标准"),
                "standard",
                line(MATERIAL_TEXT_LIMITS["standard"]),
                example="",
                width=30,
            ),
            Column(
                _("备注"),
                "notes",
                line(MATERIAL_TEXT_LIMITS["notes"]),
                example="",
                width=30,
            ),
        ]
    return Sheet(_("材料"), columns, max_rows=MAX_MATERIALS)


def catalog_sheets(user) -> tuple[Sheet, Sheet]:
    """The 事项 and 材料 sheets for `user`: departments (in service) and counties of the catalogs
    they maintain."""
    counties = catalog_counties(user, "change")
    departments = list(
        Department.objects.filter(county__in=counties, active=True)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:MAX_DEPARTMENTS]
    )
    codes = list(counties.order_by("code").values_list("code", flat=True)[:2])
    vocabulary = Vocabulary.load()
    return (
        item_sheet(vocabulary, departments=departments, county_codes=codes),
        material_sheet(vocabulary),
    )


def department_reference(user) -> tuple[str, list, list]:
    """The template's sheet 部门: the departments in service of the counties `user` maintains."""
    rows = (
        Department.objects.filter(county__in=catalog_counties(user, "change"), active=True)
        .order_by("county__code", "name")
        .values_list("county__code", "county__name", "name")[:MAX_DEPARTMENTS]
    )
    with translation.override("zh-hans"):
        return _("部门"), [_("所属县"), _("县名"), _("部门名称")], list(rows)


def write_template(user, stream) -> None:
    from bangban.staff.spreadsheets import write_template as write

    write(catalog_sheets(user), stream, references=[department_reference(user)])


# --- The import -----------------------------------------------------------------------------------

#: check_item's field names → the 事项 sheet's keys (materials: the 材料 sheet's keys are the fields).
ITEM_FIELDS = {"implementation_code": "implementation_code"} | {
    name: name
    for name in (
        "basic_code",
        "version",
        "name",
        "type_code",
        "type_name",
        "type_system",
        "department",
        "domains",
        "levels",
        "modes",
        "legal_limit",
        "legal_limit_unit",
        "promised_limit",
        "promised_limit_unit",
        "fee_charged",
        "fee_note",
        "guide",
        "keywords",
    )
}
#: Values standing in for a cell that did not parse, so that check_item still judges the rest of
#: the item; chosen to raise no problem of their own in another column.
ITEM_FALLBACK = {
    "basic_code": "",
    "version": "",
    "name": "",
    "type_code": "",
    "type_name": "",
    "type_system": "",
    "domains": frozenset(),
    "levels": frozenset(),
    "modes": frozenset(),
    "legal_limit": MAX_LIMIT,
    "promised_limit": 0,
    "legal_limit_unit": LimitUnit.WORKING,
    "promised_limit_unit": LimitUnit.WORKING,
    "fee_charged": False,
    "fee_note": "",
    "guide": "",
    "keywords": (),
}
MATERIAL_FALLBACK = {
    "name": "",
    "kind": Material.Kind.OTHER,
    "form": Material.Form.PAPER,
    "necessity": Material.Necessity.REQUIRED,
    "source": Material.Source.APPLICANT,
    "originals": 1,
    "copies": 1,
    "standard": "",
    "notes": "",
}


@dataclass
class ImportResult:
    problems: list[Problem]
    created: list[dict] = field(default_factory=list)
    revised: list[dict] = field(default_factory=list)
    unchanged: int = 0
    activated: int = 0
    deactivated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Item:
    """One row of the 事项 sheet on its way to an ImportedItem."""

    row: int
    record: dict
    county: Region | None = None
    materials: list[tuple[int, dict]] = field(default_factory=list)


class _Problems:
    """Problems of the workbook, at most one set of messages per (sheet, row, column)."""

    def __init__(self, problems: Iterable[Problem]):
        self.items: list[Problem] = list(problems)
        self.flagged = {(p.sheet, p.row, p.column) for p in self.items}

    def add(self, sheet: Sheet, row: int, column: str | None, message: str):
        self.items.append(Problem(row, column, message, sheet.title))
        self.flagged.add((sheet.title, row, column))

    def add_rules(self, found: list[tuple[Sheet, int, str | None, str]]):
        """Problems found by the catalog's rules, except in cells that already have one (the rule
        was judged on a stand-in for the cell's value)."""
        kept = [f for f in found if (f[0].title, f[1], f[2]) not in self.flagged]
        for sheet, row, column, message in kept:
            self.add(sheet, row, column, message)

    def sorted(self, sheets: list[Sheet]) -> list[Problem]:
        order = {s.title: i for i, s in enumerate(sheets)}
        columns = {(s.title, c.header): i for s in sheets for i, c in enumerate(s.columns)}
        return sorted(
            self.items,
            key=lambda p: (
                order.get(p.sheet, -1),
                p.row or 0,
                columns.get((p.sheet, p.column), -1),
            ),
        )


def _material_data(record: dict) -> MaterialData:
    return MaterialData(
        **{key: record.get(key, default) for key, default in MATERIAL_FALLBACK.items()}
    )


def check_catalog(
    items: list[tuple[int, dict]],
    materials: list[tuple[int, dict]],
    problems: _Problems,
    *,
    by,
    sheets: tuple[Sheet, Sheet],
) -> list[tuple[_Item, ImportedItem]]:
    """The checks across rows and against the database, then `check_item` on every item; adds to
    `problems`. Returns the entries to import (meaningful only when there are no problems)."""
    item_sheet, material_sheet = sheets
    icol = {c.key: c.header for c in item_sheet.columns}
    mcol = {c.key: c.header for c in material_sheet.columns}
    counties = {c.code: c for c in catalog_counties(by, "change")}
    only = next(iter(counties.values())) if len(counties) == 1 else None
    departments = {
        (d.county_id, d.name): d for d in Department.objects.filter(county__in=counties.values())
    }

    by_code: dict[str, _Item] = {}
    rows: list[_Item] = []
    for number, record in items:
        item = _Item(number, record)
        rows.append(item)
        county_code = record.get("county")
        if county_code is not None:
            if county_code == "":
                item.county = only
                if only is None:
                    problems.add(
                        item_sheet,
                        number,
                        icol["county"],
                        _("您维护多个县的事项目录，请填写所属县的区划代码。")
                        if counties
                        else _("您无权维护任何县的事项目录。"),
                    )
            elif county_code in counties:
                item.county = counties[county_code]
            else:
                problems.add(
                    item_sheet,
                    number,
                    icol["county"],
                    _("找不到区划代码为 %(code)s 的县，或您无权维护该县的事项目录。")
                    % {"code": county_code},
                )
        code = record.get("implementation_code")
        if code is None:
            continue
        for message in actions.check_code(code, label=_("实施编码"), limit=36):
            problems.add(item_sheet, number, icol["implementation_code"], message)
        if code in by_code:
            problems.add(
                item_sheet,
                number,
                icol["implementation_code"],
                _("与第 %(row)d 行的实施编码重复。") % {"row": by_code[code].row},
            )
        else:
            by_code[code] = item

    positions: dict[tuple[str, int], int] = {}
    for number, record in materials:
        code = record.get("implementation_code")
        if code is None:
            continue
        item = by_code.get(code)
        if item is None:
            problems.add(
                material_sheet,
                number,
                mcol["implementation_code"],
                _("“事项”表中没有实施编码为 %(code)s 的事项。") % {"code": code},
            )
            continue
        position = record.get("position")
        if position is not None:
            if (code, position) in positions:
                problems.add(
                    material_sheet,
                    number,
                    mcol["position"],
                    _("与第 %(row)d 行的序号重复（同一事项）。")
                    % {"row": positions[code, position]},
                )
            else:
                positions[code, position] = number
        item.materials.append((number, record))

    entries = []
    for item in rows:
        record = item.record
        # Materials in the order of their numbers; a number that did not parse goes last.
        item.materials.sort(
            key=lambda m: (m[1].get("position") is None, m[1].get("position"), m[0])
        )
        material_data = [_material_data(r) for _n, r in item.materials]
        if item.county is None:
            problems.add_rules(
                [
                    (material_sheet, number, mcol[key], message)
                    for (number, _r), data in zip(item.materials, material_data, strict=True)
                    for key, messages in actions.check_material(data).items()
                    for message in messages
                ]
            )
            continue
        department = None
        name = record.get("department")
        if name is not None:
            department = departments.get((item.county.pk, name))
            if department is None:
                problems.add(
                    item_sheet,
                    item.row,
                    icol["department"],
                    _("%(county)s没有名为“%(name)s”的部门。")
                    % {"county": item.county.name, "name": name},
                )
        # A department standing in for a missing one, so that the rest is still judged.
        department = department or Department(county=item.county, name="")
        values = {key: record.get(key, default) for key, default in ITEM_FALLBACK.items()}
        entries.append(
            (
                item,
                ImportedItem(
                    county=item.county,
                    implementation_code=record.get("implementation_code", ""),
                    data=ItemData(department=department, **values),
                    materials=material_data,
                    active=record.get("active", True),
                ),
            )
        )
    return entries


def add_rule_problems(
    errors: dict[str, list[str]],
    entries: list[tuple[_Item, ImportedItem]],
    problems: _Problems,
    *,
    sheets: tuple[Sheet, Sheet],
):
    """The catalog's rules broken by the entries (`items.<n>.<field>`, as `actions.import_items`
    names them), each at its sheet, row and column."""
    item_sheet, material_sheet = sheets
    icol = {c.key: c.header for c in item_sheet.columns}
    mcol = {c.key: c.header for c in material_sheet.columns}
    found = []
    for key, messages in errors.items():
        _prefix, n, name = key.split(".", 2)
        item = entries[int(n) - 1][0]
        if name.startswith("materials."):
            _prefix, k, name = name.split(".", 2)
            place = (material_sheet, item.materials[int(k) - 1][0], mcol.get(name))
        else:
            place = (item_sheet, item.row, icol.get(ITEM_FIELDS.get(name, "")))
        found.extend((*place, message) for message in messages)
    problems.add_rules(found)


def import_catalog(file, *, by) -> ImportResult:
    """Check every row of both sheets; if all are good, create and revise the items in one
    transaction. Nothing is written when any row has a problem."""
    sheets = catalog_sheets(by)
    found, read_problems = read_sheets(file, sheets)
    problems = _Problems(read_problems)
    if len(found) < len(sheets) or any(p.row in (None, 1) for p in read_problems):
        return ImportResult(problems.sorted(list(sheets)))  # no sheet or a wrong header
    entries = check_catalog(
        found[sheets[0].title], found[sheets[1].title], problems, by=by, sheets=sheets
    )
    imported = [entry for _item, entry in entries]
    if problems.items:
        # The catalog's rules too, on what could be read (a cell that could not is stood in for).
        _cleaned, errors = actions.check_imported_items(imported)
        add_rule_problems(errors, entries, problems, sheets=sheets)
        return ImportResult(problems.sorted(list(sheets)))
    try:
        # The rules are judged once, by the action, which writes only when all items hold.
        report = actions.import_items(imported, by=by)
    except CatalogError as error:
        add_rule_problems(error.errors, entries, problems, sheets=sheets)
        return ImportResult(problems.sorted(list(sheets)))
    except IntegrityError:  # someone created one of the items meanwhile
        return ImportResult(
            [Problem(None, None, _("导入期间有人同时修改了事项目录，请重新导入。"))]
        )

    def describe(index: int) -> dict:
        item, entry = entries[index]
        return {
            "row": item.row,
            "code": entry.implementation_code,
            "name": entry.data.name,
            "county": entry.county.name,
        }

    return ImportResult(
        [],
        created=[describe(i) for i in report.created],
        revised=[describe(i) for i in report.revised],
        unchanged=len(report.unchanged),
        activated=len(report.activated),
        deactivated=len(report.deactivated),
    )


# --- The export -----------------------------------------------------------------------------------


#: The fields of a material in the 材料 sheet's order, for `export_sheets`.
MATERIAL_EXPORT_FIELDS = (
    "revision__item__implementation_code",
    "position",
    "name",
    "kind",
    "form",
    "necessity",
    "source",
    "originals",
    "copies",
    "standard",
    "notes",
)


def export_sheets(items, materials) -> list[tuple]:
    """The two sheets of an export, in the template's layout: `items` (ServiceItems with their
    current revision, its department and domains, and their county) and `materials` (tuples of
    MATERIAL_EXPORT_FIELDS of those current revisions' materials), both in the same order."""
    vocabulary = Vocabulary.load()
    v = vocabulary
    with translation.override("zh-hans"):
        item_headers = item_sheet(v, departments=[], county_codes=[])
        material_headers = material_sheet(v)
    names = {
        "units": {value: v.name(v.units, value) for value in LimitUnit.values},
        "levels": {value: zh(label) for value, label in Level.choices},
        "modes": {value: zh(label) for value, label in Mode.choices},
        "kinds": {value: v.name(v.kinds, value) for value in Material.Kind.values},
        "forms": {value: v.name(v.forms, value) for value in Material.Form.values},
        "necessities": {value: v.name(v.necessities, value) for value in Material.Necessity.values},
        "sources": {value: v.name(v.sources, value) for value in Material.Source.values},
        "yes_no": {True: v.name(v.yes_no, True), False: v.name(v.yes_no, False)},
    }

    def item_rows():
        for item in items:
            r = item.current
            domains = sorted(r.domains.all(), key=lambda d: (d.position, d.code))
            yield [
                item.implementation_code,
                r.basic_code,
                r.version,
                r.name,
                r.type_code,
                r.type_name,
                r.type_system,
                r.department.name,
                "、".join(d.name for d in domains),
                "、".join(names["levels"][level] for level in r.levels),
                "、".join(names["modes"][mode] for mode in r.modes),
                r.legal_limit,
                names["units"][r.legal_limit_unit],
                r.promised_limit,
                names["units"][r.promised_limit_unit],
                names["yes_no"][r.fee_charged],
                r.fee_note,
                r.guide,
                names["yes_no"][item.active],
                item.county.code,
                r.keywords,
            ]

    def material_rows():
        for code, position, name, kind, form, necessity, source, *rest in materials:
            yield [
                code,
                position,
                name,
                names["kinds"][kind],
                names["forms"][form],
                names["necessities"][necessity],
                names["sources"][source],
                *rest,
            ]

    def formats(sheet: Sheet) -> list[str]:
        return [c.number_format for c in sheet.columns]

    return [
        (item_headers.title, item_headers.headers, item_rows(), formats(item_headers)),
        (
            material_headers.title,
            material_headers.headers,
            material_rows(),
            formats(material_headers),
        ),
    ]
