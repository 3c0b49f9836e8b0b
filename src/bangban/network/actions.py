"""Writes with business meaning on the network. One transaction each; rules across rows live here.

Scope is the caller's business (the gate in `access.py`, asked by every view and endpoint); these
functions hold the network's own rules: where each kind of point may sit, no cycles, hours that make
sense. Each write is recorded in the admin history (`log_change`, with `NetworkError` in
`network.writes`; `log_change` is the kernel's). The writes on departments and partner organisations (`network.units`), accounts
and memberships (`network.accounts`), and equipment and signage (`network.equipment`) live in
modules of their own; their names are importable from here as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from bangban.kernel.history import log_change

from .accounts import REGION_ROLE_LEVELS, check_binding, create_account, grant_membership
from .changes import announce
from .equipment import (
    EQUIPMENT_FIELDS,
    MAX_PHOTO_BYTES,
    MAX_QUANTITY,
    PHOTO_FORMATS,
    add_equipment,
    check_signage_photo,
    record_equipment_check,
    set_signage,
    update_equipment,
)
from .grams import index_points, index_users
from .models import (
    CODE_LENGTHS,
    Department,
    Domain,
    OpeningHours,
    PartnerOrganisation,
    Region,
    ServicePoint,
)
from .units import (
    FIELD_LABEL,
    UNIT_LABEL,
    UNIT_NAME_LENGTH,
    _closed_binding_errors,
    _name_taken,  # noqa: F401 - the tests reach it here (and patch it in `units`)
    create_department,
    create_partner_organisation,
    update_department,
    update_partner_organisation,
)
from .writes import NetworkError

Kind = ServicePoint.Kind

__all__ = [
    "CHILD_LEVEL",
    "EQUIPMENT_FIELDS",
    "FIELD_LABEL",
    "MAX_PHOTO_BYTES",
    "MAX_QUANTITY",
    "PARENT_KIND",
    "PHOTO_FORMATS",
    "POINT_FIELDS",
    "REGION_ROLE_LEVELS",
    "STANDARD_WEEK",
    "UNIT_LABEL",
    "UNIT_NAME_LENGTH",
    "NetworkError",
    "Period",
    "Placement",
    "add_equipment",
    "check_binding",
    "check_signage_photo",
    "create_account",
    "create_department",
    "create_partner_organisation",
    "create_point",
    "create_region",
    "grant_membership",
    "index_points",
    "index_users",
    "log_change",
    "record_equipment_check",
    "set_opening_hours",
    "set_signage",
    "update_department",
    "update_equipment",
    "update_partner_organisation",
    "update_point",
    "update_region",
]


# --- Where a point may sit ------------------------------------------------------------------------

#: The kind of parent each kind of point sits under.
PARENT_KIND = {
    Kind.COUNTY_CENTRE: None,
    Kind.DEDICATED_ZONE: Kind.COUNTY_CENTRE,
    Kind.DOMAIN_SUBZONE: Kind.COUNTY_CENTRE,
    Kind.DEPARTMENT_WINDOW: Kind.COUNTY_CENTRE,
    Kind.TOWN_CENTRE: Kind.COUNTY_CENTRE,
    Kind.VILLAGE_STATION: Kind.TOWN_CENTRE,
    Kind.PARTNER_STATION: Kind.TOWN_CENTRE,
}


@dataclass
class Placement:
    kind: str
    parent: ServicePoint | None
    region: Region | None = None
    domain: Domain | None = None
    department: Department | None = None
    organisation: PartnerOrganisation | None = None


def _check_placement(p: Placement) -> Region:
    """Check where a point of `p.kind` may sit; return its region (defaulted where it follows)."""
    errors: dict[str, str] = {}
    expected_parent = PARENT_KIND[Kind(p.kind)]
    parent = p.parent
    if expected_parent is None:
        if parent is not None:
            errors["parent"] = _("县政务服务中心是体系的顶层，不能有上级服务点。")
        if p.region is None or p.region.level != Region.Level.COUNTY:
            errors["region"] = _("县政务服务中心必须对应一个县级区划。")
    elif parent is None or parent.kind != expected_parent:
        errors["parent"] = _("%(kind)s的上级必须是%(parent)s。") % {
            "kind": Kind(p.kind).label,
            "parent": Kind(expected_parent).label,
        }
    if errors:
        raise NetworkError(errors)

    region = p.region
    if p.kind in (Kind.DEDICATED_ZONE, Kind.DOMAIN_SUBZONE, Kind.DEPARTMENT_WINDOW):
        if region is not None and region.pk != parent.county_id:
            errors["region"] = _("县政务服务中心内的服务点所在区划必须是本县。")
        region = parent.county
    elif p.kind == Kind.TOWN_CENTRE:
        if region is None or region.level != Region.Level.TOWN:
            errors["region"] = _("镇（街道）便民服务中心必须对应一个镇（街道）区划。")
        elif region.parent_id != parent.county_id:
            errors["region"] = _("该镇（街道）不属于上级服务中心所在的县。")
    elif p.kind == Kind.VILLAGE_STATION:
        if region is None or region.level != Region.Level.VILLAGE:
            errors["region"] = _("村（社区）便民服务站必须对应一个村（社区）区划。")
        elif region.parent_id != parent.region_id:
            errors["region"] = _("村（社区）便民服务站必须设在本镇（街道）便民服务中心之下。")
        elif region.is_virtual:
            errors["region"] = _("虚拟社区不设便民服务站。")
    elif p.kind == Kind.PARTNER_STATION:
        if region is None:
            region = parent.region
        elif not (
            region.pk == parent.region_id
            or (region.level == Region.Level.VILLAGE and region.parent_id == parent.region_id)
        ):
            errors["region"] = _("合作网点必须位于上级镇（街道）或其所辖村（社区）。")

    if p.kind == Kind.DOMAIN_SUBZONE and p.domain is None:
        errors["domain"] = _("帮办代办分区必须选择领域。")
    if p.kind != Kind.DOMAIN_SUBZONE and p.domain is not None:
        errors["domain"] = _("只有帮办代办分区有领域。")
    if p.kind == Kind.DEPARTMENT_WINDOW and p.department is None:
        errors["department"] = _("部门窗口必须选择部门。")
    if p.department is not None:
        if p.kind not in (Kind.DEPARTMENT_WINDOW, Kind.DOMAIN_SUBZONE):
            errors["department"] = _("只有部门窗口和帮办代办分区属于部门。")
        elif parent is not None and p.department.county_id != parent.county_id:
            errors["department"] = _("该部门不属于本县。")
    if p.kind == Kind.PARTNER_STATION and p.organisation is None:
        errors["organisation"] = _("合作网点必须选择合作单位。")
    if p.organisation is not None:
        if p.kind != Kind.PARTNER_STATION:
            errors["organisation"] = _("只有合作网点属于合作单位。")
        elif parent is not None and p.organisation.county_id != parent.county_id:
            errors["organisation"] = _("该合作单位不属于本县。")
    if errors:
        raise NetworkError(errors)
    return region


def _check_unique(kind: str, *, county: Region, region: Region, domain, exclude=None) -> None:
    others = ServicePoint.objects.exclude(pk=exclude.pk) if exclude else ServicePoint.objects.all()
    if kind == Kind.COUNTY_CENTRE and others.filter(kind=kind, county=county).exists():
        raise NetworkError({"region": _("该县已有县政务服务中心。")})
    if kind == Kind.DEDICATED_ZONE and others.filter(kind=kind, county=county).exists():
        raise NetworkError({"kind": _("该县已有帮办代办专区。")})
    if (
        kind == Kind.DOMAIN_SUBZONE
        and others.filter(kind=kind, county=county, domain=domain).exists()
    ):
        raise NetworkError({"domain": _("该县已有这个领域的帮办代办分区。")})
    if kind == Kind.TOWN_CENTRE and others.filter(kind=kind, region=region).exists():
        raise NetworkError({"region": _("该镇（街道）已有便民服务中心。")})
    if kind == Kind.VILLAGE_STATION and others.filter(kind=kind, region=region).exists():
        raise NetworkError({"region": _("该村（社区）已有便民服务站。")})


POINT_FIELDS = ("name", "address", "phone", "signage_in_place", "active")


@transaction.atomic
def create_point(
    parent: ServicePoint | None,
    *,
    kind: str,
    name: str,
    by,
    region: Region | None = None,
    domain: Domain | None = None,
    department: Department | None = None,
    organisation: PartnerOrganisation | None = None,
    address: str = "",
    phone: str = "",
    signage_in_place: bool = False,
) -> ServicePoint:
    """Add a point to the network under `parent` (None only for a county centre)."""
    if kind not in Kind.values:
        raise NetworkError({"kind": _("未知的服务点类型。")})
    if not name or not name.strip():
        raise NetworkError({"name": _("请填写名称。")})
    if parent is not None:
        parent = ServicePoint.objects.select_for_update().get(pk=parent.pk)
    region = _check_placement(Placement(kind, parent, region, domain, department, organisation))
    closed = _closed_binding_errors(department=department, organisation=organisation)
    if closed:
        raise NetworkError(closed)
    county = region if kind == Kind.COUNTY_CENTRE else parent.county
    _check_unique(kind, county=county, region=region, domain=domain)
    point = ServicePoint.objects.create(
        kind=kind,
        name=name.strip(),
        parent=parent,
        ancestry=parent.subtree_prefix if parent else "/",
        county=county,
        region=region,
        domain=domain,
        department=department,
        organisation=organisation,
        address=address.strip(),
        phone=phone.strip(),
        signage_in_place=signage_in_place,
    )
    index_points([point.pk])
    log_change(by, point, ADDITION, f"新增服务点：{point.name}")
    announce(county, by=by, points=[point.pk])
    return point


@transaction.atomic
def update_point(point: ServicePoint, *, by, **changes) -> ServicePoint:
    """Change a point's own fields, its domain, department or organisation, or move it to another
    parent (with everything under it). The placement rules and "no cycles" hold afterwards."""
    point = ServicePoint.objects.select_for_update().get(pk=point.pk)
    allowed = {*POINT_FIELDS, "parent", "region", "domain", "department", "organisation"}
    unknown = set(changes) - allowed
    if unknown:
        raise NetworkError({field: _("该字段不能修改。") for field in sorted(unknown)})
    if "name" in changes and not (changes["name"] or "").strip():
        raise NetworkError({"name": _("请填写名称。")})

    new_parent = changes.get("parent", point.parent)
    if "parent" in changes and new_parent is not None:
        new_parent = ServicePoint.objects.select_for_update().get(pk=new_parent.pk)
        if new_parent.pk == point.pk or new_parent.ancestry.startswith(point.subtree_prefix):
            raise NetworkError({"parent": _("不能把服务点移到它自己或它的下级之下。")})
    # A partner station moved to another town takes that town as its region unless told otherwise.
    moved_partner = "parent" in changes and point.kind == Kind.PARTNER_STATION
    placement = Placement(
        point.kind,
        new_parent,
        changes.get("region", None if moved_partner else point.region),
        changes.get("domain", point.domain),
        changes.get("department", point.department),
        changes.get("organisation", point.organisation),
    )
    region = _check_placement(placement)
    closed = _closed_binding_errors(
        department=placement.department, organisation=placement.organisation, current=point
    )
    if closed:
        raise NetworkError(closed)
    county = region if point.kind == Kind.COUNTY_CENTRE else new_parent.county
    if county.pk != point.county_id:
        raise NetworkError({"parent": _("服务点不能移到其他县。")})
    _check_unique(point.kind, county=county, region=region, domain=placement.domain, exclude=point)

    old_prefix = point.subtree_prefix
    changed = []
    for field, value in changes.items():
        if field in POINT_FIELDS and isinstance(value, str):
            value = value.strip()
        if getattr(point, field) != value:
            changed.append(field)
        setattr(point, field, value)
    point.region = region
    if "parent" in changed:
        point.ancestry = new_parent.subtree_prefix
    point.save()
    if "name" in changed:
        index_points([point.pk])
    if "parent" in changed:
        new_prefix = point.subtree_prefix
        ServicePoint.objects.filter(
            ancestry__gte=old_prefix, ancestry__lt=old_prefix[:-1] + "0"
        ).update(ancestry=Concat(Value(new_prefix), Substr(F("ancestry"), len(old_prefix) + 1)))
    if changed:
        labels = "、".join(str(ServicePoint._meta.get_field(f).verbose_name) for f in changed)
        log_change(by, point, CHANGE, f"修改：{labels}")
        moved = (
            ServicePoint.objects.filter(
                ancestry__gte=point.subtree_prefix, ancestry__lt=point.subtree_prefix[:-1] + "0"
            ).values_list("pk", flat=True)
            if "parent" in changed
            else []
        )
        announce(county, by=by, points=[point.pk, *moved])
    return point


@dataclass(frozen=True)
class Period:
    weekday: int
    opens_at: dt.time
    closes_at: dt.time
    kind: str = OpeningHours.Kind.REGULAR


@transaction.atomic
def set_opening_hours(point: ServicePoint, periods: Iterable[Period], *, by) -> list[OpeningHours]:
    """Replace a point's weekly hours. Periods must end after they start and not overlap."""
    point = ServicePoint.objects.select_for_update().get(pk=point.pk)
    periods = sorted(periods, key=lambda p: (p.weekday, p.opens_at))
    errors: list[str] = []
    for i, period in enumerate(periods):
        day = OpeningHours.Weekday(period.weekday).label if 1 <= period.weekday <= 7 else None
        if day is None:
            errors.append(_("星期必须是 1（星期一）到 7（星期日）。"))
            continue
        if period.kind not in OpeningHours.Kind.values:
            errors.append(_("%(day)s：未知的服务时间类型。") % {"day": day})
        if period.closes_at <= period.opens_at:
            errors.append(
                _("%(day)s %(start)s–%(end)s：结束时间必须晚于开始时间。")
                % {
                    "day": day,
                    "start": f"{period.opens_at:%H:%M}",
                    "end": f"{period.closes_at:%H:%M}",
                }
            )
        if i and periods[i - 1].weekday == period.weekday:
            before = periods[i - 1]
            if period.opens_at < before.closes_at:
                errors.append(
                    _("%(day)s：%(a)s 与 %(b)s 时段重叠。")
                    % {
                        "day": day,
                        "a": f"{before.opens_at:%H:%M}–{before.closes_at:%H:%M}",
                        "b": f"{period.opens_at:%H:%M}–{period.closes_at:%H:%M}",
                    }
                )
    if errors:
        raise NetworkError({"hours": errors})
    point.hours.all().delete()
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(
            point=point,
            weekday=p.weekday,
            opens_at=p.opens_at,
            closes_at=p.closes_at,
            kind=p.kind,
        )
        for p in periods
    )
    log_change(by, point, CHANGE, "修改服务时间")
    return rows


