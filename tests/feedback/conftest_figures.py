# ruff: noqa: F811 - the fixtures imported from the other conftest modules
"""What the tests of the figures, the rating pages and the scope share: service occasions, ratings
given through `feedback.actions.rate_occasion`, and a second county (高青县) with a case of its own.

Imported by those modules (`from tests.feedback.conftest_figures import *` style, by name).

`serve` gives the occasion the ledger wrote at registration (`register_case`), or records one of
another kind or day the way the ledger's actions do. `as_called_back`, `as_rectified` and
`as_overturned` take a bad review's rectification through the rectification and appeal actions.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from bangban.cases.models import Occasion
from bangban.catalog import actions as catalog_actions
from bangban.feedback.actions import (
    close_expired,
    decide_appeal,
    file_appeal,
    fix,
    rate_occasion,
    record_call,
    reply,
    verify,
)
from bangban.feedback.models import Appeal, Rating, Rectification
from bangban.feedback.workflow import Step
from bangban.network import actions as network_actions
from bangban.network.models import Department, Region, Role, ServicePoint
from bangban.staff import actions as staff_actions
from bangban.staff.models import Helper, TrainingOrganiser
from tests.cases.conftest import helper, item, person, register, station  # noqa: F401
from tests.catalog.conftest import MATERIALS, item_data, make_item  # noqa: F401
from tests.staff.conftest import make_helper, organiser  # noqa: F401

_digests = itertools.count(1)
_accounts = itertools.count(1)


def serve(case, *, kind=Occasion.Kind.REGISTER, on=None, point=None, helper=None) -> Occasion:
    """One service occasion of `case`: by default the one the ledger wrote when it was registered;
    another kind, day, point or helper is recorded as the ledger would, after its last."""
    if kind == Occasion.Kind.REGISTER and on is None and point is None and helper is None:
        written = case.occasions.filter(kind=kind).first()
        if written is not None:
            return written
    sequence = case.occasions.count() + 1
    return Occasion.objects.create(
        case=case,
        sequence=sequence,
        kind=kind,
        on=on or timezone.localdate(),
        point=point or case.registering_point,
        helper=helper if helper is not None else case.responsible,
    )


def rate(occasion, level, **changes) -> Rating:
    """A first rating of `occasion` through the QR page's channel, from a phone of its own (so that
    nothing is flagged unless a test says so)."""
    values = {
        "level": level,
        "channel": "qr",
        "rater_phone_digest": f"{next(_digests):064x}",
    }
    values.update(changes)
    return rate_occasion(occasion, **values)


def _account(role: str, binding):
    """A new account of `role` bound to `binding`, made as the bureau makes one."""
    return network_actions.create_account(
        username=f"figures-{role}-{next(_accounts)}",
        password="Secure-pass-123",  # noqa: S106 - a test account
        role=role,
        binding=binding,
        full_name="统计测试",
        by=None,
    )


def as_called_back(rating: Rating) -> Rectification:
    """The bad review's rectification called back (reached) by its town's administrator."""
    rect = Rectification.objects.get(rating=rating)
    admin = _account(Role.TOWN_ADMIN, rect.town)
    return record_call(rect, reached=True, record="已联系", by=admin)


def as_rectified(rating: Rating) -> Rectification:
    """The bad review's rectification put right by its town's administrator (called back if not
    yet, verified, fixed at once, replied to) and closed by the system once the follow-up window
    ends unrated (`close_expired` the day after it)."""
    rect = Rectification.objects.get(rating=rating)
    admin = _account(Role.TOWN_ADMIN, rect.town)
    if rect.status == Step.OPENED:
        rect = record_call(rect, reached=True, record="已联系", by=admin)
    rect = verify(rect, is_true=True, is_reasonable=True, is_malicious=False, note="属实", by=admin)
    rect = fix(rect, measures="当场补办", by=admin)
    rect = reply(rect, text="已整改，向您致歉", by=admin)
    close_expired(rect.follow_up_due + dt.timedelta(days=1))
    rect.refresh_from_db()
    assert rect.status == Step.CLOSED
    return rect


def as_overturned(rating: Rating) -> None:
    """The bad review appealed by the helper rated and overturned by the bureau (its open
    rectification ended, 申诉撤销)."""
    appeal = file_appeal(rating, reason="评价人并未在本站办理业务", by=rating.helper)
    bureau = _account(Role.REGION_ADMIN, rating.county)
    decide_appeal(appeal, decision=Appeal.Decision.OVERTURNED, note="经核实属恶意评价", by=bureau)


@pytest.fixture
def served(register):
    """served(level=None, **occasion) → an occasion of a new case at the station, rated `level`
    when given (the occasion returned; its rating as `.rating`)."""

    def make(level=None, *, case=None, rating=None, **changes):
        occasion = serve(case or register(), **changes)
        occasion.rating = rate(occasion, level, **(rating or {})) if level else None
        return occasion

    return make


@pytest.fixture
def gaoqing(yiyuan, make_helper, make_account):  # noqa: F811 - the imported fixture
    """高青县, a second county of 淄博市 with its county centre, a helper there and a way to
    register its cases: (county, centre, register(**changes))."""
    from bangban.cases import actions as case_actions
    from bangban.cases.actions import Registration

    county = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    centre = network_actions.create_point(
        None,
        kind=ServicePoint.Kind.COUNTY_CENTRE,
        name="高青县政务服务中心",
        region=county,
        by=None,
    )
    department = Department.objects.create(county=county, name="高青县医疗保障局")
    item = catalog_actions.create_item(
        county,
        implementation_code="11370322MB0000000F0001",
        data=item_data(yiyuan, department=department, levels=frozenset({"county"})),
        materials=MATERIALS,
        by=None,
    )
    worker = make_account(Role.HELPER, centre, username="gaoqing-helper")
    staff_actions.set_up_organisers(county, by=None)
    profile = staff_actions.save_helper(
        worker, by=None, origin=Helper.Origin.WINDOW, started_on=dt.date(2020, 1, 1)
    )
    staff_actions.record_training(
        TrainingOrganiser.objects.get(kind="county_bureau", county=county),
        held_on=dt.date(2021, 1, 1),
        topic="帮办代办业务培训",
        results={profile: True},
        by=None,
    )

    def register_there(**changes):
        values = {
            "applicant": person(),
            "item": item,
            "kind": "assisted",
            "mode": "on_site",
            "channel": "walk_in",
            "received_on": timezone.localdate(),
            "responsible": worker,
        }
        values.update(changes)
        return case_actions.register_case(centre, registration=Registration(**values), by=worker)

    return county, centre, register_there


DAY = dt.timedelta(days=1)
