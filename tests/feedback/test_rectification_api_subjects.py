# ruff: noqa: F811 - the fixtures imported
"""The rectification API for every subject (docs/api.md "好差评：差评整改和申诉"): a bad review's
carries its review, a complaint's and an inspection finding's their row's id instead; the reply
endpoint refuses a complaint's rectification with the table's message (it is closed by the
complaint's answer); the list's query count does not grow with the rows whatever their subject."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangban.feedback.models import Rectification
from bangban.supervision import actions as supervision
from bangban.supervision.models import Finding
from tests.feedback.rectifying import bad_review  # noqa: F401 - fixtures
from tests.network.test_api import Api, assert_error, token_for
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
from tests.supervision.inspecting import checklist, checklist_item, inspect  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for(client):
    def make(user):
        return Api(client, token_for(client, user))

    return make


@pytest.fixture
def signed(people, complain):
    """signed(**changes) → a complaint signed for by the town, with its rectification."""

    def make(**changes):
        return supervision.sign(complain(**changes), by=people.town_admin)

    return make


@pytest.fixture
def finding_rectification(people, inspect, checklist_item):
    """finding_rectification() → a special supervisor's inspection of the station submitted with
    one finding, and the rectification its submission opened for the point."""

    def make() -> tuple[Finding, Rectification]:
        inspection = inspect(by=people.special)
        finding = supervision.record_finding(
            inspection,
            item=checklist_item("工作人员统一着装"),
            occurrences=1,
            note="未统一着装",
            by=people.special,
        )
        supervision.submit_inspection(inspection, summary="", by=people.special)
        finding.refresh_from_db()
        return finding, finding.rectification

    return make


def test_each_subject_says_what_it_puts_right(
    people, signed, bad_review, api_for, finding_rectification
):
    review = bad_review()
    complaint = signed()
    finding, found = finding_rectification()
    api = api_for(people.bureau)
    listed = {r["id"]: r for r in api.get("/rectifications", limit=50).json()["items"]}
    assert listed[review.pk]["subject"] == "rating"
    assert listed[review.pk]["rating"]["id"] == review.rating_id
    assert listed[review.pk]["complaint"] is None and listed[review.pk]["finding"] is None
    rect = listed[complaint.rectification_id]
    assert rect["subject"] == "complaint" and rect["subject_label"] == "投诉举报"
    assert rect["complaint"] == complaint.pk
    assert rect["rating"] is None and rect["finding"] is None
    rect = listed[found.pk]
    assert rect["subject"] == "finding" and rect["finding"] == finding.pk
    assert rect["rating"] is None and rect["complaint"] is None
    detail = api.get(f"/rectifications/{complaint.rectification_id}").json()
    assert detail["complaint"] == complaint.pk and detail["rating"] is None
    assert "13805331234" not in str(detail)  # never the complainant's phone
    assert api.get(f"/rectifications/{found.pk}").json()["finding"] == finding.pk


def test_a_complaints_rectification_is_closed_by_the_answer_not_a_reply(people, signed, api_for):
    complaint = signed()
    rect = complaint.rectification
    api = api_for(people.town_admin)
    for action, body in [
        ("call", {"reached": True, "record": "已联系投诉人"}),
        ("verify", {"is_true": True, "is_reasonable": True, "is_malicious": False, "note": "属实"}),
        ("fix", {"measures": "已批评教育"}),
    ]:
        response = api.post(f"/rectifications/{rect.pk}/{action}", body)
        assert response.status_code == 200, (action, response.content)
    refused = assert_error(api.post(f"/rectifications/{rect.pk}/reply", {"text": "已整改"}), 409)
    assert refused[0]["loc"] == ["body", "text"]
    assert refused[0]["msg"] == "投诉举报的整改通过答复投诉人办结，请到投诉举报页面答复。"
    rect.refresh_from_db()
    assert rect.status == "resolved" and rect.reply == ""
    # The complaint's answer closes it.
    answered = api.post(f"/complaints/{complaint.pk}/answer", {"text": "已整改并致歉"})
    assert answered.status_code == 200, answered.content
    closed = api.get(f"/rectifications/{rect.pk}").json()
    assert closed["status"] == "closed" and closed["reply"] == "已整改并致歉"


def test_a_confidential_complaints_rectification_is_the_bureaus_only(people, signed, api_for):
    complaint = supervision.sign(
        supervision.receive(
            county=people.county,
            source="mailbox",
            kind="report",
            category="fee",
            title="代办收费",
            content="村代办员收取 50 元代办费。",
            point=people.station,
            helper=people.helper,
        ),
        by=people.bureau,
    )
    rect = complaint.rectification_id
    assert api_for(people.bureau).get(f"/rectifications/{rect}").json()["complaint"] == complaint.pk
    for who in ("town_admin", "lead", "helper"):
        assert_error(api_for(getattr(people, who)).get(f"/rectifications/{rect}"), 404)
        listed = api_for(getattr(people, who)).get("/rectifications").json()["items"]
        assert rect not in [r["id"] for r in listed]


def test_the_list_takes_a_fixed_number_of_queries_whatever_the_subjects(
    people, signed, bad_review, api_for, finding_rectification
):
    api = api_for(people.bureau)

    def counted():
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/rectifications", limit=50)
        assert response.status_code == 200, response.content
        return len(queries), len(response.json()["items"])

    signed()
    bad_review()
    api.get("/rectifications")  # the working-day calendar is read once and cached
    few, rows = counted()
    assert rows == 2
    for _ in range(4):
        signed()
        bad_review()
    finding_rectification()
    many, rows = counted()
    assert rows == 11 and many == few
