"""Who sees and who maintains a county's catalog: the role matrix, through the one gate."""

from __future__ import annotations

import pytest

from bangban.catalog import scope as access  # the catalog's policy moved from the gate
from bangban.catalog.models import ServiceItem
from bangban.network.models import Region, Role, ServicePoint


def _binding(yiyuan, role):
    return {
        Role.REGION_ADMIN: yiyuan.county,
        Role.SUPERVISOR: yiyuan.county,
        Role.SPECIAL_SUPERVISOR: yiyuan.county,
        Role.DEPARTMENT_ADMIN: yiyuan.department("县医疗保障局"),
        Role.TOWN_ADMIN: yiyuan.town("鲁村镇"),
        Role.PARTNER_ADMIN: yiyuan.organisation("沂源农村商业银行"),
        Role.POINT_LEAD: yiyuan.station("鲁村镇"),
        Role.HELPER: yiyuan.station("鲁村镇"),
    }[role]


#: A special supervisor (特邀监督员) works in no point: the catalog is theirs on the public pages only.
WORKING_ROLES = [role for role in Role.values if role != Role.SPECIAL_SUPERVISOR]


@pytest.mark.parametrize("role", WORKING_ROLES)
def test_everyone_working_in_the_county_sees_its_catalog(role, yiyuan, make_account):
    user = make_account(role, _binding(yiyuan, role))
    assert list(access.catalog_counties(user)) == [yiyuan.county]


def test_a_special_supervisor_sees_no_staff_catalog(yiyuan, make_account):
    user = make_account(Role.SPECIAL_SUPERVISOR, yiyuan.county)
    assert not access.catalog_counties(user).exists()


@pytest.mark.parametrize("role", Role.values)
def test_only_a_region_admin_maintains_the_catalog(role, yiyuan, make_account):
    user = make_account(role, _binding(yiyuan, role))
    assert access.can_edit_catalog(user, yiyuan.county) is (role == Role.REGION_ADMIN)
    assert access.can_edit_catalog(user) is (role == Role.REGION_ADMIN)


def test_a_city_admin_maintains_the_catalogs_of_its_counties(yiyuan, make_account):
    city = Region.objects.get(code="3703")
    user = make_account(Role.REGION_ADMIN, city)
    assert access.can_edit_catalog(user, yiyuan.county)


def test_an_admin_of_another_county_neither_sees_nor_maintains(yiyuan, make_account):
    other = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    user = make_account(Role.REGION_ADMIN, other)
    assert list(access.catalog_counties(user)) == [other]
    assert not access.can_edit_catalog(user, yiyuan.county)


def test_anonymous_sees_no_catalog_through_the_gate(yiyuan):
    from django.contrib.auth.models import AnonymousUser

    assert not access.catalog_counties(AnonymousUser()).exists()


def test_an_item_at_a_point_is_one_the_catalog_shows(
    yiyuan, make_account, make_item, django_assert_num_queries
):
    """`item_at`: an item of the point's county in one query (no sub-query on the catalog), with its
    revision; an item of another county only if the user sees that county's catalog; never one
    without a revision."""
    station = ServicePoint.objects.select_related("county").get(pk=yiyuan.station("鲁村镇").pk)
    helper = make_account(Role.HELPER, station)
    item, elsewhere, draft = make_item(), make_item(), make_item()
    access.catalog_counties(helper).exists()  # the memberships, read once per user object
    with django_assert_num_queries(1):
        found = access.item_at(helper, item.pk, station)
        assert found == item and found.current == item.current
    assert access.item_at(helper, 10**12, station) is None
    assert access.item_at(helper, "x", station) is None
    ServiceItem.objects.filter(pk=draft.pk).update(current=None)
    assert access.item_at(helper, draft.pk, station) is None
    gaoqing = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    ServiceItem.objects.filter(pk=elsewhere.pk).update(county=gaoqing)
    assert access.item_at(helper, elsewhere.pk, station) is None  # not a catalog they see
    city_admin = make_account(Role.REGION_ADMIN, Region.objects.get(code="3703"))
    seen = access.item_at(city_admin, elsewhere.pk, station)
    assert seen == elsewhere and seen.county == gaoqing  # theirs to see; registration refuses it
