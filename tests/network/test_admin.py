"""Django admin is the operators' tool: it opens, and it cannot break the tree or the bindings."""

import pytest
from django.contrib.auth import get_user_model

from bangban.network.models import Membership, Region, Role, ServicePoint


@pytest.fixture
def operator(client, db):
    user = get_user_model().objects.create_superuser("operator", password="Secure-pass-123")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["region", "servicepoint", "membership", "department", "partnerorganisation"]
)
def test_every_admin_list_opens(operator, yiyuan, model):
    assert operator.get(f"/admin/network/{model}/").status_code == 200


def test_a_point_changed_in_admin_keeps_its_place_in_the_tree(operator, yiyuan):
    station = yiyuan.station("鲁村镇")
    url = f"/admin/network/servicepoint/{station.pk}/change/"
    assert operator.get(url).status_code == 200
    form = {
        "name": "改名后的便民服务站",
        "address": "",
        "phone": "",
        "active": "on",
        "parent": yiyuan.town("南麻街道").pk,  # read-only: ignored
        "hours-TOTAL_FORMS": "0",
        "hours-INITIAL_FORMS": "0",
    }
    response = operator.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    station.refresh_from_db()
    assert station.name == "改名后的便民服务站"
    assert station.parent == yiyuan.town("鲁村镇")


def test_points_and_regions_are_not_added_in_admin(operator, yiyuan):
    assert operator.get("/admin/network/servicepoint/add/").status_code == 403
    assert operator.get("/admin/network/region/add/").status_code == 403


def test_a_membership_in_admin_must_bind_the_right_kind_of_place(operator, yiyuan):
    user = get_user_model().objects.create_user("someone", password="Secure-pass-123")
    response = operator.post(
        "/admin/network/membership/add/",
        {"user": user.pk, "role": Role.TOWN_ADMIN, "point": yiyuan.station("鲁村镇").pk},
    )
    assert response.status_code == 200
    assert "镇（街道）管理员必须绑定到镇（街道）便民服务中心" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()
    response = operator.post(
        "/admin/network/membership/add/",
        {"user": user.pk, "role": Role.TOWN_ADMIN, "point": yiyuan.town("鲁村镇").pk},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, role=Role.TOWN_ADMIN).exists()


def test_a_region_code_cannot_be_edited_in_admin(operator, yiyuan):
    region = Region.objects.get(code="370323102")
    operator.post(
        f"/admin/network/region/{region.pk}/change/",
        {"name": "鲁村镇", "active": "on", "code": "370323999"},
    )
    region.refresh_from_db()
    assert region.code == "370323102"
    assert ServicePoint.objects.filter(region=region).exists()


@pytest.mark.parametrize("model", ["calendaryear", "calendarday"])
def test_the_calendar_is_read_only_in_admin(operator, yiyuan, model):
    assert operator.get(f"/admin/workdays/{model}/").status_code == 200
    assert operator.get(f"/admin/workdays/{model}/add/").status_code == 403
