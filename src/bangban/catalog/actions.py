"""Writes on the service-item catalog. One transaction each; every edit adds an immutable revision.

Scope is the caller's business (`scope.catalog_counties(user, "change")`, asked by every view,
endpoint and import); these functions enforce the catalog's own rules (`check_item`, in
`catalog.rules` and importable from here), which the pages, the API and the Excel import all share,
so an item is judged the same way whichever door it came in by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

from django.contrib.admin.models import CHANGE
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bangban.kernel.errors import RuleError
from bangban.kernel.history import log_change, log_changes
from bangban.network.models import Region

from .models import (
    ItemGram,
    ItemRevision,
    Level,
    Material,
    Mode,
    ServiceItem,
    item_grams,
    level_field,
    mode_field,
    search_text_of,
    split_keywords,
)
from .rules import (
    KEYWORD_LIMIT,
    KEYWORDS_LIMIT,
    MATERIAL_TEXT_LIMITS,
    MAX_KEYWORDS,
    MAX_LIMIT,
    TEXT_FIELDS,
    TEXT_LIMITS,
    ItemData,
    MaterialData,
    _text_errors,
    check_code,
    check_department_in_service,
    check_item,
    check_keywords,
    check_material,
)

__all__ = [
    "IMPORT_BATCH",
    "KEYWORDS_LIMIT",
    "KEYWORD_LIMIT",
    "MATERIAL_TEXT_LIMITS",
    "MAX_KEYWORDS",
    "MAX_LIMIT",
    "TEXT_FIELDS",
    "TEXT_LIMITS",
    "CatalogError",
    "ImportReport",
    "ImportedItem",
    "ItemData",
    "MaterialData",
    "check_code",
    "check_department_in_service",
    "check_imported_items",
    "check_item",
    "check_keywords",
    "check_material",
    "create_item",
    "import_items",
    "index_items",
    "revise_item",
    "set_item_active",
]


class CatalogError(RuleError):
    """A rule of the catalog was broken. `errors` maps a field name to Chinese messages; a material's
    field is named `materials.<n>.<field>` with n counted from 1."""


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
    index_items([item.pk])
    return revision


def index_items(item_ids) -> None:
    """Rewrite the grams (`ItemGram`) of the given items from their current revision, department
    and domains as the database holds them now: called in the transaction of every write that
    changes one of them (a revision, the import, a department renamed). A few queries per 500
    items."""
    Through = ItemRevision.domains.through
    for chunk in _chunks(list(item_ids)):
        ItemGram.objects.filter(item_id__in=chunk).delete()
        found = list(
            ServiceItem.objects.filter(pk__in=chunk, current__isnull=False).values_list(
                "pk", "county_id", "current_id", "current__search_text", "current__department__name"
            )
        )
        domains: dict[int, list[str]] = {}
        for revision_id, name in Through.objects.filter(
            itemrevision_id__in=[row[2] for row in found]
        ).values_list("itemrevision_id", "domain__name"):
            domains.setdefault(revision_id, []).append(name)
        ItemGram.objects.bulk_create(
            [
                ItemGram(item_id=pk, county_id=county_id, gram=gram)
                for pk, county_id, revision_id, search_text, department in found
                for gram in item_grams(search_text, department, domains.get(revision_id, ()))
            ],
            batch_size=IMPORT_BATCH * 10,
        )


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
        index_items([item.pk for item, _data, _materials in writes])
        for indexes, active in ((report.activated, True), (report.deactivated, False)):
            changed = [existing[cleaned[i][0].county.pk, cleaned[i][1]] for i in indexes]
            for chunk in _chunks(changed):
                ServiceItem.objects.filter(pk__in=[i.pk for i in chunk]).update(active=active)
            for item in changed:
                item.active = active
            log_changes(by, changed, CHANGE, _("启用") if active else _("停用"))
    return report
