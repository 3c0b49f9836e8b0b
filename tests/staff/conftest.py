"""Helpers built through the real actions: an account with a membership, a profile, a training."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bangban.network.models import Role
from bangban.staff import actions
from bangban.staff.models import Helper, TrainingOrganiser

_names = itertools.count(1)


@pytest.fixture
def organiser(yiyuan) -> TrainingOrganiser:
    actions.set_up_organisers(yiyuan.county, by=None)
    return TrainingOrganiser.objects.get(kind="county_bureau", county=yiyuan.county)


@pytest.fixture
def make_helper(make_account, organiser):
    """make_helper(point, started_on=…, trained_on=…, passed=True, full_time=True, left_on=None,
    role=helper) → a Helper serving at `point`; trained_on=None means never trained."""

    def make(
        point,
        *,
        started_on: dt.date = dt.date(2020, 1, 1),
        trained_on: dt.date | None = dt.date(2021, 1, 1),
        passed: bool = True,
        full_time: bool = True,
        left_on: dt.date | None = None,
        role: str = Role.HELPER,
    ) -> Helper:
        user = make_account(role, point, username=f"helper-{next(_names)}")
        helper = actions.save_helper(
            user,
            by=None,
            origin=Helper.Origin.WINDOW,
            started_on=started_on,
            full_time=full_time,
            left_on=left_on,
        )
        if trained_on is not None:
            actions.record_training(
                organiser,
                held_on=trained_on,
                topic="帮办代办业务培训",
                results={helper: passed},
                by=None,
            )
        return helper

    return make
