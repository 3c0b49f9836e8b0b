"""Retries register nothing twice (decision 0033): registration and every case action take an
`Idempotency-Key` header; a retry with the same key and body gets the first answer again without
running, anything else under that key is 409, a bad key 422; the key and the write are committed
together or not at all. The retries that overlap in time are in test_concurrency.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from bangban.api import api
from bangban.cases import actions
from bangban.cases.api import registration as cases_api
from bangban.cases.idempotency import HEADER, REPLAYED, WINDOW, forget_expired
from bangban.cases.models import Case, CaseEvent, IdempotencyKey, Notice, Occasion, Transfer
from tests.network.test_api import assert_error, token_for

from .conftest import resident_id
from .test_api import body, lines, receive_required

API = "/api/v1"


class KeyedApi:
    """A JSON client of one user that sends an Idempotency-Key when given one."""

    def __init__(self, client, user):
        self.client = client
        self.token = token_for(client, user)

    def post(self, path, data, key: str | None = None, raw: str | None = None):
        headers = {"authorization": f"Bearer {self.token}"}
        if key is not None:
            headers[HEADER] = key
        return self.client.post(
            API + path,
            raw if raw is not None else json.dumps(data, ensure_ascii=False),
            content_type="application/json",
            headers=headers,
        )


@pytest.fixture
def keyed(client):
    return lambda user: KeyedApi(client, user)


def written() -> dict[str, int]:
    """What the ledger holds: any write an action makes shows here."""
    return {
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "transfers": Transfer.objects.count(),
        "notices": Notice.objects.count(),
        "keys": IdempotencyKey.objects.count(),
        "occasions": Occasion.objects.count(),
    }


def assert_replayed(first, again) -> None:
    assert again.status_code == first.status_code, again.content
    assert again.content == first.content
    assert again[REPLAYED] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert REPLAYED not in first


# --- Registration ----------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_and_body_registers_one_case_and_gets_the_same_answer(
    keyed, helper, station, item
):
    api_ = keyed(helper)
    data = body(station, item)
    first = api_.post("/cases", data, key="reg-2026-0001")
    assert first.status_code == 201, first.content
    before = written()
    # The same body serialised otherwise (keys reordered, spaces) is the same request.
    reordered = json.dumps(dict(reversed(list(data.items()))), indent=2, ensure_ascii=False)
    for again in (
        api_.post("/cases", data, key="reg-2026-0001"),
        api_.post("/cases", None, key="reg-2026-0001", raw=reordered),
    ):
        assert_replayed(first, again)
    assert written() == before
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="register").count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.user, row.key, row.method, row.path, row.status) == (
        helper,
        "reg-2026-0001",
        "POST",
        "/api/v1/cases",
        201,
    )
    assert len(row.body_digest) == 64


def test_without_a_key_a_retry_registers_twice(keyed, helper, station, item):
    """The control: what the key prevents."""
    api_ = keyed(helper)
    data = body(station, item)
    assert api_.post("/cases", data).status_code == 201
    assert api_.post("/cases", data).status_code == 201
    assert Case.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_or_path_is_409_and_changes_nothing(
    keyed, helper, station, item, register
):
    api_ = keyed(helper)
    data = body(station, item)
    assert api_.post("/cases", data, key="k1").status_code == 201
    before = written()
    other = body(station, item, applicant={**data["applicant"], "number": resident_id()})
    errors = assert_error(api_.post("/cases", other, key="k1"), 409)
    assert errors == [
        {"loc": ["header", HEADER], "msg": errors[0]["msg"], "type": "idempotency_key_reused"}
    ]
    assert "Idempotency-Key" in errors[0]["msg"]
    case = register()
    before = written()
    response = api_.post(f"/cases/{case.number}/progress", {"text": "已报县医保局"}, key="k1")
    assert_error(response, 409, HEADER)
    assert written() == before
    assert REPLAYED not in response


def test_keys_are_per_user(keyed, helper, make_helper, station, item):
    other = make_helper(station).user
    data = body(station, item)
    first = keyed(helper).post("/cases", data, key="shared-key")
    second = keyed(other).post("/cases", data, key="shared-key")
    assert first.status_code == second.status_code == 201, second.content
    assert REPLAYED not in second
    assert first.json()["number"] != second.json()["number"]
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("", "string_too_short"),
        ("k" * 256, "string_too_long"),
        (" leading", "string_pattern_mismatch"),
        ("trailing ", "string_pattern_mismatch"),
        ("tab\tinside", "string_pattern_mismatch"),
        ("办件-1", "string_pattern_mismatch"),
    ],
    ids=["empty", "256-characters", "leading-space", "trailing-space", "control", "not-ascii"],
)
def test_a_malformed_key_is_422_at_the_header_and_registers_nothing(
    keyed, helper, station, item, key, kind
):
    response = keyed(helper).post("/cases", body(station, item), key=key)
    errors = assert_error(response, 422)
    assert errors == [{"loc": ["header", HEADER], "msg": errors[0]["msg"], "type": kind}]
    assert "Idempotency-Key" in errors[0]["msg"] and "255" in errors[0]["msg"]
    assert written() == {k: 0 for k in written()}


def test_the_longest_key_and_spaces_inside_are_good(keyed, helper, station, item):
    api_ = keyed(helper)
    for key in ("k" * 255, "a key ~!@#$%^&*()"):
        assert api_.post("/cases", body(station, item), key=key).status_code == 201
    assert IdempotencyKey.objects.count() == 2


# --- What is kept ----------------------------------------------------------------------------------


def test_a_refusal_of_the_ledger_is_the_key_s_answer_too(keyed, helper, station, item):
    """The endpoint began and said no (409): a retry gets that answer; a corrected request is a
    new attempt, with a new key."""
    api_ = keyed(helper)
    proxy = body(station, item, kind="proxy")  # without its authorisation
    first = api_.post("/cases", proxy, key="proxy-1")
    assert_error(first, 409, "authorisation")
    assert_replayed(first, api_.post("/cases", proxy, key="proxy-1"))
    assert not Case.objects.exists()
    assert IdempotencyKey.objects.get().status == 409


def test_a_malformed_body_does_not_use_the_key(keyed, helper, station, item):
    """422 before the endpoint began: nothing kept, the corrected body runs under the same key."""
    api_ = keyed(helper)
    assert_error(api_.post("/cases", body(station, item, mode="by_pigeon"), key="k"), 422, "mode")
    assert not IdempotencyKey.objects.exists()
    assert api_.post("/cases", body(station, item), key="k").status_code == 201


def test_an_error_after_the_write_leaves_neither_the_case_nor_the_key(
    client, helper, station, item, monkeypatch
):
    """A server that fails (or is killed) after the case was written but before its answer was
    kept commits neither: the retry then registers the case once."""
    token = token_for(client, helper)
    headers = {"authorization": f"Bearer {token}", HEADER: "crash-1"}
    failing = Client(raise_request_exception=False)

    def broken(case):
        raise RuntimeError("the answer could not be rendered")

    with monkeypatch.context() as patch:
        patch.setattr(cases_api, "_registered_detail", broken)
        response = failing.post(
            f"{API}/cases", body(station, item), content_type="application/json", headers=headers
        )
    assert response.status_code == 500
    assert not Case.objects.exists() and not IdempotencyKey.objects.exists()
    response = client.post(
        f"{API}/cases", body(station, item), content_type="application/json", headers=headers
    )
    assert response.status_code == 201, response.content
    assert REPLAYED not in response
    assert Case.objects.count() == 1


@pytest.mark.parametrize("same_request", [True, False])
def test_a_key_committed_while_the_request_ran_rolls_it_back(
    keyed, helper, station, item, monkeypatch, same_request
):
    """The key is looked up when the endpoint begins and written with the answer (decision 0074):
    should a request with the same key commit in between (test_concurrency.py has it with two
    threads), the key's insert finds it, everything this request wrote is rolled back, and it gives
    that request's answer — or 409 when that was another request."""
    from bangban.cases.idempotency import body_digest

    api_ = keyed(helper)
    data = body(station, item)
    original = actions.register_case

    def another_commits_first(*args, **kwargs):
        case = original(*args, **kwargs)
        IdempotencyKey.objects.create(
            user=helper,
            key="k-race",
            method="POST",
            path="/api/v1/cases",
            body_digest=body_digest(json.dumps(data).encode()) if same_request else "0" * 64,
            status=201,
            content_type="application/json; charset=utf-8",
            response='{"number": "the first answer"}',
            created_at=timezone.now(),
        )
        return case

    monkeypatch.setattr(actions, "register_case", another_commits_first)
    before = written()
    response = api_.post("/cases", data, key="k-race")
    if same_request:
        assert response.status_code == 201
        assert response.content == b'{"number": "the first answer"}'
        assert response[REPLAYED] == "true"
    else:
        assert_error(response, 409, HEADER)
    assert written() == before  # the case, its event and the simulated key: all rolled back


