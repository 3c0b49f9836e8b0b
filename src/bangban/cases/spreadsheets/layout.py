"""The ledger workbook's layout (台账): the export's columns in the county office's order, and the
Chinese vocabulary of the workbook whatever the interface language. The export writes them
(`export`, `workbook`), the import reads those of its sheet among them (`reading`)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from ..actions import CREDIT_CODE
from ..identifiers import DocumentType

#: The most data rows one import file may hold (split larger ledgers into several files).
MAX_ROWS = 10_000
SHEET_TITLE = "工作台账"
DATE_FORMAT = "yyyy-mm-dd"
TEXT = "@"


def zh(label) -> str:
    """A label in Chinese whatever the interface language: the workbook's own vocabulary."""
    with translation.override("zh-hans"):
        return str(label)


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


def chinese_labels(choices) -> dict[str, str]:
    """value → its Chinese label."""
    return {value: zh(label) for value, label in choices}


def document_labels() -> dict[str, str]:
    return {**chinese_labels(DocumentType.choices), CREDIT_CODE: zh(_("统一社会信用代码"))}
