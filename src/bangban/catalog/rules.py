"""What an item of the catalog says (`ItemData`, `MaterialData`) and the catalog's own rules on it
(`check_item` and the checks it asks), shared by the pages, the API, the Excel import and the demo
through `catalog.actions`, so an item is judged the same way whichever door it came in by. Pure:
nothing here reads or writes the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files import File
from django.utils.translation import gettext as _

from bangban.network.models import Department, Domain, Region

from .models import ItemRevision, Level, LimitUnit, Material, Mode

#: Codes are letters and digits (the national platform's codes, e.g. 000172007000).
CODE = re.compile(r"^[0-9A-Z]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Longest time limit accepted, in days (a sanity bound: no item takes more than years).
MAX_LIMIT = 3650


@dataclass(frozen=True)
class MaterialData:
    """What one material says. `blank_form` and `sample` are a stored file name, an uploaded file,
    or None: keep the file of the current revision's material of the same name (the Excel import
    carries no files)."""

    name: str
    kind: str = Material.Kind.OTHER
    form: str = Material.Form.PAPER
    necessity: str = Material.Necessity.REQUIRED
    source: str = Material.Source.APPLICANT
    originals: int = 0
    copies: int = 0
    standard: str = ""
    notes: str = ""
    blank_form: str | File | None = None
    sample: str | File | None = None

    @classmethod
    def of(cls, material: Material) -> MaterialData:
        return cls(
            name=material.name,
            kind=material.kind,
            form=material.form,
            necessity=material.necessity,
            source=material.source,
            originals=material.originals,
            copies=material.copies,
            standard=material.standard,
            notes=material.notes,
            blank_form=material.blank_form.name or "",
            sample=material.sample.name or "",
        )


#: The fields of an item that a revision holds, besides its department, domains and materials.
TEXT_FIELDS = ("basic_code", "version", "name", "type_code", "type_name", "type_system")


@dataclass(frozen=True)
class ItemData:
    """What one revision of an item says (everything but its materials)."""

    basic_code: str
    name: str
    type_code: str
    type_name: str
    type_system: str
    department: Department
    domains: frozenset[Domain]
    levels: frozenset[str]
    modes: frozenset[str]
    legal_limit: int
    promised_limit: int
    legal_limit_unit: str = LimitUnit.WORKING
    promised_limit_unit: str = LimitUnit.WORKING
    version: str = ""
    fee_charged: bool = False
    fee_note: str = ""
    guide: str = ""
    #: The words said at the counter (俗称), in order, each once (`models.split_keywords`).
    keywords: tuple[str, ...] = ()

    @classmethod
    def of(cls, revision: ItemRevision) -> ItemData:
        return cls(
            basic_code=revision.basic_code,
            version=revision.version,
            name=revision.name,
            type_code=revision.type_code,
            type_name=revision.type_name,
            type_system=revision.type_system,
            department=revision.department,
            domains=frozenset(revision.domains.all()),
            levels=frozenset(revision.levels),
            modes=frozenset(revision.modes),
            legal_limit=revision.legal_limit,
            legal_limit_unit=revision.legal_limit_unit,
            promised_limit=revision.promised_limit,
            promised_limit_unit=revision.promised_limit_unit,
            fee_charged=revision.fee_charged,
            fee_note=revision.fee_note,
            guide=revision.guide,
            keywords=revision.keyword_list,
        )


# --- The rules -------------------------------------------------------------------------------------

TEXT_LIMITS = {
    "basic_code": 12,
    "version": 20,
    "name": 200,
    "type_code": 20,
    "type_name": 50,
    "type_system": 50,
    "fee_note": 500,
}
MATERIAL_TEXT_LIMITS = {"name": 200, "standard": 500, "notes": 500}
#: An item's keywords (俗称): how many, how long each, and all of them joined by "、" (the column).
MAX_KEYWORDS = 20
KEYWORD_LIMIT = 20
KEYWORDS_LIMIT = 200


def check_keywords(keywords: Sequence[str]) -> list[str]:
    """The rules of an item's keywords (already split: `models.split_keywords`)."""
    errors = []
    if len(keywords) > MAX_KEYWORDS:
        errors.append(_("俗称最多 %(n)s 个。") % {"n": MAX_KEYWORDS})
    long = [word for word in keywords if len(word) > KEYWORD_LIMIT]
    if long:
        errors.append(
            _("每个俗称不能超过 %(n)s 个字：%(words)s。")
            % {"n": KEYWORD_LIMIT, "words": "、".join(long)}
        )
    if len("、".join(keywords)) > KEYWORDS_LIMIT:
        errors.append(_("俗称合计不能超过 %(n)s 个字。") % {"n": KEYWORDS_LIMIT})
    if any(CONTROL.search(word) for word in keywords):
        errors.append(_("俗称含有不可见的控制字符。"))
    return errors