def test_a_key_older_than_the_window_is_new_again_and_the_worker_forgets_it(
    keyed, helper, station, item
):
    api_ = keyed(helper)
    assert api_.post("/cases", body(station, item), key="old").status_code == 201
    assert api_.post("/cases", body(station, item), key="recent").status_code == 201
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - WINDOW - dt.timedelta(minutes=1)
    )
    # Another body under the old key: a new request, not a conflict.
    response = api_.post("/cases", body(station, item), key="old")
    assert response.status_code == 201 and REPLAYED not in response
    assert Case.objects.count() == 3
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - 2 * WINDOW)
    assert forget_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]


# --- Every case action -----------------------------------------------------------------------------


def _today(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _received(register, helper):
    case = register()
    receive_required(case, helper)
    return case


def _accepted(register, helper):
    return actions.accept_case(_received(register, helper), by=helper)


#: action → (the case as the action needs it, who acts, path, body); `ctx` holds the fixtures.
ACTIONS = {
    "notice": lambda c: (
        case := c.register(),
        c.helper,
        f"/cases/{case.number}/notice",
        {
            "items": [{"line": next(iter(lines(case).values())), "reason": "missing"}],
            "supply_by": _today(10),
        },
    ),
    "materials-received": lambda c: (
        case := c.register(),
        c.helper,
        f"/cases/{case.number}/materials-received",
        {"materials": [{"line": i, "status": "received"} for i in lines(case).values()]},
    ),
    "accept": lambda c: (
        case := _received(c.register, c.helper),
        c.helper,
        f"/cases/{case.number}/accept",
        {},
    ),
    "refuse": lambda c: (
        case := c.register(),
        c.helper,
        f"/cases/{case.number}/refuse",
        {"reason": "不属于本事项受理范围", "document_number": "沂医保不受〔2026〕2号"},
    ),
    "suspend": lambda c: (
        case := _accepted(c.register, c.helper),
        c.helper,
        f"/cases/{case.number}/suspend",
        {"reason": "需申请人补充公证材料"},
    ),
    "resume": lambda c: (
        case := actions.suspend_case(
            _accepted(c.register, c.helper), by=c.helper, reason="需补充公证材料"
        ),
        c.helper,
        f"/cases/{case.number}/resume",
        {},
    ),
    "extend": lambda c: (
        case := _accepted(c.register, c.helper),
        c.helper,
        f"/cases/{case.number}/extend",
        {"working_days": 3, "reason": "需现场核查", "approver": "王主任"},
    ),
    "transfer": lambda c: (
        case := c.register(),
        c.helper,
        f"/cases/{case.number}/transfer",
        {"to_point": c.subzone.pk, "reason": "需县医保分区办理"},
    ),
    "progress": lambda c: (
        case := c.register(),
        c.helper,
        f"/cases/{case.number}/progress",
        {"text": "已报县医保局", "tell_applicant": False},
    ),
    "home-visit": lambda c: (
        case := c.register(),
        c.helper,
        f"/cases/{case.number}/home-visit",
        {"note": "上门收取材料原件"},
    ),
    "complete": lambda c: (
        case := _accepted(c.register, c.helper),
        c.helper,
        f"/cases/{case.number}/complete",
        {},
    ),
    "withdraw": lambda c: (
        case := c.register(),
        c.helper,
        f"/cases/{case.number}/withdraw",
        {"reason": "申请人不再办理"},
    ),
    "transfer-accept": lambda c: (
        transfer := actions.transfer_case(
            c.register(), to_point=c.subzone, reason="需县医保分区办理", by=c.helper
        ),
        c.receiver,
        f"/transfers/{transfer.pk}/accept",
        {},
    ),
    "transfer-decline": lambda c: (
        transfer := actions.transfer_case(
            c.register(), to_point=c.subzone, reason="需县医保分区办理", by=c.helper
        ),
        c.receiver,
        f"/transfers/{transfer.pk}/decline",
        {"reason": "属于社保业务"},
    ),
}


class Context:
    def __init__(self, register, helper, subzone, receiver):
        self.register, self.helper = register, helper
        self.subzone, self.receiver = subzone, receiver


@pytest.mark.parametrize("action", ACTIONS)
def test_every_case_action_runs_once_under_a_key(
    keyed, register, helper, yiyuan, make_helper, action
):
    subzone = yiyuan.subzone("medical_insurance")
    ctx = Context(register, helper, subzone, make_helper(subzone).user)
    _, user, path, data = ACTIONS[action](ctx)
    api_ = keyed(user)
    first = api_.post(path, data, key=f"{action}-1")
    assert first.status_code == 200, first.content
    before = written()
    assert_replayed(first, api_.post(path, data, key=f"{action}-1"))
    assert written() == before


def test_an_action_s_key_with_another_body_is_409(keyed, register, helper):
    case = _received(register, helper)
    api_ = keyed(helper)
    first = api_.post(f"/cases/{case.number}/accept", {}, key="accept-1")
    assert first.status_code == 200, first.content
    before = written()
    response = api_.post(f"/cases/{case.number}/accept", {"on": _today()}, key="accept-1")
    assert_error(response, 409, HEADER)
    assert written() == before


def test_the_openapi_document_offers_the_header_on_every_write_of_a_case():
    paths = api.get_openapi_schema()["paths"]
    writes = {
        path
        for path, operations in paths.items()
        if "post" in operations and path.startswith(("/api/v1/cases", "/api/v1/transfers"))
    } - {"/api/v1/cases/search"}
    assert len(writes) == len(ACTIONS) + 1  # and registration
    for path in writes:
        parameters = paths[path]["post"].get("parameters", [])
        (header,) = [p for p in parameters if p["name"] == HEADER]
        assert header["in"] == "header" and header["required"] is False
        assert header["schema"]["maxLength"] == 255
    search = paths["/api/v1/cases/search"]["post"].get("parameters", [])
    assert HEADER not in [p["name"] for p in search]
