"""Writes of the staff app: helper profiles, training organisers, trainings and their results.

Scope is the caller's business (the gate, asked by the pages and endpoints); these hold the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.network.actions import NetworkError, log_change
from bangban.network.models import (
    Department,
    Domain,
    PartnerOrganisation,
    Region,
    ServicePoint,
)

from .models import Helper, TrainingAttendance, TrainingOrganiser, TrainingSession

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
    log_change(by, helper, ADDITION if created else CHANGE, "帮办代办员档案")
    return helper


# --- Training organisers (the seed's annex 4) ----------------------------------------------------

#: The sub-zones the county bureau trains for, besides the dedicated zone.
BUREAU_DOMAINS = ("enterprise_startup", "investment_projects", "comprehensive_acceptance")


def _organiser_points(kind: str, county: Region, binding) -> list[ServicePoint]:
    points = ServicePoint.objects.filter(county=county, active=True)
    if kind == TrainingOrganiser.Kind.COUNTY_BUREAU:
        return list(
            points.filter(kind=Kind.DEDICATED_ZONE)
            | points.filter(kind=Kind.DOMAIN_SUBZONE, domain__code__in=BUREAU_DOMAINS)
        )
    if kind == TrainingOrganiser.Kind.DEPARTMENT:
        return list(points.filter(department=binding).exclude(domain__code__in=BUREAU_DOMAINS))
    if kind == TrainingOrganiser.Kind.TOWN:
        return list(
            points.filter(pk=binding.pk)
            | points.filter(parent=binding).exclude(kind=Kind.PARTNER_STATION)
        )
    return list(points.filter(organisation=binding))


@transaction.atomic
def set_up_organisers(county: Region, *, by) -> list[TrainingOrganiser]:
    """Make sure the county has its organisers, each responsible for its points: the bureau, every
    department, every town and every partner organisation. Running it again adds only what is new."""
    wanted: list[tuple[str, str, dict]] = [
        (TrainingOrganiser.Kind.COUNTY_BUREAU, f"{county.name}行政审批服务局", {})
    ]
    wanted += [
        (TrainingOrganiser.Kind.DEPARTMENT, d.name, {"department": d})
        for d in Department.objects.filter(county=county)
    ]
    wanted += [
        (TrainingOrganiser.Kind.TOWN, p.region.name, {"town_centre": p})
        for p in ServicePoint.objects.filter(
            county=county, kind=Kind.TOWN_CENTRE, active=True
        ).select_related("region")
    ]
    wanted += [
        (TrainingOrganiser.Kind.PARTNER, o.name, {"organisation": o})
        for o in PartnerOrganisation.objects.filter(county=county)
    ]
    organisers = []
    for kind, name, binding in wanted:
        organiser, created = TrainingOrganiser.objects.get_or_create(
            kind=kind, county=county, **binding, defaults={"name": name}
        )
        if created:
            binding_value = next(iter(binding.values()), None)
            organiser.points.set(_organiser_points(kind, county, binding_value))
            log_change(by, organiser, ADDITION, "培训组织单位")
        organisers.append(organiser)
    return organisers


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
        log_change(by, session, CHANGE, "登记参训结果")
