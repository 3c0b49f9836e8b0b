# ruff: noqa: F811 - the fixtures imported from tests.supervision.conftest
"""The complaint pages: the handler's queue (what I must act on by default, the filters, the cards,
masked phones only, a fixed number of queries), recording a complaint by hand, a complaint's page
with exactly the forms the table allows, every action posted through it (errors back in Chinese),
the phone shown in full on request and logged, the scope (404 outside it, a confidential
complaint never shown to the town), the accused who cannot act, and the chart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.feedback.workflow import Step as RectStep
from bangban.supervision.models import Category, Complaint, ComplaintEvent, Kind, Source
from bangban.supervision.workflow import Step
from tests.pages import page_text as text
from tests.supervision.conftest import PHONE

pytestmark = pytest.mark.django_db

LIST = reverse("supervision:complaints")
NEW = reverse("supervision:complaint_new")


def detail(complaint) -> str:
    return reverse("supervision:complaint", args=[complaint.pk])


def act(complaint, name) -> str:
    return reverse("supervision:complaint_act", args=[complaint.pk, name])


def fresh(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def test_the_queue_shows_what_i_must_act_on_with_masked_phones_and_cards(client, people, complain):
    late = complain(received_on=timezone.localdate() - dt.timedelta(days=30))
    consult = complain(kind=Kind.CONSULT)
    client.force_login(people.town_admin)
    page = text(client.get(LIST))
    assert detail(late) in page and "红牌·已超期" in page
    assert PHONE not in page and late.phone_masked in page
    assert "待我处理" in page and "登记诉求" in page
    hotline = text(client.get(LIST, {"show": "all", "source": Source.WINDOW}))
    assert detail(late) not in hotline and "没有符合条件的诉求" in hotline
    reds = text(client.get(LIST, {"show": "all", "warning": "red"}))
    assert detail(late) in reds and detail(consult) not in reds
    consults = text(client.get(LIST, {"show": "all", "kind": Kind.CONSULT}))
    assert detail(consult) in consults and detail(late) not in consults


def test_the_queue_reads_a_fixed_number_of_queries(
    client, people, complain, django_assert_max_num_queries
):
    client.force_login(people.bureau)
    complain()
    with django_assert_max_num_queries(14) as few:
        text(client.get(LIST, {"show": "all"}))
    for _ in range(6):
        complain()
    with django_assert_max_num_queries(len(few.captured_queries)):
        text(client.get(LIST, {"show": "all"}))


def test_a_confidential_complaint_is_never_shown_to_the_town(client, people, complain):
    report = complain(kind=Kind.REPORT)
    fee = complain(category=Category.FEE)
    client.force_login(people.town_admin)
    page = text(client.get(LIST, {"show": "all"}))
    assert detail(report) not in page and detail(fee) not in page
    text(client.get(detail(report)), 404)
    client.force_login(people.bureau)
    mine = text(client.get(LIST))
    assert detail(report) in mine and detail(fee) in mine and "保密" in mine


def test_out_of_scope_is_404(client, people, complain):
    complaint = complain()
    for user in (people.other_town_admin, people.helper, people.lead, people.special):
        client.force_login(user)
        text(client.get(detail(complaint)), 404)
        text(client.post(act(complaint, "sign")), 404)
        assert detail(complaint) not in text(client.get(LIST, {"show": "all"}))


def test_the_accused_cannot_act_on_it(client, people, complain):
    complaint = complain(point=people.town, helper=people.town_admin)
    client.force_login(people.town_admin)
    page = text(client.get(detail(complaint)))
    assert act(complaint, "sign") not in page and "您当前不能对该诉求进行操作" in page
    assert detail(complaint) not in text(client.get(LIST))
    refused = text(client.post(act(complaint, "sign")), 400)
    assert "您不能对该诉求签收" in refused
    assert fresh(complaint).status == Step.RECEIVED


def test_sign_opens_the_rectification_and_the_answer_waits_for_it(client, people, complain):
    complaint = complain()
    client.force_login(people.town_admin)
    page = text(client.get(detail(complaint)))
    assert act(complaint, "sign") in page and act(complaint, "answer") not in page
    assert "村代办点不给帮办" in page and PHONE not in page
    response = client.post(act(complaint, "sign"))
    assert response.status_code == 302 and response.url == detail(complaint)
    complaint = fresh(complaint)
    assert complaint.status == Step.HANDLING and complaint.rectification is not None
    page = text(client.get(detail(complaint)))
    rect_url = reverse("feedback:rectification", args=[complaint.rectification_id])
    assert rect_url in page and "请先完成整改" in page and act(complaint, "answer") not in page
    assert "签收" in page and "待签收 → 办理中" in page
    refused = text(client.post(act(complaint, "answer"), {"answer-text": "已处理"}), 400)
    assert "请先完成整改" in refused
    assert fresh(complaint).status == Step.HANDLING
    assert complaint.rectification.status == RectStep.OPENED


def test_a_consultation_is_consult_from_the_page(client, people, complain):
    complaint = complain(kind=Kind.CONSULT, source=Source.WINDOW, ticket_no="")
    client.force_login(people.town_admin)
    client.post(act(complaint, "sign"))
    blank = text(client.post(act(complaint, "answer"), {"answer-text": "  "}), 400)
    assert "没有保存" in blank and fresh(complaint).status == Step.HANDLING
    client.post(act(complaint, "answer"), {"answer-text": "已电话告知办理流程。"})
    complaint = fresh(complaint)
    assert complaint.status == Step.ANSWERED and complaint.answer == "已电话告知办理流程。"
    page = text(client.get(detail(complaint)))
    assert "已电话告知办理流程。" in page and "已答复" in page


def test_return_is_refused_in_chinese_unless_a_hotline_ticket(client, people, complain):
    window = complain(source=Source.WINDOW, ticket_no="")
    client.force_login(people.town_admin)
    assert act(window, "return") not in text(client.get(detail(window)))
    refused = text(client.post(act(window, "return"), {"return-reason": "不归我们管"}), 400)
    assert "只有 12345 热线工单可以退回" in refused
    ticket = complain()
    missing = text(client.post(act(ticket, "return"), {"return-reason": ""}), 400)
    assert "没有保存" in missing and fresh(ticket).status == Step.RECEIVED
    client.post(act(ticket, "return"), {"return-reason": "属于人社局业务，请转办。"})
    ticket = fresh(ticket)
    assert ticket.status == Step.RETURNED and ticket.return_reason == "属于人社局业务，请转办。"
    assert "属于人社局业务" in text(client.get(detail(ticket)))


def test_an_extension_is_asked_for_and_decided_by_the_bureau(client, people, complain):
    complaint = complain(source=Source.MAILBOX, ticket_no="", kind=Kind.SUGGESTION)
    client.force_login(people.town_admin)
    client.post(act(complaint, "sign"))
    too_long = text(
        client.post(
            act(complaint, "request_extension"),
            {"request_extension-days": "11", "request_extension-reason": "需要调查"},
        ),
        400,
    )
    assert "没有保存" in too_long and fresh(complaint).extension == ""
    client.post(
        act(complaint, "request_extension"),
        {"request_extension-days": "3", "request_extension-reason": "需要调查"},
    )
    assert fresh(complaint).extension == "requested"
    page = text(client.get(detail(complaint)))
    assert act(complaint, "decide_extension") not in page  # the town asks, the bureau decides
    assert "已申请，待审批" in page
    due = fresh(complaint).due
    client.force_login(people.bureau)
    assert act(complaint, "decide_extension") in text(client.get(detail(complaint)))
    client.post(act(complaint, "decide_extension"), {"decide_extension-decision": "approve"})
    complaint = fresh(complaint)
    assert complaint.extension == "approved" and complaint.due > due


def test_link_and_to_case_find_cases_only_through_the_scope(client, people, complain, register):
    complaint = complain(kind=Kind.HELP, helper=None)
    case = register()
    client.force_login(people.town_admin)
    unknown = text(client.post(act(complaint, "link"), {"link-case": "NO-SUCH-CASE"}), 400)
    assert "找不到编号为 NO-SUCH-CASE 的办件" in unknown
    picked = text(client.get(detail(complaint)))
    assert people.lead.get_full_name() in picked or people.lead.username in picked
    client.post(
        act(complaint, "link"),
        {"link-point": people.station.pk, "link-helper": people.lead.pk, "link-case": case.number},
    )
    complaint = fresh(complaint)
    assert complaint.helper == people.lead and complaint.case == case
    client.post(act(complaint, "sign"))
    client.force_login(people.other_town_admin)
    text(client.post(act(complaint, "to_case"), {"to_case-case": case.number}), 404)
    client.force_login(people.town_admin)
    client.post(act(complaint, "to_case"), {"to_case-case": case.number})
    complaint = fresh(complaint)
    assert complaint.status == Step.ANSWERED and case.number in complaint.answer


def test_the_phone_is_shown_in_full_on_request_and_logged(client, people, complain):
    complaint = complain()
    client.force_login(people.supervisor)  # sees it, does not handle it
    page = text(client.get(detail(complaint)))
    assert complaint.phone_masked in page and "查看电话" not in page
    assert (
        client.post(reverse("supervision:complaint_reveal", args=[complaint.pk])).status_code == 403
    )
    client.force_login(people.town_admin)
    assert "查看电话" in text(client.get(detail(complaint)))
    shown = text(client.post(reverse("supervision:complaint_reveal", args=[complaint.pk])))
    assert PHONE in shown and "本次查看已记录" in shown
    logged = ComplaintEvent.objects.filter(complaint=complaint, action="reveal_phone")
    assert logged.count() == 1 and logged.get().by == people.town_admin
    assert "查看诉求人电话" in text(client.get(detail(complaint)))


def test_a_town_admin_records_a_window_complaint_for_their_town(client, people):
    client.force_login(people.town_admin)
    form = text(client.get(NEW))
    assert people.station.name in form and "列出该服务点人员" in form
    base = {
        "county": people.county.pk,
        "source": Source.WINDOW,
        "received_on": timezone.localdate().isoformat(),
        "kind": Kind.COMPLAINT,
        "category": Category.ATTITUDE,
        "title": "窗口态度差",
        "content": "工作人员不耐烦。",
        "name": "李先生",
        "phone": "13905331111",
        "point": people.station.pk,
    }
    picked = text(client.post(NEW, {**base, "pick": "1"}))
    assert people.helper.get_full_name() in picked or people.helper.username in picked
    assert not Complaint.objects.exists()
    elsewhere = text(client.post(NEW, {**base, "point": people.centre.pk}), 400)
    assert "没有保存" in elsewhere and not Complaint.objects.exists()
    bad_phone = text(client.post(NEW, {**base, "phone": "12"}), 400)
    assert "请填写正确的手机号码或固定电话" in bad_phone
    response = client.post(NEW, {**base, "helper": people.helper.pk})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == detail(complaint)
    assert complaint.created_by == people.town_admin and complaint.helper == people.helper
    assert complaint.level == "town" and complaint.source == Source.WINDOW


def test_only_the_bureau_and_town_admins_record(client, people):
    for user in (people.helper, people.lead, people.supervisor, people.special):
        client.force_login(user)
        text(client.get(NEW), 404)
    client.force_login(people.bureau)
    assert people.centre.name in text(client.get(NEW))
    client.force_login(people.supervisor)
    assert NEW not in text(client.get(LIST))


def test_the_chart_and_its_svg(client, people):
    client.force_login(people.helper)
    page = text(client.get(reverse("supervision:complaint_chart")))
    assert "投诉举报工作流程图" in page and "申请延期" in page and "<svg" in page
    svg = client.get(reverse("supervision:complaint_chart_svg"))
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")


def test_the_nav_offers_supervision_to_whom_it_concerns(client, people):
    client.force_login(people.town_admin)
    page = text(client.get(LIST))
    assert "监督检查" in page and f'href="{LIST}"' in page
    client.force_login(people.helper)
    page = text(client.get(reverse("home")))
    assert f'href="{LIST}"' not in page
