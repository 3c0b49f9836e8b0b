"""The layout of the catalog's workbook (docs/decisions/0013-catalog-spreadsheets.md): sheet 事项,
one row per item, and sheet 材料, one row per material, tied to its item by the implementation code
(实施编码) and ordered by 序号; their columns, the parsers of their cells (`catalog.cells`), the
template's notes and drop-down lists, and the template itself.

The headers and choice values are the national implementation list's Chinese words whatever the
interface language, so a file exported in one language imports in another.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from bangban.kernel.spreadsheets import Column, Sheet, positive_int
from bangban.network.models import Department, Domain

from .cells import choice_or, code, count, keywords, line, multiline, several, zh
from .models import Level, LimitUnit, Material, Mode
from .rules import MATERIAL_TEXT_LIMITS, MAX_LIMIT, TEXT_LIMITS
from .scope import catalog_counties

#: Most rows of each sheet in one file (a county's catalog is a few thousand items).
MAX_ITEMS = 20_000
MAX_MATERIALS = 200_000
#: Department names offered in the template's drop-down list.
MAX_DEPARTMENTS = 5_000
TEXT = "@"


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


def plain_sheets(vocabulary: Vocabulary | None = None) -> tuple[Sheet, Sheet]:
    """The 事项 and 材料 sheets with no department list and no example county, titled in Chinese:
    what the export writes and the demo's files (`catalog/data/`) are read against."""
    vocabulary = vocabulary or Vocabulary.load()
    with translation.override("zh-hans"):
        return (
            item_sheet(vocabulary, departments=[], county_codes=[]),
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
    from bangban.kernel.spreadsheets import write_template as write

    write(catalog_sheets(user), stream, references=[department_reference(user)])
