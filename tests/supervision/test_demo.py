"""Supervision's demo data: Yiyuan's default checklist and three complaints and requests received
through the one action — the 12345 投诉 about a village station of 鲁村镇 signed for by the town's
administrator (its rectification opened), a mailbox 建议, a window 求助; run again, nothing more."""

from __future__ import annotations

import pytest

from bangban.network.demo import Demo
from bangban.network.models import Role
from bangban.supervision.demo import TICKET, extend_demo
from bangban.supervision.models import Checklist, Complaint, Kind, Source
from bangban.supervision.workflow import Step

pytestmark = pytest.mark.django_db


def test_the_demo_receives_three_and_signs_the_hotline_ticket(people, yiyuan, make_account):
    Checklist.objects.filter(county=yiyuan.county).delete()
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="lucun_admin")
    demo = Demo(county=yiyuan.county, centre=yiyuan.centre)
    lines = extend_demo(demo)
    assert lines[0].startswith("督查评分表") and lines[1].startswith("诉求")
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
