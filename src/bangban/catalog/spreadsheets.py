"""Import of the item catalog's workbook (sheets 事项 and 材料, laid out in `catalog.sheets`; the
export is `catalog.export`, its names importable from here).

The import is two steps. Reading: the upload's workbook with the kernel's generic reader
(`kernel.spreadsheets.read_sheets`), or text files of the same layout (`read_files`: the demo
catalog's, `catalog/data/`), into rows of parsed cells. Then `import_rows`: the checks across rows
and against the database (the counties, departments, duplicate codes and numbers, materials of no
item) and every item with the catalog's own rules (`actions.check_item`), each problem mapped back
to its sheet, row and column. Nothing is written unless every row is good; then
`actions.import_items` creates and revises the items in one transaction (no revision for an item
the file does not change).

The messages about a file follow the interface language. An exported file re-imports with no
change (docs/decisions/0013-catalog-spreadsheets.md).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError
from django.utils.translation import gettext as _

from bangban.kernel.spreadsheets import Problem, Sheet, read_rows, read_sheets
from bangban.network.models import Department, Region

from . import actions
from .actions import MAX_LIMIT, CatalogError, ImportedItem, ItemData, MaterialData
from .export import MATERIAL_EXPORT_FIELDS, export_sheets
from .models import ItemRevision, LimitUnit, Material
from .scope import catalog_counties
from .sheets import catalog_sheets, write_template

__all__ = [
    "ImportResult",
    "MATERIAL_EXPORT_FIELDS",
    "catalog_sheets",
    "export_sheets",
    "import_catalog",
    "import_rows",
    "read_files",
    "write_template",
]

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
    counties: Mapping[str, Region],
    sheets: tuple[Sheet, Sheet],
) -> list[tuple[_Item, ImportedItem]]:
    """The checks across rows and against the database, then `check_item` on every item; adds to
    `problems`. `counties`: the counties whose items may be imported, by code. Returns the entries
    to import (meaningful only when there are no problems)."""
    item_sheet, material_sheet = sheets
    icol = {c.key: c.header for c in item_sheet.columns}
    mcol = {c.key: c.header for c in material_sheet.columns}
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
    """An uploaded workbook, read and then imported by `import_rows` into the counties whose
    catalogs `by` maintains."""
    sheets = catalog_sheets(by)
    found, read_problems = read_sheets(file, sheets)
    counties = {c.code: c for c in catalog_counties(by, "change")}
    return import_rows(found, read_problems, sheets=sheets, counties=counties, by=by)


class _Lines:
    """The rows of a text file as `read_rows` takes a worksheet's: the header row first."""

    def __init__(self, rows: list[list[str]]):
        self.rows = rows

    def iter_rows(self, *, values_only: bool):
        return iter(self.rows)


def read_files(
    paths: Sequence[Path], sheets: Sequence[Sheet]
) -> tuple[dict[str, list[tuple[int, dict]]], list[Problem]]:
    """UTF-8 CSV files laid out as `sheets` (one file each, in the same order, the header row
    first), parsed as `read_sheets` parses a workbook's worksheets. A cell may hold line breaks."""
    found: dict[str, list[tuple[int, dict]]] = {}
    problems: list[Problem] = []
    for path, sheet in zip(paths, sheets, strict=True):
        with open(path, newline="", encoding="utf-8") as f:
            lines = _Lines(list(csv.reader(f)))
        rows, sheet_problems = read_rows(lines, sheet, name=sheet.title)
        found[sheet.title] = rows
        problems.extend(sheet_problems)
    return found, problems


def import_rows(
    found: Mapping[str, list[tuple[int, dict]]],
    read_problems: list[Problem],
    *,
    sheets: tuple[Sheet, Sheet],
    counties: Mapping[str, Region],
    by,
    source: str = ItemRevision.Source.IMPORT,
) -> ImportResult:
    """The rows read from both sheets (`found`, by sheet title, with the reader's problems):
    check every row; if all are good, create and revise the items of `counties` (by code) in
    one transaction, as `source`. Nothing is written when any row has a problem."""
    problems = _Problems(read_problems)
    if len(found) < len(sheets) or any(p.row in (None, 1) for p in read_problems):
        return ImportResult(problems.sorted(list(sheets)))  # no sheet or a wrong header
    entries = check_catalog(
        found[sheets[0].title],
        found[sheets[1].title],
        problems,
        counties=counties,
        sheets=sheets,
    )
    imported = [entry for _item, entry in entries]
    if problems.items:
        # The catalog's rules too, on what could be read (a cell that could not is stood in for).
        _cleaned, errors = actions.check_imported_items(imported)
        add_rule_problems(errors, entries, problems, sheets=sheets)
        return ImportResult(problems.sorted(list(sheets)))
    try:
        # The rules are judged once, by the action, which writes only when all items hold.
        report = actions.import_items(imported, by=by, source=source)
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
