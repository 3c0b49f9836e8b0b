"""Writes on a county's departments (进驻部门) and partner organisations (合作单位), kept by its
administrator. Names are unique in a county. Nothing is deleted: a unit no longer in service is
deactivated and keeps everything bound to it, but takes nothing new (`_closed_binding_errors` for
points, `_is_open` for memberships; the catalog refuses new items of it). Each write is announced to
the later apps (`changes.announce`), which keep what follows a county's departments and
organisations. The names are importable from `network.actions` as before.
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bangban.kernel.history import log_change

from .changes import announce
from .models import Department, PartnerOrganisation, Region
from .writes import NetworkError

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
