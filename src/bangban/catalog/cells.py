"""The cell parsers of the catalog's workbook (docs/decisions/0013-catalog-spreadsheets.md): each
turns one cell of the 事项 or 材料 sheet into a value or raises `Invalid` with the reason, on top of
the kernel's generic ones (`kernel.spreadsheets.text`, `choice`, `positive_int`). Text files of the
same layout (the demo catalog's, `catalog/data/`) go through the same parsers.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from bangban.kernel.spreadsheets import Invalid, as_text, choice, text

from .models import split_keywords
from .rules import KEYWORDS_LIMIT


def zh(label) -> str:
    """A label in Chinese whatever the interface language: the workbook's own vocabulary."""
    with translation.override("zh-hans"):
        return str(label)


ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SEPARATORS = re.compile(r"[、,，;；/／\s]+")


def _unescape(s: str) -> str:
    """Undo the OOXML escape of characters XML cannot hold (`_x000D_` for a carriage return), which
    Excel undoes when it reads a file but openpyxl leaves in place."""
    return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s) if "_x" in s else s


def line(max_length: int):
    """One line of text, as `kernel.spreadsheets.text`, with escapes undone."""
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
        s = _unescape(as_text(value))
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
            digits = as_text(value)
            if length is not None and len(digits) < length:
                raise Invalid(
                    _(
                        "应为 %(n)d 位；单元格是数字格式时开头的 0 会丢失，请把该列设为文本格式后重新填写。"
                    )
                    % {"n": length}
                )
        s = _unescape(as_text(value)).upper()
        if len(s) > max_length:
            raise Invalid(_("不能超过 %(n)d 位。") % {"n": max_length})
        return s

    return parse


def count(value: Any) -> int:
    """0 or a positive whole number; an empty cell is 0."""
    if value is None or as_text(value) == "":
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
        return default if as_text(value) == "" else parse(value)

    return parse_or_default


def several(options: dict[str, Any], *, what: str):
    """Several of `options` separated by 、，；or spaces. Labels may hold a separator themselves
    (县级分区、窗口): they are found whole first, longest first."""
    names = sorted(options, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(name) for name in names)) if names else None

    def parse(value: Any) -> frozenset:
        s = _unescape(as_text(value))
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
