"""Yiyuan's demo catalog: the items a county's implementation list (实施清单) states for its sub-zones,
windows, town centres and village stations, with materials as a county office writes them. Called by
`bangban demo` after the network and the helpers (see network/demo.py).

The items are data, not code: `data/demo_items.csv` and `data/demo_materials.csv` are the catalog
workbook's two sheets (事项, 材料) saved as UTF-8 CSV, in the layout of the Excel template and export
(`catalog.sheets`), and they go in through the Excel import's own path (`spreadsheets.read_files`,
then `spreadsheets.import_rows`): every row is parsed by the same cell parsers, every item passes
the same rules as one uploaded or entered in the app, all or nothing
(docs/decisions/0045-catalog-demo-as-data.md). To change the demo catalog, edit the files (or export
the demo county's catalog, edit it in Excel and save both sheets as CSV).

Codes: the implementation code (实施编码) is the department's unified social credit code (18, with valid
check characters), the basic code (基本编码, 12) and a 3-digit handling-item number (业务办理项), so two
handling items of one basic code (住房公积金提取：退休 / 购房) stay distinct. Types use the code system of
the Shandong item-management system: 01 行政许可 … 05 行政给付, 07 行政确认, 10 其他行政权力, 20 公共服务.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple

from django.db import transaction

from bangban.network.demo import Demo
from bangban.network.models import Department

from . import spreadsheets
from .models import ItemRevision, ServiceItem, split_keywords
from .sheets import plain_sheets

DATA = Path(__file__).resolve().parent / "data"
#: The files of the 事项 and 材料 sheets, in that order.
FILES = (DATA / "demo_items.csv", DATA / "demo_materials.csv")

# --- Departments and their unified social credit codes (GB 32100) ---------------------------------

#: Registration authority and type (11 机关, 12 事业单位, 13 群团) + area code + organisation code body
#: (8 characters; the check characters are computed). The implementation codes in the data files
#: start with the credit code of their department.
CREDIT_BODIES = {
    "县行政审批服务局": "11370323MB285038",
    "县人力资源和社会保障局": "1137032300430254",
    "县医疗保障局": "11370323MB285127",
    "县公安局": "1137032300430213",
    "国家税务总局沂源县税务局": "11370323MB156204",
    "淄博市住房公积金管理中心沂源分中心": "1237032349413507",
    "县民政局": "1137032300430221",
    "县司法局": "1137032300430230",
    "县自然资源局": "11370323MB285066",
    "县住房和城乡建设局": "1137032300430246",
    "县不动产登记中心": "12370323MB285172",
    "县残疾人联合会": "1337032300430297",
}

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(body: str) -> str:
    """The 18-character code of a 16-character body: the organisation code's check character
    (GB 11714, MOD 11) and then the credit code's own (GB 32100, MOD 31)."""
    organisation = body[8:]
    total = sum(int(c, 36) * w for c, w in zip(organisation, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    code = body + {10: "X", 11: "0"}.get(check, str(check))
    total = sum(_CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(code))
    return code + _CREDIT_ALPHABET[(31 - total % 31) % 31]


# --- The items, as the files say them -------------------------------------------------------------


class DemoItem(NamedTuple):
    """One row of the 事项 file as written (the import parses it again, with every check)."""

    implementation_code: str
    basic_code: str
    name: str
    department: str
    keywords: tuple[str, ...]


def _read_items() -> list[DemoItem]:
    with open(FILES[0], newline="", encoding="utf-8") as f:
        return [
            DemoItem(
                row["实施编码"],
                row["基本编码"],
                row["事项名称"],
                row["实施部门"],
                split_keywords(row["俗称"]),
            )
            for row in csv.DictReader(f)
        ]


ITEMS: list[DemoItem] = _read_items()

#: What applicants say at the counter for each item (俗称, the files' column), as a county's windows
#: hear it: every item search finds an item by these (decision 0037), so 低保, 社保卡, 营业执照, 残疾证
#: and 养老金 each find theirs.
KEYWORDS: dict[str, tuple[str, ...]] = {item.name: item.keywords for item in ITEMS if item.keywords}


class DemoDataError(Exception):
    """The demo's files break a rule of the catalog: each problem at its sheet, row and column."""


@transaction.atomic
def extend_demo(demo: Demo) -> list[str]:
    """Yiyuan's catalog: the items of the files, each with its first revision, and the departments
    that implement them. Nothing when the county has items."""
    county = demo.county
    if ServiceItem.objects.filter(county=county).exists():
        return []
    sheets = plain_sheets()
    found, problems = spreadsheets.read_files(FILES, sheets)
    items, materials = (found.get(sheet.title, []) for sheet in sheets)
    departments = dict.fromkeys(r["department"] for _n, r in items if "department" in r)
    for name in departments:
        Department.objects.get_or_create(county=county, name=name)
    result = spreadsheets.import_rows(
        found,
        problems,
        sheets=sheets,
        counties={county.code: county},
        by=None,
        source=ItemRevision.Source.DEMO,
    )
    if not result.ok:
        raise DemoDataError("\n".join(str(problem) for problem in result.problems))
    covered = {domain for _n, r in items for domain in r["domains"]}
    return [
        f"事项目录：{len(result.created)} 项服务事项（{len(covered)} 个领域，{len(departments)} 个实施部门），"
        f"申请材料 {len(materials)} 项。"
    ]
