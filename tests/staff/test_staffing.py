"""Staffing minima (the seed's 三(三)), computed in the database for any set of points."""

import datetime as dt

import pytest
from django.db.models import Count

from bangban.network.models import Role, ServicePoint
from bangban.staff.staffing import staffing_summary, with_staffing

ON = dt.date(2026, 6, 1)
Kind = ServicePoint.Kind


def staffing_of(point):
    return with_staffing(ServicePoint.objects.filter(pk=point.pk), ON).get()


def test_the_dedicated_zone_needs_three_qualified_helpers(yiyuan, make_helper):
    zone = yiyuan.zone
    make_helper(zone)
    make_helper(zone, role=Role.POINT_LEAD)  # a lead counts too
    assert (staffing_of(zone).qualified_helpers, staffing_of(zone).staffed) == (2, False)
    make_helper(zone)
    assert (staffing_of(zone).qualified_helpers, staffing_of(zone).staffed) == (3, True)


def test_unqualified_helpers_do_not_count(yiyuan, make_helper):
    subzone = yiyuan.subzone("medical_insurance")
    make_helper(subzone)
    make_helper(subzone, passed=False)
    make_helper(subzone, started_on=dt.date(2026, 1, 1))
    make_helper(subzone, left_on=dt.date(2026, 5, 1))
    point = staffing_of(subzone)
    assert (point.qualified_helpers, point.required_helpers, point.staffed) == (1, 2, False)


def test_a_station_needs_a_full_time_qualified_helper(yiyuan, make_helper):
    station = yiyuan.station("鲁村镇")
    make_helper(station, full_time=False)
    assert not staffing_of(station).staffed
    make_helper(station, full_time=True)
    assert staffing_of(station).staffed


def test_part_timers_count_where_full_time_is_not_required(yiyuan, make_helper):
    window = ServicePoint.objects.filter(kind=Kind.DEPARTMENT_WINDOW).first()
    make_helper(window, full_time=False)
    assert staffing_of(window).staffed


def test_one_person_with_two_roles_at_a_point_counts_once(yiyuan, make_helper):
    from bangban.network.actions import grant_membership

    zone = yiyuan.zone
    helper = make_helper(zone)
    grant_membership(helper.user, role=Role.POINT_LEAD, binding=zone, by=None)
    assert staffing_of(zone).qualified_helpers == 1


def test_a_helper_serving_two_stations_counts_at_both(yiyuan, make_helper):
    from bangban.network.actions import grant_membership

    first, second = yiyuan.station("鲁村镇"), yiyuan.station("鲁村镇", 1)
    helper = make_helper(first)
    grant_membership(helper.user, role=Role.HELPER, binding=second, by=None)
    assert staffing_of(first).staffed and staffing_of(second).staffed


def test_the_county_centre_itself_needs_nobody(yiyuan):
    centre = staffing_of(yiyuan.centre)
    assert (centre.required_helpers, centre.staffed) == (0, True)


def test_the_summary_counts_staffed_points_per_town(yiyuan, make_helper):
    lucun = yiyuan.town("鲁村镇")
    make_helper(yiyuan.station("鲁村镇"))
    make_helper(yiyuan.station("鲁村镇", 1))
    make_helper(lucun)
    rows = {
        row["parent"]: row
        for row in staffing_summary(
            ServicePoint.objects.filter(parent__kind=Kind.TOWN_CENTRE), ON, "parent"
        )
    }
    stations = ServicePoint.objects.filter(parent=lucun).count()
    assert rows[lucun.pk]["points"] == stations
    assert rows[lucun.pk]["staffed_points"] == 2
    assert rows[yiyuan.town("南麻街道").pk]["staffed_points"] == 0


def test_the_summary_of_a_whole_county_is_one_row(yiyuan, make_helper):
    make_helper(yiyuan.zone)
    (row,) = staffing_summary(ServicePoint.objects.filter(county=yiyuan.county), ON)
    expected = (
        ServicePoint.objects.filter(county=yiyuan.county).exclude(kind=Kind.COUNTY_CENTRE).count()
    )
    assert (row["points"], row["staffed_points"]) == (expected, 0)


@pytest.mark.parametrize("stations", [2, 20])
def test_the_summary_is_one_query_whatever_the_size(
    yiyuan, make_helper, django_assert_num_queries, stations
):
    lucun = yiyuan.town("鲁村镇")
    for index in range(stations // 10):
        make_helper(yiyuan.station("鲁村镇", index))
    with django_assert_num_queries(1):
        list(staffing_summary(ServicePoint.objects.filter(parent=lucun), ON, "kind"))
    assert ServicePoint.objects.filter(parent=lucun).aggregate(n=Count("pk"))["n"] > stations
