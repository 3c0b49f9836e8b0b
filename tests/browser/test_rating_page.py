"""The villager's rating page in a real browser at 360 px (issue 13, decision 0049): the last four
digits, then a face and a reason in two taps; only the reasons that fit the face show, with or
without JavaScript; nothing wider than the phone; axe-core clean on every page of it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bangban.cases import actions as case_actions
from bangban.feedback.actions import save_reason_set
from bangban.feedback.models import Rating
from bangban.feedback.reasons import ReasonData

from ..cases.conftest import person
from ..catalog.conftest import make_item  # noqa: F401 - a fixture
from ..feedback.conftest import REASONS, add_occasion
from ..staff.conftest import make_helper, organiser  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13905335678"
PHONE_360 = {"width": 360, "height": 740}


@pytest.fixture
def rated_case(yiyuan_committed, make_helper, make_item):  # noqa: F811 - the imported fixtures
    station = yiyuan_committed.station("鲁村镇")
    helper = make_helper(station).user
    save_reason_set(
        yiyuan_committed.county,
        reasons=[
            ReasonData(code=code, label=label, polarity=polarity, position=position)
            for position, (code, label, polarity) in enumerate(REASONS)
        ],
        by=None,
    )
    case = case_actions.register_case(
        station,
        registration=case_actions.Registration(
            applicant=person(phone=PHONE),
            item=make_item(),
            kind="assisted",
            mode="on_site",
            channel="walk_in",
            received_on=timezone.localdate(),
            responsible=helper,
        ),
        by=helper,
    )
    case.occasion = add_occasion(case)
    return case


def phone_page(chromium, **options):
    context = chromium.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE_360,
        has_touch=True,
        is_mobile=True,
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def clean(axe, page, name: str) -> None:
    assert axe(page) == [], name
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_360["width"], f"{name}: {width} px wide"


@pytest.mark.parametrize("javascript", [True, False])
def test_two_taps_at_360_px(chromium, live_server, rated_case, axe, shots, javascript):
    context, page = phone_page(chromium, java_script_enabled=javascript)

    def check(name):  # page.evaluate needs JavaScript: the run with it checks each page
        if javascript:
            clean(axe, page, name)

    try:
        page.goto(f"{live_server.url}/pj/{rated_case.public_token}/")
        check("the digits")
        page.get_by_label("申请人手机号后 4 位").fill(PHONE[-4:])
        page.get_by_role("button", name="开始评价").click()
        page.get_by_role("heading", name="服务评价").wait_for()
        check("the occasions")
        if shots:
            page.screenshot(path=str(shots / f"rating-{javascript}.png"), full_page=True)
        slow = page.get_by_role("button", name="办理慢")
        fast = page.get_by_role("button", name="办理快")
        assert not slow.is_visible() and not fast.is_visible()  # no face yet
        page.get_by_text("不满意", exact=True).click()  # tap 1: the face
        assert slow.is_visible() and not fast.is_visible()
        page.get_by_text("非常满意", exact=True).click()  # changed one's mind
        assert fast.is_visible() and not slow.is_visible()
        page.get_by_text("不满意", exact=True).click()
        check("a face chosen")
        slow.click()  # tap 2: the reason, which submits
        page.get_by_role("heading", name="感谢您的评价").wait_for()
        assert "1 个工作日内" in page.content()
        check("thanks")
    finally:
        context.close()
    rating = Rating.objects.get(occasion=rated_case.occasion)
    assert (rating.level, rating.reasons, rating.channel) == (2, ["slow"], "qr")


def test_the_faces_are_reached_and_chosen_by_keyboard(chromium, live_server, rated_case, axe):
    context, page = phone_page(chromium)
    try:
        page.goto(f"{live_server.url}/pj/{rated_case.public_token}/?from=sms")
        page.get_by_label("申请人手机号后 4 位").fill(PHONE[-4:])
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="服务评价").wait_for()
        face = page.get_by_role("radio", name="满意", exact=True)
        face.focus()
        page.keyboard.press("Space")
        assert face.is_checked()
        page.get_by_role("button", name="提交评价").click()
        page.get_by_role("heading", name="感谢您的评价").wait_for()
    finally:
        context.close()
    rating = Rating.objects.get(occasion=rated_case.occasion)
    assert (rating.level, rating.channel) == (4, "sms")
