"""Scope of helpers and training organisers, through the gate, for every role: always derived
from points; a partner admin of one bank sees nothing of another bank's, a town admin nothing of
another town's."""

from __future__ import annotations

import pytest

from bangban.network.models import Region, Role
from bangban.staff import scope
from bangban.staff.models import TrainingOrganiser

ABC = "中国农业银行沂源县支行"
RCB = "沂源农村商业银行"


@pytest.fixture
def people(yiyuan, make_helper):
    """One helper at each kind of place that matters."""
    return {
        "zone": make_helper(yiyuan.zone),
        "medical": make_helper(yiyuan.subzone("medical_insurance")),
        "lucun": make_helper(yiyuan.station("鲁村镇")),
        "lucun_centre": make_helper(yiyuan.town("鲁村镇"), role=Role.POINT_LEAD),
        "nanma": make_helper(yiyuan.station("南麻街道")),
        "abc": make_helper(yiyuan.partner_station(ABC)),
        "rcb": make_helper(yiyuan.partner_station(RCB)),
    }


def seen(user, people) -> set[str]:
    visible = set(scope.helpers_for(user).values_list("pk", flat=True))
    return {name for name, helper in people.items() if helper.pk in visible}


def organisers(user, action="view") -> set[TrainingOrganiser]:
    return set(scope.organisers_for(user, action))


def bureau(yiyuan):
    return TrainingOrganiser.objects.get(kind="county_bureau", county=yiyuan.county)


def of_town(yiyuan, name):
    return TrainingOrganiser.objects.get(town_centre=yiyuan.town(name))


def of_bank(yiyuan, name):
    return TrainingOrganiser.objects.get(organisation=yiyuan.organisation(name))


def test_region_admin_sees_every_helper_and_manages_every_organiser_of_the_county(
    yiyuan, people, make_account
):
    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    assert seen(admin, people) == set(people)
    county = set(TrainingOrganiser.objects.filter(county=yiyuan.county))
    assert organisers(admin) == county
    assert organisers(admin, "change") == county


def test_admin_of_another_county_sees_nothing(yiyuan, people, make_account):
    other = Region.objects.create(code="370322", name="高青县", level="county", parent=None)
    admin = make_account(Role.REGION_ADMIN, other)
    assert seen(admin, people) == set()
    assert organisers(admin) == set()


def test_supervisor_sees_the_county_but_manages_nothing(yiyuan, people, make_account):
    supervisor = make_account(Role.SUPERVISOR, yiyuan.county)
    assert seen(supervisor, people) == set(people)
    assert bureau(yiyuan) in organisers(supervisor)
    assert organisers(supervisor, "change") == set()
    assert not scope.helpers_for(supervisor, "change").exists()


def test_department_admin_sees_and_manages_its_own_department(yiyuan, people, make_account):
    medical = yiyuan.department("县医疗保障局")
    admin = make_account(Role.DEPARTMENT_ADMIN, medical)
    assert seen(admin, people) == {"medical"}
    own = TrainingOrganiser.objects.get(department=medical)
    assert organisers(admin) == {own}
    assert organisers(admin, "change") == {own}


def test_town_admin_sees_nothing_of_another_town(yiyuan, people, make_account):
    admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    visible = seen(admin, people)
    assert {"lucun", "lucun_centre"} <= visible
    assert "nanma" not in visible and "zone" not in visible and "abc" not in visible
    assert of_town(yiyuan, "鲁村镇") in organisers(admin)
    assert of_town(yiyuan, "南麻街道") not in organisers(admin)
    assert bureau(yiyuan) not in organisers(admin)
    assert organisers(admin, "change") == {of_town(yiyuan, "鲁村镇")}


def test_partner_admin_of_one_bank_sees_nothing_of_another_bank(yiyuan, people, make_account):
    admin = make_account(Role.PARTNER_ADMIN, yiyuan.organisation(RCB))
    assert seen(admin, people) == {"rcb"}
    assert organisers(admin) == {of_bank(yiyuan, RCB)}
    assert organisers(admin, "change") == {of_bank(yiyuan, RCB)}
    other = make_account(Role.PARTNER_ADMIN, yiyuan.organisation(ABC))
    assert seen(other, people) == {"abc"}
    assert of_bank(yiyuan, RCB) not in organisers(other)


def test_point_lead_sees_its_point_and_manages_no_organiser(yiyuan, people, make_account):
    lead = make_account(Role.POINT_LEAD, yiyuan.station("鲁村镇"))
    assert seen(lead, people) == {"lucun"}
    assert of_town(yiyuan, "鲁村镇") in organisers(lead)
    assert organisers(lead, "change") == set()
    assert set(scope.helpers_for(lead, "change")) == {people["lucun"]}


def test_helper_sees_the_people_of_its_point_and_its_own_profile(yiyuan, people):
    helper = people["lucun"]
    assert seen(helper.user, people) == {"lucun"}
    assert organisers(helper.user) == {of_town(yiyuan, "鲁村镇")}
    assert organisers(helper.user, "change") == set()
    assert not scope.helpers_for(helper.user, "change").exists()


def test_missing_and_not_allowed_look_the_same(yiyuan, people, make_account):
    from django.http import Http404

    admin = make_account(Role.PARTNER_ADMIN, yiyuan.organisation(RCB))
    with pytest.raises(Http404):
        scope.get_helper_for(admin, people["abc"].pk)
    with pytest.raises(Http404):
        scope.get_helper_for(admin, 10**9)
    with pytest.raises(Http404):
        scope.get_organiser_for(admin, of_bank(yiyuan, ABC).pk)
    with pytest.raises(Http404):
        scope.get_organiser_for(admin, bureau(yiyuan).pk, "change")
    assert scope.get_organiser_for(admin, of_bank(yiyuan, RCB).pk, "change")
