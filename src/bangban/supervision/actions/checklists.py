"""The county's inspection checklists (督查评分表), kept by the bureau: saved whole (`save_checklist`:
its sections and items, replacing the old ones that no inspection used; an item an inspection used
is kept, deactivated, so that past findings keep pointing at it), switched on and off
(`set_checklist_active`), and the default every county starts with (`give_default_checklist`, from
`data/default_checklist.csv`). Every write goes to the admin history. Who may is the pages' and
API's question (`scope.checklist_counties(user, "change")`); these write."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils.translation import gettext as _

from bangban.kernel.history import log_change
from bangban.network.models import Region

from ..checklists import DEFAULT_NAME, ItemData, SectionData, read_default_checklist
from ..errors import SupervisionError
from ..models import Checklist, ChecklistItem, ChecklistSection, Finding, Method, PointLevel
from .core import _text

__all__ = [
    "ChecklistError",
    "ItemData",
    "SectionData",
    "give_default_checklist",
    "save_checklist",
    "set_checklist_active",
]

MAX_SECTIONS = 20
MAX_ITEMS = 100


class ChecklistError(SupervisionError):
    """A checklist refused; its keys name the field by its path, indexes from 0
    (`sections.0.items.2.cap`), which the API answers at the same place in the body."""

    def locate(self, field: str) -> tuple[list, str]:
        parts = field.split(".")
        if len(parts) > 1:
            return ["body", *(int(p) if p.isdigit() else p for p in parts)], "rule"
        return super().locate(field)


def _decimal(errors: dict, where: str, value) -> Decimal | None:
    if isinstance(value, bool):
        value = None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[where] = _("请填写数字。")
        return None
    if not number.is_finite() or number <= 0 or number > 1000 or number != round(number, 1):
        errors[where] = _("须为大于 0、不超过 1000 的数，最多一位小数。")
        return None
    return number


def _check_items(sections: list[SectionData]) -> dict:
    errors: dict = {}
    if not sections:
        errors["sections"] = _("评分表至少要有一个部分。")
    elif len(sections) > MAX_SECTIONS:
        errors["sections"] = _("评分表最多 %(n)d 个部分。") % {"n": MAX_SECTIONS}
    elif sum(len(section.items) for section in sections) > MAX_ITEMS:
        errors["sections"] = _("评分表最多 %(n)d 个检查项目。") % {"n": MAX_ITEMS}
    for i, section in enumerate(sections):
        _text(errors, f"sections.{i}.title", section.title, 60, _("请填写部分名称。"))
        if not section.items:
            errors[f"sections.{i}.items"] = _("每个部分至少要有一个检查项目。")
        for j, item in enumerate(section.items):
            where = f"sections.{i}.items.{j}"
            _text(errors, f"{where}.text", item.text, 200, _("请填写检查内容。"))
            points = _decimal(errors, f"{where}.points", item.points)
            deduction = _decimal(errors, f"{where}.deduction", item.deduction)
            cap = _decimal(errors, f"{where}.cap", item.cap)
            if points is not None and cap is not None and cap > points:
                errors[f"{where}.cap"] = _("最多扣分不能超过该项分值。")
            elif deduction is not None and cap is not None and deduction > cap:
                errors[f"{where}.deduction"] = _("每处扣分不能超过最多扣分。")
            if item.method not in Method.values:
                errors[f"{where}.method"] = _("请选择检查方式。")
            levels = item.applies_to if isinstance(item.applies_to, list | tuple) else None
            if not levels or any(level not in PointLevel.values for level in levels):
                errors[f"{where}.applies_to"] = _("请选择适用的服务点层级。")
    return errors


def _lock(county: Region) -> None:
    """Serialise the checklists of one county (PostgreSQL; SQLite serialises every write)."""
    list(Region.objects.select_for_update().filter(pk=county.pk).values_list("pk", flat=True))


def _write_sections(checklist: Checklist, sections: list[SectionData]) -> None:
    for i, section in enumerate(sections):
        row = ChecklistSection.objects.create(
            checklist=checklist, title=section.title.strip(), order=i
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                section=row,
                text=item.text.strip(),
                points=Decimal(str(item.points)),
                deduction=Decimal(str(item.deduction)),
                cap=Decimal(str(item.cap)),
                method=item.method,
                photo_required=bool(item.photo_required),
                # In PointLevel's order, each once.
                applies_to=[v for v in PointLevel.values if v in item.applies_to],
                order=j,
            )
            for j, item in enumerate(section.items)
        )


def _summary(sections: list[SectionData]) -> str:
    items = [item for section in sections for item in section.items]
    total = sum((Decimal(str(item.points)) for item in items), Decimal(0))
    return f"{len(sections)} 个部分，{len(items)} 个检查项目，共 {total} 分"


def save_checklist(
    county: Region,
    *,
    name: str,
    sections: list[SectionData],
    by,
    checklist: Checklist | None = None,
    active: bool = True,
) -> Checklist:
    """Create or replace the checklist `name` of `county` with `sections`, in one transaction.
    Raises ChecklistError naming each bad field (`sections.0.items.2.cap`), nothing written."""
    errors = _check_items(sections)
    if county.level != Region.Level.COUNTY:
        errors["county"] = _("督查评分表按县（区）设置。")
    elif checklist is not None and checklist.county_id != county.pk:
        errors["county"] = _("评分表不属于该县。")
    name = _text(errors, "name", name, 60, _("请填写评分表名称。"))
    if not isinstance(active, bool):
        errors["active"] = _("请选择是否启用。")
    if errors:
        raise ChecklistError(errors)
    with transaction.atomic():
        _lock(county)
        clash = Checklist.objects.filter(county=county, name=name)
        if checklist is not None:
            clash = clash.exclude(pk=checklist.pk)
        if clash.exists():
            raise ChecklistError({"name": _("本县已有同名的评分表。")})
        if checklist is None:
            checklist = Checklist.objects.create(county=county, name=name, active=active)
            flag = ADDITION
        else:
            checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
            checklist.name, checklist.active = name, active
            checklist.save(update_fields=["name", "active", "updated_at"])
            used = set(
                Finding.objects.filter(item__section__checklist=checklist).values_list(
                    "item_id", flat=True
                )
            )
            ChecklistItem.objects.filter(section__checklist=checklist, pk__in=used).update(
                active=False
            )
            ChecklistItem.objects.filter(section__checklist=checklist).exclude(pk__in=used).delete()
            ChecklistSection.objects.filter(checklist=checklist, items__isnull=True).delete()
            # Sections still holding used (inactive) items stay, renumbered after the new ones.
            ChecklistSection.objects.filter(checklist=checklist).update(order=1000)
            flag = CHANGE
        _write_sections(checklist, sections)
        state = "启用" if active else "停用"
        log_change(by, checklist, flag, f"督查评分表“{name}”：{_summary(sections)}，{state}")
    return checklist


def set_checklist_active(checklist: Checklist, *, active: bool, by) -> Checklist:
    """Switch a checklist on (inspections may use it) or off (no new inspection uses it; past ones
    keep it). Nothing written when it is so already."""
    if not isinstance(active, bool):
        raise ChecklistError({"active": _("请选择是否启用。")})
    with transaction.atomic():
        checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
        if checklist.active != active:
            checklist.active = active
            checklist.save(update_fields=["active", "updated_at"])
            state = "启用" if active else "停用"
            log_change(by, checklist, CHANGE, f"督查评分表“{checklist.name}”{state}")
    return checklist


def give_default_checklist(county: Region, *, by=None) -> Checklist | None:
    """The county's first checklist, "帮办代办服务点督查评分表" from `data/default_checklist.csv`,
    unless it has a checklist already (a new county, the demo). None when it had one."""
    if county.level != Region.Level.COUNTY:
        return None
    with transaction.atomic():
        _lock(county)
        if Checklist.objects.filter(county=county).exists():
            return None
        return save_checklist(county, name=DEFAULT_NAME, sections=read_default_checklist(), by=by)
