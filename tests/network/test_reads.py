"""Reads said once (issue 12): the people serving at points, and the drill-down by regions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from bangban.network import drill
from bangban.network.models import Membership, Role, ServicePoint

Kind = ServicePoint.Kind


def test_serving_is_the_helpers_and_point_leads_at_the_points(yiyuan, make_account):
    station, centre = yiyuan.station("鲁村镇"), yiyuan.town("鲁村镇")
    helper = make_account(Role.HELPER, station)
    lead = make_account(Role.POINT_LEAD, centre)
    town_admin = make_account(Role.TOWN_ADMIN, centre)

    def users(qs) -> set:
        return set(qs.values_list("user", flat=True))

    assert {helper.pk, lead.pk} <= users(Membership.objects.serving())
    assert town_admin.pk not in users(Membership.objects.serving())
    assert users(Membership.objects.serving(at=station)) == {helper.pk}
    assert users(Membership.objects.serving(at=station.pk)) == {helper.pk}
    assert users(Membership.objects.serving(at=[station.pk, centre.pk])) == {helper.pk, lead.pk}
    both = ServicePoint.objects.filter(pk__in=[station.pk, centre.pk])
    assert users(Membership.objects.serving(at=both)) == {helper.pk, lead.pk}
    assert users(Membership.objects.serving(at=both.values("pk"))) == {helper.pk, lead.pk}
    staffed = ServicePoint.objects.filter(
        Exists(Membership.objects.serving(at=OuterRef("pk"))), pk__in=[station.pk, centre.pk]
    )
    assert set(staffed) == {station, centre}


def test_a_county_lists_its_county_level_points_and_sums_the_rest_per_town(yiyuan):
    points = ServicePoint.objects.all()
    level = drill.drill_down(points, code=yiyuan.county.code)
    assert not level.paged and level.group_level == "town"
    assert {p.kind for p in level.listed} <= set(drill.COUNTY_LEVEL)
    towns = {row["group"] for row in level.grouped.values("group")}
    assert yiyuan.town("鲁村镇").region.code in towns
    assert all(len(code) == 9 for code in towns)


def test_a_city_is_summed_per_county_and_a_town_lists_its_points(yiyuan):
    points = ServicePoint.objects.all()
    city = drill.drill_down(points, code=yiyuan.county.code[:4])
    assert city.group_level == "county" and city.listed is None
    assert {row["group"] for row in city.grouped.values("group")} == {yiyuan.county.code}
    town = yiyuan.town("鲁村镇")
    level = drill.drill_down(points, code=town.region.code)
    assert level.paged and town in level.listed
    assert not level.missing(found=True)
    assert drill.drill_down(points, code="999999999").missing(found=False)


def test_a_point_lists_itself_and_its_children(yiyuan):
    town = yiyuan.town("鲁村镇")
    level = drill.drill_down(ServicePoint.objects.all(), point=town)
    assert set(level.listed) == {town, *town.children.all()}
    assert not level.missing(found=False)  # a point is never "missing": the gate said 404 before
