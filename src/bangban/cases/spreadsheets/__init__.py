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

The package: `layout` (the columns and their Chinese vocabulary), `export` (the rows and the
background job), `workbook` (the fast writer), `reading` (the import's sheet and the reading of an
upload), `importing` (names in the county, the checks, the import and its template).
"""

from .export import (
    EXPORT_FIELDS,
    export_file_name,
    export_rows,
    export_rows_query,
    ledger_cases,
    produce_export,
    write_ledger_export,
)
from .importing import FIELD_KEYS, ImportResult, import_ledger, point_reference, write_template
from .layout import (
    DATE_COLUMNS,
    EXPORT_COLUMNS,
    EXPORT_HEADERS,
    MAX_ROWS,
    NUMBER_COLUMNS,
    SHEET_TITLE,
    document_labels,
    zh,
)
from .reading import import_sheet, read_rows
from .workbook import write_ledger

__all__ = [
    "DATE_COLUMNS",
    "EXPORT_COLUMNS",
    "EXPORT_FIELDS",
    "EXPORT_HEADERS",
    "FIELD_KEYS",
    "MAX_ROWS",
    "NUMBER_COLUMNS",
    "SHEET_TITLE",
    "ImportResult",
    "document_labels",
    "export_file_name",
    "export_rows",
    "export_rows_query",
    "import_ledger",
    "import_sheet",
    "ledger_cases",
    "point_reference",
    "produce_export",
    "read_rows",
    "write_ledger",
    "write_ledger_export",
    "write_template",
    "zh",
]
