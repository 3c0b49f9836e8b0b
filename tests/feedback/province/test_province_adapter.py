"""The provincial adapter against its fake (tests/feedback/fake_province.py): off by default; pushes
with the national fields; the province down and back, nothing lost and nothing sent twice; ratings
pulled and called back, mirrored once; the signed callback's refusals; the rating page's URL."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bangban.cases.actions import AuthorisationData
from bangban.feedback.actions import rate_occasion
from bangban.feedback.models import Channel, ProvinceCursor, ProvinceOutbox, Rating, Rectification
from bangban.feedback.province import (
    deliver_due,
    health,
    queue_new_services,
    rating_url,
    retry_failed,
)
from bangban.feedback.province.mirror import pull_ratings
from bangban.feedback.province.outbox import LEASE, _claim_next
from tests.feedback.province.conftest import served

Status = ProvinceOutbox.Status
CALLBACK = "/api/v1/province/ratings"


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def rate(occasion, level=2, **changes):
    return rate_occasion(
        occasion, level=level, channel=changes.pop("channel", Channel.QR), **changes
    )


# --- Off by default --------------------------------------------------------------------------------


def test_off_by_default_nothing_is_queued_nothing_leaves_and_our_page_is_the_one(
    register, monkeypatch
):
    def no_network(*args, **kwargs):
        raise AssertionError("the adapter is off: no request may leave")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    case = register()
    rate(served(case), level=1)
    assert queue_new_services(later(5)) == 0
    assert deliver_due(later(5)).attempted == 0
    assert pull_ratings().stored == 0
    assert rating_url(case) is None
    assert not ProvinceOutbox.objects.exists()


def test_off_the_callback_is_not_there(client, register):
    record = {"projectNo": "370323-20261207-0001-1", "assessNumber": 1, "satisfaction": 5}
    record["assessTime"] = "2026-12-07 10:00:00"
    response = client.post(CALLBACK, data=json.dumps(record), content_type="application/json")
    assert response.status_code == 404
    assert response.json()["detail"][0]["type"] == "not_found"


# --- Pushes ----------------------------------------------------------------------------------------


def test_the_service_record_and_the_rating_arrive_with_the_national_fields(on, register, station):
    authorisation = AuthorisationData(
        principal="张秀英",
        scope="代为办理",
        authorised_on=timezone.localdate(),
        scan=SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
    )
    case = register(kind="proxy", authorisation=authorisation)
    occasion = served(case)
    rating = rate(occasion, level=2, comment="等了很久")
    assert deliver_due(later(1)).sent == 2
    assert on.refused == []
    service = on.services[occasion.number]
    assert service["projectNo"] == f"{case.number}-{occasion.sequence}"
    assert service["taskCode"] == case.item.implementation_code
    assert service["areaCode"] == station.county.code + "000000"
    assert len(service["areaCode"]) == 12
    assert service["raterType"] == 1
    assert service["proxy"] == 1
    assert service["agentName"]
    # Never a full ID number or phone of anyone.
    sent = json.dumps(on.pushes("/service"), ensure_ascii=False)
    assert case.applicant.decrypted_phone() not in sent
    assert "*" in service["userCertMasked"]
    assert service["userName"] == "张*英"
    pushed = on.ratings[(occasion.number, 1)]
    assert pushed["satisfaction"] == 2
    assert pushed["pf"] == 3
    assert pushed["assessNumber"] == 1
    assert pushed["text"] == "等了很久"
    assert pushed["assessTime"] == timezone.localtime(rating.rated_at).strftime("%Y-%m-%d %H:%M:%S")


def test_satisfaction_is_converted_for_a_province_on_the_standards_coding(on, register, settings):
    settings.BANGBAN_PROVINCE_LEVELS = "gbt39046"
    occasion = served(register())
    rate(occasion, level=5)
    deliver_due(later(1))
    assert on.ratings[(occasion.number, 1)]["satisfaction"] == 1


def test_every_occasion_is_queued_once_however_often_the_sweep_runs(on, register):
    occasions = [served(register()) for _i in range(3)]
    assert queue_new_services(timezone.now()) == 0  # too fresh: a lower id may still commit
    assert queue_new_services(later(1)) == 3
    assert queue_new_services(later(2)) == 0
    ProvinceCursor.objects.filter(name="services").update(position=0)  # two sweeps at once
    assert queue_new_services(later(3)) == 3
    assert ProvinceOutbox.objects.count() == 3
    assert deliver_due(later(4)).sent == 3
    assert set(on.services) == {o.number for o in occasions}
    assert all(count == 1 for count in on.created.values())


def test_the_service_record_goes_before_its_rating_even_when_queued_after(on, register):
    occasion = served(register())
    queue_new_services(later(1))
    ProvinceOutbox.objects.all().delete()  # as if the sweep had not run yet
    rate(occasion)
    ProvinceOutbox.objects.filter(kind="rating").update(
        next_attempt_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert deliver_due(later(1)).sent == 2
    assert on.refused == []
    assert [r["path"] for r in on.requests] == ["/service", "/rating"]


# --- Down and back ---------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["refuse", "503"])
def test_the_province_down_nothing_is_lost_it_is_retried_with_backoff_and_sent_once(
    on, register, how
):
    occasion = served(register())
    rate(occasion, level=4)
    on.down(how)
    start = later(1)
    outcome = deliver_due(start)
    assert outcome.sent == 0 and outcome.retrying == 1  # the service record; its rating waits
    row = ProvinceOutbox.objects.get(kind="service")
    assert row.status == Status.PENDING and row.attempts == 1 and row.last_error
    assert dt.timedelta(minutes=1) <= row.next_attempt_at - start <= dt.timedelta(minutes=1.1)
    assert deliver_due(start + dt.timedelta(seconds=30)).attempted == 0  # backing off
    deliver_due(start + dt.timedelta(minutes=2))
    row.refresh_from_db()
    assert row.attempts == 2
    assert dt.timedelta(minutes=2) <= row.next_attempt_at - (start + dt.timedelta(minutes=2))
    assert ProvinceOutbox.objects.get(kind="rating").attempts == 0  # never before its record
    on.up()
    assert deliver_due(start + dt.timedelta(minutes=10)).sent == 2
    assert set(ProvinceOutbox.objects.values_list("status", flat=True)) == {Status.SENT}
    assert on.created == {occasion.number: 1, (occasion.number, 1): 1}
    assert health.healthy(on_gateway()) is True


def on_gateway():
    from bangban.feedback.province import gateway_for

    return gateway_for()


def test_a_lost_acknowledgement_is_replayed_and_creates_nothing_twice(on, register):
    occasion = served(register())
    queue_new_services(later(1))
    on.lose_acks(1)
    assert deliver_due(later(1)).retrying == 1  # stored at the province, but we never heard
    assert occasion.number in on.services
    assert deliver_due(later(3)).sent == 1  # the repeat: acknowledged, "not created"
    rate(occasion, level=1)
    on.lose_acks(1)
    assert deliver_due(later(4)).retrying == 1
    assert deliver_due(later(6)).sent == 1
    assert set(ProvinceOutbox.objects.values_list("status", flat=True)) == {Status.SENT}
    assert len(on.pushes("/service")) == 2 and len(on.pushes("/rating")) == 2
    assert on.created == {occasion.number: 1, (occasion.number, 1): 1}
    assert len(on.services) == 1 and len(on.ratings) == 1


def test_after_a_day_a_row_is_failed_kept_and_an_operator_puts_it_back(on, register):
    occasion = served(register())
    queue_new_services(later(1))
    on.down("503")
    deliver_due(later(1))
    assert deliver_due(later(25 * 60)).failed == 1
    row = ProvinceOutbox.objects.get()
    assert row.status == Status.FAILED and row.next_attempt_at is None
    assert "503" in row.last_error
    assert deliver_due(later(26 * 60)).attempted == 0  # failed rows are left visible, not sent
    on.up()
    assert retry_failed() == 1
    assert deliver_due(later(1)).sent == 1
    assert on.created[occasion.number] == 1


def test_a_row_being_sent_is_not_taken_by_a_second_worker(on, register):
    served(register())
    queue_new_services(later(1))
    now = later(1)
    claimed = _claim_next(now)
    assert claimed is not None
    assert _claim_next(now) is None  # leased
    assert deliver_due(now + LEASE / 2).attempted == 0
    assert deliver_due(now + LEASE + dt.timedelta(seconds=1)).sent == 1  # a dead worker's row
    assert len(on.pushes("/service")) == 1


# --- Ratings from the province ---------------------------------------------------------------------


def test_pulled_ratings_are_mirrored_once(on, register):
    occasion = served(register())
    on.rate(occasion.number, 2, text="窗口\n没人")
    result = pull_ratings()
    assert (result.stored, result.held, result.skipped) == (1, 0, 0)
    rating = Rating.objects.get(occasion=occasion)
    assert rating.channel == Channel.PROVINCE and rating.level == 2
    assert rating.comment == "窗口 没人"
    assert Rectification.objects.filter(rating=rating).exists()  # a bad review is put right
    assert not ProvinceOutbox.objects.filter(kind="rating").exists()  # not echoed back
    assert pull_ratings().stored == 0  # the cursor moved on
    ProvinceCursor.objects.filter(name="pull").update(token="")
    again = pull_ratings()
    assert (again.stored, again.held) == (0, 1)
    assert Rating.objects.filter(occasion=occasion).count() == 1


def test_a_default_rating_of_the_province_counts_as_unrated_and_opens_nothing(on, register):
    long_ago = timezone.localdate() - dt.timedelta(days=30)  # after our window closed
    occasion = served(register(received_on=long_ago), day=long_ago)
    on.rate(occasion.number, 1, isDefault=1)
    assert pull_ratings().stored == 1
    rating = Rating.objects.get(occasion=occasion)
    assert rating.province_default is True
    assert not Rating.objects.active().filter(pk=rating.pk).exists()
    assert not Rectification.objects.exists()


def test_an_unknown_project_pulled_is_passed_over_and_the_rest_taken(on, register):
    occasion = served(register())
    on.rate("370323-20990101-9999-1", 5)
    on.rate(occasion.number, 5)
    result = pull_ratings()
    assert (result.stored, result.skipped) == (1, 1)


def test_the_province_down_a_pull_changes_nothing(on, register):
    occasion = served(register())
    on.rate(occasion.number, 4)
    on.down("refuse")
    assert pull_ratings().stored == 0
    on.up()
    assert pull_ratings().stored == 1


# --- The callback ----------------------------------------------------------------------------------


def post(client, record, headers):
    return client.post(
        CALLBACK, data=json.dumps(record), content_type="application/json", headers=headers
    )


def test_a_called_back_rating_is_mirrored_once(on, client, register):
    occasion = served(register())
    record = on.rate(occasion.number, 5, reasonCodes=["unknown-code"])
    response = post(client, record, on.signed(record))
    assert response.status_code == 200, response.content
    assert response.json()["result"] == "stored"
    rating = Rating.objects.get(pk=response.json()["rating"])
    assert (rating.level, rating.channel, rating.reasons) == (5, Channel.PROVINCE, [])
    again = post(client, record, on.signed(record))  # the province retries: a new nonce
    assert again.status_code == 200 and again.json() == {"result": "held", "rating": rating.pk}
    assert pull_ratings().held == 1  # and the pull finds it held too
    assert Rating.objects.filter(occasion=occasion).count() == 1


def test_the_callback_refuses_a_bad_signature_an_old_timestamp_and_a_replay(
    on, client, register, settings
):
    occasion = served(register())
    record = on.rate(occasion.number, 4)
    headers = on.signed(record)

    forged = {**headers, "X-Signature": "0" * 64}
    assert _refusal(post(client, record, forged)) == (401, "signature_invalid")
    tampered = {**record, "satisfaction": 1}
    assert _refusal(post(client, tampered, headers)) == (401, "signature_invalid")
    from bangban.feedback.province.gateway import signed_headers

    old = signed_headers(record, app_id=on.app_id, secret=on.secret, now=time.time() - 301)
    assert _refusal(post(client, record, old)) == (401, "timestamp_expired")
    unsigned = post(client, record, {})
    assert _refusal(unsigned) == (401, "signature_missing")
    assert not Rating.objects.exists()

    assert post(client, record, headers).status_code == 200
    assert _refusal(post(client, record, headers)) == (401, "nonce_replayed")
    assert Rating.objects.count() == 1


def test_the_callback_names_an_unknown_project_and_a_bad_field_never_a_500(on, client, db):
    record = on.rate("370323-20990101-9999-1", 5)
    response = post(client, record, on.signed(record))
    assert _refusal(response) == (404, "unknown_project")
    assert response.json()["detail"][0]["loc"] == ["body", "projectNo"]
    record = {**record, "satisfaction": 9, "assessNumber": 3}
    response = post(client, record, on.signed(record))
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "satisfaction"),
        ("body", "assessNumber"),
    }


def test_a_record_with_odd_but_valid_json_is_taken(on, client, register):
    occasion = served(register())
    record = {**on.rate(occasion.number, 4), "satisfaction": 4.0, "text": "好\ud800的\u0007"}
    response = post(client, record, on.signed(record))
    assert response.status_code == 200, response.content
    rating = Rating.objects.get(pk=response.json()["rating"])
    assert (rating.level, rating.comment) == (4, "好的")


def test_a_follow_up_with_no_rectification_waiting_is_refused_by_our_rule(on, client, register):
    occasion = served(register())
    rate(occasion, level=5)
    record = on.rate(occasion.number, 1, assess=2)
    response = post(client, record, on.signed(record))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "follow_up"]


def _refusal(response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"][0]["type"]


# --- The rating page -------------------------------------------------------------------------------


def test_the_rating_page_is_the_provinces_while_it_answers_and_ours_when_it_does_not(
    on, register, settings
):
    case = register()
    first = case.occasions.get()  # written by the registration
    assert rating_url(case) == f"{on.url}/evaluate?projectNo={first.number}"
    second = served(case, day=timezone.localdate())
    url = rating_url(case)
    assert url == f"{on.url}/evaluate?projectNo={second.number}"
    settings.BANGBAN_PROVINCE_PAGE_URL = "https://hcp.example.cn/pj?no={projectNo}"
    assert rating_url(case) == f"https://hcp.example.cn/pj?no={second.number}"
    on.down("refuse")
    health.note(False)
    started = time.monotonic()
    assert rating_url(case) is None
    assert time.monotonic() - started < 1


def test_a_page_asks_the_province_at_most_once_a_minute_and_never_long(on, register):
    case = register()
    served(case)
    on.down("refuse")
    started = time.monotonic()
    assert rating_url(case) is None  # one probe, refused at once
    assert rating_url(case) is None  # not asked again
    assert time.monotonic() - started < 1.5
    assert len([r for r in on.requests if r["path"] == "/health"]) == 0
    on.up()
    assert rating_url(case) is None  # still quiet for the minute
    health.probe(on_gateway())  # the periodic job
    assert rating_url(case) is not None


def test_the_operator_command_shows_the_counts_and_puts_failed_rows_back(on, register):
    from io import StringIO

    from django.core.management import call_command

    served(register())
    queue_new_services(later(1))
    on.down("503")
    deliver_due(later(1))
    deliver_due(later(25 * 60))
    out = StringIO()
    call_command("province-retry", stdout=out)
    assert "推送失败：1" in out.getvalue() and "HTTP 503" in out.getvalue()
    on.up()
    call_command("province-retry", "--failed", stdout=out)
    assert "已重新放回待推送：1 条" in out.getvalue()
    assert deliver_due(later(1)).sent == 1
