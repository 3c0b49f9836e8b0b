"""The export of the item catalog: both sheets of the workbook in the template's layout
(`catalog.sheets`), so an exported file re-imports with no change
(docs/decisions/0013-catalog-spreadsheets.md). The view streams the rows into the file
(`catalog.excel_views.items_export`).
"""

from __future__ import annotations

from bangban.kernel.spreadsheets import Sheet

from .cells import zh
from .models import Level, LimitUnit, Material, Mode
from .sheets import Vocabulary, plain_sheets

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
    v = Vocabulary.load()
    item_headers, material_headers = plain_sheets(v)
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
