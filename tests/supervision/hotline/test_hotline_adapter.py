"""The 12345 adapter against its fake platform (fake_hotline.py): off by default; tickets pulled and
called back, received once; the callback's refusals change nothing; the centre's extension decisions;
pushes signed, in order per ticket, the platform down and back with nothing lost and nothing sent
twice; a lost acknowledgement; the give-up and the operator's command."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bangban.kernel.signing import signed_headers
from bangban.supervision import actions
from bangban.supervision.hotline.intake import pull_tickets
from bangban.supervision.hotline.outbox import deliver_due
from bangban.supervision.models import (
    Category,
    Complaint,
    ComplaintEvent,
    HotlineCursor,
    HotlineOutbox,
    Kind,
)
from bangban.supervision.rules import extended_due

CALLBACK = "/api/v1/hotline/callback"
Status = HotlineOutbox.Status


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def post(client, record, headers):
    return client.post(
        CALLBACK, data=json.dumps(record), content_type="application/json", headers=headers
    )


def refusal(response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"][0]["type"]


def signed_for_answer(people, complain, **changes):
    """A 12345 咨询 ticket signed for and answered by the town administrator: two rows owed."""
    complaint = complain(kind=Kind.CONSULT, **changes)
    actions.sign(complaint, by=people.town_admin)
    actions.answer(complaint, text="已电话告知办理流程。", by=people.town_admin)
    return complaint


# --- Off by default --------------------------------------------------------------------------------


def test_off_by_default_nothing_is_queued_and_no_request_is_made(
    people, complain, client, monkeypatch, settings
):
    def no_network(*args, **kwargs):
        raise AssertionError("the adapter is off: no request may leave")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    assert settings.BANGBAN_HOTLINE_URL == ""
    signed_for_answer(people, complain)
    assert not HotlineOutbox.objects.exists()
    assert deliver_due(later(5)).attempted == 0
    assert pull_tickets().stored == 0
    record = {"type": "ticket", "ticketNo": "SD1", "areaCode": "370323"}
    response = post(
        client,
        {
            **record,
            "dispatchTime": "2026-01-05 09:00:00",
            "appealType": "01",
            "title": "问",
            "content": "问",
        },
        {},
    )
    assert refusal(response) == (404, "not_found")


# --- Tickets in ------------------------------------------------------------------------------------


def test_pulled_tickets_are_received_once_with_our_codes(on, people):
    due = timezone.localtime() + dt.timedelta(days=3)
    first = on.enqueue(
        orgCode=str(people.station.pk),
        dueTime=due.strftime("%Y-%m-%d %H:%M:%S"),
        content="第一行\r\n第二行\x07",
    )
    second = on.enqueue(appealType="04", problemType="9999", orgName=people.station.name)
    result = pull_tickets()
    assert (result.stored, result.held, result.skipped) == (2, 0, 0)
    complaint = Complaint.objects.get(ticket_no=first["ticketNo"])
    assert (complaint.source, complaint.kind, complaint.category) == (
        "hotline",
        Kind.COMPLAINT,
        Category.BUCK,
    )
    assert complaint.point == people.station
    assert complaint.due == due.date()
    assert complaint.content == "第一行\n第二行"
    assert complaint.phone_masked and "1234" in complaint.phone_masked
    assert "13805331234" not in complaint.phone_masked
    report = Complaint.objects.get(ticket_no=second["ticketNo"])
    assert (report.kind, report.category, report.confidential) == (Kind.REPORT, "other", True)
    assert report.level == "bureau"
    assert pull_tickets().stored == 0  # the cursor moved on
    HotlineCursor.objects.update(value="")
    again = pull_tickets()
    assert (again.stored, again.held) == (0, 2)
    assert Complaint.objects.count() == 2


def test_a_ticket_we_cannot_read_is_passed_over_and_the_rest_taken(on, people):
    on.enqueue(appealType="42")
    on.enqueue(areaCode="110101")  # not a county of ours
    good = on.enqueue()
    result = pull_tickets()
    assert (result.stored, result.skipped) == (1, 2)
    assert Complaint.objects.get().ticket_no == good["ticketNo"]


def test_the_platform_down_a_pull_changes_nothing(on, people):
    on.enqueue()
    on.down("refuse")
    assert pull_tickets().stored == 0
    assert HotlineCursor.objects.filter(value__gt="").count() == 0
    on.up()
    assert pull_tickets().stored == 1


def test_a_called_back_ticket_is_received_once_in_the_platforms_shape(on, client, people):
    record = on.ticket(orgCode=str(people.station.pk))
    response = post(client, record, on.signed(record))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "0" and body["data"]["result"] == "stored"
    complaint = Complaint.objects.get(pk=body["data"]["complaint"])
    assert complaint.ticket_no == record["ticketNo"] and complaint.point == people.station
    again = post(client, record, on.signed(record))  # the platform retries: a new nonce
    assert again.status_code == 200 and again.json()["data"] == {
        "result": "held",
        "complaint": complaint.pk,
    }
    on.enqueue(ticketNo=record["ticketNo"])  # and the pull finds it too
    assert pull_tickets().held == 1
    assert Complaint.objects.count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == 1


def test_the_callback_refuses_a_bad_signature_an_old_timestamp_and_a_replay(on, client, people):
    record = on.ticket()
    headers = on.signed(record)
    forged = {**headers, "X-Signature": "0" * 64}
    assert refusal(post(client, record, forged)) == (401, "signature_invalid")
    tampered = {**record, "title": "改过的标题"}
    assert refusal(post(client, tampered, headers)) == (401, "signature_invalid")
    wrong_app = signed_headers(record, app_id="someone-else", secret=on.secret)
    assert refusal(post(client, record, wrong_app)) == (401, "signature_invalid")
    old = on.signed(record, now=time.time() - 301)
    response = post(client, record, old)
    assert refusal(response) == (401, "timestamp_expired")
    assert set(response.json()) == {"detail"} and response.json()["detail"][0]["msg"]
    assert response["WWW-Authenticate"].startswith("HMAC-SHA256")
    assert refusal(post(client, record, {})) == (401, "signature_missing")
    assert not Complaint.objects.exists()

    assert post(client, record, headers).status_code == 200
    replay = post(client, record, headers)
    assert refusal(replay) == (401, "nonce_replayed")
    assert Complaint.objects.count() == 1


def test_the_callback_names_each_field_it_cannot_read_never_a_500(on, client, db):
    record = on.ticket(appealType="09", dispatchTime="2026-13-01 09:00:00", title="  ")
    response = post(client, record, on.signed(record))
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "appealType"),
        ("body", "dispatchTime"),
        ("body", "title"),
    }
    phone = on.ticket(citizenPhone="12345")  # our rule: a phone we cannot read
    response = post(client, phone, on.signed(phone))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "citizenPhone"]
    elsewhere = on.ticket(areaCode="110101")
    assert refusal(post(client, elsewhere, on.signed(elsewhere))) == (404, "unknown_county")
    assert refusal(client.post(CALLBACK, data="{", content_type="application/json")) == (
        400,
        "json_invalid",
    )
    assert not Complaint.objects.exists()


# --- The centre's extension decisions --------------------------------------------------------------


def test_an_extension_decided_by_the_centre_moves_the_due_day_once(on, client, people, complain):
    complaint = complain(kind=Kind.CONSULT)
    actions.sign(complaint, by=people.town_admin)
    actions.request_extension(complaint, days=5, reason="需协调医保部门。", by=people.town_admin)
    before = Complaint.objects.get(pk=complaint.pk).due
    decision = on.decide(complaint.ticket_no, approved=True, note="同意")
    response = post(client, decision, on.signed(decision))
    assert response.status_code == 200, response.content
    assert response.json()["data"]["result"] == "stored"
    complaint.refresh_from_db()
    assert complaint.extension == "approved" and complaint.due == extended_due(before, 5)
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    again = post(client, decision, on.signed(decision))
    assert again.status_code == 200 and again.json()["data"]["result"] == "held"
    complaint.refresh_from_db()
    assert complaint.due == extended_due(before, 5)
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events
    refused = on.decide(complaint.ticket_no, approved=False)
    response = post(client, refused, on.signed(refused))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "approved"]
    unknown = on.decide("SD-NONE-1", approved=True)
    assert refusal(post(client, unknown, on.signed(unknown))) == (404, "unknown_ticket")


# --- Pushes out ------------------------------------------------------------------------------------


def test_each_step_is_pushed_signed_once_with_its_key_and_in_order(on, people, complain):
    complaint = signed_for_answer(people, complain)
    other = complain(kind=Kind.CONSULT)
    actions.return_ticket(other, reason="不属于本县办理。", by=people.town_admin)
    assert deliver_due(later(1)).sent == 3
    assert on.refused == []
    assert [(r["action"], r["sequence"]) for r in on.received(complaint.ticket_no)] == [
        ("sign", 1),
        ("answer", 1),
    ]
    answer = on.received(complaint.ticket_no)[1]
    assert answer["answer"] == "已电话告知办理流程。" and answer["answeredOn"]
    assert on.received(other.ticket_no)[0]["reason"] == "不属于本县办理。"
    assert {r["key"] for r in on.requests} == {
        f"{complaint.ticket_no}:sign:1",
        f"{complaint.ticket_no}:answer:1",
        f"{other.ticket_no}:return:1",
    }
    assert set(HotlineOutbox.objects.values_list("status", flat=True)) == {Status.SENT}
    assert deliver_due(later(2)).attempted == 0


def test_the_answer_waits_for_its_signing_even_when_it_is_due_first(on, people, complain):
    complaint = signed_for_answer(people, complain)
    HotlineOutbox.objects.filter(action="sign").update(next_attempt_at=later(30))
    assert deliver_due(later(1)).attempted == 0  # the answer is due, its signing is not
    assert deliver_due(later(31)).sent == 2
    assert [r["action"] for r in on.received(complaint.ticket_no)] == ["sign", "answer"]
    assert on.refused == []


@pytest.mark.parametrize("how", ["refuse", "503"])
def test_the_platform_down_nothing_is_lost_it_is_retried_with_backoff_and_sent_once(
    on, people, complain, how
):
    complaint = signed_for_answer(people, complain)
    on.down(how)
    start = later(1)
    outcome = deliver_due(start)
    assert (outcome.sent, outcome.retrying) == (0, 1)  # the signing; its answer waits
    sign = HotlineOutbox.objects.get(action="sign")
    assert sign.status == Status.PENDING and sign.attempts == 1 and sign.last_error
    assert dt.timedelta(minutes=1) <= sign.next_attempt_at - start <= dt.timedelta(minutes=1.1)
    assert deliver_due(start + dt.timedelta(seconds=30)).attempted == 0  # backing off
    deliver_due(start + dt.timedelta(minutes=2))
    sign.refresh_from_db()
    assert sign.attempts == 2
    assert HotlineOutbox.objects.get(action="answer").attempts == 0
    on.up()
    assert deliver_due(start + dt.timedelta(minutes=10)).sent == 2
    assert set(HotlineOutbox.objects.values_list("status", flat=True)) == {Status.SENT}
    assert on.created == {
        (complaint.ticket_no, "sign", 1): 1,
        (complaint.ticket_no, "answer", 1): 1,
    }


def test_a_lost_acknowledgement_is_resent_and_acknowledged_without_a_duplicate(
    on, people, complain
):
    complaint = signed_for_answer(people, complain)
    on.lose_acks(1)
    assert deliver_due(later(1)).retrying == 1  # acted on by the platform, but we never heard
    assert len(on.received(complaint.ticket_no)) == 1
    assert deliver_due(later(3)).sent == 2  # the repeat acknowledged, then the answer
    assert len(on.pushes()) == 3
    assert on.created == {
        (complaint.ticket_no, "sign", 1): 1,
        (complaint.ticket_no, "answer", 1): 1,
    }
    assert [r["action"] for r in on.received(complaint.ticket_no)] == ["sign", "answer"]


def test_after_a_day_a_row_is_failed_kept_and_the_command_puts_it_back(on, people, complain):
    complaint = complain(kind=Kind.CONSULT)
    actions.sign(complaint, by=people.town_admin)
    on.down("503")
    deliver_due(later(1))
    assert deliver_due(later(25 * 60)).failed == 1
    row = HotlineOutbox.objects.get()
    assert row.status == Status.FAILED and row.next_attempt_at is None
    assert "503" in row.last_error
    assert deliver_due(later(26 * 60)).attempted == 0  # kept visible, not sent
    out = StringIO()
    call_command("hotline-retry", "--show", stdout=out)
    assert "推送失败：1" in out.getvalue() and "HTTP 503" in out.getvalue()
    assert HotlineOutbox.objects.get().status == Status.FAILED
    on.up()
    call_command("hotline-retry", stdout=out)
    assert "已重新放回待推送：1 条" in out.getvalue()
    assert deliver_due(later(1)).sent == 1
    assert on.created == {(complaint.ticket_no, "sign", 1): 1}


def test_a_window_complaint_is_never_pushed(on, people, complain):
    complaint = complain(kind=Kind.CONSULT, source="window", ticket_no="")
    actions.sign(complaint, by=people.town_admin)
    assert not HotlineOutbox.objects.exists()
    assert deliver_due(later(1)).attempted == 0


def test_an_extension_request_is_pushed_once_with_its_days_and_reason_down_and_back(
    on, people, complain
):
    complaint = complain(kind=Kind.CONSULT)
    actions.sign(complaint, by=people.town_admin)
    actions.request_extension(
        complaint, days=7, reason="需协调医保部门核实。", by=people.town_admin
    )
    row = HotlineOutbox.objects.get(action="extension")
    assert (row.ticket_no, row.sequence, row.status) == (complaint.ticket_no, 1, Status.PENDING)
    on.down("503")
    start = later(1)
    assert deliver_due(start).retrying == 1  # the signing; the request waits behind it
    assert HotlineOutbox.objects.get(action="extension").attempts == 0
    on.up()
    on.lose_acks(1)  # the signing acted on, its acknowledgement lost: sent again, not repeated
    assert deliver_due(start + dt.timedelta(minutes=2)).retrying == 1
    assert deliver_due(start + dt.timedelta(minutes=10)).sent == 2
    assert [r["action"] for r in on.received(complaint.ticket_no)] == ["sign", "extension"]
    pushed = on.received(complaint.ticket_no)[1]
    assert (pushed["days"], pushed["reason"], pushed["sequence"]) == (7, "需协调医保部门核实。", 1)
    assert on.created == {
        (complaint.ticket_no, "sign", 1): 1,
        (complaint.ticket_no, "extension", 1): 1,
    }
    extension = [r for r in on.requests if r["json"] and r["json"]["action"] == "extension"]
    assert [r["key"] for r in extension] == [f"{complaint.ticket_no}:extension:1"]
    assert set(HotlineOutbox.objects.values_list("status", flat=True)) == {Status.SENT}
    assert deliver_due(start + dt.timedelta(hours=2)).attempted == 0
