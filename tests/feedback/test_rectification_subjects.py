# ruff: noqa: F811 - the fixtures imported from tests.supervision.conftest
"""The rectification pages for every subject: a complaint's (what it is of, linked to the complaint's
page; no review, no appeal; the complainant called from the complaint's page; answered there, which
closes it) and an inspection's finding (put right by the point's lead from these pages, closed by
the reply); the list's filter by subject."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.feedback import actions as feedback_actions
from bangban.feedback.models import Rectification
from bangban.feedback.workflow import Step
from bangban.supervision.workflow import Step as ComplaintStep
from tests.pages import page_text as text
from tests.supervision.conftest import (  # noqa: F401 - fixtures
    _media,
    complain,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    people,
    register,
    station,
)

pytestmark = pytest.mark.django_db

LIST = reverse("feedback:rectifications")


def detail(rect) -> str:
    return reverse("feedback:rectification", args=[rect.pk])


def act(rect, name) -> str:
    return reverse("feedback:rectification_act", args=[rect.pk, name])


def fresh(rect) -> Rectification:
    return Rectification.objects.get(pk=rect.pk)


VERIFY = {
    "verify-is_true": "yes",
    "verify-is_reasonable": "yes",
    "verify-is_malicious": "no",
    "verify-note": "经查属实。",
}


@pytest.fixture
def signed(people, complain):
    """A 投诉 signed for by the town: its rectification opened."""
    from bangban.supervision import actions

    complaint = actions.sign(complain(), by=people.town_admin)
    return complaint


@pytest.fixture
def finding(people):
    """A finding's rectification at the station, the lead's to put right (as an inspection's
    submission opens it)."""
    return feedback_actions.open_for(
        Rectification.Subject.FINDING,
        point=people.station,
        helper_id=None,
        level="point",
        town=people.town,
        anonymous=True,
        opened_on=timezone.localdate(),
    )


def test_a_complaints_rectification_page(client, people, signed):
    rect = signed.rectification
    client.force_login(people.town_admin)
    page = text(client.get(detail(rect)))
    complaint_url = reverse("supervision:complaint", args=[signed.pk])
    assert "投诉举报整改" in page and complaint_url in page
    assert "评价等级" not in page and "申诉（认为是恶意差评）" not in page
    assert reverse("feedback:rectification_reveal", args=[rect.pk]) not in page
    assert "到投诉举报页面查看投诉人电话" in page and signed.phone_masked not in page
    client.post(act(rect, "call"), {"call-reached": "yes", "call-record": "已联系投诉人。"})
    client.post(act(rect, "verify"), VERIFY)
    client.post(act(rect, "fix"), {"fix-measures": "已约谈工作人员。"})
    assert fresh(rect).status == Step.RESOLVED
    page = text(client.get(detail(rect)))
    assert "答复投诉人请到投诉举报页面" in page and act(rect, "reply") not in page
    refused = text(client.post(act(rect, "reply"), {"reply-text": "已整改"}), 400)
    assert "投诉举报的整改通过答复投诉人办结" in refused
    complaint_page = text(client.get(complaint_url))
    answer = reverse("supervision:complaint_act", args=[signed.pk, "answer"])
    assert answer in complaint_page
    client.post(answer, {"answer-text": "经核实，已批评教育相关人员。"})
    assert fresh(rect).status == Step.CLOSED
    signed.refresh_from_db()
    assert signed.status == ComplaintStep.ANSWERED and signed.upheld is True


def test_the_accused_helper_and_the_town_see_no_confidential_rectification(
    client, people, complain
):
    from bangban.supervision import actions
    from bangban.supervision.models import Kind

    report = actions.sign(complain(kind=Kind.REPORT), by=people.bureau)
    client.force_login(people.town_admin)
    text(client.get(detail(report.rectification)), 404)
    assert detail(report.rectification) not in text(client.get(LIST, {"show": "all"}))
    client.force_login(people.bureau)
    page = text(client.get(detail(report.rectification)))
    assert "保密" in page and act(report.rectification, "call") in page


def test_the_point_lead_closes_a_findings_rectification(client, people, finding):
    client.force_login(people.town_admin)
    page = text(client.get(detail(finding)))
    assert "督查问题整改" in page and act(finding, "verify") not in page
    client.force_login(people.lead)
    mine = text(client.get(LIST))
    assert detail(finding) in mine and "督查问题" in mine
    page = text(client.get(detail(finding)))
    assert act(finding, "verify") in page and act(finding, "call") not in page
    assert "评价等级" not in page
    client.post(act(finding, "verify"), VERIFY)
    client.post(act(finding, "fix"), {"fix-measures": "已补挂公示牌。"})
    page = text(client.get(detail(finding)))
    assert "答复检查人并办结" in page
    empty = text(client.post(act(finding, "reply"), {"reply-text": " "}), 400)
    assert "没有保存" in empty and fresh(finding).status == Step.RESOLVED
    response = client.post(act(finding, "reply"), {"reply-text": "已整改到位。"})
    assert response.status_code == 302
    closed = fresh(finding)
    assert closed.status == Step.CLOSED and closed.reply == "已整改到位。"


def test_the_list_filters_by_subject(client, people, signed, finding):
    client.force_login(people.bureau)
    findings = text(client.get(LIST, {"show": "all", "subject": "finding"}))
    assert detail(finding) in findings and detail(signed.rectification) not in findings
    complaints = text(client.get(LIST, {"show": "all", "subject": "complaint"}))
    assert detail(signed.rectification) in complaints and detail(finding) not in complaints
    ratings = text(client.get(LIST, {"show": "all", "subject": "rating"}))
    assert detail(finding) not in ratings and "没有符合条件的整改" in ratings
