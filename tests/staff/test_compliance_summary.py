"""The compliance summary rows (staff/compliance_summary.py, decision 0063): after random sequences
of the actions, and as the days pass, the rows give exactly what `compliance.summary` computes from
scratch at every level of the drill-down."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from bangban.network import actions as network
from bangban.network import drill
from bangban.network.models import Equipment, EquipmentKind, Role, ServicePoint
from bangban.staff import actions, compliance, compliance_summary
from bangban.staff.models import ComplianceCounty, Helper, TrainingOrganiser

LEVELS = ["", "37", "3703", "370323"]


def _live(code: str, on: dt.date) -> list[dict]:
    level = drill.drill_down(ServicePoint.objects.all(), code=code, everything=True)
    return compliance.summary(level.grouped, on, "group")


def _rows(code: str, on: dt.date) -> list[dict]:
    level = drill.drill_down(ServicePoint.objects.all(), code=code, everything=True)
    return compliance_summary.summary(level, on)


def _assert_exact() -> None:
    on = timezone.localdate()
    for code in LEVELS:
        assert _rows(code, on) == _live(code, on), code


def _random_step(rng: random.Random, points, helpers, organisers, checker, make_helper) -> None:
    today = timezone.localdate()
    what = rng.choice(["helper", "helper", "leave", "training", "equipment", "check", "signage"])
    if what == "helper" or not helpers:
        helper = make_helper(
            rng.choice(points),
            started_on=today - dt.timedelta(days=rng.randint(300, 420)),
            trained_on=rng.choice([None, today - dt.timedelta(days=rng.randint(0, 30))]),
            passed=rng.random() < 0.8,
            full_time=rng.random() < 0.7,
            role=rng.choice([Role.HELPER, Role.HELPER, Role.POINT_LEAD]),
        )
        helpers.append(helper)
    elif what == "leave":
        helper = rng.choice(helpers)
        actions.save_helper(
            helper.user,
            by=None,
            origin=helper.origin,
            started_on=helper.started_on,
            full_time=rng.random() < 0.5,
            left_on=rng.choice([None, today + dt.timedelta(days=rng.randint(-5, 5))]),
        )
    elif what == "training":
        chosen = rng.sample(helpers, k=min(3, len(helpers)))
        actions.record_training(
            rng.choice(organisers),
            held_on=today - dt.timedelta(days=rng.randint(0, 100)),
            topic="业务培训",
            results={h: rng.random() < 0.7 for h in chosen},
            by=None,
        )
    elif what == "equipment":
        network.add_equipment(
            rng.choice(points),
            kind=EquipmentKind.objects.order_by("position").first(),
            quantity=1,
            added_on=today - dt.timedelta(days=rng.randint(0, 400)),
            by=None,
        )
    elif what == "check":
        equipment = Equipment.objects.order_by("?").first()
        if equipment is not None and equipment.state != Equipment.State.RETIRED:
            network.record_equipment_check(
                equipment,
                checked_on=max(equipment.added_on, today - dt.timedelta(days=rng.randint(0, 200))),
                result="ok",
                by=checker,
            )
    else:
        network.set_signage(rng.choice(points), in_place=rng.random() < 0.5, by=None)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rows_equal_a_recomputation_after_random_actions_and_days(
    yiyuan, make_helper, organiser, seed
):
    rng = random.Random(seed)
    actions.set_up_organisers(yiyuan.county, by=None)
    organisers = list(TrainingOrganiser.objects.filter(county=yiyuan.county))
    points = list(ServicePoint.objects.filter(county=yiyuan.county, kind__in=compliance.ASSESSED))
    checker = get_user_model().objects.create_user("checker")
    helpers: list[Helper] = []
    start = dt.datetime(2026, 12, 20, 10, 0)
    with time_machine.travel(start, tick=False) as traveller:
        _assert_exact()
        for day in range(8):  # across a new year: trainings, anniversaries, checks falling due
            for _ in range(rng.randint(2, 6)):
                _random_step(rng, points, helpers, organisers, checker, make_helper)
                if rng.random() < 0.5:
                    _assert_exact()
            _assert_exact()
            traveller.move_to(start + dt.timedelta(days=day + 1))
        _assert_exact()


def test_a_write_makes_its_county_stale_and_the_next_read_fresh(yiyuan, make_helper, organiser):
    on = timezone.localdate()
    compliance_summary.fresh("370323", on)
    state = ComplianceCounty.objects.get(county=yiyuan.county)
    assert (state.computed_on, state.computed_generation) == (on, state.generation)
    station = ServicePoint.objects.filter(county=yiyuan.county, kind="village_station").first()
    network.set_signage(station, in_place=not station.signage_in_place, by=None)
    state.refresh_from_db()
    assert state.computed_generation < state.generation
    _assert_exact()
    state.refresh_from_db()
    assert state.computed_generation == state.generation


def test_only_whole_regions_are_read_from_the_rows(yiyuan, make_account):
    county_admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    lucun = yiyuan.town("鲁村镇")
    lead = make_account(Role.POINT_LEAD, lucun)
    assert compliance_summary.whole(county_admin, "370323")
    assert not compliance_summary.whole(county_admin, "37")
    assert not compliance_summary.whole(lead, "370323")


def test_the_nightly_task_makes_every_county_fresh_for_the_day(yiyuan):
    from bangban.staff.tasks import refresh_compliance

    refresh_compliance.call_local()
    state = ComplianceCounty.objects.get(county=yiyuan.county)
    assert state.computed_on == timezone.localdate()
    assert state.computed_generation == state.generation
    _assert_exact()
