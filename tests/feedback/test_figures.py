# ruff: noqa: F811 - the fixtures imported from tests.feedback.conftest_figures
"""The figures of 好差评 (feedback.figures): each definition, by point, helper and town, for a scope
and a period (docs/decisions/0053-rating-figures.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.feedback.figures import Period, Rate, figures_for, window_closed_through
from bangban.feedback.models import Channel, FeedbackPolicy
from bangban.network.models import Role
from bangban.workdays import calendar
from tests.feedback.conftest_figures import (  # noqa: F401 - fixtures
    as_called_back,
    as_overturned,
    as_rectified,
    gaoqing,
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
from tests.network.test_api import token_for
from tests.pages import page_text as text

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 9, 10, tzinfo=CST)
#: A Wednesday: the windows of the occasions up to Tuesday 11-10 have closed (5 working days).
WEDNESDAY = dt.datetime(2026, 11, 18, 10, tzinfo=CST)
TODAY = WEDNESDAY.date()


@pytest.fixture
def county_admin(make_account, yiyuan):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


def november():
    return Period.preset("month", TODAY)


@pytest.fixture
def a_month(served):
    """Occasions of 2026-11 at the station: rated 5, 2 (named, called back, rectified), never rated,
    3, 1 (anonymous), the province's default, 1 overturned on appeal (all on Monday 11-09, windows
    closed by 11-18); and on 11-18 one not rated yet and one rated 4."""
    with time_machine.travel(MONDAY, tick=False):
        five = served(5)
        two = served(2)
        served()
        served(3)
        one = served(1, rating={"anonymous": True})
        served(5, rating={"channel": Channel.PROVINCE, "province_default": True})
        overturned = served(1)
    as_called_back(two.rating)
    as_rectified(two.rating)
    as_overturned(overturned.rating)
    with time_machine.travel(WEDNESDAY, tick=False):
        served()
        served(4)
    return {"five": five, "two": two, "one": one}


def test_each_figure_counts_what_its_definition_says(a_month, county_admin):
    with time_machine.travel(WEDNESDAY, tick=False):
        total = figures_for(county_admin, november()).total
    # Active first ratings: 5, 2, 3, 1, 4 (not the default, not the overturned one).
    assert (total.good_rate, total.bad_rate) == (Rate(2, 5), Rate(2, 5))
    # Occasions: 9 less the overturned one; rated: those 5.
    assert total.rated_rate == Rate(5, 8)
    # Windows closed: the six of Monday left; unrated: the one never rated and the default.
    assert total.unrated_rate == Rate(2, 6)
    assert total.rectified_rate == Rate(1, 2)
    # The anonymous bad review owes no call-back.
    assert total.called_back_rate == Rate(1, 1)
    assert (total.overturned, total.defaults) == (1, 1)


def test_the_county_may_count_basic_as_good(a_month, county_admin, yiyuan):
    FeedbackPolicy.objects.create(county=yiyuan.county, count_basic_as_good=True)
    with time_machine.travel(WEDNESDAY, tick=False):
        figures = figures_for(county_admin, november())
    assert figures.total.good_rate == Rate(3, 5)
    assert figures.basic_counts is True
    assert figures.policies == {"沂源县": True}


def test_three_failed_calls_count_as_called_back(served, county_admin):
    from bangban.feedback.models import Rectification

    with time_machine.travel(MONDAY, tick=False):
        tried = served(2)
        served(1)
    Rectification.objects.filter(rating=tried.rating).update(failed_calls=3)
    with time_machine.travel(WEDNESDAY, tick=False):
        total = figures_for(county_admin, november()).total
    assert total.called_back_rate == Rate(1, 2)


def test_a_period_holds_what_was_rated_and_served_in_it(a_month, county_admin):
    with time_machine.travel(WEDNESDAY, tick=False):
        october = figures_for(county_admin, Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
        today = figures_for(county_admin, Period(TODAY, TODAY))
    assert october.total.good_rate == Rate(0, 0)
    assert october.total.good_rate.percent == "—"
    assert october.rows == []
    assert today.total.good_rate == Rate(1, 1)
    assert today.total.rated_rate == Rate(1, 2)
    assert today.total.unrated_rate == Rate(0, 0)


def test_by_point_helper_and_town(register, make_helper, yiyuan, county_admin, helper, station):
    other_station = yiyuan.station("鲁村镇", 1)
    town = yiyuan.town("鲁村镇")
    zone = yiyuan.zone
    people = {p: make_helper(p).user for p in (other_station, town, zone)}
    with time_machine.travel(MONDAY, tick=False):
        rate(serve(register()), 5)
        rate(serve(register()), 1)
        for point, person in people.items():
            case = register(point=point, by=person, responsible=person)
            rate(serve(case), 4)
    with time_machine.travel(WEDNESDAY, tick=False):
        by_point = figures_for(county_admin, november(), "point")
        by_helper = figures_for(county_admin, november(), "helper")
        by_town = figures_for(county_admin, november(), "town")
    assert {r.name: (r.good, r.ratings) for r in by_point.rows} == {
        station.name: (1, 2),
        other_station.name: (1, 1),
        town.name: (1, 1),
        zone.name: (1, 1),
    }
    assert sorted((r.id, r.ratings) for r in by_helper.rows) == sorted(
        [(helper.pk, 2), *((p.pk, 1) for p in people.values())]
    )
    assert {r.name: (r.good, r.bad, r.ratings, r.occasions) for r in by_town.rows} == {
        town.name: (3, 1, 4, 4),
        "沂源县县级服务点和合作网点": (1, 0, 1, 1),
    }
    for figures in (by_point, by_helper, by_town):
        assert figures.total.ratings == 5
        assert figures.total.good_rate == Rate(4, 5)


def test_a_scope_spanning_counties_counts_each_by_its_own_setting(
    served, gaoqing, make_account, yiyuan, county_admin
):
    county, centre, register_there = gaoqing
    FeedbackPolicy.objects.create(county=yiyuan.county, count_basic_as_good=True)
    city_admin = make_account(Role.REGION_ADMIN, yiyuan.county.parent)
    with time_machine.travel(MONDAY, tick=False):
        served(3)
        rate(serve(register_there()), 3)
    with time_machine.travel(WEDNESDAY, tick=False):
        city = figures_for(city_admin, november(), "town")
        yiyuan_only = figures_for(county_admin, november(), "town")
    assert city.total.good_rate == Rate(1, 2)
    assert city.basic_counts is None
    assert city.policies == {"高青县": False, "沂源县": True}
    assert yiyuan_only.total.good_rate == Rate(1, 1)
    assert {r.name for r in city.rows} == {yiyuan.town("鲁村镇").name, "高青县县级服务点和合作网点"}


def test_each_sees_the_figures_of_their_scope(a_month, make_account, yiyuan, helper):
    elsewhere = make_account(Role.HELPER, yiyuan.station("鲁村镇", 1))
    nobody = make_account(Role.HELPER, yiyuan.station("鲁村镇", 1))
    nobody.memberships.all().delete()
    with time_machine.travel(WEDNESDAY, tick=False):
        assert figures_for(helper, november()).total.ratings == 5
        assert figures_for(elsewhere, november()).total.ratings == 0
        assert figures_for(elsewhere, november()).total.occasions == 0
        assert figures_for(nobody, november()).rows == []


@pytest.mark.parametrize("groups", [1, 4])
def test_a_figure_set_is_a_fixed_number_of_queries(
    groups, register, make_helper, yiyuan, county_admin, django_assert_max_num_queries
):
    points = [yiyuan.station("鲁村镇", i) for i in range(groups)]
    with time_machine.travel(MONDAY, tick=False):
        for point in points:
            person = make_helper(point).user
            rate(serve(register(point=point, by=person, responsible=person)), 4)
    with time_machine.travel(WEDNESDAY, tick=False):
        for by in ("point", "helper", "town"):
            county_admin._bangban_memberships = None
            with django_assert_max_num_queries(7):
                figures_for(county_admin, november(), by)


@pytest.mark.django_db
def test_the_rating_window_closes_on_the_calendar():
    closed = window_closed_through(TODAY)
    assert closed == dt.date(2026, 11, 10)
    # Around the National Day holiday too: the last closed day's window ended before today, the
    # next day's has not.
    for today in (dt.date(2026, 10, 9), dt.date(2026, 10, 12), dt.date(2027, 2, 20)):
        closed = window_closed_through(today)
        assert calendar.deadline(closed, 5).date < today
        assert calendar.deadline(closed + dt.timedelta(days=1), 5).date >= today


def test_presets():
    assert Period.preset("month", TODAY) == Period(dt.date(2026, 11, 1), TODAY)
    assert Period.preset("quarter", TODAY) == Period(dt.date(2026, 10, 1), TODAY)
    assert Period.preset("year", TODAY) == Period(dt.date(2026, 1, 1), TODAY)
    assert str(Rate(1, 3)) == "33.3%（1/3）"


# --- The page ---------------------------------------------------------------------------------------


def test_the_page_shows_each_figure_with_its_counts(client, a_month, county_admin, yiyuan):
    client.force_login(county_admin)
    with time_machine.travel(WEDNESDAY, tick=False):
        body = text(client.get("/feedback/figures/"))
    assert "统计期间：2026-11-01 至 2026-11-18" in body
    assert "好评按 4–5 级计算" in body
    assert "40.0%" in body and "（2/5）" in body  # 好评率 and 差评率
    assert "62.5%" in body and "（5/8）" in body  # 主动评价率
    assert "33.3%" in body and "（2/6）" in body  # 未评价率
    assert yiyuan.station("鲁村镇").name in body
    assert 'data-label="好评率"' in body  # a stacked card per row at 360 px
    FeedbackPolicy.objects.create(county=yiyuan.county, count_basic_as_good=True)
    with time_machine.travel(WEDNESDAY, tick=False):
        body = text(client.get("/feedback/figures/?by=town"))
    assert "好评按 3–5 级计算" in body and "60.0%" in body and "鲁村镇" in body


def test_the_page_takes_a_preset_or_a_period(client, a_month, county_admin):
    client.force_login(county_admin)
    with time_machine.travel(WEDNESDAY, tick=False):
        year = text(client.get("/feedback/figures/?period=year"))
        custom = text(client.get("/feedback/figures/?period=custom&from=2026-11-18&to=2026-11-18"))
        wrong = text(client.get("/feedback/figures/?period=custom&from=2026-11-18&to=2026-11-01"))
        empty = text(client.get("/feedback/figures/?period=custom&from=2026-10-01&to=2026-10-31"))
    assert "统计期间：2026-01-01 至 2026-11-18" in year
    assert "统计期间：2026-11-18 至 2026-11-18" in custom and "（1/1）" in custom
    assert "结束日期不能早于开始日期" in wrong and "统计期间：2026-11-01 至 2026-11-18" in wrong
    assert "该期间内没有服务记录或评价" in empty


# --- The API ----------------------------------------------------------------------------------------


@pytest.fixture
def api(client):
    def get(user, **params):
        token = token_for(client, user)
        return client.get(
            "/api/v1/feedback/figures", params, headers={"authorization": f"Bearer {token}"}
        )

    return get


def test_the_api_gives_each_figure_with_its_denominator(api, a_month, county_admin, yiyuan):
    with time_machine.travel(WEDNESDAY, tick=False):
        response = api(county_admin, by="town", **{"from": "2026-11-01", "to": "2026-11-18"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["from"], data["to"], data["by"]) == ("2026-11-01", "2026-11-18", "town")
    assert data["count_basic_as_good"] is False
    assert data["counties"] == [{"county": "沂源县", "count_basic_as_good": False}]
    assert data["window_closed_through"] == "2026-11-10"
    assert data["count"] == 1
    town = data["items"][0]
    assert (town["group"], town["id"], town["name"]) == (
        "town",
        yiyuan.town("鲁村镇").pk,
        yiyuan.town("鲁村镇").name,
    )
    assert town["good_rate"] == {"count": 2, "of": 5, "rate": 0.4}
    assert town["unrated_rate"] == {"count": 2, "of": 6, "rate": 2 / 6}
    assert (town["overturned"], town["province_defaults"]) == (1, 1)
    assert data["total"]["group"] == "total"
    assert data["total"]["rated_rate"] == {"count": 5, "of": 8, "rate": 0.625}
    with time_machine.travel(WEDNESDAY, tick=False):
        october = api(county_admin, **{"from": "2026-10-01", "to": "2026-10-31"}).json()
    assert october["total"]["good_rate"] == {"count": 0, "of": 0, "rate": None}


@pytest.mark.parametrize(
    ("params", "status", "loc"),
    [
        ({"form": "2026-11-01"}, 422, ["query", "form"]),
        ({"by": "county"}, 422, ["query", "by"]),
        ({"from": "2026-11-31"}, 422, ["query", "from"]),
        ({"from": "1999-12-31"}, 422, ["query", "from"]),
        ({"from": "2026-11-18", "to": "2026-11-01"}, 409, ["query", "to"]),
    ],
)
def test_the_api_refuses_what_it_does_not_know(api, county_admin, params, status, loc):
    response = api(county_admin, **params)
    assert response.status_code == status, response.content
    assert response.json()["detail"][0]["loc"] == loc
