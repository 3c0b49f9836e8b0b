"""Writes on the service-item catalog. One transaction each; every edit adds an immutable revision.

Scope is the caller's business (`scope.catalog_counties(user, "change")`, asked by every view,
endpoint and import); these functions hold the catalog's own rules (`check_item`), which the pages, the
API and the Excel import all share, so an item is judged the same way whichever door it came in by.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

from django.contrib.admin.models import CHANGE
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bangban.network.actions import log_change
from bangban.network.models import Department, Domain, Region

from .models import (
    ItemRevision,
    Level,
    LimitUnit,
    Material,
    Mode,
    ServiceItem,
    level_field,
    mode_field,
    search_text_of,
    split_keywords,
)


class CatalogError(Exception):
    """A rule of the catalog was broken. `errors` maps a field name to Chinese messages; a material's
    field is named `materials.<n>.<field>` with n counted from 1."""

    def __init__(self, errors: Mapping[str, str | list[str]]):
        self.errors = {
            key: [msg] if isinstance(msg, str) else list(msg) for key, msg in errors.items()
        }
        super().__init__("; ".join(f"{k}: {' '.join(m)}" for k, m in self.errors.items()))


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


# --- Writes ---------------------------------------------------------------------------------------


def _same(revision: ItemRevision, data: ItemData, materials: Sequence[MaterialData]) -> bool:
    if ItemData.of(revision) != data:
        return False
    existing = [MaterialData.of(m) for m in revision.materials.all()]
    return existing == list(materials)


def _resolve_files(
    materials: Sequence[MaterialData], previous: ItemRevision | None
) -> list[MaterialData]:
    """Fill the files left as None from the previous revision's material of the same name."""
    before = {}
    if previous is not None:
        before = {m.name: m for m in previous.materials.all()}
    resolved = []
    for material in materials:
        old = before.get(material.name)
        changes = {}
        for name in ("blank_form", "sample"):
            if getattr(material, name) is None:
                changes[name] = getattr(old, name).name if old and getattr(old, name) else ""
        resolved.append(replace(material, **changes) if changes else material)
    return resolved


def _material_rows(revision: ItemRevision, materials: Sequence[MaterialData]) -> list[Material]:
    """The unsaved material rows of a revision, in order; uploaded files are stored now."""
    rows = []
    for position, material in enumerate(materials, start=1):
        row = Material(
            revision=revision,
            position=position,
            **{
                f.name: getattr(material, f.name)
                for f in fields(MaterialData)
                if f.name not in ("blank_form", "sample")
            },
        )
        for name in ("blank_form", "sample"):
            value = getattr(material, name)
            if isinstance(value, File):
                getattr(row, name).save(value.name, value, save=False)
            else:
                setattr(row, name, value or "")
        rows.append(row)
    return rows


