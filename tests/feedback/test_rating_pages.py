# ruff: noqa: F811 - the fixtures imported from tests.feedback.conftest_figures
"""The staff's list of ratings and one rating's page: in scope, filtered, paged, never the rater's
phone or its digest; 404 for a rating outside the scope."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.feedback.actions import save_reason_set
from bangban.feedback.reasons import ReasonData
from bangban.network.models import Role
from tests.feedback.conftest_figures import (  # noqa: F401 - fixtures
    as_overturned,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    rate,
    register,
    serve,
    served,
    station,
)
from tests.pages import page_text as text

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 9, 10, tzinfo=CST)


@pytest.fixture
def reasons(yiyuan):
    """Yiyuan's reason tags, a version of its own (saved by the county's action)."""
    return save_reason_set(
        yiyuan.county,
        reasons=[
            ReasonData(code="slow", label="办理慢", polarity="bad", position=1),
            ReasonData(code="kind", label="态度好", polarity="good", position=2),
        ],
        by=None,
    )


@pytest.fixture
def some(served, reasons):
    with time_machine.travel(MONDAY, tick=False):
        good = served(5, rating={"reasons": ["kind"], "comment": "很热情"})
        bad = served(1, rating={"reasons": ["slow"]})
        flagged = served(4)
        overturned = served(2)
    flagged.rating.__class__.objects.filter(pk=flagged.rating.pk).update(flagged=True)
    as_overturned(overturned.rating)
    return {"good": good, "bad": bad, "flagged": flagged, "overturned": overturned}


def test_the_list_shows_each_rating_with_its_reasons_and_never_the_phone(client, some, helper):
    client.force_login(helper)
    body = text(client.get("/feedback/ratings/"))
    assert "评价（4 条）" in body
    good = some["good"]
    assert good.case.number in body
    assert f'href="/cases/{good.case.number}/"' in body
    assert "态度好" in body and "办理慢" in body
    assert "非常满意" in body and "非常不满意" in body
    assert "疑似刷评" in body and "申诉后撤销" in body
    assert "扫码评价" in body and "登记受理" in body
    for occasion in some.values():
        assert occasion.rating.rater_phone_digest not in body
    assert "13805331234" not in body and "1234" not in body.replace("1234567", "")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bad=on", {"bad", "overturned"}),
        ("level=5&level=4", {"good", "flagged"}),
        ("flagged=on", {"flagged"}),
        ("overturned=yes", {"overturned"}),
        ("overturned=no", {"good", "bad", "flagged"}),
        ("channel=card", set()),
        ("channel=qr", {"good", "bad", "flagged", "overturned"}),
        ("from=2026-11-10", set()),
        ("from=2026-11-09&to=2026-11-09", {"good", "bad", "flagged", "overturned"}),
    ],
)
def test_the_filters(client, some, helper, query, expected):
    client.force_login(helper)
    body = text(client.get(f"/feedback/ratings/?{query}"))
    shown = {name for name, o in some.items() if f"/feedback/ratings/{o.rating.pk}/" in body}
    assert shown == expected


def test_a_point_filter_takes_the_points_below(client, some, make_account, yiyuan):
    admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    client.force_login(admin)
    town = yiyuan.town("鲁村镇")
    assert "评价（4 条）" in text(client.get(f"/feedback/ratings/?point={town.pk}"))
    other = yiyuan.station("鲁村镇", 1)
    assert "评价（0 条）" in text(client.get(f"/feedback/ratings/?point={other.pk}"))


def test_a_bad_condition_is_named_and_left_out(client, some, helper):
    client.force_login(helper)
    body = text(client.get("/feedback/ratings/?from=2026-11-01&to=2026-10-01&level=9"))
    assert "以下筛选条件有误" in body
    assert "结束日期不能早于开始日期" in body
    assert "评价（4 条）" in body


def test_the_list_pages_like_the_ledger(client, served, helper):
    with time_machine.travel(MONDAY, tick=False):
        for _ in range(27):
            served(4)
    client.force_login(helper)
    first = text(client.get("/feedback/ratings/"))
    assert "评价（27 条）" in first and "第 1–25 条" in first and "下一页" in first
    second = text(client.get("/feedback/ratings/?page=2"))
    assert "第 26–27 条" in second and "上一页" in second


def test_the_list_is_a_fixed_number_of_queries(
    client, served, helper, django_assert_max_num_queries
):
    with time_machine.travel(MONDAY, tick=False):
        for level in (1, 2, 3, 4, 5, 5, 4):
            served(level)
    client.force_login(helper)
    client.get("/feedback/ratings/")
    with django_assert_max_num_queries(12):
        text(client.get("/feedback/ratings/"))


def test_one_rating_and_its_rectification(client, some, helper):
    client.force_login(helper)
    bad = some["bad"].rating
    body = text(client.get(f"/feedback/ratings/{bad.pk}/"))
    assert "非常不满意" in body and "办理慢" in body and "差评整改" in body
    assert "待回访" in body
    assert f"原因第 {bad.reason_set.version} 版" in body
    assert bad.rater_phone_digest not in body
    good = text(client.get(f"/feedback/ratings/{some['good'].rating.pk}/"))
    assert "很热情" in good


def test_a_rating_outside_the_scope_is_404(client, some, make_account, yiyuan):
    elsewhere = make_account(Role.HELPER, yiyuan.station("鲁村镇", 1))
    client.force_login(elsewhere)
    pk = some["good"].rating.pk
    text(client.get(f"/feedback/ratings/{pk}/"), 404)
    text(client.get("/feedback/ratings/999999999/"), 404)
    assert "评价（0 条）" in text(client.get("/feedback/ratings/"))


def test_the_pages_ask_for_a_login(client, some):
    response = client.get("/feedback/ratings/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_navigation_links_the_feedback_pages(client, helper):
    client.force_login(helper)
    body = text(client.get("/feedback/ratings/"))
    assert 'href="/feedback/ratings/"' in body and 'href="/feedback/figures/"' in body
    assert "好差评" in body