def _text_errors(value: str, limit: int | None, *, required: bool, multiline=False) -> list[str]:
    errors = []
    if required and not value.strip():
        errors.append(_("必须填写。"))
    if limit is not None and len(value) > limit:
        errors.append(_("不能超过 %(n)s 个字符。") % {"n": limit})
    text = value.replace("\r", "").replace("\n", "").replace("\t", "") if multiline else value
    if CONTROL.search(text):
        errors.append(_("含有不可见的控制字符。"))
    return errors


def check_code(value: str, *, label: str, exact: int | None = None, limit: int = 36) -> list[str]:
    if not value:
        return [_("必须填写%(label)s。") % {"label": label}]
    if not CODE.match(value):
        return [_("%(label)s只能由数字和大写字母组成。") % {"label": label}]
    if exact is not None and len(value) != exact:
        return [_("%(label)s应为 %(n)s 位。") % {"label": label, "n": exact}]
    if len(value) > limit:
        return [_("%(label)s不能超过 %(n)s 位。") % {"label": label, "n": limit}]
    return []


def check_material(data: MaterialData) -> dict[str, list[str]]:
    """The rules of one material, by field name."""
    errors: dict[str, list[str]] = {}
    for name, limit in MATERIAL_TEXT_LIMITS.items():
        problems = _text_errors(getattr(data, name), limit, required=name == "name")
        if problems:
            errors[name] = problems
    for name, enum in (
        ("kind", Material.Kind),
        ("form", Material.Form),
        ("necessity", Material.Necessity),
        ("source", Material.Source),
    ):
        if getattr(data, name) not in enum.values:
            errors[name] = [_("取值无效。")]
    for name in ("originals", "copies"):
        value = getattr(data, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 99:
            errors[name] = [_("份数应为 0 到 99 的整数。")]
    if (
        "originals" not in errors
        and "copies" not in errors
        and data.form != Material.Form.ELECTRONIC
        and data.originals + data.copies == 0
    ):
        errors["copies"] = [_("纸质材料至少需要原件或复印件一份。")]
    return errors


def check_item(
    data: ItemData, materials: Sequence[MaterialData], *, county: Region
) -> dict[str, list[str]]:
    """Every rule of an item and its materials that the item alone decides; an empty dict when all
    hold. (Whether its department still takes it depends on the item's current revision too:
    `check_department_in_service`.)"""
    errors: dict[str, list[str]] = {}

    def add(key: str, messages: list[str]):
        if messages:
            errors.setdefault(key, []).extend(messages)

    add("basic_code", check_code(data.basic_code, label=_("基本编码"), exact=12))
    for name in ("version", "name", "type_code", "type_name", "type_system", "fee_note"):
        required = name in ("name", "type_code", "type_name", "type_system")
        add(name, _text_errors(getattr(data, name), TEXT_LIMITS[name], required=required))
    add("guide", _text_errors(data.guide, 20000, required=False, multiline=True))
    add("keywords", check_keywords(data.keywords))
    if data.department.county_id != county.pk:
        add("department", [_("实施部门须是本县的部门。")])
    if not data.domains:
        add("domains", [_("至少选择一个所属领域。")])
    if not data.levels:
        add("levels", [_("至少选择一个办理层级。")])
    elif not set(data.levels) <= set(Level.values):
        add("levels", [_("办理层级取值无效。")])
    if not data.modes:
        add("modes", [_("至少选择一种办理方式。")])
    elif not set(data.modes) <= set(Mode.values):
        add("modes", [_("办理方式取值无效。")])
    for name in ("legal_limit", "promised_limit"):
        value = getattr(data, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_LIMIT:
            add(name, [_("时限应为 0 到 %(n)s 的整数（0 表示即办）。") % {"n": MAX_LIMIT}])
        if getattr(data, f"{name}_unit") not in LimitUnit.values:
            add(f"{name}_unit", [_("时限单位应为工作日或自然日。")])
    if (
        "legal_limit" not in errors
        and "promised_limit" not in errors
        and data.legal_limit_unit == data.promised_limit_unit
        and data.promised_limit > data.legal_limit
    ):
        add("promised_limit", [_("承诺办结时限不能超过法定办结时限。")])
    if data.fee_charged and not data.fee_note.strip():
        add("fee_note", [_("事项收费时须写明收费标准及依据。")])
    seen: dict[str, int] = {}
    for number, material in enumerate(materials, start=1):
        for name, messages in check_material(material).items():
            add(f"materials.{number}.{name}", messages)
        key = material.name.strip()
        if key in seen:
            add(
                f"materials.{number}.name",
                [_("材料名称与第 %(n)s 项重复。") % {"n": seen[key]}],
            )
        else:
            seen[key] = number
    return errors


def check_department_in_service(
    department: Department, *, kept_department_id: int | None = None
) -> dict[str, list[str]]:
    """A deactivated department keeps its items, which stay editable, but takes no new item and no
    item moved to it. `kept_department_id`: the department of the item's current revision (None
    for a new item)."""
    if department.active or department.pk == kept_department_id:
        return {}
    return {
        "department": [
            _("实施部门“%(name)s”已停用，不能新增它的事项，也不能把事项改到它名下。")
            % {"name": department.name}
        ]
    }
