"""The inspection pages: the list, a new inspection, the fill page item by item with a photo, the
submission and its errors in Chinese, the read-only page with each finding's rectification, and
photos served only to those who may see the inspection."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from bangban.feedback import actions as feedback
from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.models import Finding, Inspection, InspectionPhoto
from tests.conftest import PASSWORD
from tests.pages import page_text
from tests.supervision.inspecting import (  # noqa: F401 - fixtures
    checklist,
    checklist_item,
    inspect,
    photo,
)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_list_shows_mine_and_hides_others_drafts(client, people, inspect):  # noqa: F811
    inspect()
    text = page_text(_login(client, people.supervisor).get(reverse("supervision:inspections")))
    assert people.station.name in text and "暗访" in text and "检查中" in text
    assert "新建检查" in text
    client.logout()
    text = page_text(_login(client, people.lead).get(reverse("supervision:inspections")))
    assert people.station.name not in text
    assert "新建检查" not in text


def test_a_new_inspection_is_started_from_the_page(client, people, checklist):  # noqa: F811
    _login(client, people.supervisor)
    url = reverse("supervision:inspection_new")
    text = page_text(client.get(url, {"q": "鲁村"}))
    assert people.station.name in text and checklist.name in text
    text = page_text(
        client.post(url, {"checklist": checklist.pk, "announced": "0", "by_kind": "bureau"}), 400
    )
    assert "请选择被检查的服务点。" in text
    response = client.post(
        url,
        {
            "point": people.station.pk,
            "checklist": checklist.pk,
            "announced": "0",
            "by_kind": "bureau",
            "unit": "督查科",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:inspection", args=[inspection.pk])
    assert (inspection.by, inspection.unit, inspection.announced) == ("bureau", "督查科", False)


def test_the_special_supervisor_is_not_asked_who_inspects(client, people, checklist):  # noqa: F811
    _login(client, people.special)
    text = page_text(client.get(reverse("supervision:inspection_new")))
    assert "by_kind" not in text and "特邀监督员" in text


def test_the_fill_page_saves_an_item_with_a_photo(
    client,
    people,
    inspect,  # noqa: F811
    checklist_item,  # noqa: F811
):
    inspection = inspect()
    _login(client, people.supervisor)
    page = reverse("supervision:inspection", args=[inspection.pk])
    text = page_text(client.get(page))
    assert "门头标识规范" in text and "合作网点专区标识" not in text
    assert 'capture="environment"' in text and 'accept="image/*"' in text
    sign = checklist_item("门头标识规范")
    url = reverse("supervision:inspection_item", args=[inspection.pk, sign.pk])
    prefix = f"item{sign.pk}"
    text = page_text(client.post(url, {f"{prefix}-occurrences": "-1"}), 400)
    assert "问题处数不能小于 0。" in text
    text = page_text(
        client.post(
            url,
            {
                f"{prefix}-occurrences": "1",
                f"{prefix}-photo": photo("a.jpg", b"not a picture at all"),
            },
        ),
        400,
    )
    assert "照片内容不是 JPG 或 PNG 图片" in text
    assert not Finding.objects.exists()
    response = client.post(
        url,
        {
            f"{prefix}-occurrences": "2",
            f"{prefix}-note": "门头字迹脱落",
            f"{prefix}-helper": str(people.helper.pk),
            f"{prefix}-photo": photo(),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{sign.pk}")
    finding = Finding.objects.get()
    assert (finding.occurrences, finding.helper, finding.photos.count()) == (2, people.helper, 1)
    text = page_text(client.get(page))
    assert "已扣 4.0 分" in text
    shot = InspectionPhoto.objects.get()
    assert reverse("supervision:inspection_photo", args=[shot.pk]) in text


def test_submitting_names_the_item_that_needs_a_photo(
    client,
    people,
    inspect,  # noqa: F811
    checklist_item,  # noqa: F811
):
    inspection = inspect()
    actions.record_finding(
        inspection,
        item=checklist_item("门头标识规范"),
        occurrences=1,
        note="",
        by=people.supervisor,
    )
    _login(client, people.supervisor)
    url = reverse("supervision:inspection_submit", args=[inspection.pk])
    text = page_text(client.post(url, {"summary": "总体一般"}), 400)
    assert "“门头标识规范”须拍照取证" in text
    actions.add_photo(
        inspection,
        image=photo(),
        taken_at=timezone.now(),
        finding=Finding.objects.get(),
        by=people.supervisor,
    )
    response = client.post(url, {"summary": "总体一般"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "submitted" and inspection.score == 38


def test_after_submission_the_point_sees_it_read_only_with_its_rectification(
    client,
    people,
    inspect,  # noqa: F811
    checklist_item,  # noqa: F811
):
    inspection = inspect()
    finding = actions.record_finding(
        inspection,
        item=checklist_item("工作人员统一着装"),
        occurrences=1,
        note="未穿工装",
        by=people.supervisor,
    )
    shot = actions.add_photo(
        inspection, image=photo(), taken_at=timezone.now(), finding=finding, by=people.supervisor
    )
    page = reverse("supervision:inspection", args=[inspection.pk])
    picture = reverse("supervision:inspection_photo", args=[shot.pk])
    _login(client, people.lead)
    page_text(client.get(page), 404)
    assert client.get(picture).status_code == 404
    actions.submit_inspection(inspection, summary="", by=people.supervisor)
    finding.refresh_from_db()
    text = page_text(client.get(page))
    assert "未穿工装" in text and "保存本项" not in text
    assert reverse("feedback:rectification", args=[finding.rectification_id]) in text
    response = client.get(picture)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    client.logout()
    _login(client, people.special)
    page_text(client.get(page), 404)
    assert client.get(picture).status_code == 404


def test_only_the_inspector_may_post_to_a_draft(
    client,
    people,
    inspect,  # noqa: F811
    checklist_item,  # noqa: F811
):
    inspection = inspect()
    _login(client, people.bureau)
    item = checklist_item("工作人员统一着装")
    url = reverse("supervision:inspection_item", args=[inspection.pk, item.pk])
    assert client.post(url, {f"item{item.pk}-occurrences": "1"}).status_code == 404
    assert (
        client.post(reverse("supervision:inspection_discard", args=[inspection.pk])).status_code
        == 404
    )
    assert Inspection.objects.filter(pk=inspection.pk).exists()


def test_a_draft_is_discarded_from_its_page(client, people, inspect):  # noqa: F811
    inspection = inspect()
    _login(client, people.supervisor)
    response = client.post(reverse("supervision:inspection_discard", args=[inspection.pk]))
    assert response.status_code == 302
    assert not Inspection.objects.exists()


def test_a_special_supervisor_follows_their_own_findings_and_no_one_elses(
    client,
    people,
    inspect,  # noqa: F811
    checklist_item,  # noqa: F811
    make_account,
):
    inspection = inspect(by=people.special)
    assert inspection.by == Inspection.By.SPECIAL
    finding = actions.record_finding(
        inspection,
        item=checklist_item("工作人员统一着装"),
        occurrences=1,
        note="窗口人员未穿工装",
        by=people.special,
    )
    actions.submit_inspection(inspection, summary="", by=people.special)
    finding.refresh_from_db()
    rect = finding.rectification
    page = reverse("supervision:inspection", args=[inspection.pk])
    _login(client, people.special)
    text = page_text(client.get(page))
    due = f"期限 {rect.due:%Y-%m-%d}"
    assert "窗口人员未穿工装" in text and rect.get_status_display() in text and due in text
    # The rectification itself names the station's people: its state only, no link to it.
    assert reverse("feedback:rectification", args=[rect.pk]) not in text
    # The point's lead puts it right; the inspector's page follows.
    assert "待答复" not in text
    rect = feedback.verify(
        rect, is_true=True, is_reasonable=True, is_malicious=False, note="属实", by=people.lead
    )
    rect = feedback.fix(rect, measures="已统一着装。", by=people.lead)
    assert rect.get_status_display() == "待答复"
    assert "待答复" in page_text(client.get(page))
    client.logout()
    other = make_account(Role.SPECIAL_SUPERVISOR, people.county, username="tejian-other")
    _login(client, other)
    page_text(client.get(page), 404)
    assert reverse("supervision:inspection", args=[inspection.pk]) not in page_text(
        client.get(reverse("supervision:inspections"))
    )
