"""The cases JSON API: registration, the ledger list through the one filter, the case and its events,
one POST per action, scope for every role, bad input located at its field, masking everywhere, and a
fixed number of queries per list page."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.identifiers import credit_code_check_character
from bangban.cases.models import Case, CaseEvent, Transfer
from bangban.cases.schemas import CaseListOut, CaseOut, EventListOut
from bangban.cases.workflow import State
from bangban.catalog.actions import MaterialData
from bangban.network.models import Role
from bangban.workdays import calendar
from tests.network.test_api import Api, assert_error, token_for

from .conftest import person, resident_id

PHONE = "13805331234"


@pytest.fixture
def api_for(client):
    """api_for(user) → an Api client with a token of that user."""

    def make(user):
        return Api(client, token_for(client, user))

    return make


@pytest.fixture
def helper_api(api_for, helper):
    return api_for(helper)


@pytest.fixture
def subzone(yiyuan):
    return yiyuan.subzone("medical_insurance")


@pytest.fixture
def receiver(make_helper, subzone):
    return make_helper(subzone).user


def body(station, item, /, **changes) -> dict:
    data = {
        "point": station.pk,
        "applicant": {
            "kind": "person",
            "name": "张秀英",
            "number": resident_id(),
            "phone": PHONE,
        },
        "item": item.pk,
        "kind": "assisted",
        "mode": "on_site",
        "channel": "walk_in",
    }
    data.update(changes)
    return data


def applicant(**changes) -> dict:
    data = {"kind": "person", "name": "张秀英", "number": resident_id(), "phone": PHONE}
    data.update(changes)
    return data


def lines(case: Case) -> dict[str, int]:
    """Checklist line ids by material name."""
    return {line.material.name: line.pk for line in case.materials.select_related("material")}


def receive_required(case: Case, by) -> None:
    statuses = {line.material_id: "received" for line in case.materials.all()}
    actions.set_material_status(case, statuses=statuses, by=by)


# --- Registration ----------------------------------------------------------------------------------


def test_registering_answers_201_with_the_case_masked(helper_api, station, item, helper):
    number = resident_id(born="19450312")
    response = helper_api.post("/cases", body(station, item, applicant=applicant(number=number)))
    assert response.status_code == 201, response.content
    answer = CaseOut.model_validate(response.json()).model_dump()
    case = Case.objects.get()
    assert answer["number"] == case.number
    assert answer["status"] == "registered"
    assert answer["registering_point"] == {"id": station.pk, "name": station.name}
    assert answer["responsible"]["id"] == helper.pk
    assert answer["entered_by"]["id"] == helper.pk
    assert answer["elderly"] is True
    assert answer["applicant"]["number_masked"] == number[:6] + "********" + number[-4:]
    assert answer["applicant"]["phone_masked"] == "138****1234"
    assert answer["contact_phone_masked"] == "138****1234"
    assert [m["name"] for m in answer["materials"]] == [
        "居民身份证或户口簿",
        "城乡居民基本医疗保险参保登记表",
        "特殊人群身份证明",
    ]
    assert number not in response.content.decode() and PHONE not in response.content.decode()
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1


def test_an_organisation_registers_with_its_credit_code(helper_api, station, item):
    """A village collective economic organisation: its code begins with N (python-stdnum refuses
    those)."""
    code = "N2370323MF0000000" + credit_code_check_character("N2370323MF0000000")
    organisation = {
        "kind": "organisation",
        "name": "沂源县鲁村镇某某村股份经济合作社",
        "number": code,
        "legal_representative": "王建国",
        "contact_name": "李明",
        "phone": PHONE,
    }
    response = helper_api.post("/cases", body(station, item, applicant=organisation))
    assert response.status_code == 201, response.content
    answer = response.json()["applicant"]
    assert answer["document_type"] == "credit_code"
    assert answer["number_masked"] == code
    assert answer["legal_representative"] == "王建国"


def test_a_proxy_case_takes_its_authorisation_and_scan_in_the_body(helper_api, station, item):
    scan = base64.b64encode(b"%PDF-1.4 signed page").decode()
    response = helper_api.post(
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
    authorisation = response.json()["authorisation"]
    assert authorisation["principal"] == "张秀英" and authorisation["has_scan"] is True
    stored = Case.objects.get().authorisation
    assert stored.scan.read() == b"%PDF-1.4 signed page"


def test_a_proxy_case_without_authorisation_is_refused_at_that_field(helper_api, station, item):
    response = helper_api.post("/cases", body(station, item, kind="proxy"))
    assert_error(response, 409, "authorisation")
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status", "loc"),
    [
        (
            {"applicant": applicant(number="370323194503121235")},
            409,
            ["body", "applicant", "number"],
        ),
        ({"applicant": applicant(phone="1380533")}, 409, ["body", "applicant", "phone"]),
        ({"contact_phone": "12345"}, 409, ["body", "contact_phone"]),
        ({"item": 2**62}, 404, ["body", "item"]),
        ({"mode": "home_visit"}, 409, ["body", "mode"]),
        ({"received_on": "2099-01-01"}, 409, ["body", "received_on"]),
        ({"received_on": "1999-12-31"}, 422, ["body", "received_on"]),
        ({"mode": "by_pigeon"}, 422, ["body", "mode"]),
        ({"point": 2**62}, 404, ["body", "point"]),
    ],
    ids=[
        "bad-id-checksum",
        "bad-phone",
        "bad-contact-phone",
        "unknown-item",
        "mode-not-supported",
        "received-in-future",
        "received-before-2000",
        "unknown-mode",
        "unknown-point",
    ],
)
def test_bad_input_is_refused_naming_the_field(helper_api, station, item, changes, status, loc):
    data = body(station, item, **changes)
    if "contact_phone" in changes:  # only the contact phone is bad
        data["applicant"]["phone"] = ""
    errors = assert_error(helper_api.post("/cases", data), status)
    assert loc in [e["loc"] for e in errors], errors
    assert not Case.objects.exists()


def test_a_case_received_before_its_window_closed_is_registered_deemed_accepted(
    helper_api, station, make_item
):
    import time_machine

    item = make_item(promised_limit=10, legal_limit=20)
    cst = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=cst), tick=False):
        response = helper_api.post("/cases", body(station, item, received_on="2026-11-02"))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["status"] == "registered" and answer["acceptance_deemed"] is True
    assert answer["accepted_on"] == "2026-11-02" and answer["promised_deadline"] == "2026-11-16"
    assert answer["warning"] == "overdue"
    case = Case.objects.get(number=answer["number"])
    assert list(case.events.values_list("action", flat=True)) == ["register", "deem_accepted"]


def test_an_unqualified_helper_cannot_be_first_responsible(helper_api, station, item, make_helper):
    untrained = make_helper(station, trained_on=None).user
    response = helper_api.post("/cases", body(station, item, responsible=untrained.pk))
    errors = assert_error(response, 409)
    assert ["body", "responsible"] in [e["loc"] for e in errors]
    assert not Case.objects.exists()


def test_every_problem_is_named_at_once(helper_api, station, item):
    data = body(station, item, mode="home_visit", applicant=applicant(number="1", phone="1380533"))
    locs = [e["loc"] for e in assert_error(helper_api.post("/cases", data), 409)]
    assert ["body", "applicant", "number"] in locs
    assert ["body", "applicant", "phone"] in locs
    assert ["body", "mode"] in locs


def test_a_supervisor_cannot_register(api_for, make_account, yiyuan, station, item):
    supervisor = api_for(make_account(Role.SUPERVISOR, yiyuan.county))
    assert_error(supervisor.post("/cases", body(station, item)), 403, "point")


def test_a_helper_cannot_register_at_another_station(helper_api, yiyuan, item):
    other = yiyuan.station("南麻街道")
    assert_error(helper_api.post("/cases", body(other, item)), 404, "point")


# --- The ledger list -------------------------------------------------------------------------------


def test_the_list_shows_the_cases_in_scope_newest_first_masked(helper_api, register):
    number = resident_id()
    first = register(applicant=person(number=number))
    second = register()
    response = helper_api.get("/cases")
    assert response.status_code == 200, response.content
    answer = CaseListOut.model_validate(response.json()).model_dump()
    assert [c["number"] for c in answer["items"]] == [second.number, first.number]
    assert answer["next_offset"] is None
    assert answer["items"][1]["applicant"]["number_masked"].startswith("370323********")
    assert number not in response.content.decode() and PHONE not in response.content.decode()


def test_the_list_pages_by_limit_and_offset(helper_api, register):
    cases = [register() for _ in range(3)]
    page = helper_api.get("/cases", limit=2).json()
    assert [c["number"] for c in page["items"]] == [cases[2].number, cases[1].number]
    assert page["next_offset"] == 2
    page = helper_api.get("/cases", limit=2, offset=2).json()
    assert [c["number"] for c in page["items"]] == [cases[0].number]
    assert page["next_offset"] is None


def test_the_list_takes_the_ledger_filters(helper_api, register, helper, yiyuan):
    old = register(applicant=person(number=resident_id(born="19450312")))
    young = register(applicant=person(number=resident_id(born="19900101")), mode="online")
    receive_required(young, helper)
    actions.accept_case(young, by=helper)

    def numbers(**params):
        response = helper_api.get("/cases", **params)
        assert response.status_code == 200, response.content
        return [c["number"] for c in response.json()["items"]]

    assert numbers(special="elderly") == [old.number]
    assert numbers(state="in_progress") == [young.number]
    assert numbers(state=["in_progress", "registered"]) == [young.number, old.number]
    assert numbers(mode="online") == [young.number]
    assert numbers(point=yiyuan.town("鲁村镇").pk) == [young.number, old.number]
    assert numbers(point=yiyuan.town("南麻街道").pk) == []
    assert numbers(helper=helper.pk, sort="registered") == [old.number, young.number]
    assert numbers(q=old.number) == [old.number]
    today = timezone.localdate().isoformat()
    assert numbers(registered_from=today, registered_to=today) == [young.number, old.number]
    # a range of completion days: newest completion first unless asked otherwise (decision 0072)
    Case.objects.filter(pk=old.pk).update(status="completed", completed_on=timezone.localdate())
    Case.objects.filter(pk=young.pk).update(
        status="completed", completed_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert numbers(completed_to=today) == [old.number, young.number]
    assert numbers(completed_to=today, sort="-registered") == [young.number, old.number]
    assert numbers(sort="completed") == [young.number, old.number]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"state": "lost"}, 422, "state"),
        ({"point": "abc"}, 422, "point"),
        ({"registered_from": "2026-13-01"}, 422, "registered_from"),
        ({"regoin": "370323"}, 422, "regoin"),
        ({"registered_from": "2026-11-25", "registered_to": "2026-11-01"}, 409, "registered_to"),
    ],
    ids=["unknown-state", "point-not-int", "bad-date", "unknown-param", "end-before-start"],
)
def test_bad_filters_are_refused_at_the_query_field(helper_api, params, status, field):
    errors = assert_error(helper_api.get("/cases", **params), status)
    assert any(e["loc"][:2] == ["query", field] for e in errors), errors


@pytest.mark.parametrize("rows", [1, 25])
def test_the_list_takes_a_fixed_number_of_queries(
    helper_api, register, django_assert_num_queries, rows, subzone, helper
):
    for _ in range(rows):
        case = register()
    actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    calendar.invalidate()  # read afresh: its 30-second re-check falls outside the count
    helper_api.get("/cases", limit=1)  # the working-day calendar is read once and cached
    # the token with the memberships, the keys, the rows
    with django_assert_num_queries(3):
        response = helper_api.get("/cases", limit=50)
    assert len(response.json()["items"]) == rows


# --- One case and its events -----------------------------------------------------------------------


def test_a_case_and_its_events(helper_api, register, helper):
    case = register()
    actions.record_progress(case, by=helper, text="已联系医保分区")
    response = helper_api.get(f"/cases/{case.number}")
    assert response.status_code == 200, response.content
    CaseOut.model_validate(response.json())
    events = helper_api.get(f"/cases/{case.number}/events")
    answer = EventListOut.model_validate(events.json()).model_dump()
    assert [e["action"] for e in answer["items"]] == ["register", "progress"]
    assert answer["items"][1]["by"]["id"] == helper.pk
    assert answer["items"][1]["data"]["text"] == "已联系医保分区"


def test_an_unknown_or_malformed_number_is_404_or_422(helper_api):
    assert_error(helper_api.get("/cases/370323-20261125-0042"), 404, "number")
    assert_error(helper_api.get("/cases/abc"), 422, "number")


# --- Actions ---------------------------------------------------------------------------------------


def test_notice_then_materials_then_accept_then_complete(helper_api, register):
    case = register()
    ids = lines(case)
    response = helper_api.post(
        f"/cases/{case.number}/notice",
        {
            "items": [
                {"line": ids["城乡居民基本医疗保险参保登记表"], "reason": "missing"},
                {"line": ids["居民身份证或户口簿"], "reason": "expired", "note": "身份证已过期"},
            ],
            "supply_by": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "awaiting_materials"
    assert answer["notices"][0]["number"].startswith(case.number[:16] + "N")

    received = [{"line": line, "status": "received"} for line in ids.values()]
    response = helper_api.post(f"/cases/{case.number}/materials-received", {"materials": received})
    assert response.status_code == 200, response.content
    assert {m["status"] for m in response.json()["materials"]} == {"received"}

    response = helper_api.post(f"/cases/{case.number}/accept", None)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "in_progress"
    assert answer["accepted_on"] == timezone.localdate().isoformat()
    assert answer["promised_deadline"] is not None

    response = helper_api.post(f"/cases/{case.number}/complete", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed" and response.json()["on_time"] is True


def test_suspend_resume_extend_progress(helper_api, register, helper):
    case = register()
    receive_required(case, helper)
    actions.accept_case(case, by=helper)
    url = f"/cases/{case.number}"
    response = helper_api.post(f"{url}/suspend", {"reason": "需申请人补充公证材料"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspended"
    response = helper_api.post(f"{url}/resume", {})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    before = dt.date.fromisoformat(response.json()["promised_deadline"])
    response = helper_api.post(
        f"{url}/extend", {"working_days": 3, "reason": "需现场核查", "approver": "王主任"}
    )
    assert response.status_code == 200, response.content
    assert dt.date.fromisoformat(response.json()["promised_deadline"]) > before
    response = helper_api.post(f"{url}/progress", {"text": "已报县医保局", "tell_applicant": False})
    assert response.status_code == 200, response.content
    actions_done = list(case.events.values_list("action", flat=True))
    assert actions_done[-4:] == ["suspend", "resume", "extend", "progress"]


def test_refuse_and_withdraw(helper_api, register):
    refused, withdrawn = register(), register()
    response = helper_api.post(
        f"/cases/{refused.number}/refuse",
        {
            "reason": "不属于本事项受理范围",
            "legal_basis": "§32",
            "document_number": "沂医保不受〔2026〕2号",
        },
    )
    assert response.status_code == 200 and response.json()["status"] == "refused"
    department = refused.revision.department
    assert response.json()["refusal"] == {
        "department": {"id": department.pk, "name": department.name},
        "document_number": "沂医保不受〔2026〕2号",
    }
    response = helper_api.post(f"/cases/{withdrawn.number}/withdraw", {"reason": "申请人不再办理"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_transfer_then_the_receiving_point_accepts(
    helper_api, api_for, register, subzone, receiver
):
    case = register()
    response = helper_api.post(
        f"/cases/{case.number}/transfer",
        {"to_point": subzone.pk, "to_helper": receiver.pk, "reason": "需县医保分区办理"},
    )
    assert response.status_code == 200, response.content
    (transfer,) = response.json()["transfers"]
    assert transfer["status"] == "pending" and transfer["direction"] == "vertical"

    receiving = api_for(receiver)
    assert receiving.get(f"/cases/{case.number}").status_code == 200  # pending: it sees the case
    response = receiving.post(f"/transfers/{transfer['id']}/accept", None)
    assert response.status_code == 200, response.content
    assert response.json()["handling_point"]["id"] == subzone.pk
    assert response.json()["handling_helper"]["id"] == receiver.pk
    # The second answer comes too late.
    errors = assert_error(receiving.post(f"/transfers/{transfer['id']}/accept", None), 409)
    assert errors[0]["loc"] == ["path", "transfer_id"] and errors[0]["type"] == "conflict"


def test_the_receiving_point_declines_with_a_suggestion(
    helper_api, api_for, register, subzone, receiver, yiyuan, helper
):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    receiving = api_for(receiver)
    better = yiyuan.subzone("human_resources_social_security")
    assert_error(
        receiving.post(f"/transfers/{transfer.pk}/decline", {"reason": " "}), 409, "reason"
    )
    response = receiving.post(
        f"/transfers/{transfer.pk}/decline",
        {"reason": "属于社保业务", "suggested_point": better.pk},
    )
    assert response.status_code == 200, response.content
    (answer,) = response.json()["transfers"]
    assert answer["status"] == "declined" and answer["suggested_point"]["id"] == better.pk
    # Declined: no longer pending to it, so it no longer sees the case.
    assert_error(receiving.get(f"/cases/{case.number}"), 404, "number")


def test_a_refusal_names_a_department_of_the_county_and_its_document_number(
    helper_api, register, yiyuan
):
    from bangban.network.models import Department, Region

    case = register()
    url = f"/cases/{case.number}/refuse"
    assert_error(helper_api.post(url, {"reason": "不属于受理范围"}), 422, "document_number")
    body = {"reason": "不属于受理范围", "document_number": "沂人社不受〔2026〕1号"}
    assert_error(helper_api.post(url, {**body, "department": 2**62}), 404, "department")
    # Another county's department (no action makes one on this branch: written directly).
    other = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    elsewhere = Department.objects.create(county=other, name="高青县人力资源和社会保障局")
    errors = assert_error(helper_api.post(url, {**body, "department": elsewhere.pk}), 409)
    assert errors[0]["loc"] == ["body", "department"]
    assert list(case.events.values_list("action", flat=True)) == ["register"]
    chosen = yiyuan.department("县人力资源和社会保障局")
    response = helper_api.post(url, {**body, "department": chosen.pk})
    assert response.status_code == 200, response.content
    assert response.json()["refusal"]["department"]["id"] == chosen.pk


def test_the_day_materials_were_received_and_acceptance_not_before_it(helper_api, register):
    import time_machine

    cst = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=cst), tick=False):
        case = register(received_on=dt.date(2026, 11, 2))
    url = f"/cases/{case.number}"
    received = [{"line": line, "status": "received"} for line in lines(case).values()]
    with time_machine.travel(dt.datetime(2026, 11, 6, 10, tzinfo=cst), tick=False):
        errors = assert_error(
            helper_api.post(
                f"{url}/materials-received", {"materials": received, "received_on": "2026-11-01"}
            ),
            409,
        )
        assert errors[0]["loc"] == ["body", "received_on"]
        response = helper_api.post(
            f"{url}/materials-received", {"materials": received, "received_on": "2026-11-05"}
        )
        assert response.status_code == 200, response.content
        assert {m["received_on"] for m in response.json()["materials"]} == {"2026-11-05"}
        errors = assert_error(helper_api.post(f"{url}/accept", {"on": "2026-11-04"}), 409)
        assert errors == [
            {
                "loc": ["body", "on"],
                "msg": "受理日期不能早于材料收齐的日期（2026-11-05）。",
                "type": "rule",
            }
        ]
        response = helper_api.post(f"{url}/accept", {"on": "2026-11-05"})
        assert response.status_code == 200, response.content
        assert response.json()["accepted_on"] == "2026-11-05"


def test_a_transfer_names_and_hands_to_qualified_helpers_only(
    helper_api, api_for, register, subzone, receiver, make_helper, make_account, yiyuan
):
    untrained = make_helper(subzone, trained_on=None).user
    case = register()
    url = f"/cases/{case.number}/transfer"
    body = {"to_point": subzone.pk, "reason": "需县医保分区办理"}
    errors = assert_error(helper_api.post(url, {**body, "to_helper": untrained.pk}), 409)
    assert errors[0]["loc"] == ["body", "to_helper"]
    assert errors[0]["msg"].startswith("指定的接收人不具备上岗资格")
    (transfer,) = helper_api.post(url, body).json()["transfers"]
    accept = f"/transfers/{transfer['id']}/accept"
    errors = assert_error(api_for(untrained).post(accept, None), 409)
    assert errors[0]["loc"] == ["body", "handling_helper"]
    admin = api_for(make_account(Role.REGION_ADMIN, yiyuan.county))
    assert_error(admin.post(accept, {}), 409, "handling_helper")
    assert_error(admin.post(accept, {"handling_helper": 2**62}), 404, "handling_helper")
    response = admin.post(accept, {"handling_helper": receiver.pk})
    assert response.status_code == 200, response.content
    assert response.json()["handling_helper"]["id"] == receiver.pk


def test_an_action_the_state_no_longer_allows_is_409_at_the_case(helper_api, register):
    case = register()
    assert (
        helper_api.post(f"/cases/{case.number}/withdraw", {"reason": "不办了"}).status_code == 200
    )
    errors = assert_error(helper_api.post(f"/cases/{case.number}/accept", None), 409)
    assert errors == [
        {"loc": ["path", "number"], "msg": errors[0]["msg"], "type": "conflict"},
    ]
    assert Case.objects.get(pk=case.pk).status == State.WITHDRAWN


def test_action_rules_are_located_at_their_fields(helper_api, register):
    case = register()
    url = f"/cases/{case.number}"
    errors = assert_error(helper_api.post(f"{url}/accept", {}), 409)
    assert errors[0]["loc"] == ["path", "number"]  # materials not complete
    assert_error(
        helper_api.post(
            f"{url}/materials-received", {"materials": [{"line": 2**62, "status": "received"}]}
        ),
        409,
        "materials",
    )
    errors = assert_error(
        helper_api.post(
            f"{url}/notice",
            {"items": [{"line": 2**62, "reason": "missing"}], "supply_by": "2099-01-01"},
        ),
        409,
    )
    assert errors[0]["loc"] == ["body", "items", 0, "line"]
    assert_error(helper_api.post(f"{url}/withdraw", {"reason": "   "}), 409, "reason")
    assert_error(helper_api.post(f"{url}/withdraw", {}), 422, "reason")
    assert_error(helper_api.post(f"{url}/accept", {"on": "2099-01-01"}), 409)
    assert list(case.events.values_list("action", flat=True)) == ["register"]


# --- Scope for every role --------------------------------------------------------------------------


def test_a_helper_at_another_station_gets_404(api_for, make_helper, yiyuan, register):
    case = register()
    stranger = api_for(make_helper(yiyuan.station("南麻街道")).user)
    assert_error(stranger.get(f"/cases/{case.number}"), 404, "number")
    assert_error(stranger.get(f"/cases/{case.number}/events"), 404, "number")
    assert_error(stranger.post(f"/cases/{case.number}/accept", None), 404, "number")
    assert_error(stranger.post(f"/cases/{case.number}/progress", {"text": "x"}), 404, "number")
    assert stranger.get("/cases").json()["items"] == []


def test_a_supervisor_reads_but_does_not_act(api_for, make_account, yiyuan, register):
    case = register()
    supervisor = api_for(make_account(Role.SUPERVISOR, yiyuan.county))
    assert supervisor.get(f"/cases/{case.number}").status_code == 200
    assert [c["number"] for c in supervisor.get("/cases").json()["items"]] == [case.number]
    assert_error(supervisor.post(f"/cases/{case.number}/accept", None), 403)
    assert_error(supervisor.post(f"/cases/{case.number}/progress", {"text": "督办"}), 403)
    assert_error(supervisor.post(f"/cases/{case.number}/withdraw", {"reason": "x"}), 403)


@pytest.mark.parametrize("role", [Role.TOWN_ADMIN, Role.REGION_ADMIN])
def test_admins_above_see_and_act(api_for, make_account, yiyuan, register, role):
    case = register()
    binding = yiyuan.town("鲁村镇") if role == Role.TOWN_ADMIN else yiyuan.county
    admin = api_for(make_account(role, binding))
    assert admin.get(f"/cases/{case.number}").status_code == 200
    response = admin.post(f"/cases/{case.number}/progress", {"text": "已督促"})
    assert response.status_code == 200, response.content


def test_another_town_admin_gets_404(api_for, make_account, yiyuan, register):
    case = register()
    admin = api_for(make_account(Role.TOWN_ADMIN, yiyuan.town("南麻街道")))
    assert_error(admin.get(f"/cases/{case.number}"), 404, "number")


def test_the_first_responsible_helper_follows_a_transferred_case(
    helper_api, register, helper, subzone, receiver
):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    actions.accept_transfer(transfer, by=receiver)
    assert helper_api.get(f"/cases/{case.number}").status_code == 200
    assert [c["number"] for c in helper_api.get("/cases").json()["items"]] == [case.number]
    # Progress and withdrawal stay theirs; handling is the sub-zone's.
    assert (
        helper_api.post(f"/cases/{case.number}/progress", {"text": "已转县医保"}).status_code == 200
    )
    assert_error(helper_api.post(f"/cases/{case.number}/accept", None), 403)


def test_the_receiving_point_sees_a_case_only_while_a_transfer_is_pending(
    api_for, register, helper, subzone, receiver
):
    case = register()
    receiving = api_for(receiver)
    assert_error(receiving.get(f"/cases/{case.number}"), 404, "number")
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    assert receiving.get(f"/cases/{case.number}").status_code == 200
    assert [c["number"] for c in receiving.get("/cases").json()["items"]] == [case.number]
    # It answers the transfer, but does not handle the case before accepting it.
    assert_error(receiving.post(f"/cases/{case.number}/accept", None), 403)
    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.PENDING


def test_without_a_token_everything_is_401(client, register):
    case = register()
    anonymous = Api(client)
    assert_error(anonymous.get("/cases"), 401)
    assert_error(anonymous.get(f"/cases/{case.number}"), 401)
    assert_error(anonymous.post(f"/cases/{case.number}/accept", None), 401)


# --- Masking ---------------------------------------------------------------------------------------


def test_no_answer_carries_a_full_id_number_or_phone(helper_api, register, helper, subzone):
    number = resident_id()
    case = register(applicant=person(number=number, phone=PHONE), contact_phone="13905339876")
    actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    for path in ("/cases", f"/cases/{case.number}", f"/cases/{case.number}/events"):
        text = helper_api.get(path).content.decode()
        assert number not in text and number[6:14] not in text
        assert PHONE not in text and "13905339876" not in text
        assert "139****9876" in text or path.endswith("events")


def test_a_deferrable_material_needs_the_commitment_and_a_day(helper_api, register, make_item):
    item = make_item(
        materials=[
            MaterialData(name="居民身份证", kind="certificate", originals=1),
            MaterialData(name="村委会证明", necessity="deferrable", originals=1),
        ]
    )
    case = register(item=item)
    url = f"/cases/{case.number}/materials-received"
    lines = {m.material.name: m.pk for m in case.materials.select_related("material")}
    body = {
        "materials": [
            {"line": lines["居民身份证"], "status": "received"},
            {"line": lines["村委会证明"], "status": "deferred"},
        ]
    }
    assert_error(helper_api.post(url, body), 409, "commitment")
    later = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = helper_api.post(url, {**body, "deferred_until": later, "commitment": True})
    assert response.status_code == 200, response.content
    deferred = [m for m in response.json()["materials"] if m["status"] == "deferred"]
    assert [m["deferred_until"] for m in deferred] == [later]
    assert helper_api.post(f"/cases/{case.number}/accept", None).status_code == 200
    assert helper_api.post(f"/cases/{case.number}/complete", {}).status_code == 409
    arrived = {"materials": [{"line": lines["村委会证明"], "status": "received"}]}
    assert helper_api.post(url, arrived).status_code == 200
    assert helper_api.post(f"/cases/{case.number}/complete", {}).status_code == 200


def test_a_department_no_longer_in_service_decides_no_refusal(helper_api, register, yiyuan):
    from bangban.network import actions as network

    case = register()
    network.update_department(case.revision.department, active=False, by=None)
    url = f"/cases/{case.number}/refuse"
    body = {"reason": "不属于受理范围", "document_number": "沂医保不受〔2026〕2号"}
    errors = assert_error(helper_api.post(url, body), 409)  # the item's own, by default
    assert errors[0]["loc"] == ["body", "department"]
    assert "已停用" in errors[0]["msg"]
    assert list(case.events.values_list("action", flat=True)) == ["register"]
    successor = yiyuan.department("县人力资源和社会保障局")
    response = helper_api.post(url, {**body, "department": successor.pk})
    assert response.status_code == 200, response.content
