"""The one gate, role by role and place by place (docs/architecture.md "Who acts where")."""

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404

from bangban.network import access, actions
from bangban.network.models import Membership, Region, Role, ServicePoint

Kind = ServicePoint.Kind


@pytest.fixture
def places(yiyuan):
    """The points every row of the matrix is asked about."""
    return {
        "centre": yiyuan.centre,
        "zone": yiyuan.zone,
        "medical": yiyuan.subzone("medical_insurance"),
        "tax": yiyuan.subzone("tax"),
        "lucun": yiyuan.town("鲁村镇"),
        "lucun_station": yiyuan.station("鲁村镇"),
        "lucun_station_2": yiyuan.station("鲁村镇", 1),
        "lucun_bank": yiyuan.partner_station("沂源农村商业银行"),
        "nanma": yiyuan.town("南麻街道"),
        "nanma_station": yiyuan.station("南麻街道"),
        "nanma_abc": yiyuan.partner_station("中国农业银行沂源县支行"),
    }


def _binding(role, yiyuan, places):
    return {
        Role.REGION_ADMIN: yiyuan.county,
        Role.SUPERVISOR: yiyuan.county,
        Role.DEPARTMENT_ADMIN: yiyuan.department("县医疗保障局"),
        Role.TOWN_ADMIN: places["lucun"],
        Role.PARTNER_ADMIN: yiyuan.organisation("沂源农村商业银行"),
        Role.POINT_LEAD: places["lucun_station"],
        Role.HELPER: places["lucun_station"],
    }[role]


ALL = {
    "centre",
    "zone",
    "medical",
    "tax",
    "lucun",
    "lucun_station",
    "lucun_station_2",
    "lucun_bank",
    "nanma",
    "nanma_station",
    "nanma_abc",
}
LUCUN = {"lucun", "lucun_station", "lucun_station_2", "lucun_bank"}

#: role → (may view, may change, may add a child to)
MATRIX = {
    Role.REGION_ADMIN: (ALL, ALL, ALL),
    Role.SUPERVISOR: (ALL, set(), set()),
    Role.DEPARTMENT_ADMIN: ({"medical"}, {"medical"}, set()),
    Role.TOWN_ADMIN: (LUCUN, LUCUN, LUCUN),
    Role.PARTNER_ADMIN: ({"lucun_bank"}, {"lucun_bank"}, set()),
    Role.POINT_LEAD: ({"lucun_station"}, {"lucun_station"}, set()),
    Role.HELPER: ({"lucun_station"}, set(), set()),
}


@pytest.mark.parametrize("role", list(MATRIX), ids=str)
@pytest.mark.parametrize("action", ["view", "change", "add_child"])
def test_each_role_acts_only_on_its_own_places(role, action, yiyuan, places, make_account):
    user = make_account(role, _binding(role, yiyuan, places))
    expected = MATRIX[role][["view", "change", "add_child"].index(action)]
    allowed = {name for name, point in places.items() if access.can(user, action, point)}
    assert allowed == expected
    listed = set(access.points_for(user, action).filter(pk__in=[p.pk for p in places.values()]))
    assert {name for name, point in places.items() if point in listed} == expected


@pytest.mark.parametrize("role", list(MATRIX), ids=str)
@pytest.mark.parametrize("action", ["view", "act", "change"])
def test_points_through_a_relation_are_the_points_the_gate_lists(
    role, action, yiyuan, places, make_account
):
    """`points_through` says `points_for` of other rows (here memberships, by their point): the
    same rows as `point__in=points_for(…)`, for every role, a superuser and an inactive account."""
    for name, point in places.items():
        make_account(Role.HELPER, point, username=f"at.{name}")
    user = make_account(role, _binding(role, yiyuan, places))
    superuser = get_user_model().objects.create_superuser("root.through", password="x" * 12)
    inactive = make_account(role, _binding(role, yiyuan, places))
    inactive.is_active = False
    for who in (user, superuser, inactive):
        through = access.points_through(who, "point", action)
        found = set() if through is None else set(Membership.objects.filter(through))
        assert found == set(Membership.objects.filter(point__in=access.points_for(who, action)))
    if action == "view":  # every role views the people of some point
        assert Membership.objects.filter(access.points_through(user, "point", action)).exists()