STANDARD_WEEK = [
    *(Period(day, dt.time(9), dt.time(12)) for day in range(1, 6)),
    *(Period(day, dt.time(13, 30), dt.time(17, 30)) for day in range(1, 6)),
]


# --- Regions --------------------------------------------------------------------------------------

CHILD_LEVEL = {
    Region.Level.PROVINCE: Region.Level.CITY,
    Region.Level.CITY: Region.Level.COUNTY,
    Region.Level.COUNTY: Region.Level.TOWN,
    Region.Level.TOWN: Region.Level.VILLAGE,
}


@transaction.atomic
def create_region(parent: Region | None, *, code: str, name: str, by) -> Region:
    """Add a division the statistics have not caught up with yet (a new village, say)."""
    if parent is None:
        level = Region.Level.PROVINCE
    elif parent.level in CHILD_LEVEL:
        level = CHILD_LEVEL[parent.level]
    else:
        raise NetworkError({"parent": _("村（社区）之下不能再设区划。")})
    length = CODE_LENGTHS[level]
    errors = {}
    if not (code.isascii() and code.isdigit() and len(code) == length):
        errors["code"] = _("%(level)s区划代码必须是 %(n)d 位数字。") % {
            "level": Region.Level(level).label,
            "n": length,
        }
    elif parent is not None and not code.startswith(parent.code):
        errors["code"] = _("区划代码必须以上级区划代码 %(code)s 开头。") % {"code": parent.code}
    elif Region.objects.filter(code=code).exists():
        errors["code"] = _("区划代码 %(code)s 已存在。") % {"code": code}
    if not name.strip():
        errors["name"] = _("请填写名称。")
    if errors:
        raise NetworkError(errors)
    region = Region.objects.create(code=code, name=name.strip(), level=level, parent=parent)
    log_change(by, region, ADDITION, f"新增区划：{region}")
    return region


@transaction.atomic
def update_region(region: Region, *, by, name: str | None = None, active: bool | None = None):
    region = Region.objects.select_for_update().get(pk=region.pk)
    changed = []
    if name is not None:
        if not name.strip():
            raise NetworkError({"name": _("请填写名称。")})
        if name.strip() != region.name:
            region.name = name.strip()
            changed.append("名称")
    if active is not None and active != region.active:
        region.active = active
        changed.append("有效")
    if changed:
        region.save()
        log_change(by, region, CHANGE, f"修改：{'、'.join(changed)}")
    return region
