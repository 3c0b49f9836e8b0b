"""Writes of the staff app: helper profiles, training organisers, trainings and their results.

Scope is the caller's business (the gate, asked by the pages and endpoints); these hold the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.kernel.days import EARLIEST_EVENT, EARLIEST_PERSONAL
from bangban.kernel.history import log_change
from bangban.network.actions import NetworkError
from bangban.network.models import (
    Department,
    Domain,
    PartnerOrganisation,
    Region,
    ServicePoint,
)

from . import compliance_summary
from .models import (
    CoverageCorrection,
    Helper,
    TrainingAttendance,
    TrainingOrganiser,
    TrainingSession,
)

Kind = ServicePoint.Kind


class StaffError(NetworkError):
    """A staff rule was broken; `errors` maps a field to Chinese messages."""


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def save_helper(
    user,
    *,
    by,
    origin: str,
    started_on: dt.date,
    full_time: bool = True,
    left_on: dt.date | None = None,
    work_phone: str = "",
    domains: Iterable[Domain] = (),
) -> Helper:
    """Create or update the helper profile of `user`."""
    errors: dict[str, str] = {}
    if origin not in Helper.Origin.values:
        errors["origin"] = _("请选择人员来源。")
    if started_on > _today():
        errors["started_on"] = _("开始从事受理工作的日期不能晚于今天。")
    elif started_on < EARLIEST_PERSONAL:
        errors["started_on"] = _("开始从事受理工作的日期不能早于 1900 年 1 月 1 日。")
    if left_on is not None and left_on < started_on:
        errors["left_on"] = _("离岗日期不能早于开始从事受理工作的日期。")
    if errors:
        raise StaffError(errors)
    helper, created = Helper.objects.select_for_update().update_or_create(
        user=user,
        defaults={
            "origin": origin,
            "started_on": started_on,
            "full_time": full_time,
            "left_on": left_on,
            "work_phone": work_phone.strip(),
        },
    )
    helper.domains.set(domains)
    compliance_summary.changed(compliance_summary.counties_serving([user.pk]))
    log_change(by, helper, ADDITION if created else CHANGE, "帮办代办员档案")
    return helper


@transaction.atomic
def create_helper(user, *, by, **profile) -> Helper:
    """Give `user` a helper profile (`save_helper`'s fields); refused when they have one already."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    existing = Helper.objects.filter(user=user).first()
    if existing is not None:
        raise StaffError(
            {"user": _("该账号已有帮办代办员档案（编号 %(id)s）。") % {"id": existing.pk}}
        )
    return save_helper(user, by=by, **profile)


# --- Training organisers (the seed's annex 4) ----------------------------------------------------
# Each county has its organisers: the bureau (once the county centre exists), each department, each
# town (with its centre) and each partner organisation. Which points each trains for follows a rule
# (`rule_bindings`), corrected by the county's administrators (`CoverageCorrection`); the result is
# stored in `TrainingOrganiser.points` and recomputed by `sync_organisers` whenever the network
# announces a change (staff/on_network.py; docs/decisions/0026-organiser-coverage.md).

#: The sub-zones the county bureau trains for, besides the dedicated zone.
BUREAU_DOMAINS = ("enterprise_startup", "investment_projects", "comprehensive_acceptance")

OrganiserKind = TrainingOrganiser.Kind
#: An organiser by what it is bound to: (kind, department / town centre / organisation id, or None).
Binding = tuple[str, int | None]


@dataclass(frozen=True)
class PointFacts:
    """What the rule reads of a point (one row of `_point_facts`)."""

    pk: int
    kind: str
    active: bool
    parent_id: int | None
    department_id: int | None
    organisation_id: int | None
    domain_code: str | None


def rule_bindings(point: PointFacts) -> list[Binding]:
    """The organisers that train for `point` by the seed's annex 4 (附件4 二): the bureau for the
    dedicated zone and the enterprise, investment and comprehensive sub-zones; a department for its
    other sub-zone and its windows; a town for its centre and its village stations; a partner
    organisation for its stations. Nobody for the county centre itself, nor for a point out of
    service."""
    if not point.active:
        return []
    if point.kind == Kind.DEDICATED_ZONE or (
        point.kind == Kind.DOMAIN_SUBZONE and point.domain_code in BUREAU_DOMAINS
    ):
        return [(OrganiserKind.COUNTY_BUREAU, None)]
    if point.kind in (Kind.DOMAIN_SUBZONE, Kind.DEPARTMENT_WINDOW) and point.department_id:
        return [(OrganiserKind.DEPARTMENT, point.department_id)]
    if point.kind == Kind.TOWN_CENTRE:
        return [(OrganiserKind.TOWN, point.pk)]
    if point.kind == Kind.VILLAGE_STATION:
        return [(OrganiserKind.TOWN, point.parent_id)]
    if point.kind == Kind.PARTNER_STATION:
        return [(OrganiserKind.PARTNER, point.organisation_id)]
    return []


def _point_facts(points) -> dict[int, PointFacts]:
    rows = points.values_list(
        "pk", "kind", "active", "parent_id", "department_id", "organisation_id", "domain__code"
    )
    return {row[0]: PointFacts(*row) for row in rows}


def _binding(organiser: TrainingOrganiser) -> Binding:
    return organiser.kind, organiser.binding_id


def _bureau_name(county: Region) -> str:
    return f"{county.name}行政审批服务局"


def _followed(organiser: TrainingOrganiser, county: Region) -> tuple[str, bool]:
    """The name an organiser takes from what it is bound to, and whether that is in service."""
    if organiser.kind == OrganiserKind.COUNTY_BUREAU:
        return _bureau_name(county), county.active
    if organiser.kind == OrganiserKind.DEPARTMENT:
        return organiser.department.name, organiser.department.active
    if organiser.kind == OrganiserKind.TOWN:
        return organiser.town_centre.region.name, organiser.town_centre.active
    return organiser.organisation.name, organiser.organisation.active


def _missing_organisers(county: Region) -> list[TrainingOrganiser]:
    """The organisers the county should have and has not: the bureau (once the county centre
    exists), and one for each department, partner organisation and town centre in service."""
    missing = []
    bureau = TrainingOrganiser.objects.filter(county=county, kind=OrganiserKind.COUNTY_BUREAU)
    if (
        not bureau.exists()
        and ServicePoint.objects.filter(county=county, kind=Kind.COUNTY_CENTRE).exists()
    ):
        missing.append(
            TrainingOrganiser(kind=OrganiserKind.COUNTY_BUREAU, name=_bureau_name(county))
        )
    missing += [
        TrainingOrganiser(kind=OrganiserKind.DEPARTMENT, name=d.name, department=d)
        for d in Department.objects.filter(
            county=county, active=True, training_organiser__isnull=True
        )
    ]
    missing += [
        TrainingOrganiser(kind=OrganiserKind.TOWN, name=p.region.name, town_centre=p)
        for p in ServicePoint.objects.filter(
            county=county, kind=Kind.TOWN_CENTRE, active=True, training_organiser__isnull=True
        )
        .select_related("region")
        .order_by("region__code")
    ]
    missing += [
        TrainingOrganiser(kind=OrganiserKind.PARTNER, name=o.name, organisation=o)
        for o in PartnerOrganisation.objects.filter(
            county=county, active=True, training_organiser__isnull=True
        )
    ]
    for organiser in missing:
        organiser.county = county
    return missing


@transaction.atomic
def sync_organisers(
    county: Region, *, by, points: Iterable[int] | None = None
) -> list[TrainingOrganiser]:
    """Keep the county's organisers right after a change to its network: create the missing ones,
    let names (unless an administrator renamed the organiser) and being in service follow what each
    is bound to, and recompute which organisers train for `points` (ids; None: every point of the
    county, as after a division import). A fixed number of queries whatever the number of points.
    Returns the county's organisers."""
    _lock_county(county.pk)
    organisers = list(
        TrainingOrganiser.objects.filter(county=county).select_related(
            "department", "organisation", "town_centre__region"
        )
    )
    changed = []
    for organiser in organisers:
        name, active = _followed(organiser, county)
        if (organiser.name_follows and organiser.name != name) or organiser.active != active:
            if organiser.name_follows:
                organiser.name = name
            organiser.active = active
            changed.append(organiser)
    TrainingOrganiser.objects.bulk_update(changed, ["name", "active"])
    for organiser in changed:
        log_change(by, organiser, CHANGE, "培训组织单位随服务网络更新")
    created = TrainingOrganiser.objects.bulk_create(_missing_organisers(county))
    for organiser in created:
        log_change(by, organiser, ADDITION, "培训组织单位")
    organisers += created
    # A new organiser takes its points wherever they are: recompute the whole county.
    _sync_coverage(county, organisers, None if created else points)
    return sorted(organisers, key=lambda o: (o.kind, o.name, o.pk))


def _lock_county(county_id: int) -> None:
    """Serialise the writes to one county's organisers and coverage (PostgreSQL; SQLite serialises
    every write): two network changes, or a change and a correction, would otherwise both insert the
    same missing organiser or pair. Always taken before an organiser's row, never after."""
    list(Region.objects.select_for_update().filter(pk=county_id).values_list("pk", flat=True))


def _sync_coverage(county: Region, organisers, points: Iterable[int] | None) -> None:
    """Store, for `points` (ids, or None for the whole county), the rule's organisers with the
    corrections applied: (rule − removed) ∪ added, points in service only."""
    Through = TrainingOrganiser.points.through
    scope = ServicePoint.objects.filter(county=county)
    ids = None if points is None else set(points)
    if ids is not None:
        if not ids:
            return
        scope = scope.filter(pk__in=ids)
    facts = _point_facts(scope)
    by_binding = {_binding(o): o.pk for o in organisers}
    wanted = {
        (by_binding[binding], pk)
        for pk, point in facts.items()
        for binding in rule_bindings(point)
        if binding in by_binding
    }
    corrections = (
        CoverageCorrection.objects.filter(point__county=county)
        if ids is None
        else CoverageCorrection.objects.filter(point__in=list(facts))
    )
    for organiser_id, point_id, change in corrections.values_list(
        "organiser_id", "point_id", "change"
    ):
        if change == CoverageCorrection.Change.REMOVED:
            wanted.discard((organiser_id, point_id))
        elif point_id in facts and facts[point_id].active:
            wanted.add((organiser_id, point_id))
    stored = (
        Through.objects.filter(servicepoint__county=county)
        if ids is None
        else Through.objects.filter(servicepoint_id__in=list(facts))
    )
    have = {
        (organiser_id, point_id): pk
        for pk, organiser_id, point_id in stored.values_list(
            "pk", "trainingorganiser_id", "servicepoint_id"
        )
    }
    gone = [pk for pair, pk in have.items() if pair not in wanted]
    if gone:
        Through.objects.filter(pk__in=gone).delete()
    Through.objects.bulk_create(
        Through(trainingorganiser_id=organiser_id, servicepoint_id=point_id)
        for organiser_id, point_id in sorted(wanted - have.keys())
    )
    compliance_summary.changed([county.pk])


def set_up_organisers(county: Region, *, by) -> list[TrainingOrganiser]:
    """The county's organisers, every one there and each training for its points (the whole county
    recomputed). The network keeps them so on every change; the demo and tests call this too."""
    return sync_organisers(county, by=by, points=None)


@transaction.atomic
def correct_coverage(
    organiser: TrainingOrganiser,
    *,
    by,
    note: str,
    add: Iterable[ServicePoint] = (),
    remove: Iterable[ServicePoint] = (),
) -> TrainingOrganiser:
    """An administrator's correction of the points `organiser` trains for: `add` points of its
    county the rule does not give it, `remove` points it should not train for. Kept as corrections
    that every later recomputation applies again; a correction back to the rule is dropped."""
    _lock_county(organiser.county_id)
    organiser = TrainingOrganiser.objects.select_for_update().get(pk=organiser.pk)
    add, remove = list(add), list(remove)
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if (add or remove) and not note:
        errors["note"] = [_("请填写更正说明。")]
    elsewhere = [p for p in [*add, *remove] if p.county_id != organiser.county_id]
    if elsewhere:
        errors.setdefault("points", []).append(
            _("服务点不属于该组织单位所在的县：%(names)s。")
            % {"names": "、".join(p.name for p in elsewhere)}
        )
    if add and not organiser.active:
        errors.setdefault("points", []).append(_("该培训组织单位已停用，不能增加负责的服务点。"))
    out_of_service = [p for p in add if not p.active]
    if out_of_service:
        errors.setdefault("points", []).append(
            _("服务点已停用，不能增加：%(names)s。")
            % {"names": "、".join(p.name for p in out_of_service)}
        )
    both = {p.pk for p in add} & {p.pk for p in remove}
    if both:
        errors.setdefault("points", []).append(_("同一服务点不能既增加又移除。"))
    if errors:
        raise StaffError(errors)
    if not add and not remove:
        return organiser
    ids = [p.pk for p in add] + [p.pk for p in remove]
    facts = _point_facts(ServicePoint.objects.filter(pk__in=ids))
    binding = _binding(organiser)
    existing = {
        c.point_id: c for c in CoverageCorrection.objects.filter(organiser=organiser, point__in=ids)
    }
    for points, change in (
        (add, CoverageCorrection.Change.ADDED),
        (remove, CoverageCorrection.Change.REMOVED),
    ):
        for point in points:
            by_rule = binding in rule_bindings(facts[point.pk])
            # Adding what the rule gives, or removing what it does not, only undoes a correction.
            needed = by_rule if change == CoverageCorrection.Change.REMOVED else not by_rule
            correction = existing.get(point.pk)
            if correction is not None and (not needed or correction.change != change):
                correction.delete()
                correction = None
            if needed and correction is None:
                CoverageCorrection.objects.create(
                    organiser=organiser,
                    point=point,
                    change=change,
                    note=note,
                    created_by=by if getattr(by, "pk", None) else None,
                )
    organisers = list(TrainingOrganiser.objects.filter(county_id=organiser.county_id))
    _sync_coverage(organiser.county, organisers, ids)
    parts = []
    if add:
        parts.append("增加：" + "、".join(p.name for p in add))
    if remove:
        parts.append("移除：" + "、".join(p.name for p in remove))
    log_change(by, organiser, CHANGE, f"更正负责培训的服务点（{'；'.join(parts)}）。说明：{note}")
    return organiser


@transaction.atomic
def set_coverage(
    organiser: TrainingOrganiser, points: Iterable[ServicePoint], *, by, note: str
) -> TrainingOrganiser:
    """Make `points` exactly what `organiser` trains for (the API's PUT), as corrections."""
    _lock_county(organiser.county_id)
    wanted = {p.pk: p for p in points}
    current = {p.pk: p for p in organiser.points.all()}
    return correct_coverage(
        organiser,
        by=by,
        note=note,
        add=[p for pk, p in wanted.items() if pk not in current],
        remove=[p for pk, p in current.items() if pk not in wanted],
    )


@transaction.atomic
def rename_organiser(organiser: TrainingOrganiser, *, name: str, by) -> TrainingOrganiser:
    """Give the organiser a name of its own; an empty name lets it follow its department's,
    organisation's or town's name (the bureau's: the county's) again."""
    organiser = TrainingOrganiser.objects.select_for_update().get(pk=organiser.pk)
    name = (name or "").strip()
    if len(name) > TrainingOrganiser._meta.get_field("name").max_length:
        raise StaffError({"name": _("名称不能超过 100 个字符。")})
    if name:
        organiser.name, organiser.name_follows = name, False
    else:
        organiser = TrainingOrganiser.objects.select_related(
            "county", "department", "organisation", "town_centre__region"
        ).get(pk=organiser.pk)
        organiser.name, organiser.name_follows = _followed(organiser, organiser.county)[0], True
    organiser.save(update_fields=["name", "name_follows"])
    log_change(by, organiser, CHANGE, f"名称改为：{organiser.name}")
    return organiser


# --- Trainings ------------------------------------------------------------------------------------


@transaction.atomic
def record_training(
    organiser: TrainingOrganiser,
    *,
    held_on: dt.date,
    topic: str,
    by,
    results: Mapping[Helper, bool] | None = None,
    material=None,
) -> TrainingSession:
    """Record a training the organiser held, with each attendee's result (合格 or not)."""
    errors: dict[str, str] = {}
    if not (topic or "").strip():
        errors["topic"] = _("请填写培训内容。")
    if held_on > _today():
        errors["held_on"] = _("培训日期不能晚于今天：请在培训举行后登记。")
    elif held_on < EARLIEST_EVENT:
        errors["held_on"] = _("培训日期不能早于 2000 年 1 月 1 日。")
    if errors:
        raise StaffError(errors)
    session = TrainingSession.objects.create(
        organiser=organiser,
        held_on=held_on,
        topic=topic.strip(),
        material=material or "",
        created_by=by if getattr(by, "pk", None) else None,
    )
    set_training_results(session, results or {}, by=by)
    compliance_summary.changed([organiser.county_id])
    log_change(by, session, ADDITION, "登记培训")
    return session


@transaction.atomic
def set_training_results(session: TrainingSession, results: Mapping[Helper, bool], *, by) -> None:
    """Set who attended and whether each passed; attendees not named keep their result."""
    for helper, passed in results.items():
        TrainingAttendance.objects.update_or_create(
            session=session, helper=helper, defaults={"passed": bool(passed)}
        )
    if results:
        helpers = [helper.user_id for helper in results]
        compliance_summary.changed(compliance_summary.counties_serving(helpers))
        log_change(by, session, CHANGE, "登记参训结果")
