"""A county the demo knows nothing about, from its division files to its first completed case,
through the product's own commands and API only: no demo data for it, no Django admin, no shell.

东阿县 (371524, Liaocheng): its National Bureau of Statistics files ship in tests/data/divisions/.
The steps are the ones `docs/guide.md` "从零开始" tells a new county to take."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from bangban.cases.identifiers import resident_id_check_character
from bangban.network.models import Region, ServicePoint
from tests.divisions import import_dong_e

API = "/api/v1"
PASSWORD = "Dong-e-2026-pass"


class Api:
    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def _headers(self):
        return {"authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **params):
        response = self.client.get(API + path, params, headers=self._headers())
        assert response.status_code == 200, (path, response.content.decode())
        return response.json()

    def post(self, path, body, status=201):
        response = self.client.post(
            API + path, body, content_type="application/json", headers=self._headers()
        )
        assert response.status_code == status, (path, response.content.decode())
        return response.json()

    def login(self, username: str) -> Api:
        token = self.post("/auth/token", {"username": username, "password": PASSWORD}, status=200)[
            "token"
        ]
        return Api(self.client, token)


def account(api: Api, username: str, role: str, **binding) -> Api:
    api.post(
        "/accounts",
        {
            "username": username,
            "password": PASSWORD,
            "full_name": username,
            "role": role,
            **binding,
        },
    )
    return api.login(username)


def one(items: list[dict], **match) -> dict:
    (found,) = [item for item in items if all(item[k] == v for k, v in match.items())]
    return found


@pytest.mark.django_db
def test_a_new_county_reaches_its_first_completed_case_through_the_product_alone(
    client, monkeypatch
):
    assert not Region.objects.filter(code="371524").exists()  # nothing of 东阿县 beforehand
    today = timezone.localdate()

    # 1. The operator imports the county's divisions (`bangban import-divisions`, tests/divisions.py) and makes themselves an operator account.
    import_dong_e()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", interactive=False, username="operator", email="ops@dong-e.example"
    )
    operator = Api(client).login("operator")
    centre = one(operator.get("/points", region="371524", kind="county_centre")["items"])
    assert centre["name"] == "东阿县政务服务中心"

    # 2. The operator makes the county's first administrator; everything after is theirs.
    admin = account(operator, "dong-e-admin", "region_admin", region="371524")

    # 3. Departments and a partner organisation.
    medical = admin.post("/departments", {"county": "371524", "name": "东阿县医疗保障局"})
    tax = admin.post("/departments", {"county": "371524", "name": "国家税务总局东阿县税务局"})
    bank = admin.post(
        "/partner-organisations",
        {"county": "371524", "name": "中国农业银行东阿县支行", "partner_type": "bank"},
    )
    assert {d["name"] for d in admin.get("/departments", county="371524")["items"]} == {
        "东阿县医疗保障局",
        "国家税务总局东阿县税务局",
    }

    # 4. The dedicated zone, a sub-zone of its department and a department window.
    admin.post(
        "/points",
        {"kind": "dedicated_zone", "name": "东阿县帮办代办专区", "parent": centre["id"]},
    )
    subzone = admin.post(
        "/points",
        {
            "kind": "domain_subzone",
            "name": "医保分区",
            "parent": centre["id"],
            "domain": "medical_insurance",
            "department": medical["id"],
        },
    )
    admin.post(
        "/points",
        {
            "kind": "department_window",
            "name": "税务窗口",
            "parent": centre["id"],
            "department": tax["id"],
        },
    )

    # 5. A town administrator, who adds a partner station and the town's helpers.
    town = one(admin.get("/points", region="371524101", kind="town_centre")["items"])
    assert town["name"] == "刘集镇便民服务中心"
    town_admin = account(admin, "liuji-admin", "town_admin", point=town["id"])
    station = town_admin.get("/points", parent=town["id"], kind="village_station")["items"][0]
    town_admin.post(
        "/points",
        {
            "kind": "partner_station",
            "name": "农行刘集网点帮办代办服务站",
            "parent": town["id"],
            "organisation": bank["id"],
        },
    )
    town_admin.post(
        "/accounts",
        {
            "username": "liuji-helper",
            "password": PASSWORD,
            "full_name": "王丽",
            "role": "helper",
            "point": station["id"],
        },
    )
    waiting = town_admin.get("/helpers/without-profile", point=station["id"])["items"]
    helper_user = one(waiting, username="liuji-helper")
    assert helper_user["may_create"] is True
    helper = town_admin.post(
        "/helpers",
        {
            "user": helper_user["user"],
            "origin": "village_committee",
            "started_on": (today - dt.timedelta(days=800)).isoformat(),
            "work_phone": "0635-3281234",
        },
    )
    assert helper["qualified"] is False  # 先培训后上岗: not yet trained

    # 6. Every organiser is there by itself; the town trains its helper, who qualifies.
    organisers = admin.get("/training-organisers", county="371524")["items"]
    assert {o["kind"] for o in organisers} == {"county_bureau", "department", "town", "partner"}
    assert len([o for o in organisers if o["kind"] == "town"]) == 10
    town_trainer = one(organisers, kind="town", town_centre=town["id"])
    assert station["id"] in admin.get(f"/training-organisers/{town_trainer['id']}")["points"]
    bureau = one(organisers, kind="county_bureau")
    assert subzone["id"] not in admin.get(f"/training-organisers/{bureau['id']}")["points"]
    town_admin.post(
        "/trainings",
        {
            "organiser": town_trainer["id"],
            "held_on": today.isoformat(),
            "topic": "帮办代办业务培训（第一期）",
            "results": [{"helper": helper["id"], "passed": True}],
        },
    )
    assert town_admin.get(f"/helpers/{helper['id']}/qualification")["qualified"] is True

    # 7. The county's first item.
    item = admin.post(
        "/items",
        {
            "county": "371524",
            "implementation_code": "11371524MB0000000DE001",
            "basic_code": "000172007000",
            "name": "城乡居民基本医疗保险参保登记",
            "type_code": "07",
            "type_name": "公共服务",
            "type_system": "山东省政务服务事项管理系统",
            "department": medical["id"],
            "domains": ["medical_insurance"],
            "levels": ["county", "town", "village"],
            "modes": ["on_site"],
            "legal_limit": 20,
            "promised_limit": 5,
            "materials": [
                {
                    "name": "居民身份证",
                    "kind": "certificate",
                    "source": "government",
                    "originals": 1,
                }
            ],
        },
    )

    # 8. The helper registers, accepts and completes the county's first case.
    helper_api = Api(client).login("liuji-helper")
    body = "371524195803150021"[:17]
    case = helper_api.post(
        "/cases",
        {
            "point": station["id"],
            "item": item["id"],
            "kind": "assisted",
            "mode": "on_site",
            "applicant": {
                "name": "李桂兰",
                "number": body + resident_id_check_character(body),
                "phone": "13906351234",
            },
        },
    )
    number = case["number"]
    assert number == f"371524-{today:%Y%m%d}-0001"
    assert case["elderly"] is True
    line = case["materials"][0]["id"]
    helper_api.post(
        f"/cases/{number}/materials-received",
        {"materials": [{"line": line, "status": "received"}]},
        status=200,
    )
    helper_api.post(f"/cases/{number}/accept", {}, status=200)
    done = helper_api.post(f"/cases/{number}/complete", {}, status=200)
    assert done["status"] == "completed"
    assert done["on_time"] is True
    villages = Region.objects.filter(code__startswith="371524", level="village", is_virtual=False)
    expected = 1 + 3 + 10 + villages.count() + 1  # centre, zone/sub-zone/window, towns, stations
    assert ServicePoint.objects.filter(county__code="371524").count() == expected
