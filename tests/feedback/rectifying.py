"""Bad reviews to put right, built through the real actions: a case registered at a point by a
helper serving there, its service occasion, and a rating of 1 or 2 given on the QR page (which opens
the rectification). Imported by the rectification and appeal tests (their fixtures)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from bangban.cases.models import Occasion
from bangban.feedback.actions import rate_occasion
from bangban.feedback.models import Rectification
from bangban.network.models import Role
from bangban.staff.actions import save_helper
from bangban.staff.models import Helper
from tests.cases.conftest import helper, item, person, register, station  # noqa: F401
from tests.catalog.conftest import make_item  # noqa: F401
from tests.staff.conftest import make_helper, organiser  # noqa: F401

CST = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 10):
    """Travel to `day` at `hour` Beijing time."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=CST), tick=False)


def occasion_of(case, point, helper_user, on=None) -> Occasion:
    """The case's first service occasion: the ledger's own when it writes one at registration, else
    recorded here as the ledger would."""
    found = case.occasions.order_by("sequence").first()
    if found is not None:
        return found
    return Occasion.objects.create(
        case=case,
        sequence=1,
        kind=Occasion.Kind.REGISTER,
        on=on or case.received_on,
        point=point,
        helper=helper_user,
    )


@pytest.fixture
def bad_review(register, make_helper, station, helper):  # noqa: F811 - the imported fixtures
    """bad_review(point=station, by=helper, level=2, anonymous=False, applicant=…) → the
    Rectification the QR rating opened (the helper serving at `point` is the one rated)."""

    def make(point=None, by=None, level=2, anonymous=False, applicant=None, **changes):
        point = point or station
        by = by or (helper if point == station else make_helper(point).user)
        case = register(point=point, by=by, responsible=by, applicant=applicant, **changes)
        occasion = occasion_of(case, point, by)
        rating = rate_occasion(
            occasion,
            level=level,
            channel="qr",
            reasons=(),
            comment="态度不好，让我跑了两趟",
            anonymous=anonymous,
            rater_phone_digest=case.applicant.phone_digest,
        )
        return Rectification.objects.select_related("county", "rating").get(rating=rating)

    return make


@pytest.fixture
def work_phone():
    """work_phone(user, phone) → the user's helper profile with its work phone."""

    def give(user, phone: str):
        profile = Helper.objects.filter(user=user).first()
        if profile is None:
            profile = save_helper(
                user, by=None, origin=Helper.Origin.WINDOW, started_on=dt.date(2020, 1, 1)
            )
        Helper.objects.filter(pk=profile.pk).update(work_phone=phone)
        return profile

    return give


@pytest.fixture
def town_admin(make_account, yiyuan):
    """The administrator of 鲁村镇 (whose village stations' reviews they handle)."""
    return make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))


@pytest.fixture
def bureau(make_account, yiyuan):
    """A region administrator of Yiyuan: the bureau."""
    return make_account(Role.REGION_ADMIN, yiyuan.county)


def today() -> dt.date:
    return timezone.localdate()
