"""The JSON API under /api/v1/: tokens, scope through the gate, account creation by role, the one
error shape, the region filter, fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from bangban.network.api import digest
from bangban.network.models import ApiToken, OpeningHours, Region, Role, ServicePoint

Kind = ServicePoint.Kind
PASSWORD = "Secure-pass-123"
API = "/api/v1"


class Api:
    """A JSON client speaking to /api/v1/ with a bearer token."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token

    def _headers(self):
        return {"authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **params):
        return self.client.get(API + path, params, headers=self._headers())

    def send(self, method, path, body):
        return getattr(self.client, method)(
            API + path, body, content_type="application/json", headers=self._headers()
        )

    def post(self, path, body):
        return self.send("post", path, body)

    def patch(self, path, body):
        return self.send("patch", path, body)

    def put(self, path, body):
        return self.send("put", path, body)


def token_for(client, user) -> str:
    response = client.post(
        f"{API}/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api_as(client, make_account):
    """api_as(role, binding) → an Api client authenticated as a new account with that role."""

    def make(role, binding):
        return Api(client, token_for(client, make_account(role, binding)))

    return make


@pytest.fixture
def county_api(api_as, yiyuan):
    return api_as(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def lucun_api(api_as, yiyuan):
    return api_as(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))


def assert_error(response, status: int, field: str | None = None):
    """The one error shape, with a Chinese message; `field` named in some item's loc."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail"}
    assert body["detail"], body
    for item in body["detail"]:
        assert set(item) == {"loc", "msg", "type"}
        assert any("\u4e00" <= ch <= "\u9fff" for ch in item["msg"]), item
    if field is not None:
        assert any(field in item["loc"] for item in body["detail"]), body
    return body["detail"]


# --- Tokens ----------------------------------------------------------------------------------------


def test_token_is_issued_for_good_credentials_and_stored_as_digest(client, make_account):
    user = make_account(Role.HELPER, ServicePoint.objects.filter(kind=Kind.VILLAGE_STATION)[0])
    response = client.post(
        f"{API}/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    row = ApiToken.objects.get(user=user)
    assert row.digest == digest(body["token"]) != body["token"]
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(hours=12))) < dt.timedelta(minutes=1)


def test_token_refused_for_bad_password(client, make_account, yiyuan):
    user = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    response = client.post(
        f"{API}/auth/token",
        {"username": user.username, "password": "wrong-password"},
        content_type="application/json",
    )
    assert_error(response, 401, "password")


def test_token_request_without_fields_names_them(client, db):
    detail = assert_error(
        client.post(f"{API}/auth/token", {}, content_type="application/json"), 422
    )
    assert {item["loc"][-1] for item in detail} == {"username", "password"}
    assert "缺少必填字段" in detail[0]["msg"]


def test_expired_token_is_refused(client, make_account, yiyuan):
    user = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    token = token_for(client, user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Api(client, token).get("/points")
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_and_missing_token_are_refused(client, db):
    assert_error(Api(client, "not-a-token").get("/points"), 401)
    assert_error(Api(client).get("/points"), 401)


def test_token_of_inactive_user_is_refused(client, make_account, yiyuan):
    user = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    token = token_for(client, user)
    user.is_active = False
    user.save()
    assert_error(Api(client, token).get("/points"), 401)


def test_the_token_brings_its_users_memberships_for_the_gate(
    rf, client, make_account, yiyuan, django_assert_num_queries
):
    """One query finds the token's user and reads their memberships, which the gate then answers
    from (`access.memberships`); a user without any (a superuser) is found by the token alone."""
    from django.contrib.auth import get_user_model

    from bangban.network import access
    from bangban.network.api import BearerToken

    station = yiyuan.station("鲁村镇")
    helper = make_account(Role.HELPER, station)
    token = token_for(client, helper)
    with django_assert_num_queries(1):
        user = BearerToken().authenticate(rf.get("/"), token)
        assert [(m.role, m.point_id) for m in access.memberships(user)] == [
            (Role.HELPER, station.pk)
        ]
    assert user == helper and access.memberships(user)[0].user is user
    root = get_user_model().objects.create_superuser("api-root", password=PASSWORD)
    token = token_for(client, root)
    with django_assert_num_queries(2):  # no membership: the token read again on its own
        assert BearerToken().authenticate(rf.get("/"), token) == root
    assert Api(client, token).get("/points").status_code == 200


@pytest.fixture
def axes_on():
    from axes.handlers.proxy import AxesProxyHandler

    with override_settings(AXES_ENABLED=True):
        AxesProxyHandler.get_implementation(force=True)
        yield
    AxesProxyHandler.get_implementation(force=True)


def test_lockout_is_per_username_and_address(client, make_account, yiyuan, axes_on, settings):
    """One station's typos lock that account at that address, not its neighbour behind the NAT."""
    station = yiyuan.station("鲁村镇")
    a = make_account(Role.HELPER, station)
    b = make_account(Role.HELPER, station)
    url = f"{API}/auth/token"
    statuses = [
        client.post(
            url, {"username": a.username, "password": "typo"}, content_type="application/json"
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    locked = client.post(
        url, {"username": a.username, "password": PASSWORD}, content_type="application/json"
    )
    detail = assert_error(locked, 429)
    assert detail[0]["type"] == "locked_out"
    other = client.post(
        url, {"username": b.username, "password": PASSWORD}, content_type="application/json"
    )
    assert other.status_code == 200, other.content


# --- Scope -----------------------------------------------------------------------------------------


def test_town_admin_lists_only_own_town(lucun_api, yiyuan):
    body = lucun_api.get("/points", limit=500).json()
    lucun = yiyuan.town("鲁村镇")
    expected = ServicePoint.objects.at_or_under(lucun).count()
    assert body["count"] == expected == len(body["items"])
    assert all(item["region"].startswith(lucun.region.code) for item in body["items"])


def test_town_admin_cannot_read_another_towns_station(lucun_api, yiyuan):
    station = yiyuan.station("南麻街道")
    assert_error(lucun_api.get(f"/points/{station.pk}"), 404)


def test_town_admin_cannot_change_another_towns_station(lucun_api, yiyuan):
    station = yiyuan.station("南麻街道")
    assert_error(lucun_api.patch(f"/points/{station.pk}", {"name": "改名"}), 404)
    station.refresh_from_db()
    assert station.name != "改名"


def test_missing_point_looks_like_a_hidden_one(lucun_api, db):
    assert_error(lucun_api.get("/points/999999999"), 404)


def test_town_admin_changes_own_station(lucun_api, yiyuan):
    station = yiyuan.station("鲁村镇")
    response = lucun_api.patch(
        f"/points/{station.pk}", {"phone": "0533-1234567", "signage_in_place": True}
    )
    assert response.status_code == 200, response.content
    station.refresh_from_db()
    assert station.phone == "0533-1234567" and station.signage_in_place


def test_helper_may_read_but_not_change_own_station(api_as, yiyuan):
    station = yiyuan.station("鲁村镇")
    helper = api_as(Role.HELPER, station)
    assert helper.get(f"/points/{station.pk}").status_code == 200
    assert_error(helper.patch(f"/points/{station.pk}", {"name": "新名"}), 403)


def test_point_detail_includes_hours(county_api, yiyuan):
    body = county_api.get(f"/points/{yiyuan.zone.pk}").json()
    assert body["kind"] == "dedicated_zone"
    assert {"weekday": 1, "opens_at": "09:00", "closes_at": "12:00", "kind": "regular"} in body[
        "hours"
    ]


def test_hours_are_replaced(lucun_api, yiyuan):
    station = yiyuan.station("鲁村镇")
    response = lucun_api.put(
        f"/points/{station.pk}/hours",
        {
            "hours": [
                {"weekday": 6, "opens_at": "09:00", "closes_at": "11:30", "kind": "appointment"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["hours"] == [
        {"weekday": 6, "opens_at": "09:00", "closes_at": "11:30", "kind": "appointment"}
    ]
    assert OpeningHours.objects.filter(point=station).count() == 1


def test_overlapping_hours_are_refused_in_chinese(lucun_api, yiyuan):
    station = yiyuan.station("鲁村镇")
    response = lucun_api.put(
        f"/points/{station.pk}/hours",
        {
            "hours": [
                {"weekday": 1, "opens_at": "09:00", "closes_at": "12:00"},
                {"weekday": 1, "opens_at": "11:00", "closes_at": "13:00"},
            ]
        },
    )
    detail = assert_error(response, 409, "hours")
    assert "重叠" in detail[0]["msg"]


def test_town_admin_adds_partner_station(lucun_api, yiyuan):
    lucun = yiyuan.town("鲁村镇")
    bank = yiyuan.organisation("沂源农村商业银行")
    response = lucun_api.post(
        "/points",
        {
            "kind": "partner_station",
            "name": "鲁村邮储帮办代办服务站",
            "parent": lucun.pk,
            "organisation": bank.pk,
            "address": "鲁村镇中心街 1 号",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent"] == lucun.pk and body["region"] == lucun.region.code


def test_town_admin_cannot_add_under_another_town(lucun_api, yiyuan):
    nanma = yiyuan.town("南麻街道")
    response = lucun_api.post(
        "/points",
        {"kind": "partner_station", "name": "x", "parent": nanma.pk, "organisation": 1},
    )
    assert_error(response, 404, "parent")


def test_misplaced_point_is_a_rule_error_naming_the_field(county_api, yiyuan):
    response = county_api.post(
        "/points",
        {"kind": "village_station", "name": "错位的站", "parent": yiyuan.centre.pk},
    )
    detail = assert_error(response, 409, "parent")
    assert "上级必须是" in detail[0]["msg"]


# --- Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "kind", "words"),
    [
        ({"name": "x" * 101}, "name", "string_too_long", "不能超过 100 个字符"),
        ({"name": ""}, "name", "string_too_short", "至少需要 1 个字符"),
        ({"name": "bad\x00name"}, "name", "string_pattern_mismatch", "控制字符"),
        ({"address": "line\nbreak"}, "address", "string_pattern_mismatch", "控制字符"),
        ({"signage_in_place": "maybe"}, "signage_in_place", "bool_type", "true 或 false"),
        ({"parent": 2**64}, "parent", "less_than_equal", "不能大于"),
        ({"parent": "abc"}, "parent", "int_type", "整数"),
        ({"region": "12345"}, "region", "string_pattern_mismatch", "格式不正确"),
        ({"colour": "red"}, "colour", "extra_forbidden", "不接受字段"),
        ({"name": None}, "name", "string_type", "必须是字符串"),
    ],
)
def test_bad_patch_names_the_field_in_chinese(county_api, yiyuan, body, field, kind, words):
    station = yiyuan.station("鲁村镇")
    detail = assert_error(county_api.patch(f"/points/{station.pk}", body), 422, field)
    assert detail[0]["loc"] == ["body", field]
    assert detail[0]["type"] == kind
    assert words in detail[0]["msg"] and field in detail[0]["msg"]


def test_bad_kind_lists_the_choices(county_api, yiyuan):
    detail = assert_error(
        county_api.post("/points", {"kind": "castle", "name": "x", "parent": yiyuan.centre.pk}),
        422,
        "kind",
    )
    assert "village_station" in detail[0]["msg"]


def test_invalid_json_is_a_400_in_the_error_shape(county_api, db):
    response = county_api.client.post(
        f"{API}/points",
        "{not json",
        content_type="application/json",
        headers=county_api._headers(),
    )
    assert_error(response, 400, "body")


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 501},
        {"limit": 0},
        {"offset": -1},
        {"parent": 2**70},
        {"kind": "castle"},
        {"region": "3703"},  # a city code is fine…
        {"q": "a\x00b"},
        {"regoin": "370323"},
    ],
)
def test_bad_list_filters_are_refused_or_harmless(county_api, db, params):
    response = county_api.get("/points", **params)
    if params == {"region": "3703"}:
        assert response.status_code == 200
    else:
        assert_error(response, 422, next(iter(params)))


def test_huge_path_id_is_a_422_not_a_500(county_api, db):
    assert_error(county_api.get(f"/points/{2**64}"), 422, "point_id")


def test_unsupported_method_is_405_in_the_error_shape(county_api, db):
    response = county_api.client.delete(f"{API}/points", headers=county_api._headers())
    assert_error(response, 405)
    assert "GET" in response["Allow"]


# --- Filters ---------------------------------------------------------------------------------------


def test_region_filter_accepts_a_towns_9_and_12_digit_codes(county_api, yiyuan):
    town = yiyuan.town("鲁村镇").region
    nine = county_api.get("/points", region=town.code, limit=500).json()
    twelve = county_api.get("/points", region=town.code + "000", limit=500).json()
    assert nine == twelve
    assert nine["count"] == ServicePoint.objects.filter(region__code__startswith=town.code).count()
    assert nine["count"] > 1


def test_region_filter_of_a_village_gives_its_station(county_api, yiyuan):
    station = yiyuan.station("南麻街道")
    body = county_api.get("/points", region=station.region.code).json()
    assert [item["id"] for item in body["items"]] == [station.pk]


def test_filters_parent_kind_and_text(county_api, yiyuan):
    lucun = yiyuan.town("鲁村镇")
    body = county_api.get("/points", parent=lucun.pk, kind="village_station", limit=500).json()
    assert body["count"] == lucun.children.filter(kind=Kind.VILLAGE_STATION).count()
    found = county_api.get("/points", q="帮办代办专区").json()
    assert [item["id"] for item in found["items"]] == [yiyuan.zone.pk]


def test_pagination(county_api, yiyuan):
    first = county_api.get("/points", limit=10).json()
    second = county_api.get("/points", limit=10, offset=10).json()
    assert first["count"] == second["count"] > 480
    assert len(first["items"]) == len(second["items"]) == 10
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize("limit", [1, 500])
def test_points_list_takes_a_fixed_number_of_queries(
    county_api, yiyuan, django_assert_num_queries, limit
):
    # the token with the memberships, the region named by the filter, count, page
    with django_assert_num_queries(4):
        response = county_api.get("/points", limit=limit, region="370323")
    assert len(response.json()["items"]) == limit


@pytest.mark.parametrize("limit", [1, 400])
def test_regions_list_takes_a_fixed_number_of_queries(
    county_api, yiyuan, django_assert_num_queries, limit
):
    with django_assert_num_queries(3):  # the token with the memberships, count, page
        response = county_api.get("/regions", limit=limit)
    assert len(response.json()["items"]) == limit


# --- Regions ---------------------------------------------------------------------------------------


def test_regions_are_scoped(lucun_api, county_api, yiyuan):
    mine = lucun_api.get("/regions", limit=500).json()
    codes = {item["code"] for item in mine["items"]}
    lucun = yiyuan.town("鲁村镇").region.code
    assert codes and all(code.startswith(lucun) for code in codes)
    nanma = yiyuan.town("南麻街道").region.code
    assert_error(lucun_api.get(f"/regions/{nanma}"), 404)
    assert county_api.get(f"/regions/{nanma}").json()["level"] == "town"
    assert county_api.get(f"/regions/{nanma}000").json()["code"] == nanma


def test_region_list_filters(county_api, yiyuan):
    lucun = yiyuan.town("鲁村镇").region
    body = county_api.get("/regions", parent=lucun.code, level="village", limit=500).json()
    assert body["count"] == Region.objects.filter(parent=lucun).count() > 0


def test_region_admin_adds_and_renames_a_village(county_api, lucun_api, yiyuan):
    lucun = yiyuan.town("鲁村镇").region
    code = lucun.code + "999"
    response = county_api.post("/regions", {"parent": lucun.code, "code": code, "name": "新村"})
    assert response.status_code == 201, response.content
    assert response.json() == {
        "code": code,
        "name": "新村",
        "level": "village",
        "parent": lucun.code,
        "active": True,
        "is_virtual": False,
    }
    renamed = county_api.patch(f"/regions/{code}", {"name": "新兴村"})
    assert renamed.json()["name"] == "新兴村"
    assert_error(
        county_api.post("/regions", {"parent": lucun.code, "code": code, "name": "重复"}),
        409,
        "code",
    )
    assert_error(lucun_api.patch(f"/regions/{lucun.code}", {"name": "x"}), 403)


# --- Accounts --------------------------------------------------------------------------------------


def _targets(yiyuan):
    lucun = yiyuan.town("鲁村镇")
    return {
        "county": (Role.SUPERVISOR, "region", lambda: yiyuan.county.code),
        "medical_dept": (
            Role.DEPARTMENT_ADMIN,
            "department",
            lambda: yiyuan.department("县医疗保障局").pk,
        ),
        "lucun_town": (Role.TOWN_ADMIN, "point", lambda: lucun.pk),
        "bank_org": (
            Role.PARTNER_ADMIN,
            "organisation",
            lambda: yiyuan.organisation("沂源农村商业银行").pk,
        ),
        "lucun_station_lead": (Role.POINT_LEAD, "point", lambda: yiyuan.station("鲁村镇").pk),
        "lucun_station_helper": (Role.HELPER, "point", lambda: yiyuan.station("鲁村镇").pk),
        "lucun_bank_helper": (
            Role.HELPER,
            "point",
            lambda: yiyuan.partner_station("沂源农村商业银行").pk,
        ),
        "medical_helper": (Role.HELPER, "point", lambda: yiyuan.subzone("medical_insurance").pk),
        "nanma_station_helper": (Role.HELPER, "point", lambda: yiyuan.station("南麻街道").pk),
    }


def _creator_binding(role, yiyuan):
    return {
        Role.REGION_ADMIN: yiyuan.county,
        Role.SUPERVISOR: yiyuan.county,
        Role.DEPARTMENT_ADMIN: yiyuan.department("县医疗保障局"),
        Role.TOWN_ADMIN: yiyuan.town("鲁村镇"),
        Role.PARTNER_ADMIN: yiyuan.organisation("沂源农村商业银行"),
        Role.POINT_LEAD: yiyuan.station("鲁村镇"),
        Role.HELPER: yiyuan.station("鲁村镇"),
    }[role]


# creator → {target: expected status}; 404 where the binding is not visible to the creator at all.
ACCOUNT_MATRIX = {
    Role.REGION_ADMIN: {
        "county": 201,
        "medical_dept": 201,
        "lucun_town": 201,
        "bank_org": 201,
        "lucun_station_lead": 201,
        "lucun_station_helper": 201,
        "lucun_bank_helper": 201,
        "medical_helper": 201,
        "nanma_station_helper": 201,
    },
    Role.SUPERVISOR: {
        "county": 403,
        "medical_dept": 404,
        "lucun_town": 403,
        "bank_org": 404,
        "lucun_station_lead": 403,
        "lucun_station_helper": 403,
        "lucun_bank_helper": 403,
        "medical_helper": 403,
        "nanma_station_helper": 403,
    },
    Role.DEPARTMENT_ADMIN: {
        "county": 403,  # its sub-zone lies in the county, so the county is visible
        "medical_dept": 403,
        "lucun_town": 404,
        "bank_org": 404,
        "lucun_station_lead": 404,
        "lucun_station_helper": 404,
        "lucun_bank_helper": 404,
        "medical_helper": 201,
        "nanma_station_helper": 404,
    },
    Role.TOWN_ADMIN: {
        "county": 404,
        "medical_dept": 404,
        "lucun_town": 403,
        "bank_org": 403,
        "lucun_station_lead": 201,
        "lucun_station_helper": 201,
        "lucun_bank_helper": 201,
        "medical_helper": 404,
        "nanma_station_helper": 404,
    },
    Role.PARTNER_ADMIN: {
        "county": 404,
        "medical_dept": 404,
        "lucun_town": 404,
        "bank_org": 403,
        "lucun_station_lead": 404,
        "lucun_station_helper": 404,
        "lucun_bank_helper": 201,
        "medical_helper": 404,
        "nanma_station_helper": 404,
    },
    Role.POINT_LEAD: {
        "county": 404,
        "medical_dept": 404,
        "lucun_town": 404,
        "bank_org": 404,
        "lucun_station_lead": 403,
        "lucun_station_helper": 201,
        "lucun_bank_helper": 404,
        "medical_helper": 404,
        "nanma_station_helper": 404,
    },
    Role.HELPER: {
        "county": 404,
        "medical_dept": 404,
        "lucun_town": 404,
        "bank_org": 404,
        "lucun_station_lead": 403,
        "lucun_station_helper": 403,
        "lucun_bank_helper": 404,
        "medical_helper": 404,
        "nanma_station_helper": 404,
    },
}

_CASES = [
    (creator, target, status)
    for creator, targets in ACCOUNT_MATRIX.items()
    for target, status in targets.items()
]


@pytest.mark.parametrize(
    ("creator", "target", "status"), _CASES, ids=[f"{c}-{t}" for c, t, _ in _CASES]
)
def test_account_creation_matrix(api_as, yiyuan, creator, target, status):
    session = api_as(creator, _creator_binding(creator, yiyuan))
    role, field, value = _targets(yiyuan)[target]
    username = f"new-{creator}-{target}"
    response = session.post(
        "/accounts",
        {
            "username": username,
            "password": PASSWORD,
            "full_name": "新账号",
            "role": role,
            field: value(),
        },
    )
    if status == 201:
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["username"] == username and body["role"] == role
        assert body[field] == value()
    else:
        assert_error(response, status)


def test_account_binding_must_match_role(county_api, yiyuan):
    response = county_api.post(
        "/accounts",
        {
            "username": "mismatch",
            "password": PASSWORD,
            "role": "helper",
            "region": yiyuan.county.code,
        },
    )
    detail = assert_error(response, 422)
    fields = {item["loc"][-1] for item in detail}
    assert {"point", "region"} <= fields


def test_account_with_unknown_role_is_refused(county_api, yiyuan):
    response = county_api.post(
        "/accounts",
        {"username": "x1", "password": PASSWORD, "role": "king", "point": yiyuan.centre.pk},
    )
    detail = assert_error(response, 422, "role")
    assert "helper" in detail[0]["msg"]


def test_account_with_taken_username_or_weak_password_is_a_rule_error(
    county_api, yiyuan, make_account
):
    station = yiyuan.station("鲁村镇")
    taken = make_account(Role.HELPER, station)
    body = {"username": taken.username, "password": "123", "role": "helper", "point": station.pk}
    detail = assert_error(county_api.post("/accounts", body), 409)
    assert {item["loc"][-1] for item in detail} == {"username", "password"}
    assert "已被使用" in detail[0]["msg"]
    # Django 5.2's own catalogue lacks the new "too short" wording; ours fills it in.
    assert any("密码太短" in item["msg"] for item in detail)


def test_town_admin_must_be_bound_to_a_town_centre(county_api, yiyuan):
    body = {
        "username": "town-wrong",
        "password": PASSWORD,
        "role": "town_admin",
        "point": yiyuan.station("鲁村镇").pk,
    }
    assert_error(county_api.post("/accounts", body), 409, "point")


# --- OpenAPI and docs ------------------------------------------------------------------------------


def test_openapi_documents_errors_and_string_patterns(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "422" in operation["responses"], (path, method)
    name = schema["components"]["schemas"]["PointCreateIn"]["properties"]["name"]
    assert name["maxLength"] == 100 and name["pattern"] == r"^[^\x00-\x1f\x7f]*$"


def test_docs_page_uses_bundled_swagger(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "\\ud800"}',  # a lone surrogate: no database can store it
        "[1, 2]",
        '"text"',
        "null",
        '{"name": "' + "名" * 5000 + '"}',
    ],
)
def test_odd_bodies_are_refused_not_crashed(county_api, yiyuan, raw):
    station = yiyuan.station("鲁村镇")
    response = county_api.client.patch(
        f"{API}/points/{station.pk}",
        raw,
        content_type="application/json",
        headers=county_api._headers(),
    )
    assert_error(response, 422)


def test_token_request_with_control_characters_is_refused(client, db):
    response = client.post(
        f"{API}/auth/token",
        {"username": "a\x00b", "password": "x"},
        content_type="application/json",
    )
    assert_error(response, 422, "username")
