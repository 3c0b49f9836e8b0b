"""Writes on a point's equipment (设施设备), its checks, and its unified signage (统一标识) with its
photo. The person responsible for a piece of equipment serves at the point or above (the gate
decides). The names are importable from `network.actions` as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from bangban.kernel.days import EARLIEST_EVENT
from bangban.kernel.history import log_change

from . import access
from .changes import facts_changed
from .models import Equipment, EquipmentCheck, EquipmentKind, ServicePoint
from .writes import NetworkError

MAX_QUANTITY = 100_000
MAX_PHOTO_BYTES = 5 * 1024 * 1024
#: Image formats a signage photo may have (as Pillow names them), with the file extension kept.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _check_responsible(point: ServicePoint, responsible) -> str | None:
    """The person responsible must hold a membership at the point or above (the gate decides)."""
    if responsible is None:
        return None
    if not getattr(responsible, "is_active", False) or not access.can(responsible, "view", point):
        return _("责任人必须是在本服务点或其上级任职的人员。")
    return None


def _equipment_errors(point: ServicePoint, values: Mapping) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "kind" in values and not isinstance(values["kind"], EquipmentKind):
        errors["kind"] = _("请选择设备类型。")
    if "quantity" in values:
        quantity = values["quantity"]
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors["quantity"] = _("数量必须是大于 0 的整数。")
        elif quantity > MAX_QUANTITY:
            errors["quantity"] = _("数量不能超过 %(n)d。") % {"n": MAX_QUANTITY}
    if "state" in values and values["state"] not in Equipment.State.values:
        errors["state"] = _("未知的设备状态。")
    if "note" in values and len(values["note"] or "") > 200:
        errors["note"] = _("备注不能超过 200 个字。")
    if "responsible" in values:
        message = _check_responsible(point, values["responsible"])
        if message:
            errors["responsible"] = message
    return errors


@transaction.atomic
def add_equipment(
    point: ServicePoint,
    *,
    kind: EquipmentKind,
    quantity: int,
    state: str = Equipment.State.WORKING,
    responsible=None,
    note: str = "",
    added_on: dt.date | None = None,
    by,
) -> Equipment:
    """Record equipment of one kind at a point, with the person responsible for checking it.
    `added_on` (登记日期, today by default) is the day it is on record from — no check is dated
    before it; an import of equipment already in use gives the day of its last check."""
    values = {
        "kind": kind,
        "quantity": quantity,
        "state": state,
        "responsible": responsible,
        "note": note,
    }
    errors = _equipment_errors(point, values)
    today = timezone.localdate()
    added_on = today if added_on is None else added_on
    if not EARLIEST_EVENT <= added_on <= today:
        errors["added_on"] = _("登记日期应在 2000 年 1 月 1 日至今天之间。")
    if errors:
        raise NetworkError(errors)
    equipment = Equipment.objects.create(
        point=point,
        kind=kind,
        quantity=quantity,
        state=state,
        responsible=responsible,
        note=(note or "").strip(),
        added_on=added_on,
    )
    facts_changed([point.county_id])
    log_change(by, equipment, ADDITION, f"新增设施设备：{equipment}（{point.name}）")
    return equipment


EQUIPMENT_FIELDS = ("kind", "quantity", "state", "responsible", "note")


@transaction.atomic
def update_equipment(equipment: Equipment, *, by, **changes) -> Equipment:
    """Change the kind, quantity, state, person responsible or note of a piece of equipment."""
    equipment = Equipment.objects.select_for_update().select_related("point").get(pk=equipment.pk)
    unknown = set(changes) - set(EQUIPMENT_FIELDS)
    if unknown:
        raise NetworkError({field: _("该字段不能修改。") for field in sorted(unknown)})
    if "note" in changes:
        changes["note"] = (changes["note"] or "").strip()
    # The person responsible is checked only when it changes: someone who left keeps the record.
    if "responsible" in changes and _pk(changes["responsible"]) == equipment.responsible_id:
        del changes["responsible"]
    errors = _equipment_errors(equipment.point, changes)
    if errors:
        raise NetworkError(errors)
    changed = []
    for field, value in changes.items():
        current = getattr(equipment, field)
        if current != value:
            changed.append(field)
            setattr(equipment, field, value)
    if changed:
        equipment.save()
        facts_changed([equipment.point.county_id])
        labels = "、".join(str(Equipment._meta.get_field(f).verbose_name) for f in changed)
        log_change(by, equipment, CHANGE, f"修改设施设备：{labels}")
    return equipment


def _pk(obj):
    return getattr(obj, "pk", None)


@transaction.atomic
def record_equipment_check(
    equipment: Equipment,
    *,
    checked_on: dt.date,
    result: str,
    fault: str = "",
    by,
) -> EquipmentCheck:
    """Record a periodic check. A faulty result (which must say what is wrong) marks the equipment
    faulty; an ok result after a fault marks it working again — unless a later check is already
    recorded, which then still decides the state."""
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    fault = (fault or "").strip()
    errors: dict[str, str] = {}
    if result not in EquipmentCheck.Result.values:
        errors["result"] = _("未知的检查结果。")
    elif result == EquipmentCheck.Result.FAULTY and not fault:
        errors["fault"] = _("检查结果为故障时，请填写故障情况。")
    if len(fault) > 500:
        errors["fault"] = _("故障情况不能超过 500 个字。")
    if not isinstance(checked_on, dt.date) or isinstance(checked_on, dt.datetime):
        errors["checked_on"] = _("请填写检查日期。")
    elif checked_on > timezone.localdate():
        errors["checked_on"] = _("检查日期不能晚于今天。")
    elif checked_on < max(equipment.added_on, EARLIEST_EVENT):
        errors["checked_on"] = _("检查日期不能早于设备登记日期（%(day)s）。") % {
            "day": f"{max(equipment.added_on, EARLIEST_EVENT):%Y-%m-%d}"
        }
    if equipment.state == Equipment.State.RETIRED:
        errors["equipment"] = _("已报废的设备不再检查。")
    if by is None or not getattr(by, "pk", None):
        errors["checked_by"] = _("请指明检查人。")
    if errors:
        raise NetworkError(errors)
    check = EquipmentCheck.objects.create(
        equipment=equipment,
        checked_on=checked_on,
        checked_by=by,
        result=result,
        fault=fault if result == EquipmentCheck.Result.FAULTY else "",
    )
    facts_changed([equipment.point.county_id])
    latest = not equipment.checks.filter(checked_on__gt=checked_on).exists()
    if latest:
        new_state = (
            Equipment.State.FAULTY
            if result == EquipmentCheck.Result.FAULTY
            else Equipment.State.WORKING
        )
        if equipment.state != new_state:
            equipment.state = new_state
            equipment.save(update_fields=["state", "updated_at"])
    log_change(
        by, equipment, CHANGE, f"设备检查：{check.checked_on:%Y-%m-%d} {check.get_result_display()}"
    )
    return check


def check_signage_photo(photo) -> str:
    """Refuse what is not a JPEG, PNG or WebP image of at most 5 MB; return the file extension."""
    size = getattr(photo, "size", None)
    if size is None or size <= 0:
        raise NetworkError({"photo": _("照片文件是空的。")})
    if size > MAX_PHOTO_BYTES:
        raise NetworkError({"photo": _("照片不能超过 5 MB。")})
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            image_format = image.format
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise NetworkError(
            {"photo": _("上传的文件不是有效的图片，请上传 JPG、PNG 或 WebP 格式的照片。")}
        ) from None
    finally:
        photo.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise NetworkError({"photo": _("请上传 JPG、PNG 或 WebP 格式的照片。")})
    return PHOTO_FORMATS[image_format]


@transaction.atomic
def set_signage(point: ServicePoint, *, in_place: bool, photo=None, by) -> ServicePoint:
    """Say whether the unified signage (统一标识) is up, and optionally replace its photo (an image
    of at most 5 MB). The replaced photo's file is removed once the change is committed."""
    extension = check_signage_photo(photo) if photo is not None else None
    point = ServicePoint.objects.select_for_update().get(pk=point.pk)
    changed = []
    if point.signage_in_place != bool(in_place):
        point.signage_in_place = bool(in_place)
        changed.append("统一标识已设置")
    old_name = point.signage_photo.name if point.signage_photo else ""
    if photo is not None:
        point.signage_photo.save(f"point-{point.pk}.{extension}", photo, save=False)
        changed.append("统一标识照片")
    if changed:
        point.save()
        facts_changed([point.county_id])
        log_change(by, point, CHANGE, f"修改：{'、'.join(changed)}")
    if photo is not None and old_name and old_name != point.signage_photo.name:
        storage = point.signage_photo.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return point