def test_town_admin_sees_every_station_of_the_town_and_nothing_else(yiyuan, make_account):
    lucun = yiyuan.town("鲁村镇")
    user = make_account(Role.TOWN_ADMIN, lucun)
    visible = access.visible_points(user)
    assert visible.count() == ServicePoint.objects.filter(parent=lucun).count() + 1
    assert not visible.exclude(pk=lucun.pk).exclude(parent=lucun).exists()


def test_missing_and_forbidden_points_look_the_same(yiyuan, make_account):
    user = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    with pytest.raises(Http404):
        access.get_point_for(user, yiyuan.station("南麻街道").pk)
    with pytest.raises(Http404):
        access.get_point_for(user, 10**12)
    with pytest.raises(Http404):
        access.get_point_for(user, "not-a-number")
    assert access.get_point_for(user, yiyuan.station("鲁村镇").pk)


#: The roles bound to a point (the others are bound to a region, a department or an organisation).
POINT_BOUND = {Role.TOWN_ADMIN, Role.POINT_LEAD, Role.HELPER}


@pytest.mark.parametrize("role", Role.values, ids=str)
@pytest.mark.parametrize("action", ["view", "act"])
def test_a_point_held_is_its_own_binding_the_gate_allows(
    role, action, yiyuan, places, make_account, django_assert_num_queries
):
    """`point_held` answers from the memberships (no query), for the one point a membership is
    bound to when the role may `action` it, and never a point `get_point_for` refuses; None for
    anything else (then the gate is asked)."""
    binding = yiyuan.county if role == Role.SPECIAL_SUPERVISOR else _binding(role, yiyuan, places)
    user = make_account(role, binding)
    access.memberships(user)
    with django_assert_num_queries(0):
        held = {
            name: access.point_held(user, point.pk, action)
            for name, point in places.items()
            if access.point_held(user, point.pk, action) is not None
        }
    if role in POINT_BOUND and action in access.ROLE_ACTIONS[role]:
        assert list(held.values()) == [binding]
        county = yiyuan.county
        with django_assert_num_queries(0):  # its county read with it
            assert held[next(iter(held))].county == county
    else:
        assert held == {}
    for point in held.values():
        assert access.get_point_for(user, point.pk, action) == point
    user.is_active = False
    assert access.point_held(user, binding.pk, action) is None


def test_a_person_with_two_memberships_sees_both_places(yiyuan, make_account):
    first, second = yiyuan.station("鲁村镇"), yiyuan.station("南麻街道")
    user = make_account(Role.HELPER, first)
    actions.grant_membership(user, role=Role.HELPER, binding=second, by=None)
    user = get_user_model().objects.get(pk=user.pk)  # memberships are read once per user object
    assert set(access.visible_points(user)) == {first, second}


def test_nobody_without_a_membership_sees_anything(yiyuan):
    stranger = get_user_model().objects.create_user("stranger", password="x")
    assert not access.visible_points(stranger).exists()
    assert not access.regions_for(stranger).exists()


def test_an_inactive_account_sees_nothing(yiyuan, make_account):
    user = make_account(Role.REGION_ADMIN, yiyuan.county)
    user.is_active = False
    assert not access.visible_points(user).exists()
    assert not access.can(user, "view", yiyuan.centre)


def test_a_province_admin_sees_every_county_of_the_province_only(yiyuan, make_account):
    province = Region.objects.get(code="37")
    # Under its city, as the division import places every county: a region's counties are read by
    # the tree (`access.county_ids_of`), as the ledger's scope reads them.
    jinan = Region.objects.create(code="3701", name="济南市", level="city", parent=province)
    other = Region.objects.create(code="370102", name="历下区", level="county", parent=jinan)
    other_centre = actions.create_point(
        None, kind=Kind.COUNTY_CENTRE, name="历下区政务服务中心", region=other, by=None
    )
    beijing = Region.objects.create(code="110101", name="东城区", level="county")
    beijing_centre = actions.create_point(
        None, kind=Kind.COUNTY_CENTRE, name="东城区政务服务中心", region=beijing, by=None
    )
    user = make_account(Role.REGION_ADMIN, province)
    assert access.can(user, "view", other_centre)
    assert access.can(user, "change", yiyuan.station("鲁村镇"))
    assert not access.can(user, "view", beijing_centre)
    city = make_account(Role.REGION_ADMIN, Region.objects.get(code="3703"))
    assert access.can(city, "view", yiyuan.centre)
    assert not access.can(city, "view", other_centre)


