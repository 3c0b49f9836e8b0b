"""The checklist pages: the list per county and one checklist for those who see them (the bureau,
supervisors, special supervisors; not a helper, not another county), and for the bureau the form
that makes or edits a checklist whole — rows grouped into sections by name, errors beside their
field — and the switch that takes it out of use."""

from __future__ import annotations

import re

import pytest

from bangban.supervision.checklists import DEFAULT_NAME
from bangban.supervision.models import Checklist, ChecklistItem
from tests.pages import page_text as text

pytestmark = pytest.mark.django_db


def default(yiyuan) -> Checklist:
    return Checklist.objects.get(county=yiyuan.county, name=DEFAULT_NAME)


def rows(*items: dict, blank: int = 2) -> dict:
    """The form's POST: its name and the rows given, then `blank` empty ones."""
    data = {
        "name": "暗访专用表",
        "active": "on",
        "items-TOTAL_FORMS": str(len(items) + blank),
        "items-INITIAL_FORMS": "0",
    }
    for n, item in enumerate(items):
        row = {
            "section": "服务态度",
            "text": "使用文明用语",
            "points": "5",
            "deduction": "1",
            "cap": "5",
            "method": "mystery",
        }
        row.update(item)
        data.update({f"items-{n}-{key}": value for key, value in row.items()})
    return data


def test_who_sees_the_checklists(client, people, yiyuan, make_account):
    checklist = default(yiyuan)
    for reader in (people.bureau, people.supervisor, people.special):
        client.force_login(reader)
        page = text(client.get("/supervision/checklists/"))
        assert DEFAULT_NAME in page and "沂源县" in page
        page = text(client.get(f"/supervision/checklists/{checklist.pk}/"))
        assert "总分 100" in page and "八不" in page and "暗访体验" in page
        assert ("修改评分表" in page) == (reader == people.bureau)
    for stranger in (people.helper, people.lead):
        client.force_login(stranger)
        assert DEFAULT_NAME not in text(client.get("/supervision/checklists/"))
        assert client.get(f"/supervision/checklists/{checklist.pk}/").status_code == 404
    client.force_login(people.supervisor)
    assert client.get(f"/supervision/checklists/{checklist.pk}/edit/").status_code == 404
    assert client.get("/supervision/checklists/new/").status_code == 404
    assert client.post(f"/supervision/checklists/{checklist.pk}/active/").status_code == 404
    client.logout()
    assert client.get("/supervision/checklists/").status_code == 302  # to the login page


def test_the_detail_shows_sections_items_and_levels(client, people, yiyuan):
    client.force_login(people.bureau)
    page = text(client.get(f"/supervision/checklists/{default(yiyuan).pk}/"))
    for section in ("服务区域与标识", "设施设备", "人员与仪容", "工作纪律", "台账与好差评"):
        assert section in page
    assert "村级站点" in page and "合作网点" in page
    assert "须拍照" in page and "每处扣 2.0 分，最多扣 8.0 分" in page


def test_the_bureau_makes_a_checklist_from_rows(client, people, yiyuan):
    client.force_login(people.bureau)
    page = text(client.get("/supervision/checklists/new/"))
    assert 'name="items-0-section"' in page and "保存评分表" in page
    data = rows(
        {},
        {
            "section": "设施",
            "text": "配备老花镜",
            "points": "4",
            "cap": "4",
            "method": "look",
            "photo_required": "on",
            "applies_to": ["village", "partner"],
        },
        {"text": "不说服务禁语", "points": "6", "deduction": "6", "cap": "6"},
    )
    data["county"] = str(yiyuan.county.pk)
    response = client.post("/supervision/checklists/new/", data)
    assert response.status_code == 302, text(response)
    checklist = Checklist.objects.get(county=yiyuan.county, name="暗访专用表")
    saved = [
        (i.section.title, i.text, int(i.points), i.photo_required, i.applies_to)
        for i in ChecklistItem.objects.filter(section__checklist=checklist).order_by(
            "section__order", "order"
        )
    ]
    everywhere = ["county", "town", "village", "partner"]
    assert saved == [
        ("服务态度", "使用文明用语", 5, False, everywhere),
        ("服务态度", "不说服务禁语", 6, False, everywhere),
        ("设施", "配备老花镜", 4, True, ["village", "partner"]),
    ]
    assert response["Location"] == f"/supervision/checklists/{checklist.pk}/"


def test_an_error_is_shown_beside_its_field(client, people, yiyuan):
    client.force_login(people.bureau)
    data = rows({}, {"section": "设施", "text": "配备老花镜", "points": "4", "cap": "6"})
    data["county"] = str(yiyuan.county.pk)
    page = text(client.post("/supervision/checklists/new/", data))
    assert not Checklist.objects.filter(name="暗访专用表").exists()
    # On the second row's cap, not elsewhere.
    error = re.search(r'id="id_items-(\d+)-cap_error"><li>([^<]+)</li>', page)
    assert error is not None and error.groups() == ("1", "最多扣分不能超过该项分值。")
    data["name"] = DEFAULT_NAME
    data["items-1-cap"] = "4"
    page = text(client.post("/supervision/checklists/new/", data))
    assert re.search(r'id="id_name_error"><li>本县已有同名的评分表。', page)


def test_the_bureau_edits_and_switches_off(client, people, yiyuan):
    checklist = default(yiyuan)
    client.force_login(people.bureau)
    page = text(client.get(f"/supervision/checklists/{checklist.pk}/edit/"))
    assert page.count('name="items-') > 19 * 8  # the 19 items, and blank rows
    assert 'value="服务区域与标识"' in page
    data = rows({"section": "只查一项", "text": "八不", "points": "100", "cap": "10"})
    data["name"] = "精简评分表"
    assert client.post(f"/supervision/checklists/{checklist.pk}/edit/", data).status_code == 302
    checklist.refresh_from_db()
    assert checklist.name == "精简评分表"
    assert list(
        ChecklistItem.objects.filter(section__checklist=checklist).values_list("text", flat=True)
    ) == ["八不"]
    response = client.post(f"/supervision/checklists/{checklist.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    checklist.refresh_from_db()
    assert not checklist.active
    page = text(client.get(f"/supervision/checklists/{checklist.pk}/"))
    assert "已停用" in page and "重新启用" in page
    assert "已停用" in text(client.get("/supervision/checklists/"))
