"""Who sees and who maintains a county's catalog: the role matrix, through the one gate."""

from __future__ import annotations

import pytest

from bangban.catalog import scope as access  # the catalog's policy moved from the gate
from bangban.network.models import Region, Role


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