def test_regions_follow_the_scope(yiyuan, make_account):
    county_admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    assert access.regions_for(county_admin).filter(code="370323102").exists()
    assert not access.regions_for(county_admin).filter(code="37").exists()
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    codes = set(access.regions_for(town_admin).values_list("code", flat=True))
    assert "370323102" in codes
    assert all(code.startswith("370323102") for code in codes)
    assert not access.regions_for(town_admin, "change").exists()


GRANTS = [
    # (creator role, target role, target place, allowed)
    (Role.REGION_ADMIN, Role.REGION_ADMIN, "county", False),  # not one's equal
    (Role.REGION_ADMIN, Role.SUPERVISOR, "county", True),
    (Role.REGION_ADMIN, Role.DEPARTMENT_ADMIN, "medical_department", True),
    (Role.REGION_ADMIN, Role.TOWN_ADMIN, "nanma", True),
    (Role.REGION_ADMIN, Role.PARTNER_ADMIN, "bank", True),
    (Role.REGION_ADMIN, Role.HELPER, "nanma_station", True),
    (Role.TOWN_ADMIN, Role.POINT_LEAD, "lucun_station", True),
    (Role.TOWN_ADMIN, Role.HELPER, "lucun_bank", True),
    (Role.TOWN_ADMIN, Role.HELPER, "nanma_station", False),
    (Role.TOWN_ADMIN, Role.TOWN_ADMIN, "lucun", False),
    (Role.TOWN_ADMIN, Role.SUPERVISOR, "county", False),
    (Role.DEPARTMENT_ADMIN, Role.HELPER, "medical", True),
    (Role.DEPARTMENT_ADMIN, Role.HELPER, "tax", False),
    (Role.DEPARTMENT_ADMIN, Role.POINT_LEAD, "medical", False),
    (Role.PARTNER_ADMIN, Role.POINT_LEAD, "lucun_bank", True),
    (Role.PARTNER_ADMIN, Role.HELPER, "nanma_abc", False),
    (Role.PARTNER_ADMIN, Role.HELPER, "lucun_station", False),
    (Role.POINT_LEAD, Role.HELPER, "lucun_station", True),
    (Role.POINT_LEAD, Role.HELPER, "lucun_station_2", False),
    (Role.POINT_LEAD, Role.POINT_LEAD, "lucun_station", False),
    (Role.SUPERVISOR, Role.HELPER, "lucun_station", False),
    (Role.HELPER, Role.HELPER, "lucun_station", False),
]


@pytest.mark.parametrize(("creator", "role", "place", "allowed"), GRANTS)
def test_each_role_creates_only_the_accounts_it_may(
    creator, role, place, allowed, yiyuan, places, make_account
):
    user = make_account(creator, _binding(creator, yiyuan, places))
    targets = {
        **places,
        "county": yiyuan.county,
        "medical_department": yiyuan.department("县医疗保障局"),
        "bank": yiyuan.organisation("沂源农村商业银行"),
    }
    assert access.can_grant(user, role, targets[place]) is allowed


def test_a_city_admin_may_create_county_admins_inside_its_city(yiyuan, make_account):
    city_admin = make_account(Role.REGION_ADMIN, Region.objects.get(code="3703"))
    assert access.can_grant(city_admin, Role.REGION_ADMIN, yiyuan.county)
    assert not access.can_grant(city_admin, Role.REGION_ADMIN, Region.objects.get(code="3703"))
    assert not access.can_grant(city_admin, Role.REGION_ADMIN, Region.objects.get(code="37"))
