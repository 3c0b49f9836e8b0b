"""Registration through the API: a fixed number of queries (no re-reads of what the request already
holds), and an answer built from the objects `register_case` wrote that is the same, field for field,
as reading the case back."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from bangban.cases.models import Case
from bangban.workdays import calendar
from tests.network.test_api import Api, assert_error, token_for

from .test_api import applicant, body


@pytest.fixture
def api(client, helper):
    """The API as the station's qualified helper."""
    return Api(client, token_for(client, helper))


#: The token with its user and their memberships in one query (the helper's station with its
#: county among them: no read of the point), the item with its revision, the helper's
#: qualification; the transaction: a savepoint, the applicant (read, then a savepoint, an insert and
#: its release when new, and the grams of its name in one insert: decision 0070), the counter, the
#: point's path read under its lock (decision 0061), the rating card checked free, the case, the
#: item's materials, the checklist in one insert, the event, the service occasion, the message, the
#: release.
NEW_APPLICANT = 19
#: A returning applicant under the same name: no savepoint, no insert, and no write of its grams.
RETURNING_APPLICANT = 15


def test_one_registration_takes_a_fixed_number_of_queries(
    api, station, item, django_assert_num_queries
):
    calendar.invalidate()  # read afresh: its 30-second re-check falls outside the counts
    api.post("/cases", body(station, item))  # warm: the process-wide caches
    someone = applicant()
    with django_assert_num_queries(NEW_APPLICANT):
        response = api.post("/cases", body(station, item, applicant=someone))
    assert response.status_code == 201, response.content
    with django_assert_num_queries(RETURNING_APPLICANT):
        response = api.post("/cases", body(station, item, applicant=someone))
    assert response.status_code == 201, response.content
    assert (
        Case.objects.filter(
            applicant__number_masked=response.json()["applicant"]["number_masked"]
        ).count()
        == 2
    )


#: With an `Idempotency-Key`: the operation's own transaction (a savepoint here, and its release),
#: the key looked up when the endpoint begins, and written with its answer at the end in one
#: statement (`INSERT … ON CONFLICT DO NOTHING RETURNING`, decision 0074).
WITH_KEY = NEW_APPLICANT + 4


def test_a_key_adds_its_look_up_and_its_answer_only(
    client, api, station, item, django_assert_num_queries
):
    calendar.invalidate()
    api.post("/cases", body(station, item))  # warm: the process-wide caches
    headers = {"Authorization": f"Bearer {api.token}", "Idempotency-Key": "one-registration"}
    payload = body(station, item, applicant=applicant())
    with django_assert_num_queries(WITH_KEY):
        response = client.post(
            "/api/v1/cases",
            payload,
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 201, response.content
    # A retry: the transaction (a savepoint and its release), the token, the key's row read.
    with django_assert_num_queries(4):
        replay = client.post(
            "/api/v1/cases",
            payload,
            content_type="application/json",
            headers=headers,
        )
    assert replay.status_code == 201 and replay.content == response.content


def test_the_answer_is_the_case_as_read_back(api, station, item):
    response = api.post("/cases", body(station, item))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert len(answer["materials"]) == 3 and answer["notices"] == answer["transfers"] == []
    assert answer["authorisation"] is None
    assert answer == api.get(f"/cases/{answer['number']}").json()


def test_a_proxy_case_answers_its_authorisation_as_read_back(api, station, item):
    scan = base64.b64encode(b"%PDF-1.4 signed page").decode()
    response = api.post(
        "/cases",
        body(
            station,
            item,
            kind="proxy",
            authorisation={
                "principal": "张秀英",
                "scope": "代为办理城乡居民医保参保登记",
                "authorised_on": timezone.localdate().isoformat(),
                "scan": {"filename": "委托书.pdf", "content_base64": scan},
            },
        ),
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["authorisation"]["has_scan"] is True
    assert answer == api.get(f"/cases/{answer['number']}").json()


def test_a_returning_applicant_is_answered_as_updated(api, station, item):
    someone = applicant()
    api.post("/cases", body(station, item, applicant=someone))
    changed = {**someone, "phone": "13905339876", "needs": "行动不便"}
    response = api.post(
        "/cases", body(station, item, applicant=changed, contact_phone="13605331111")
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["applicant"]["phone_masked"] == "139****9876"
    assert answer["applicant"]["needs"] == "行动不便"
    assert answer["contact_phone_masked"] == "136****1111"
    assert answer == api.get(f"/cases/{answer['number']}").json()


def test_the_first_responsible_must_serve_at_the_point_and_be_qualified(
    api, station, item, yiyuan, make_helper
):
    colleague = make_helper(station).user
    response = api.post("/cases", body(station, item, responsible=colleague.pk))
    assert response.status_code == 201, response.content
    assert response.json()["responsible"]["id"] == colleague.pk
    elsewhere = make_helper(yiyuan.subzone("medical_insurance")).user
    response = api.post("/cases", body(station, item, responsible=elsewhere.pk))
    assert_error(response, 409, "responsible")
    assert "本服务点" in response.json()["detail"][0]["msg"]
