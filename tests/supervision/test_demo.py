"""Supervision's demo data: Yiyuan's default checklist and three complaints and requests received
through the one action — the 12345 投诉 about a village station of 鲁村镇 signed for by the town's
administrator (its rectification opened), a mailbox 建议, a window 求助; the supervisor's submitted
inspection of the bank's partner station with its finding open for the station's lead, and the
special supervisor's announced draft; run again, nothing more."""

from __future__ import annotations

import pytest

from bangban.feedback.scope import rectifications_for
from bangban.network.demo import Demo
from bangban.network.models import Role
from bangban.supervision import scope
from bangban.supervision.demo import BANK, TICKET, extend_demo
from bangban.supervision.models import Checklist, Complaint, Inspection, Kind, Source
from bangban.supervision.workflow import Step

pytestmark = pytest.mark.django_db


def test_the_demo_receives_three_and_signs_the_hotline_ticket(people, yiyuan, make_account):
    Checklist.objects.filter(county=yiyuan.county).delete()
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="lucun_admin")
    demo = Demo(county=yiyuan.county, centre=yiyuan.centre)
    lines = extend_demo(demo)
    assert lines[0].startswith("督查评分表") and lines[1].startswith("诉求")
    assert not Inspection.objects.exists()  # no `supervisor` nor `tejian` account: none
    assert Checklist.objects.filter(county=yiyuan.county).count() == 1
    complaints = {c.source: c for c in Complaint.objects.filter(county=yiyuan.county)}
    assert set(complaints) == {Source.HOTLINE, Source.MAILBOX, Source.WINDOW}
    hotline = complaints[Source.HOTLINE]
    assert hotline.ticket_no == TICKET and hotline.kind == Kind.COMPLAINT
    assert hotline.point.region.parent.name == "鲁村镇"
    assert hotline.status == Step.HANDLING and hotline.rectification is not None
    assert hotline.events.filter(action="sign", by=town_admin).exists()
    assert complaints[Source.MAILBOX].kind == Kind.SUGGESTION
    assert complaints[Source.WINDOW].kind == Kind.HELP
    assert hotline.phone_masked != "13805331234"

    assert extend_demo(demo) == []  # again: nothing more
    assert Complaint.objects.filter(county=yiyuan.county).count() == 3


def test_the_demo_inspects_the_bank_and_leaves_a_draft_by_tejian(
    people, yiyuan, make_account, make_helper
):
    supervisor = make_account(Role.SUPERVISOR, yiyuan.county, username="supervisor")
    tejian = make_account(Role.SPECIAL_SUPERVISOR, yiyuan.county, username="tejian")
    bank = yiyuan.partner_station(BANK)
    bank_lead = make_helper(bank, role=Role.POINT_LEAD).user
    demo = Demo(county=yiyuan.county, centre=yiyuan.centre)
    lines = extend_demo(demo)
    # Yiyuan has its default checklist already (the network's change gives it).
    assert [line[:4] for line in lines] == ["诉求：1", "明查暗访", "明查暗访"]
    submitted = Inspection.objects.get(inspector=supervisor)
    assert (submitted.point, submitted.announced) == (bank, False)
    assert submitted.status == Inspection.Status.SUBMITTED
    assert submitted.score == submitted.full_score - submitted.findings.get().deducted
    finding = submitted.findings.get()
    assert finding.rectification.subject == "finding" and finding.rectification.closed_on is None
    assert rectifications_for(bank_lead).filter(pk=finding.rectification_id).exists()
    draft = Inspection.objects.get(inspector=tejian)
    assert (draft.announced, draft.by, draft.status) == (True, "special", "draft")
    assert draft.point.region.parent.name == "鲁村镇"
    assert scope.inspections_for(tejian).filter(pk=draft.pk).exists()
    assert not scope.inspections_for(people.bureau).filter(pk=draft.pk).exists()

    assert extend_demo(demo) == []  # again: nothing more
    assert Inspection.objects.count() == 2
