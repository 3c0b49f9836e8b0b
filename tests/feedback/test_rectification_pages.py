# ruff: noqa: F811 - the fixtures imported from tests.feedback.rectifying
"""The rectification and appeal pages: the handler's queue (what I must act on by default, the
cards), the list's scope for every role, the detail page's forms (exactly what the table allows),
the rater's phone (masked to the handler only, shown in full on request and logged), the forms'
errors, the appeal's filing and the bureau's decision, and the chart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bangban.feedback.models import Appeal, Rating, Rectification
from bangban.feedback.workflow import Step
from bangban.network.models import Role
from tests.feedback.conftest import replied as reply_to
from tests.feedback.rectifying import (  # noqa: F401 - fixtures
    at,
    bad_review,
    bureau,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
    town_admin,
)
from tests.pages import page_text as text

pytestmark = pytest.mark.django_db

LIST = reverse("feedback:rectifications")


def detail(rect) -> str:
    return reverse("feedback:rectification", args=[rect.pk])


def act(rect, name) -> str:
    return reverse("feedback:rectification_act", args=[rect.pk, name])


def test_the_queue_shows_what_i_must_act_on_with_its_card(client, bad_review, town_admin):
    with at(dt.date(2026, 11, 20)):
        late = bad_review()
    mine = bad_review()
    assert reply_to(mine).status == Step.REPLIED  # through the actions, by its town
    client.force_login(town_admin)
    page = text(client.get(LIST))
    assert detail(late) in page and detail(mine) not in page  # the rater's turn, not mine
    assert "红牌·已超期" in page
    everything = text(client.get(LIST, {"show": "all"}))
    assert detail(late) in everything and detail(mine) in everything
    reds = text(client.get(LIST, {"show": "all", "warning": "red"}))
    assert detail(late) in reds and detail(mine) not in reds
    replied = text(client.get(LIST, {"show": "all", "state": "replied"}))
    assert detail(mine) in replied and detail(late) not in replied


def test_the_list_for_every_role(client, bad_review, make_account, make_helper, yiyuan, helper):
    """Each role sees the reviews of the points it may see (network.access), no more."""
    from bangban.network.models import ServicePoint

    partner = ServicePoint.objects.filter(kind="partner_station", county=yiyuan.county).first()
    village = bad_review()  # a village station of 鲁村镇
    centre = bad_review(point=yiyuan.centre)
    partnered = bad_review(point=partner)
    window = ServicePoint.objects.filter(kind="department_window", county=yiyuan.county).first()
    people = {
        "helper": (helper, {village}),
        "point_lead": (make_helper(yiyuan.station("鲁村镇"), role=Role.POINT_LEAD).user, {village}),
        "town_admin": (make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")), {village}),
        "other_town": (make_account(Role.TOWN_ADMIN, yiyuan.town("南麻街道")), set()),
        "partner_admin": (make_account(Role.PARTNER_ADMIN, partner.organisation), {partnered}),
        "department_admin": (make_account(Role.DEPARTMENT_ADMIN, window.department), set()),
        "region_admin": (
            make_account(Role.REGION_ADMIN, yiyuan.county),
            {village, centre, partnered},
        ),
        "supervisor": (make_account(Role.SUPERVISOR, yiyuan.county), {village, centre, partnered}),
    }
    for role, (user, expected) in people.items():
        client.force_login(user)
        page = text(client.get(LIST, {"show": "all"}))
        shown = {r for r in (village, centre, partnered) if detail(r) in page}
        assert shown == expected, role
        for rect in (village, centre, partnered):
            status = 200 if rect in expected else 404
            assert client.get(detail(rect)).status_code == status, (role, rect.point.name)


def test_the_detail_page_offers_exactly_what_the_table_allows(
    client, bad_review, town_admin, helper, bureau
):
    rect = bad_review()
    client.force_login(town_admin)
    page = text(client.get(detail(rect)))
    assert act(rect, "call") in page and act(rect, "verify") not in page
    assert "态度不好，让我跑了两趟" in page  # the comment
    assert "138****1234" in page and "13805331234" not in page  # masked, to the handler
    for someone in (helper, bureau):  # the rated helper; the bureau before escalation
        client.force_login(someone)
        page = text(client.get(detail(rect)))
        assert "138****1234" not in page and "显示回访电话" not in page
        assert act(rect, "call") not in page and "您当前不能对该整改进行操作" in page


def test_the_handler_works_through_the_page(client, bad_review, town_admin):
    rect = bad_review()
    client.force_login(town_admin)
    steps = [
        ("call", {"call-reached": "yes", "call-record": "已联系，群众反映等待时间长"}),
        (
            "verify",
            {
                "verify-is_true": "yes",
                "verify-is_reasonable": "yes",
                "verify-is_malicious": "no",
                "verify-note": "情况属实",
            },
        ),
        ("rectify", {"rectify-measures": "增加窗口人员"}),
        ("finish", {"finish-note": "已增加一名帮办员"}),
        ("reply", {"reply-text": "已整改，感谢您的监督"}),
    ]
    for name, data in steps:
        response = client.post(act(rect, name), data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    rect.refresh_from_db()
    assert rect.status == Step.REPLIED
    page = text(client.get(detail(rect)))
    assert "增加窗口人员" in page and "已整改，感谢您的监督" in page and "答复评价人" in page


def test_errors_go_back_on_the_form(client, bad_review, town_admin, helper):
    rect = bad_review()
    client.force_login(town_admin)
    page = text(client.post(act(rect, "call"), {"call-reached": "yes", "call-record": ""}), 400)
    assert "没有保存" in page
    client.post(act(rect, "call"), {"call-reached": "yes", "call-record": "已联系"})
    client.post(
        act(rect, "verify"),
        {
            "verify-is_true": "yes",
            "verify-is_reasonable": "yes",
            "verify-is_malicious": "no",
            "verify-note": "属实",
        },
    )
    page = text(
        client.post(
            act(rect, "rectify"), {"rectify-measures": "整改", "rectify-due": "2020-01-01"}
        ),
        400,
    )
    assert "整改期限不能早于今天" in page
    client.force_login(helper)
    page = text(client.post(act(rect, "fix"), {"fix-measures": "自己整改"}), 400)
    assert "您不能对该整改立行立改" in page
    assert Rectification.objects.get(pk=rect.pk).status == Step.VERIFIED


def test_the_number_to_call_is_revealed_and_logged(client, bad_review, town_admin, helper):
    rect = bad_review()
    url = reverse("feedback:rectification_reveal", args=[rect.pk])
    client.force_login(helper)
    assert client.post(url).status_code == 403
    client.force_login(town_admin)
    page = text(client.post(url, headers={"HX-Request": "true"}))
    assert "13805331234" in page and "已记录" in page
    event = rect.events.get(action="reveal_phone")
    assert event.by == town_admin and event.data["address"]


def test_an_appeal_is_filed_and_decided_through_the_pages(client, bad_review, helper, bureau):
    rect = bad_review()
    file_url = reverse("feedback:appeal_file", args=[rect.rating_id])
    client.force_login(helper)
    assert "申诉（认为是恶意差评）" in text(client.get(detail(rect)))
    assert text(client.post(file_url, {"reason": ""}), 400)
    assert client.post(file_url, {"reason": "评价人当天未来办事"}).status_code == 302
    appeal = Appeal.objects.get(rating_id=rect.rating_id)
    page = text(client.get(reverse("feedback:appeals")))
    assert "评价人当天未来办事" in page and "提交复核结果" not in page  # not theirs to decide
    client.force_login(bureau)
    page = text(client.get(reverse("feedback:appeals")))
    assert "提交复核结果" in page
    decide = reverse("feedback:appeal_decide", args=[appeal.pk])
    assert text(client.post(decide, {f"a{appeal.pk}-decision": "overturned"}), 400)
    response = client.post(
        decide, {f"a{appeal.pk}-decision": "overturned", f"a{appeal.pk}-note": "经查属恶意"}
    )
    assert response.status_code == 302
    assert Rating.objects.get(pk=rect.rating_id).overturned
    assert Rectification.objects.get(pk=rect.pk).status == Step.OVERTURNED


def test_someone_else_cannot_file_an_appeal(client, bad_review, town_admin):
    rect = bad_review()
    client.force_login(town_admin)
    assert client.get(reverse("feedback:appeal_file", args=[rect.rating_id])).status_code == 404


def test_the_chart_is_drawn_from_the_table(client, town_admin):
    client.force_login(town_admin)
    page = text(client.get(reverse("feedback:rectification_workflow")))
    assert "整改工作流程图" in page and "答复评价人并办结" in page and "<svg" in page
    svg = client.get(reverse("feedback:rectification_workflow_svg"))
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")


def test_evidence_is_uploaded_with_the_fix(client, bad_review, town_admin, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"

    rect = bad_review(anonymous=True)
    client.force_login(town_admin)
    client.post(
        act(rect, "verify"),
        {
            "verify-is_true": "yes",
            "verify-is_reasonable": "yes",
            "verify-is_malicious": "no",
            "verify-note": "属实",
        },
    )
    wrong = SimpleUploadedFile("notes.exe", b"MZ", content_type="application/octet-stream")
    page = text(
        client.post(act(rect, "fix"), {"fix-measures": "当场补办", "fix-evidence": wrong}), 400
    )
    assert "扫描件应为" in page
    photo = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    response = client.post(act(rect, "fix"), {"fix-measures": "当场补办", "fix-evidence": photo})
    assert response.status_code == 302
    rect.refresh_from_db()
    assert rect.status == Step.RESOLVED and rect.evidence.name.endswith(".png")
