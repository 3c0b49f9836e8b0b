"""The director's mailbox (局长信箱, /mailbox/<county code>/, decision 0055): a letter sent without
logging in goes through `actions.receive`; an anonymous one keeps no name or phone; a fee letter goes
to the bureau and is never seen by the town or the station accused; letters are counted per client
address; bad input is refused in Chinese with nothing written; the writer follows the letter on a
private link and is texted the answer."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from bangban.messaging.models import Message
from bangban.supervision import actions, scope, workflow
from bangban.supervision.models import Complaint, Source
from bangban.supervision.workflow import Step
from tests.pages import page_text

from .conftest import PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _counters():
    cache.clear()  # the rate limits count in the cache
    yield
    cache.clear()


def write_url(people) -> str:
    return reverse("mailbox:write", args=[people.county.code])


def letter(**changes) -> dict:
    data = {
        "kind": "complaint",
        "category": "attitude",
        "title": "村便民服务站工作人员态度差",
        "content": "上周三去办理低保申请，\n工作人员不耐烦。",
        "name": "李先生",
        "phone": PHONE,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def send(client, people, **changes):
    return client.post(write_url(people), letter(**changes))


def test_the_form_offers_the_countys_points_by_name(client, people):
    text = page_text(client.get(write_url(people)))
    assert "局长信箱" in text and "诉求类型" in text
    assert f'value="{people.station.pk}">{people.station.name}</option>' in text
    assert 'name="website"' in text  # the honeypot, hidden from people


def test_a_named_letter_is_received_and_shows_its_number_and_private_link(client, people):
    response = send(client, people, point=people.station.pk)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.source, complaint.kind, complaint.category) == (
        Source.MAILBOX,
        "complaint",
        "attitude",
    )
    assert complaint.created_by is None and complaint.point == people.station
    assert complaint.complainant_name == "李先生" and complaint.phone_masked == "138****1234"
    assert complaint.content == "上周三去办理低保申请，\n工作人员不耐烦。"
    assert (complaint.level, complaint.town) == ("town", people.town)
    assert len(complaint.public_token) >= 22
    text = page_text(client.get(response["Location"]))
    assert complaint.number in text
    assert f"/mailbox/q/{complaint.public_token}/" in text


def test_an_anonymous_letter_keeps_no_name_or_phone(client, people):
    response = send(client, people, anonymous="on", kind="suggestion")
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.anonymous
    assert (complaint.complainant_name, complaint.phone_encrypted, complaint.phone_masked) == (
        "",
        "",
        "",
    )
    # Anonymous: no name and no phone are asked for either.
    assert send(client, people, anonymous="on", name="", phone="").status_code == 302


def test_a_fee_letter_goes_to_the_bureau_never_to_the_town_or_station_accused(client, people):
    send(client, people, category="fee", title="代办员收取跑腿费", point=people.station.pk)
    complaint = Complaint.objects.get()
    assert complaint.confidential and (complaint.level, complaint.town) == ("bureau", None)
    seen = {complaint.pk}
    assert set(scope.complaints_for(people.bureau).values_list("pk", flat=True)) == seen
    for accused in (people.town_admin, people.lead, people.helper):
        assert not scope.complaints_for(accused).filter(pk=complaint.pk).exists()
        assert workflow.permitted(complaint, accused) == []
    assert [t.action for t in workflow.permitted(complaint, people.bureau)][:1] == ["sign"]


def test_a_report_letter_is_confidential_too(client, people):
    send(client, people, kind="report", category="favour", point=people.station.pk)
    complaint = Complaint.objects.get()
    assert complaint.confidential and complaint.level == "bureau"
    assert not scope.complaints_for(people.town_admin).exists()


def test_letters_are_counted_per_address(client, people, settings):
    settings.BANGBAN_MAILBOX_RATE = "2/h"
    assert send(client, people).status_code == 302
    assert send(client, people).status_code == 302
    text = page_text(send(client, people), 429)
    assert "提交次数过多" in text
    assert Complaint.objects.count() == 2
    # A form sent back with errors does not count against the writer.
    cache.clear()
    for _ in range(3):
        page_text(send(client, people, title=""))
    assert send(client, people).status_code == 302


@pytest.mark.parametrize(
    ("changes", "field_text"),
    [
        ({"kind": ""}, "请选择诉求类型"),
        ({"kind": "praise"}, "请选择诉求类型"),
        ({"category": "bribe"}, "请选择问题类别"),
        ({"title": "  "}, "请填写标题"),
        ({"title": "标" * 101}, "不能超过 100 字"),
        ({"content": ""}, "请填写诉求内容"),
        ({"content": "有\x07控制字符"}, "不能含控制字符"),
        ({"name": ""}, "请填写您的姓名"),
        ({"phone": ""}, "请填写联系电话"),
        ({"phone": "12ab"}, "请填写正确的手机号码或固定电话"),  # the action's rule
        ({"point": "999999"}, "请从列表中选择服务点"),
        ({"website": "http://spam.example"}, "提交失败"),  # the honeypot
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    client, people, changes, field_text
):
    text = page_text(send(client, people, **changes))
    assert field_text in text
    assert Complaint.objects.count() == 0


def test_an_unknown_county_is_the_public_404(client):
    for code in ("999999", "abc"):
        text = page_text(client.get(f"/mailbox/{code}/"), 404)
        assert "页面不存在" in text


def test_the_sent_page_needs_the_writers_session(client, people):
    response = client.get(reverse("mailbox:sent", args=[people.county.code]))
    assert response.status_code == 302 and response["Location"] == write_url(people)


# --- The private query page ------------------------------------------------------------------------


def query_url(complaint) -> str:
    return reverse("mailbox:query", args=[complaint.public_token])


def test_the_query_page_shows_the_state_and_the_answer_never_the_handler(client, people):
    send(client, people, kind="suggestion", title="建议延长午间服务", point=people.station.pk)
    complaint = Complaint.objects.get()
    text = page_text(client.get(query_url(complaint)))
    assert "已收到，待办理" in text and "建议延长午间服务" in text and complaint.number in text
    complaint = actions.sign(complaint, by=people.town_admin)
    assert "办理中" in page_text(client.get(query_url(complaint)))
    actions.answer(complaint, text="已安排午间轮班。", by=people.town_admin)
    text = page_text(client.get(query_url(complaint)))
    assert "已答复" in text and "已安排午间轮班。" in text
    for internal in (
        people.town_admin.username,
        people.town.name,
        people.station.name,
        complaint.phone_masked,
        "李先生",
    ):
        assert internal not in text


def test_an_unknown_or_malformed_token_is_the_public_404(client, people):
    send(client, people)
    for token in ("A" * 43, "short", "bad token with spaces!"):
        text = page_text(client.get(f"/mailbox/q/{token}/"), 404)
        assert "页面不存在" in text


# --- The answer texted to the complainant -----------------------------------------------------------


def texts_to(phone_masked: str) -> list[str]:
    return list(
        Message.objects.filter(recipient_masked=phone_masked)
        .order_by("pk")
        .values_list("body", flat=True)
    )


def test_a_named_letter_is_texted_the_answer_with_its_link(client, people):
    send(client, people, kind="consult", title="社保卡在哪办", point=people.station.pk)
    complaint = actions.sign(Complaint.objects.get(), by=people.town_admin)
    complaint = actions.answer(complaint, text="可在镇便民服务中心办理。", by=people.town_admin)
    assert texts_to("138****1234") == [
        f"【帮办代办】您反映的问题（编号 {complaint.number}）已答复：可在镇便民服务中心办理。"
        f" 详情请查看：http://testserver/mailbox/q/{complaint.public_token}/"
    ]
    assert complaint.events.get(action="answer").data["texted"] is True


def test_an_anonymous_letter_and_a_hotline_ticket_are_not_texted(client, people, complain):
    send(client, people, kind="consult", anonymous="on", point=people.station.pk)
    anonymous = actions.sign(Complaint.objects.get(), by=people.town_admin)
    actions.answer(anonymous, text="已答复。", by=people.town_admin)
    ticket = actions.sign(complain(kind="consult"), by=people.town_admin)
    ticket = actions.answer(ticket, text="已答复。", by=people.town_admin)
    assert ticket.phone_masked == "138****1234"
    assert texts_to("138****1234") == []


def test_a_help_turned_into_a_case_texts_the_case_number(people, complain, register):
    complaint = complain(source=Source.WINDOW, ticket_no="", kind="help")
    complaint = actions.sign(complaint, by=people.town_admin)
    case = register()
    complaint = actions.to_case(complaint, case=case, by=people.town_admin)
    assert complaint.status == Step.ANSWERED
    sent = [t for t in texts_to("138****1234") if "您反映的问题" in t]
    assert len(sent) == 1 and case.number in sent[0] and complaint.public_token in sent[0]
