"""An account made on a point's page gets its helper profile from the point's admins."""

import pytest
from django.urls import reverse

from bangban.network.models import Role
from bangban.staff.models import Helper

FORM = {
    "full_time": "on",
    "origin": "village_committee",
    "started_on": "2024-03-01",
    "left_on": "",
    "work_phone": "13953312345",
    "domains": [],
}


@pytest.fixture
def newcomer(yiyuan, make_account):
    return make_account(Role.HELPER, yiyuan.station("鲁村镇"), username="newcomer")


def test_the_town_admin_gives_a_newcomer_a_profile_from_the_point_page(
    client, yiyuan, make_account, newcomer
):
    client.force_login(make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")))
    url = reverse("staff:helper_new", args=[newcomer.pk])
    page = client.get(reverse("network:point", args=[yiyuan.station("鲁村镇").pk]))
    assert url in page.content.decode()
    response = client.post(url, FORM)
    helper = Helper.objects.get(user=newcomer)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:helper", args=[helper.pk])
    assert helper.work_phone == "13953312345"


def test_a_profile_that_exists_is_edited_instead(client, yiyuan, make_account, make_helper):
    helper = make_helper(yiyuan.station("鲁村镇"))
    client.force_login(make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")))
    response = client.get(reverse("staff:helper_new", args=[helper.user_id]))
    assert response["Location"] == reverse("staff:helper_edit", args=[helper.pk])


def test_another_towns_admin_and_a_helper_cannot_give_a_profile(
    client, yiyuan, make_account, newcomer
):
    url = reverse("staff:helper_new", args=[newcomer.pk])
    client.force_login(make_account(Role.TOWN_ADMIN, yiyuan.town("南麻街道")))
    assert client.post(url, FORM).status_code == 404
    client.force_login(make_account(Role.HELPER, yiyuan.station("鲁村镇")))
    assert client.post(url, FORM).status_code == 404
    assert not Helper.objects.filter(user=newcomer).exists()


def test_a_bad_profile_shows_chinese_errors_and_creates_nothing(
    client, yiyuan, make_account, newcomer
):
    client.force_login(make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")))
    response = client.post(
        reverse("staff:helper_new", args=[newcomer.pk]),
        {**FORM, "started_on": "2024-03-01", "left_on": "2023-01-01"},
    )
    assert response.status_code == 200
    assert "离岗日期不能早于" in response.content.decode()
    assert not Helper.objects.filter(user=newcomer).exists()
