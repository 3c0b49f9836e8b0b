"""The county's inspection checklists (督查评分表), kept by the bureau: saved whole (`save_checklist`:
its sections and items, replacing the old ones that no inspection used; an item an inspection used
is kept, deactivated, so that past findings keep pointing at it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from bangban.network.models import Region

from ..models import Checklist, ChecklistItem, ChecklistSection, Finding, Method, PointLevel
from .core import _raise, _text

__all__ = ["ItemData", "SectionData", "save_checklist"]


@dataclass
class ItemData:
    text: str
    points: Decimal | str | int
    deduction: Decimal | str | int
    cap: Decimal | str | int
    method: str
    photo_required: bool = False
    applies_to: list[str] = field(default_factory=lambda: list(PointLevel.values))


@dataclass
class SectionData:
    title: str
    items: list[ItemData]


def _decimal(errors: dict, where: str, value) -> Decimal | None:
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
    for i, section in enumerate(sections):
        _text(errors, f"sections.{i}.title", section.title, 60, _("请填写部分名称。"))
        if not section.items:
            errors[f"sections.{i}.items"] = _("每个部分至少要有一个检查项目。")
        for j, item in enumerate(section.items):
            where = f"sections.{i}.items.{j}"
            _text(errors, f"{where}.text", item.text, 200, _("请填写检查内容。"))
            points = _decimal(errors, f"{where}.points", item.points)
            _decimal(errors, f"{where}.deduction", item.deduction)
            cap = _decimal(errors, f"{where}.cap", item.cap)
            if points is not None and cap is not None and cap > points:
                errors[f"{where}.cap"] = _("最多扣分不能超过该项分值。")
            if item.method not in Method.values:
                errors[f"{where}.method"] = _("请选择检查方式。")
            levels = item.applies_to or []
            if not levels or any(level not in PointLevel.values for level in levels):
                errors[f"{where}.applies_to"] = _("请选择适用的服务点层级。")
    return errors


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
    Raises SupervisionError naming each bad field (`sections.0.items.2.cap`), nothing written."""
    errors = _check_items(sections)
    name = _text(errors, "name", name, 60, _("请填写评分表名称。"))
    clash = Checklist.objects.filter(county=county, name=name)
    if checklist is not None:
        clash = clash.exclude(pk=checklist.pk)
    if name and clash.exists():
        errors["name"] = _("本县已有同名的评分表。")
    _raise(errors)
    with transaction.atomic():
        if checklist is None:
            checklist = Checklist.objects.create(county=county, name=name, active=active)
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
                    applies_to=list(item.applies_to),
                    order=j,
                )
                for j, item in enumerate(section.items)
            )
    return checklist
