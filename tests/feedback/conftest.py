"""The rating fixtures (好差评): a case to rate with its service occasion, the county's reasons, a bad
review and its rectification brought to 'replied' (追评 open).

`add_occasion` takes the occasion the ledger wrote at registration, or records one of another kind
the way the ledger's actions do; `replied` brings a rectification to 'replied' through its own
actions."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bangban.cases.actions import AuthorisationData
from bangban.cases.models import Occasion
from bangban.feedback import actions
from bangban.feedback.models import Channel, Reason
from bangban.feedback.reasons import ReasonData
from bangban.feedback.rules import rater_digest
from bangban.network import actions as network_actions
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    person,
    register,
    station,
)
from tests.conftest import PASSWORD

#: The applicant's phone on every case here unless a test says otherwise; its last four digits.
PHONE = "13805331234"
LAST4 = PHONE[-4:]
PROXY_PHONE = "13905339876"
CST = dt.timezone(dt.timedelta(hours=8))
_admins = itertools.count(1)

#: The county's reasons: (code, label, polarity).
REASONS = [
    ("slow", "办理慢", Reason.Polarity.BAD),
    ("attitude_bad", "态度差", Reason.Polarity.BAD),
    ("fast", "办理快", Reason.Polarity.GOOD),
    ("kind", "态度好", Reason.Polarity.GOOD),
    ("guidance", "指引清楚", Reason.Polarity.ANY),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def add_occasion(case, *, kind=Occasion.Kind.REGISTER, on=None, point=None, helper=None):  # noqa: F811
    """An occasion of `case`: the ledger's first one when it wrote one (and `kind` is
    registration), else a new one with the next sequence (the one place tests create them)."""
    if kind == Occasion.Kind.REGISTER:
        written = case.occasions.filter(kind=kind).order_by("sequence").first()
        if written is not None:
            return written
    last = case.occasions.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    return Occasion.objects.create(
        case=case,
        sequence=last + 1,
        kind=kind,
        on=on or timezone.localdate(),
        point=point or case.registering_point,
        helper=helper if helper is not None else case.responsible,
    )


@pytest.fixture
def reasons(yiyuan):
    """Yiyuan's current reasons: a version of its own, saved by the county's action."""
    return actions.save_reason_set(
        yiyuan.county,
        reasons=[
            ReasonData(code=code, label=label, polarity=polarity, position=position)
            for position, (code, label, polarity) in enumerate(REASONS)
        ],
        by=None,
    )


@pytest.fixture
def make_rated_case(register, reasons):  # noqa: F811 - the imported fixture
    """make_rated_case(phone=PHONE, **registration) → a case registered today whose applicant has
    `phone`, with its registration occasion (`case.occasion`)."""

    def make(phone: str = PHONE, **changes):
        applicant = changes.pop("applicant", None) or person(phone=phone)
        case = register(applicant=applicant, **changes)
        case.occasion = add_occasion(case)
        return case

    return make


@pytest.fixture
def rated_case(make_rated_case):
    """A case of 鲁村镇's village station, its applicant's phone PHONE, with one occasion."""
    return make_rated_case()


@pytest.fixture
def occasion(rated_case):
    return rated_case.occasion


@pytest.fixture
def proxy_case(make_rated_case):
    """A 代办 case: the principal's phone PHONE, the proxy's (where progress goes) PROXY_PHONE."""
    return make_rated_case(kind="proxy", authorisation=authorisation(), contact_phone=PROXY_PHONE)


def authorisation() -> AuthorisationData:
    """The 委托书 of a 代办 case, signed today."""
    return AuthorisationData(
        principal="张秀英",
        scope="代为办理",
        authorised_on=timezone.localdate(),
        scan=SimpleUploadedFile("weituoshu.pdf", b"%PDF-1.4 signed", "application/pdf"),
    )


def rate(occasion, level=2, **changes):
    """A rating of `occasion` by QR, from the applicant's phone."""
    values = {
        "level": level,
        "channel": Channel.QR,
        "rater_phone_digest": rater_digest(occasion.case),
    }
    values.update(changes)
    return actions.rate_occasion(occasion, **values)


@pytest.fixture
def bad_rating(occasion):
    """A 2 (不满意) of `occasion`, named: its rectification is open."""
    return rate(occasion, level=2, comment="等了很久")


def replied(
    rectification, *, on: dt.date | None = None, reply: str = "已加强窗口力量，缩短等候时间。"
):
    """Bring `rectification` to 'replied' on `on` (today) through the rectification's own actions,
    by its town's administrator: called back, verified, fixed at once, replied to; 追评 is then
    open until the 5th working day."""
    admin = network_actions.create_account(
        username=f"town-admin-{next(_admins)}",
        password=PASSWORD,
        role="town_admin",
        binding=rectification.town,
        full_name="镇管理员",
        by=None,
    )
    moment = (
        time_machine.travel(dt.datetime.combine(on, dt.time(10), CST), tick=False)
        if on is not None
        else contextlib.nullcontext()
    )
    with moment:
        rect = actions.record_call(rectification, reached=True, record="已联系评价人", by=admin)
        rect = actions.verify(
            rect, is_true=True, is_reasonable=True, is_malicious=False, note="情况属实", by=admin
        )
        rect = actions.fix(rect, measures="当场向评价人致歉并办结", by=admin)
        rect = actions.reply(rect, text=reply, by=admin)
    rectification.refresh_from_db()
    return rectification


@pytest.fixture
def replied_rectification(bad_rating):
    return replied(bad_rating.rectification)
