"""Writes with business meaning on the network. One transaction each; rules across rows live here.

Scope is the caller's business (the gate in `access.py`, asked by every view and endpoint); these
functions hold the network's own rules: where each kind of point may sit, no cycles, hours that make
sense, memberships bound to the right kind of thing. Each write is recorded in the admin history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from bangban.kernel.days import EARLIEST_EVENT
from bangban.kernel.errors import RuleError
from bangban.kernel.history import log_change

from . import access
from .changes import announce
from .models import (
    BINDING,
    CODE_LENGTHS,
    Department,
    Domain,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    Membership,
    OpeningHours,
    PartnerOrganisation,
    Region,
    Role,
    ServicePoint,
)

Kind = ServicePoint.Kind


class NetworkError(RuleError):
    """A rule of the network was broken. `errors` maps a field name to Chinese messages."""


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


# --- Departments and partner organisations --------------------------------------------------------
#
# A county's departments (进驻部门) and partner organisations (合作单位) are kept by its
# administrator. Names are unique in a county. Nothing is deleted: a unit no longer in service is
# deactivated and keeps everything bound to it, but takes nothing new (`_check_open` on points and
# memberships here; the catalog refuses new items of it). Each write is announced to the later apps
# (`changes.announce`), which keep what follows a county's departments and organisations.

#: Longest name of a department or organisation (the model's column).
UNIT_NAME_LENGTH = 100
#: What the admin history calls them (always in Chinese, like every history message here).
UNIT_LABEL = {Department: "部门", PartnerOrganisation: "合作单位"}
FIELD_LABEL = {"partner_type": "合作类型"}


def _unit_name_errors(name) -> list[str]:
    name = (name or "").strip()
    if not name:
        return [_("请填写名称。")]
    if len(name) > UNIT_NAME_LENGTH:
        return [_("名称不能超过 %(n)d 个字。") % {"n": UNIT_NAME_LENGTH}]
    if any(ch < " " or ch == "\x7f" for ch in name):
        return [_("名称含有无效字符。")]
    return []


def _name_taken(model, county: Region, name: str, exclude=None) -> str | None:
    """The message for a name already used in `county` by another department (organisation)."""
    others = model.objects.filter(county=county, name=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.only("active").first()
    if other is None:
        return None
    what = model._meta.verbose_name
    if other.active:
        return _("本县已有名为“%(name)s”的%(what)s。") % {"name": name, "what": what}
    return _("本县已有名为“%(name)s”的%(what)s（已停用，可以将它重新启用）。") % {
        "name": name,
        "what": what,
    }


def _check_county(county) -> None:
    if not isinstance(county, Region) or county.level != Region.Level.COUNTY:
        raise NetworkError({"county": _("请选择一个县（区）。")})
    if not county.active:
        raise NetworkError({"county": _("该县（区）已撤销，不能再新增。")})


def _save_unit(unit, *, flag: int, message: str, by):
    """Insert or update `unit`; a name taken meanwhile (the unique constraint) is a field error,
    never an IntegrityError."""
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as error:
        taken = _name_taken(type(unit), unit.county, unit.name, exclude=unit if unit.pk else None)
        if taken:
            raise NetworkError({"name": taken}) from error
        raise
    log_change(by, unit, flag, message)
    return unit


def _announce_unit(unit, *, by) -> None:
    if isinstance(unit, Department):
        announce(unit.county, by=by, departments=[unit.pk])
    else:
        announce(unit.county, by=by, organisations=[unit.pk])


def _create_unit(model, county: Region, *, name: str, by, **fields):
    _check_county(county)
    errors: dict[str, list[str]] = {}
    problems = _unit_name_errors(name)
    name = (name or "").strip()
    if problems:
        errors["name"] = problems
    else:
        taken = _name_taken(model, county, name)
        if taken:
            errors["name"] = [taken]
    if "partner_type" in fields and fields["partner_type"] not in model.PartnerType.values:
        errors["partner_type"] = [_("请选择合作类型：银行、邮政、商超或通信运营商。")]
    if errors:
        raise NetworkError(errors)
    unit = model(county=county, name=name, **fields)
    _save_unit(unit, flag=ADDITION, message=f"新增{UNIT_LABEL[model]}：{name}", by=by)
    _announce_unit(unit, by=by)
    return unit


def _update_unit(unit, *, by, name=None, active=None, **fields):
    model = type(unit)
    unit = model.objects.select_for_update().select_related("county").get(pk=unit.pk)
    changed: list[str] = []
    if name is not None:
        problems = _unit_name_errors(name)
        if problems:
            raise NetworkError({"name": problems})
        name = name.strip()
        if name != unit.name:
            taken = _name_taken(model, unit.county, name, exclude=unit)
            if taken:
                raise NetworkError({"name": taken})
            changed.append(f"名称（{unit.name} → {name}）")
            unit.name = name
    for field, value in fields.items():
        if value is None:
            continue
        if field == "partner_type" and value not in model.PartnerType.values:
            raise NetworkError(
                {"partner_type": _("请选择合作类型：银行、邮政、商超或通信运营商。")}
            )
        if getattr(unit, field) != value:
            changed.append(FIELD_LABEL[field])
            setattr(unit, field, value)
    if active is not None and bool(active) != unit.active:
        unit.active = bool(active)
        changed.append("启用" if unit.active else "停用")
    if changed:
        _save_unit(unit, flag=CHANGE, message=f"修改：{'、'.join(changed)}", by=by)
        _announce_unit(unit, by=by)
    return unit


@transaction.atomic
def create_department(county: Region, *, name: str, by) -> Department:
    """Add a department (进驻部门) to `county`; its name must be new in the county."""
    return _create_unit(Department, county, name=name, by=by)


@transaction.atomic
def update_department(
    department: Department, *, by, name: str | None = None, active: bool | None = None
) -> Department:
    """Rename a department, or deactivate (`active=False`) or reactivate it. A deactivated one keeps
    its windows, sub-zones, items and cases but takes no new ones; nothing is deleted."""
    return _update_unit(department, by=by, name=name, active=active)


@transaction.atomic
def create_partner_organisation(
    county: Region, *, name: str, partner_type: str, by
) -> PartnerOrganisation:
    """Add a partner organisation (合作单位: bank, post, supermarket, telecom) to `county`."""
    return _create_unit(PartnerOrganisation, county, name=name, by=by, partner_type=partner_type)


@transaction.atomic
def update_partner_organisation(
    organisation: PartnerOrganisation,
    *,
    by,
    name: str | None = None,
    partner_type: str | None = None,
    active: bool | None = None,
) -> PartnerOrganisation:
    """Rename a partner organisation, change its partner type (its stations show the type), or
    deactivate or reactivate it. A deactivated one keeps its stations but takes no new ones."""
    return _update_unit(organisation, by=by, name=name, active=active, partner_type=partner_type)


def _is_open(unit) -> bool:
    """Is the department or organisation `unit` in service? Read again, locked, so that a
    deactivation committed meanwhile is seen (and one under way waits for this write)."""
    return bool(
        type(unit)
        .objects.select_for_update()
        .filter(pk=unit.pk)
        .values_list("active", flat=True)
        .first()
    )


def _closed_binding_errors(*, department=None, organisation=None, current=None) -> dict[str, str]:
    """A point may not be newly bound to a deactivated department or organisation; a binding the
    point (`current`) already has and keeps is fine."""
    errors: dict[str, str] = {}
    kept_department = getattr(current, "department_id", None)
    kept_organisation = getattr(current, "organisation_id", None)
    if department is not None and department.pk != kept_department and not _is_open(department):
        errors["department"] = _(
            "部门“%(name)s”已停用，不能再为它新设窗口或分区，也不能把服务点改归它。"
        ) % {"name": department.name}
    if (
        organisation is not None
        and organisation.pk != kept_organisation
        and not _is_open(organisation)
    ):
        errors["organisation"] = _(
            "合作单位“%(name)s”已停用，不能再为它新设合作网点，也不能把网点改归它。"
        ) % {"name": organisation.name}
    return errors


# --- Accounts -------------------------------------------------------------------------------------

REGION_ROLE_LEVELS = {Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY}


def check_binding(role: str, binding) -> None:
    """A membership of `role` binds the right kind of thing (the database checks only which field)."""
    field = BINDING[Role(role)]
    expected = {
        "region": Region,
        "point": ServicePoint,
        "department": Department,
        "organisation": PartnerOrganisation,
    }[field]
    if not isinstance(binding, expected):
        raise NetworkError(
            {field: _("该角色必须绑定到%(what)s。") % {"what": expected._meta.verbose_name}}
        )
    if field == "region" and binding.level not in REGION_ROLE_LEVELS:
        raise NetworkError({"region": _("区域管理员和监督员只能绑定到省、市或县。")})
    if role == Role.TOWN_ADMIN and binding.kind != Kind.TOWN_CENTRE:
        raise NetworkError({"point": _("镇（街道）管理员必须绑定到镇（街道）便民服务中心。")})


def _check_binding_open(role: str, binding) -> None:
    """A new department-admin or partner-admin membership needs a department (organisation) in
    service: a deactivated one takes no new administrators."""
    if isinstance(binding, Department | PartnerOrganisation) and not _is_open(binding):
        field = BINDING[Role(role)]
        raise NetworkError(
            {
                field: _("%(what)s“%(name)s”已停用，不能再为它新增管理员。")
                % {"what": type(binding)._meta.verbose_name, "name": binding.name}
            }
        )


@transaction.atomic
def create_account(
    *,
    username: str,
    password: str,
    role: str,
    binding,
    by,
    full_name: str = "",
    email: str = "",
):
    """Create a user with one membership. Who may create which is the gate's `can_grant`."""
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if role not in Role.values:
        errors["role"] = [_("未知的角色。")]
    if not username:
        errors["username"] = [_("请填写用户名。")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("用户名 %(name)s 已被使用。") % {"name": username}]
    candidate = User(username=username, first_name=full_name.strip(), email=email.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise NetworkError(errors)
    check_binding(role, binding)
    _check_binding_open(role, binding)
    candidate.set_password(password)
    candidate.save()
    membership = Membership.objects.create(
        user=candidate, role=role, created_by=by, **{BINDING[Role(role)]: binding}
    )
    log_change(by, candidate, ADDITION, f"新增账号：{membership}")
    return candidate


@transaction.atomic
def grant_membership(user, *, role: str, binding, by) -> Membership:
    """Give an existing user another membership (a helper serving two stations). One the user
    already holds is returned as it is."""
    check_binding(role, binding)
    bound = {BINDING[Role(role)]: binding}
    existing = Membership.objects.filter(user=user, role=role, **bound).first()
    if existing is not None:
        return existing
    _check_binding_open(role, binding)
    membership, _created = Membership.objects.get_or_create(
        user=user, role=role, **bound, defaults={"created_by": by}
    )
    return membership


# --- Equipment and signage ------------------------------------------------------------------------

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
        log_change(by, point, CHANGE, f"修改：{'、'.join(changed)}")
    if photo is not None and old_name and old_name != point.signage_photo.name:
        storage = point.signage_photo.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return point