def _write_revision(
    item: ServiceItem,
    data: ItemData,
    materials: Sequence[MaterialData],
    *,
    by,
    source: str,
    note: str,
) -> ItemRevision:
    number = (item.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
    revision = _unsaved_revision(item, number, data, by=by, source=source)
    revision.note = note.strip()
    revision.save()
    revision.domains.set(data.domains)
    Material.objects.bulk_create(_material_rows(revision, materials))
    item.current = revision
    item.save(update_fields=["current"])
    return revision


def _clean(data: ItemData, materials: Sequence[MaterialData]):
    """Strip surrounding blanks from one-line texts; codes upper-cased."""
    data = replace(
        data,
        basic_code=data.basic_code.strip().upper(),
        **{name: getattr(data, name).strip() for name in TEXT_FIELDS if name != "basic_code"},
        fee_note=data.fee_note.strip(),
        guide=data.guide.strip(),
        domains=frozenset(data.domains),
        levels=frozenset(data.levels),
        modes=frozenset(data.modes),
        keywords=split_keywords(
            data.keywords if isinstance(data.keywords, str) else " ".join(data.keywords)
        ),
    )
    materials = [
        replace(m, **{name: getattr(m, name).strip() for name in MATERIAL_TEXT_LIMITS})
        for m in materials
    ]
    return data, materials


def create_item(
    county: Region,
    *,
    implementation_code: str,
    data: ItemData,
    materials: Sequence[MaterialData] = (),
    by,
    source: str = ItemRevision.Source.APP,
) -> ServiceItem:
    """A new item of `county` with its first revision. Raises CatalogError naming every problem."""
    code = implementation_code.strip().upper()
    data, materials = _clean(data, materials)
    errors = {}
    code_errors = check_code(code, label=_("实施编码"), limit=36)
    if code_errors:
        errors["implementation_code"] = code_errors
    elif ServiceItem.objects.filter(county=county, implementation_code=code).exists():
        errors["implementation_code"] = [_("本县已有实施编码为 %(code)s 的事项。") % {"code": code}]
    errors.update(check_item(data, materials, county=county))
    if "department" not in errors:
        errors.update(check_department_in_service(data.department))
    if errors:
        raise CatalogError(errors)
    try:
        with transaction.atomic():
            item = ServiceItem.objects.create(county=county, implementation_code=code)
            _write_revision(
                item, data, _resolve_files(materials, None), by=by, source=source, note=""
            )
    except IntegrityError as error:
        # Someone created the same code between the check and the insert.
        if ServiceItem.objects.filter(county=county, implementation_code=code).exists():
            raise CatalogError(
                {
                    "implementation_code": [
                        _("本县已有实施编码为 %(code)s 的事项。") % {"code": code}
                    ]
                }
            ) from error
        raise
    return item


def revise_item(
    item: ServiceItem,
    *,
    data: ItemData,
    materials: Sequence[MaterialData],
    by,
    source: str = ItemRevision.Source.APP,
    note: str = "",
) -> ItemRevision:
    """Record a new state of `item` as its next revision and make it current. The revisions before
    stay as they were (cases point to them). Saying exactly what the current revision says adds
    nothing and returns it."""
    data, materials = _clean(data, materials)
    errors = check_item(data, materials, county=item.county)
    if "department" not in errors:
        kept = item.current.department_id if item.current_id else None
        errors.update(check_department_in_service(data.department, kept_department_id=kept))
    note_errors = _text_errors(note, 200, required=False)
    if note_errors:
        errors["note"] = note_errors
    if errors:
        raise CatalogError(errors)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().select_related("county").get(pk=item.pk)
        current = item.current
        materials = _resolve_files(materials, current)
        if current is not None and _same(current, data, materials):
            return current
        return _write_revision(item, data, materials, by=by, source=source, note=note)


def set_item_active(item: ServiceItem, *, active: bool, by) -> ServiceItem:
    """Take an item out of use (it no longer appears for registering cases) or back into use. Not a
    revision: what the item says is unchanged."""
    with transaction.atomic():
        updated = (
            ServiceItem.objects.filter(pk=item.pk).exclude(active=active).update(active=active)
        )
        if updated:
            item.active = active
            log_change(by, item, CHANGE, _("启用") if active else _("停用"))
    return item


# --- Bulk import ----------------------------------------------------------------------------------

#: Rows per INSERT and ids per IN (…) of the bulk import (within every database's parameter limit).
IMPORT_BATCH = 500


@dataclass(frozen=True)
class ImportedItem:
    """One item of an import (the Excel file): its identity, what it says, whether it is in use."""

    county: Region
    implementation_code: str
    data: ItemData
    materials: Sequence[MaterialData] = ()
    active: bool = True


@dataclass
class ImportReport:
    """What an import did, as indexes into its entries (counted from 0)."""

    created: list[int]
    revised: list[int]
    unchanged: list[int]
    activated: list[int]
    deactivated: list[int]


def _chunks(values: Sequence, size: int | None = None):
    size = size or IMPORT_BATCH
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _unsaved_revision(item, number, data: ItemData, *, by, source: str) -> ItemRevision:
    """The revision `_write_revision` would write, not saved (its domains are the caller's)."""
    values = {f.name: getattr(data, f.name) for f in fields(ItemData)}
    values.pop("domains")
    levels = values.pop("levels")
    modes = values.pop("modes")
    values.update({level_field(level): level in levels for level in Level.values})
    values.update({mode_field(mode): mode in modes for mode in Mode.values})
    values["keywords"] = "、".join(data.keywords)
    values["search_text"] = search_text_of(data.name, values["keywords"])
    return ItemRevision(item=item, number=number, created_by=by, source=source, note="", **values)


def check_imported_items(entries: Sequence[ImportedItem]):
    """The rules of `create_item` / `revise_item` on every entry (the code, unique among the
    entries, and `check_item`): (the cleaned entries, errors keyed `items.<n>.<field>` with n
    counted from 1). Reads nothing from the database."""
    cleaned = []
    errors: dict[str, list[str]] = {}
    seen: dict[tuple[int, str], int] = {}
    for n, entry in enumerate(entries, start=1):
        code = entry.implementation_code.strip().upper()
        data, materials = _clean(entry.data, entry.materials)
        item_errors = {}
        code_errors = check_code(code, label=_("实施编码"), limit=36)
        if code_errors:
            item_errors["implementation_code"] = code_errors
        elif (entry.county.pk, code) in seen:
            item_errors["implementation_code"] = [
                _("与第 %(n)s 项的实施编码重复。") % {"n": seen[entry.county.pk, code]}
            ]
        seen.setdefault((entry.county.pk, code), n)
        item_errors.update(check_item(data, materials, county=entry.county))
        errors.update({f"items.{n}.{key}": messages for key, messages in item_errors.items()})
        cleaned.append((entry, code, data, materials))
    return cleaned, errors


def import_items(
    entries: Sequence[ImportedItem], *, by, source: str = ItemRevision.Source.IMPORT
) -> ImportReport:
    """Create or revise many items at once (the Excel import), all or nothing, in one transaction.

    Each entry is judged by the rules of `create_item` / `revise_item` (`check_imported_items`,
    then, against the items' current revisions, `check_department_in_service`);
    any problem raises CatalogError with keys `items.<n>.<field>` (n counted from 1) and writes
    nothing. An item saying what its current revision says gets no revision; files of materials
    are kept by name as `revise_item` keeps them. `active` is then set as `set_item_active` would
    (logged for existing items). Items not among the entries are left alone. Writes in bulk: a few
    queries per 500 items rather than a dozen per item."""
    from django.contrib.admin.models import LogEntry
    from django.db.models import OuterRef, Subquery

    cleaned, errors = check_imported_items(entries)
    if errors:
        raise CatalogError(errors)

    report = ImportReport([], [], [], [], [])
    with transaction.atomic():
        by_county: dict[int, list[str]] = {}
        for entry, code, _data, _materials in cleaned:
            by_county.setdefault(entry.county.pk, []).append(code)
        existing: dict[tuple[int, str], ServiceItem] = {}
        for county_id, codes in by_county.items():
            for chunk in _chunks(codes):
                for item in ServiceItem.objects.select_for_update().filter(
                    county_id=county_id, implementation_code__in=chunk
                ):
                    existing[county_id, item.implementation_code] = item
        items = list(existing.values())
        currents: dict[int, ItemRevision] = {}
        tops: dict[int, int] = {}
        for chunk in _chunks(items):
            revisions = (
                ItemRevision.objects.filter(pk__in=[i.current_id for i in chunk if i.current_id])
                .select_related("department")
                .prefetch_related("domains", "materials")
            )
            currents.update({r.pk: r for r in revisions})
            tops.update(
                ItemRevision.objects.filter(item__in=chunk)
                .values("item")
                .annotate(top=Max("number"))
                .values_list("item", "top")
            )

        # A deactivated department takes no new item and no item moved to it.
        closed = {}
        for n, (entry, code, data, _materials) in enumerate(cleaned, start=1):
            item = existing.get((entry.county.pk, code))
            current = currents.get(item.current_id) if item is not None else None
            kept = current.department_id if current is not None else None
            for key, messages in check_department_in_service(
                data.department, kept_department_id=kept
            ).items():
                closed[f"items.{n}.{key}"] = messages
        if closed:
            raise CatalogError(closed)

        new_items: list[ServiceItem] = []
        writes: list[tuple[ServiceItem, ItemData, list[MaterialData]]] = []
        for index, (entry, code, data, materials) in enumerate(cleaned):
            item = existing.get((entry.county.pk, code))
            if item is None:
                item = ServiceItem(
                    county=entry.county, implementation_code=code, active=entry.active
                )
                new_items.append(item)
                writes.append((item, data, _resolve_files(materials, None)))
                report.created.append(index)
                continue
            current = currents.get(item.current_id)
            materials = _resolve_files(materials, current)
            if current is not None and _same(current, data, materials):
                report.unchanged.append(index)
            else:
                writes.append((item, data, materials))
                report.revised.append(index)
            if item.active != entry.active:
                item.current = current
                (report.activated if entry.active else report.deactivated).append(index)
        ServiceItem.objects.bulk_create(new_items, batch_size=IMPORT_BATCH)

        revisions = [
            _unsaved_revision(item, tops.get(item.pk, 0) + 1, data, by=by, source=source)
            for item, data, _materials in writes
        ]
        ItemRevision.objects.bulk_create(revisions, batch_size=IMPORT_BATCH)
        Through = ItemRevision.domains.through
        Through.objects.bulk_create(
            [
                Through(itemrevision_id=revision.pk, domain_id=domain.pk)
                for revision, (_item, data, _materials) in zip(revisions, writes, strict=True)
                for domain in data.domains
            ],
            batch_size=IMPORT_BATCH,
        )
        rows = []
        for revision, (_item, _data, materials) in zip(revisions, writes, strict=True):
            rows.extend(_material_rows(revision, materials))
        Material.objects.bulk_create(rows, batch_size=IMPORT_BATCH)

        # Each written item's current revision is its newest: one UPDATE per batch of items.
        newest = ItemRevision.objects.filter(item=OuterRef("pk")).order_by("-number").values("pk")
        for chunk in _chunks([item for item, _data, _materials in writes]):
            ServiceItem.objects.filter(pk__in=[i.pk for i in chunk]).update(
                current=Subquery(newest[:1])
            )
        for revision, (item, _data, _materials) in zip(revisions, writes, strict=True):
            item.current = revision
        for indexes, active in ((report.activated, True), (report.deactivated, False)):
            changed = [existing[cleaned[i][0].county.pk, cleaned[i][1]] for i in indexes]
            for chunk in _chunks(changed):
                ServiceItem.objects.filter(pk__in=[i.pk for i in chunk]).update(active=active)
            for item in changed:
                item.active = active
            if changed and by is not None and getattr(by, "pk", None):
                LogEntry.objects.log_actions(
                    user_id=by.pk,
                    queryset=changed,
                    action_flag=CHANGE,
                    change_message=_("启用") if active else _("停用"),
                    single_object=False,
                )
    return report
