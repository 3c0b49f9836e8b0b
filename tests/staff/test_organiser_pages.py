"""The organisers' pages: the list with what each trains for, an organiser's page, and the county
administrator's corrections of its points and name (page and rule, scope, field errors)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangban.network import actions as network
from bangban.network.divisions import import_divisions
from bangban.network.models import Role, ServicePoint
from bangban.staff import actions
from bangban.staff.models import CoverageCorrection, TrainingOrganiser
from tests.network.test_divisions import county_row, files, town_row
from tests.pages import page_text as text

OK = TrainingOrganiser.Kind


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def lucun(yiyuan) -> TrainingOrganiser:
    return TrainingOrganiser.objects.get(town_centre=yiyuan.town("鲁村镇"))


def coverage_url(organiser) -> str:
    return reverse("staff:organiser_coverage", args=[organiser.pk])


def test_the_list_shows_what_each_organiser_trains_for_and_how_many_points(
    client, yiyuan, county_admin, lucun
):
    client.force_login(county_admin)
    body = text(client.get(reverse("staff:organisers")))
    assert "鲁村镇便民服务中心及所辖村（社区）便民服务站" in body
    assert f"服务点 {lucun.points.count()} 个" in body
    assert "本县帮办代办专区及企业开办、投资项目审批、综合受理分区" in body


def test_an_organiser_out_of_service_is_marked_in_the_list_and_on_its_page(
    client, yiyuan, county_admin
):
    town = yiyuan.town("燕崖镇")
    network.update_point(town, active=False, by=county_admin)
    organiser = TrainingOrganiser.objects.get(town_centre=town)
    client.force_login(county_admin)
    assert "已停用" in text(client.get(reverse("staff:organisers")))
    assert "已停用" in text(client.get(reverse("staff:organiser", args=[organiser.pk])))


def test_the_county_admin_removes_a_point_with_a_note(client, yiyuan, county_admin, lucun):
    station = yiyuan.station("鲁村镇")
    client.force_login(county_admin)
    page = text(client.get(reverse("staff:organiser", args=[lucun.pk])))
    assert coverage_url(lucun) in page
    response = client.post(
        coverage_url(lucun),
        {"op": "remove", "remove-points": [station.pk], "remove-note": "由县局统一培训"},
    )
    assert response.status_code == 302
    assert not lucun.points.filter(pk=station.pk).exists()
    correction = CoverageCorrection.objects.get(organiser=lucun, point=station)
    assert (correction.change, correction.note, correction.created_by) == (
        "removed",
        "由县局统一培训",
        county_admin,
    )
    page = text(client.get(reverse("staff:organiser", args=[lucun.pk])))
    assert "管理员移除的服务点" in page and "由县局统一培训" in page


def test_the_county_admin_adds_a_point_of_the_county(client, yiyuan, county_admin):
    bureau = TrainingOrganiser.objects.get(kind=OK.COUNTY_BUREAU, county=yiyuan.county)
    tax = yiyuan.subzone("tax")
    client.force_login(county_admin)
    offered = text(client.get(coverage_url(bureau), {"q": "税务"}))
    assert f'value="{tax.pk}"' in offered
    client.post(
        coverage_url(bureau), {"op": "add", "add-points": [tax.pk], "add-note": "县局代为培训"}
    )
    assert bureau.points.filter(pk=tax.pk).exists()
    assert "管理员增加" in text(client.get(reverse("staff:organiser", args=[bureau.pk])))


def test_a_correction_without_a_note_is_refused_at_the_field(client, yiyuan, county_admin, lucun):
    station = yiyuan.station("鲁村镇")
    client.force_login(county_admin)
    response = client.post(
        coverage_url(lucun), {"op": "remove", "remove-points": [station.pk], "remove-note": ""}
    )
    assert response.status_code == 200
    assert 'id="id_remove-note_error"' in text(response)
    assert f'value="{station.pk}" id="remove-point-{station.pk}" checked' in text(response)
    assert lucun.points.filter(pk=station.pk).exists()


def test_a_point_of_another_county_cannot_be_added_from_the_page(
    client, yiyuan, county_admin, tmp_path
):
    import_divisions(
        **files(tmp_path, [county_row("370398", "新设县")], [town_row("370398101", "河口镇")], [])
    )
    elsewhere = ServicePoint.objects.get(region__code="370398101")
    bureau = TrainingOrganiser.objects.get(kind=OK.COUNTY_BUREAU, county=yiyuan.county)
    client.force_login(county_admin)
    response = client.post(
        coverage_url(bureau), {"op": "add", "add-points": [elsewhere.pk], "add-note": "误操作"}
    )
    assert response.status_code == 200
    assert "所选服务点不属于该县或无权访问。" in text(response)
    assert not bureau.points.filter(pk=elsewhere.pk).exists()


def test_only_region_admins_correct_coverage(client, yiyuan, make_account, lucun):
    station = yiyuan.station("鲁村镇")
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    client.force_login(town_admin)
    assert coverage_url(lucun) not in text(client.get(reverse("staff:organiser", args=[lucun.pk])))
    assert client.get(coverage_url(lucun)).status_code == 404
    response = client.post(
        coverage_url(lucun),
        {"op": "remove", "remove-points": [station.pk], "remove-note": "自行调整"},
    )
    assert response.status_code == 404
    assert lucun.points.filter(pk=station.pk).exists()


def test_the_county_admin_renames_an_organiser_and_clears_the_name(
    client, yiyuan, county_admin, lucun
):
    client.force_login(county_admin)
    client.post(coverage_url(lucun), {"op": "name", "name-name": "鲁村镇培训站"})
    lucun.refresh_from_db()
    assert (lucun.name, lucun.name_follows) == ("鲁村镇培训站", False)
    client.post(coverage_url(lucun), {"op": "name", "name-name": ""})
    lucun.refresh_from_db()
    assert (lucun.name, lucun.name_follows) == ("鲁村镇", True)


@pytest.mark.parametrize("query", ["", "草埠"])
def test_the_coverage_page_costs_a_fixed_number_of_queries(
    client, yiyuan, county_admin, lucun, django_assert_max_num_queries, query
):
    client.force_login(county_admin)
    client.get(coverage_url(lucun), {"q": query})
    with django_assert_max_num_queries(12):
        response = client.get(coverage_url(lucun), {"q": query})
    assert response.status_code == 200


def test_django_admin_shows_corrections_but_does_not_edit_the_points(
    client, yiyuan, county_admin, lucun, django_user_model
):
    actions.correct_coverage(
        lucun, remove=[yiyuan.station("鲁村镇")], note="由县局统一培训", by=county_admin
    )
    operator = django_user_model.objects.create_superuser("operator", password="x-Secure-123")
    client.force_login(operator)
    page = text(client.get(reverse("admin:staff_trainingorganiser_change", args=[lucun.pk])))
    assert "由县局统一培训" in page
    assert 'name="points"' not in page
