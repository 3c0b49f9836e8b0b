"""The complaints API (docs/api.md "投诉举报"): the list with its filters and cards, one complaint
with its timeline, a complaint recorded by staff, one POST per action of the table; the scope of
every role (a confidential complaint never reaches the town or station accused, a special
supervisor sees nothing, a supervisor reads only, the person accused never acts); the phone masked
everywhere but `reveal-phone`; retries under one `Idempotency-Key`; a list whose query count does
not grow with its page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangban.feedback import actions as feedback
from bangban.network.actions import grant_membership
from bangban.network.models import Role
from bangban.supervision.models import Complaint, ComplaintEvent
from tests.feedback.rectifying import at, bad_review  # noqa: F401 - fixtures
from tests.network.test_api import Api, assert_error, token_for
from tests.supervision.conftest import PHONE, working_days

pytestmark = pytest.mark.django_db

FULL = PHONE
MASKED = "138****1234"


@pytest.fixture
def api_for(client):
    def make(user):
        return Api(client, token_for(client, user))

    return make


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def resolve(rect, by):
    """Put a complaint's rectification right through feedback's actions: called back, verified
    (true), fixed at once."""
    rect = feedback.record_call(rect, reached=True, record="已联系投诉人", by=by)
    rect = feedback.verify(
        rect, is_true=True, is_reasonable=True, is_malicious=False, note="属实", by=by
    )
    return feedback.fix(rect, measures="已批评教育并当面致歉", by=by)


# --- The handler's way through ------------------------------------------------------------------


def test_the_town_signs_and_answers_a_ticket_through_the_api(people, complain, api_for):
    complaint = complain()
    api = api_for(people.town_admin)
    assert ids(api.get("/complaints", show="mine")) == [complaint.pk]
    row = api.get("/complaints").json()["items"][0]
    assert row["phone_masked"] == MASKED and row["level"] == "town"
    assert row["warning"] == "" and row["rectification"] is None
    detail = api.get(f"/complaints/{complaint.pk}").json()
    assert detail["permitted"] == ["sign", "link", "return"]
    assert detail["may_reveal_phone"] is True
    assert [e["action"] for e in detail["events"]] == ["receive"]

    signed = api.post(f"/complaints/{complaint.pk}/sign", {})
    assert signed.status_code == 200, signed.content
    body = signed.json()
    assert body["status"] == "handling" and body["rectification"]["status"] == "opened"
    # The answer waits for the rectification: 409 at the text, in the table's words.
    refused = assert_error(api.post(f"/complaints/{complaint.pk}/answer", {"text": "已处理"}), 409)
    assert refused[0]["loc"] == ["body", "text"] and "整改" in refused[0]["msg"]

    complaint.refresh_from_db()
    resolve(complaint.rectification, people.town_admin)
    answered = api.post(
        f"/complaints/{complaint.pk}/answer", {"text": "经核实情况属实，已对工作人员批评教育。"}
    )
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["status"] == "answered" and body["upheld"] is True and body["on_time"] is True
    assert body["rectification"]["status"] == "closed"
    assert [e["action"] for e in body["events"]] == ["receive", "sign", "answer"]
    assert api.get("/complaints", show="mine").json()["count"] == 0
    assert ids(api.get("/complaints", status="answered")) == [complaint.pk]
    assert FULL not in answered.content.decode()


def test_the_list_filters_and_cards(people, complain, api_for):
    today = timezone.localdate()
    old = complain()
    fee = complain(category="fee", source="window", ticket_no="")
    help_ = complain(kind="help", category="other")
    api = api_for(people.bureau)
    assert set(ids(api.get("/complaints"))) == {old.pk, fee.pk, help_.pk}
    assert ids(api.get("/complaints", category="fee")) == [fee.pk]
    assert ids(api.get("/complaints", source="window")) == [fee.pk]
    assert ids(api.get("/complaints", kind="help")) == [help_.pk]
    assert ids(api.get("/complaints", point=people.other_station.pk)) == []
    assert len(ids(api.get("/complaints", point=people.town.pk))) == 3  # the town and below
    assert ids(api.get("/complaints", **{"from": today.isoformat()}, limit=1)) == [help_.pk]
    assert api.get("/complaints", limit=1).json()["count"] == 3
    assert ids(api.get("/complaints", warning="red")) == []
    # On the answer's due day every open one carries a yellow card, the day after a red one.
    with at(old.due):
        api = api_for(people.bureau)
        assert len(ids(api.get("/complaints", warning="yellow"))) == 3
        assert {r["warning"] for r in api.get("/complaints").json()["items"]} == {"yellow"}
    with at(working_days(old.due, 1)):
        api = api_for(people.bureau)
        assert len(ids(api.get("/complaints", warning="red"))) == 3
    assert_error(api.get("/complaints", catgory="fee"), 422)
    assert_error(api.get("/complaints", kind="gripe"), 422)
    assert_error(api.get("/complaints", point=2**40), 404, "point")


def test_link_finds_only_the_cases_the_caller_sees(
    people, complain, api_for, register, make_helper, yiyuan
):
    complaint = complain(point=None, helper=None)
    assert complaint.level == "bureau"
    api = api_for(people.bureau)
    case = register()
    linked = api.post(f"/complaints/{complaint.pk}/link", {"case": case.number})
    assert linked.status_code == 200, linked.content
    body = linked.json()
    assert body["case"] == case.number and body["point"]["id"] == case.handling_point_id
    assert body["level"] == "town"  # not yet signed: the handler follows the point

    # The town admin of 鲁村镇 does not see a case of 南麻街道: 404 at the case.
    elsewhere = yiyuan.station("南麻街道")
    by = make_helper(elsewhere).user
    hidden = register(point=elsewhere, by=by, responsible=by)
    town = api_for(people.town_admin)
    assert_error(
        town.post(f"/complaints/{complaint.pk}/link", {"case": hidden.number}), 404, "case"
    )
    assert_error(
        town.post(f"/complaints/{complaint.pk}/link", {"case": "370323-20990101-0001"}), 404
    )
    assert_error(town.post(f"/complaints/{complaint.pk}/link", {"helper": 2**40}), 404, "helper")
    # A person who does not work at the point: the action's rule, 409 at the field.
    assert_error(
        town.post(f"/complaints/{complaint.pk}/link", {"helper": people.bureau.pk}), 409, "helper"
    )


def test_return_within_two_working_days_only_for_a_ticket(people, complain, api_for):
    today = timezone.localdate()
    ticket = complain()
    window = complain(source="window", ticket_no="")
    late = complain()
    api = api_for(people.town_admin)
    returned = api.post(f"/complaints/{ticket.pk}/return", {"reason": "属市医保局职责"})
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned" and returned.json()["on_time"] is True
    assert_error(api.post(f"/complaints/{window.pk}/return", {"reason": "不归我们"}), 409, "id")
    with at(working_days(today, 3)):
        api = api_for(people.town_admin)
        assert_error(
            api.post(f"/complaints/{late.pk}/return", {"reason": "不归我们"}), 409, "reason"
        )
    assert_error(api.post(f"/complaints/{late.pk}/return", {"reason": ""}), 422, "reason")


def test_an_extension_asked_for_and_decided(people, complain, api_for):
    ticket = complain()
    window = complain(source="window", ticket_no="")
    town, bureau = api_for(people.town_admin), api_for(people.bureau)
    for c in (ticket, window):
        assert town.post(f"/complaints/{c.pk}/sign", {}).status_code == 200
        asked = town.post(f"/complaints/{c.pk}/extension", {"days": 5, "reason": "需调取监控"})
        assert asked.status_code == 200, asked.content
        assert asked.json()["extension"] == "requested"
    assert_error(
        town.post(f"/complaints/{window.pk}/extension", {"days": 3, "reason": "再延"}), 409
    )
    assert_error(town.post(f"/complaints/{ticket.pk}/extension", {"days": 11, "reason": "x"}), 422)
    # The hotline centre decides a ticket's (through the adapter), the bureau the others'.
    decision = {"approve": True, "note": "同意"}
    assert_error(bureau.post(f"/complaints/{ticket.pk}/extension/decision", decision), 403)
    assert_error(town.post(f"/complaints/{window.pk}/extension/decision", decision), 403)
    approved = bureau.post(f"/complaints/{window.pk}/extension/decision", decision)
    assert approved.status_code == 200, approved.content
    assert approved.json()["extension"] == "approved"
    assert approved.json()["due"] == working_days(window.due, 5).isoformat()


def test_a_help_becomes_a_case(people, complain, api_for, register):
    asked = complain(kind="help", category="other")
    grumble = complain()
    api = api_for(people.town_admin)
    for c in (asked, grumble):
        assert api.post(f"/complaints/{c.pk}/sign", {}).status_code == 200
    case = register()
    done = api.post(f"/complaints/{asked.pk}/to-case", {"case": case.number})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "answered" and body["case"] == case.number
    assert case.number in body["answer"]
    assert_error(api.post(f"/complaints/{grumble.pk}/to-case", {"case": case.number}), 409, "case")
    assert_error(api.post(f"/complaints/{grumble.pk}/to-case", {"case": "12"}), 422)


def test_the_phone_is_revealed_to_the_handler_only_and_logged(people, complain, api_for):
    complaint = complain()
    listed = api_for(people.bureau).get("/complaints").content.decode()
    assert MASKED in listed and FULL not in listed
    assert FULL not in api_for(people.bureau).get(f"/complaints/{complaint.pk}").content.decode()
    assert_error(
        api_for(people.supervisor).post(f"/complaints/{complaint.pk}/reveal-phone", {}), 403
    )
    shown = api_for(people.town_admin).post(f"/complaints/{complaint.pk}/reveal-phone", {})
    assert shown.status_code == 200 and shown.json() == {"phone": FULL}
    logged = ComplaintEvent.objects.filter(complaint=complaint, action="reveal_phone")
    assert [e.by for e in logged] == [people.town_admin]
    anonymous = complain(anonymous=True)
    assert_error(
        api_for(people.town_admin).post(f"/complaints/{anonymous.pk}/reveal-phone", {}),
        409,
        "phone",
    )


# --- Recording ---------------------------------------------------------------------------------


def letter(about, **changes) -> dict:
    body = {
        "source": "window",
        "kind": "complaint",
        "category": "attitude",
        "title": "窗口人员态度差",
        "content": "到镇便民服务中心办事，工作人员\n态度生硬。",
        "name": "李先生",
        "phone": "13905331111",
        "point": about.pk,
    }
    body.update(changes)
    return body


def test_who_may_record_a_complaint(people, api_for, yiyuan):
    made = api_for(people.bureau).post("/complaints", letter(people.station))
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["phone_masked"] == "139****1111" and "13905331111" not in made.content.decode()
    assert body["number"].startswith("TS") and body["level"] == "town"
    assert body["content"].endswith("态度生硬。")
    by_town = api_for(people.town_admin).post("/complaints", letter(people.other_station))
    assert by_town.status_code == 201, by_town.content
    elsewhere = yiyuan.station("南麻街道")
    assert_error(api_for(people.town_admin).post("/complaints", letter(elsewhere)), 403)
    for who in ("other_town_admin", "supervisor", "special", "helper", "lead", "partner_admin"):
        assert_error(api_for(getattr(people, who)).post("/complaints", letter(people.station)), 403)
    # Naming no point: the bureau only; it handles it.
    no_point = api_for(people.bureau).post("/complaints", letter(people.station, point=None))
    assert no_point.status_code == 201 and no_point.json()["level"] == "bureau"
    assert_error(
        api_for(people.town_admin).post("/complaints", letter(people.station, point=None)), 403
    )
    # A rule of the action: a 12345 ticket needs its number (409), a bad shape 422.
    bad = api_for(people.bureau).post("/complaints", letter(people.station, source="hotline"))
    assert_error(bad, 409, "ticket_no")
    assert_error(api_for(people.bureau).post("/complaints", letter(people.station, kind="x")), 422)
    assert_error(api_for(people.bureau).post("/complaints", letter(people.station, extra=1)), 422)
    assert Complaint.objects.count() == 3


def test_a_fee_complaint_recorded_by_the_town_goes_to_the_bureau(people, api_for):
    town = api_for(people.town_admin)
    made = town.post("/complaints", letter(people.station, category="fee", title="收取代办费"))
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["confidential"] is True and body["level"] == "bureau" and body["town"] is None
    assert_error(town.get(f"/complaints/{body['id']}"), 404)
    assert ids(town.get("/complaints")) == []
    assert ids(api_for(people.bureau).get("/complaints", show="mine")) == [body["id"]]


def test_a_bad_review_escalated_links_its_case_point_and_helper(
    people,
    api_for,
    bad_review,  # noqa: F811
    yiyuan,
):
    rating = bad_review().rating
    assert rating.point == people.station and rating.helper is not None
    town = api_for(people.town_admin)
    escalated = letter(people.station, source="rating", rating=rating.pk, point=None)
    made = town.post("/complaints", escalated)
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["source"], body["rating"], body["level"]) == ("rating", rating.pk, "town")
    assert body["point"]["id"] == rating.point_id and body["helper"]["id"] == rating.helper_id
    assert body["case"] == rating.case.number
    # The body may say the same; a point, person or case the review is not about is refused.
    same = letter(people.station, source="rating", rating=rating.pk, helper=rating.helper_id)
    assert town.post("/complaints", same).status_code == 201
    for wrong in ({"point": people.other_station.pk}, {"helper": people.helper.pk}):
        assert_error(town.post("/complaints", {**escalated, **wrong}), 409, "rating")
    assert_error(town.post("/complaints", letter(people.station, source="rating")), 409, "rating")
    # A review the caller cannot see (another town's station): 404 at the rating, nothing written.
    elsewhere = yiyuan.station("南麻街道")
    hidden = bad_review(point=elsewhere).rating
    refused = town.post("/complaints", {**escalated, "rating": hidden.pk})
    assert_error(refused, 404, "rating")
    assert_error(town.post("/complaints", letter(elsewhere, rating=hidden.pk)), 404, "rating")
    assert Complaint.objects.count() == 2
    assert Complaint.objects.filter(rating=rating).count() == 2


def test_a_retry_under_one_key_records_once(people, client):
    api = Api(client, token_for(client, people.bureau))
    headers = {"authorization": f"Bearer {api.token}", "Idempotency-Key": "crm-1-complaint"}

    def post(body):
        return client.post(
            "/api/v1/complaints", body, content_type="application/json", headers=headers
        )

    first = post(letter(people.station))
    again = post(letter(people.station))
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1
    assert_error(post(letter(people.station, title="另一封信")), 409, "Idempotency-Key")
    assert Complaint.objects.count() == 1


# --- Scope ---------------------------------------------------------------------------------------


def without_memberships(user):
    user.memberships.all().delete()
    return get_user_model().objects.get(pk=user.pk)


SCOPE = [
    # who, sees the complaints about: the station, the station's fee, the partner station
    ("helper", set()),
    ("lead", set()),
    ("town_admin", {"plain"}),
    ("other_town_admin", {"partner"}),  # the partner station is in 南麻街道
    ("bureau", {"plain", "fee", "partner"}),
    ("supervisor", {"plain", "fee", "partner"}),
    ("special", set()),
    ("partner_admin", {"partner"}),
    ("nobody", set()),
]


@pytest.mark.parametrize(("who", "expected"), SCOPE)
def test_who_sees_which_complaints(who, expected, people, complain, api_for, make_account):
    made = {
        "plain": complain(),
        "fee": complain(category="fee"),
        "partner": complain(point=people.partner, helper=None),
    }
    if who == "nobody":
        user = without_memberships(make_account(Role.TOWN_ADMIN, people.town))
    else:
        user = getattr(people, who)
    api = api_for(user)
    by_pk = {c.pk: name for name, c in made.items()}
    assert {by_pk[pk] for pk in ids(api.get("/complaints", limit=500))} == expected
    for name, c in made.items():
        answer = api.get(f"/complaints/{c.pk}")
        assert answer.status_code == (200 if name in expected else 404), (name, answer.content)
        if name not in expected:
            assert_error(api.post(f"/complaints/{c.pk}/sign", {}), 404)


def test_the_partner_stations_town_sees_it_the_bureau_handles_it(people, complain, api_for):
    complaint = complain(point=people.partner, helper=None)
    assert complaint.level == "bureau"
    assert_error(api_for(people.partner_admin).post(f"/complaints/{complaint.pk}/sign", {}), 403)
    assert api_for(people.bureau).post(f"/complaints/{complaint.pk}/sign", {}).status_code == 200


def test_a_supervisor_reads_and_never_acts(people, complain, api_for):
    complaint = complain()
    api = api_for(people.supervisor)
    detail = api.get(f"/complaints/{complaint.pk}").json()
    assert detail["permitted"] == [] and detail["may_reveal_phone"] is False
    assert api.get("/complaints", show="mine").json()["count"] == 0
    assert_error(api.post(f"/complaints/{complaint.pk}/sign", {}), 403)
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_the_accused_never_acts_even_as_an_administrator(people, complain, api_for):
    complaint = complain()
    grant_membership(people.helper, role=Role.REGION_ADMIN, binding=people.county, by=None)
    accused = get_user_model().objects.get(pk=people.helper.pk)
    api = api_for(accused)
    detail = api.get(f"/complaints/{complaint.pk}")
    assert detail.status_code == 200  # a region administrator sees the county's complaints
    assert detail.json()["permitted"] == [] and detail.json()["may_reveal_phone"] is False
    assert api.get("/complaints", show="mine").json()["count"] == 0
    assert_error(api.post(f"/complaints/{complaint.pk}/sign", {}), 403)
    assert_error(api.post(f"/complaints/{complaint.pk}/reveal-phone", {}), 403)
    assert_error(api.post(f"/complaints/{complaint.pk}/return", {"reason": "不是我"}), 403)


def test_an_account_made_inactive_is_refused(people, complain, client):
    complaint = complain()
    api = Api(client, token_for(client, people.bureau))
    assert api.get(f"/complaints/{complaint.pk}").status_code == 200
    people.bureau.is_active = False
    people.bureau.save(update_fields=["is_active"])
    assert_error(api.get(f"/complaints/{complaint.pk}"), 401)
    assert_error(api.get("/complaints"), 401)


def test_without_a_token_nothing(people, complain, client):
    complaint = complain()
    assert_error(Api(client).get(f"/complaints/{complaint.pk}"), 401)
    assert_error(Api(client).post("/complaints", letter(people.station)), 401)


# --- Query counts -------------------------------------------------------------------------------


def test_the_list_and_a_complaint_take_a_fixed_number_of_queries(people, complain, api_for):
    api = api_for(people.bureau)

    def make(n):
        for _ in range(n):
            c = complain()
            api.post(f"/complaints/{c.pk}/sign", {})

    def counted(path, **params):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(path, **params)
        assert response.status_code == 200, response.content
        return len(queries)

    make(1)
    api.get("/complaints")  # the working-day calendar is read once and cached
    one = counted("/complaints")
    first = Complaint.objects.order_by("pk").first()
    detail = counted(f"/complaints/{first.pk}")
    make(6)
    assert counted("/complaints") == one
    assert len(api.get("/complaints").json()["items"]) == 7
    c = Complaint.objects.order_by("pk").last()
    api.post(f"/complaints/{c.pk}/link", {"helper": people.helper.pk})
    assert counted(f"/complaints/{c.pk}") == detail


def test_the_documents_enums_keep_their_own_values(client):
    """The OpenAPI document names an enum's schema after its class: the complaint list's must not
    take the place of feedback's `Step` (a rectification's states)."""
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "opened" in schemas["Step"]["enum"]
    assert schemas["ComplaintStatus"]["enum"] == ["received", "handling", "answered", "returned"]
    assert "fee" in schemas["ComplaintCategory"]["enum"]
