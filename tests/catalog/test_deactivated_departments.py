"""A deactivated department (network) keeps its items, which stay in use and editable, but takes
no new item and no item moved to it — through the actions, the pages, the API and the Excel import.
The department pickers offer only departments in service, and an item's own even when deactivated."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from bangban.catalog import actions, spreadsheets
from bangban.catalog.models import ServiceItem
from bangban.network import actions as network
from bangban.network.models import Department, Role
from tests.network.test_api import Api, assert_error, token_for
from tests.pages import page_text as text

from .conftest import MATERIALS, item_data
from .test_api import body, put_body
from .test_pages import existing_rows, post_data
from .test_spreadsheets import CODE, item_row, material_row, workbook


def deactivate(yiyuan, name: str) -> Department:
    return network.update_department(yiyuan.department(name), active=False, by=None)


@pytest.fixture
def admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


def department_options(page: str) -> set[str]:
    select = re.search(r'<select name="department".*?</select>', page, re.S)
    assert select
    return set(re.findall(r'<option value="([^"]+)"', select.group(0)))


# --- Actions ---------------------------------------------------------------------------------------


def test_no_new_item_for_a_deactivated_department(yiyuan, make_item):
    deactivate(yiyuan, "县医疗保障局")
    with pytest.raises(actions.CatalogError) as caught:
        make_item()
    assert list(caught.value.errors) == ["department"]
    assert "已停用" in caught.value.errors["department"][0]
    assert not ServiceItem.objects.exists()


def test_an_item_of_a_deactivated_department_stays_in_use_and_editable(yiyuan, make_item):
    item = make_item()
    department = deactivate(yiyuan, "县医疗保障局")
    item.refresh_from_db()
    assert item.active
    assert ServiceItem.objects.filter(current__department=department).count() == 1
    revision = actions.revise_item(
        item, data=item_data(yiyuan, promised_limit=2), materials=MATERIALS, by=None
    )
    assert (revision.number, revision.department) == (2, department)


def test_no_item_is_moved_to_a_deactivated_department(yiyuan, make_item):
    item = make_item()
    department = deactivate(yiyuan, "县民政局")
    with pytest.raises(actions.CatalogError) as caught:
        actions.revise_item(
            item, data=item_data(yiyuan, department=department), materials=MATERIALS, by=None
        )
    assert list(caught.value.errors) == ["department"]
    item.refresh_from_db()
    assert (item.revisions.count(), item.current.department.name) == (1, "县医疗保障局")


# --- Pages -----------------------------------------------------------------------------------------


def test_the_new_item_form_offers_only_departments_in_service(client, yiyuan, admin):
    department = deactivate(yiyuan, "县医疗保障局")
    client.force_login(admin)
    offered = department_options(text(client.get(reverse("catalog:item_new"))))
    assert str(department.pk) not in offered
    assert str(yiyuan.department("县民政局").pk) in offered
    rows = [dict(name=m.name, kind=m.kind, form=m.form, necessity=m.necessity) for m in MATERIALS]
    response = client.post(
        reverse("catalog:item_new"), post_data(yiyuan, code="NEW1", materials=rows)
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in text(response)
    assert not ServiceItem.objects.exists()


def test_an_item_of_a_deactivated_department_is_edited_on_its_page(
    client, yiyuan, admin, make_item
):
    item = make_item()
    department = deactivate(yiyuan, "县医疗保障局")
    client.force_login(admin)
    url = reverse("catalog:item_edit", args=[item.pk])
    page = text(client.get(url))
    assert str(department.pk) in department_options(page)
    assert "县医疗保障局（已停用）" in page
    post = post_data(yiyuan, initial=existing_rows(item), promised_limit=2, note="时限调整")
    response = client.post(url, post)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.current.number, item.current.department) == (2, department)


def test_the_edit_page_offers_no_other_deactivated_department(client, yiyuan, admin, make_item):
    item = make_item()
    other = deactivate(yiyuan, "县民政局")
    client.force_login(admin)
    page = text(client.get(reverse("catalog:item_edit", args=[item.pk])))
    assert str(other.pk) not in department_options(page)


# --- API -------------------------------------------------------------------------------------------


@pytest.fixture
def county_api(client, admin):
    return Api(client, token_for(client, admin))


def test_the_api_refuses_a_new_item_of_a_deactivated_department(county_api, yiyuan):
    deactivate(yiyuan, "县医疗保障局")
    (item,) = assert_error(county_api.post("/items", body(yiyuan)), 409, "department")
    assert item["loc"] == ["body", "department"]
    assert not ServiceItem.objects.exists()


def test_the_api_revises_an_item_of_a_deactivated_department_but_moves_none_to_one(
    county_api, yiyuan
):
    created = county_api.post("/items", body(yiyuan)).json()
    deactivate(yiyuan, "县医疗保障局")
    url = f"/items/{created['id']}"
    response = county_api.put(url, put_body(body(yiyuan), promised_limit=2))
    assert response.status_code == 200, response.content
    other = deactivate(yiyuan, "县民政局")
    response = county_api.put(url, put_body(body(yiyuan), department=other.pk))
    assert_error(response, 409, "department")


# --- The Excel import ------------------------------------------------------------------------------


def test_the_import_refuses_a_new_item_of_a_deactivated_department(yiyuan, admin):
    deactivate(yiyuan, "县医疗保障局")
    result = spreadsheets.import_catalog(
        workbook([item_row(1)], [material_row(1, 1, "居民身份证或户口簿")]), by=admin
    )
    assert not result.ok
    (problem,) = result.problems
    assert (problem.row, problem.column) == (2, "实施部门")
    assert "已停用" in problem.message
    assert not ServiceItem.objects.exists()


def test_the_import_revises_items_of_a_deactivated_department_but_moves_none_to_one(yiyuan, admin):
    file = workbook([item_row(1)], [material_row(1, 1, "居民身份证或户口簿")])
    assert spreadsheets.import_catalog(file, by=admin).ok
    deactivate(yiyuan, "县医疗保障局")
    file = workbook([item_row(1, promised_limit=2)], [material_row(1, 1, "居民身份证或户口簿")])
    result = spreadsheets.import_catalog(file, by=admin)
    assert result.ok and len(result.revised) == 1
    deactivate(yiyuan, "县民政局")
    file = workbook(
        [item_row(1, department="县民政局")], [material_row(1, 1, "居民身份证或户口簿")]
    )
    result = spreadsheets.import_catalog(file, by=admin)
    assert [p.column for p in result.problems] == ["实施部门"]
    item = ServiceItem.objects.get(implementation_code=CODE.format(1))
    assert item.current.department.name == "县医疗保障局"


def test_the_template_lists_only_departments_in_service(client, yiyuan, admin):
    deactivate(yiyuan, "县残疾人联合会")
    client.force_login(admin)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("catalog:template")).content))
    names = [row[2] for row in book["部门"].iter_rows(min_row=2, values_only=True)]
    assert "县医疗保障局" in names
    assert "县残疾人联合会" not in names
