"""The checklist API: read by those who see the county's checklists, made (with `Idempotency-Key`)
and replaced whole by the bureau; 403 for a reader, 404 for a stranger; a broken rule answered 409
at its place in the body, a malformed body 422."""

from __future__ import annotations

import pytest

from bangban.supervision.checklists import DEFAULT_NAME
from bangban.supervision.models import Checklist, ChecklistItem
from tests.feedback.occasions import Api

pytestmark = pytest.mark.django_db


def body(**changes) -> dict:
    data = {
        "county": "370323",
        "name": "暗访专用表",
        "sections": [
            {
                "title": "服务用语与态度",
                "items": [
                    {
                        "text": "使用文明用语",
                        "points": 5,
                        "deduction": 1,
                        "cap": 5,
                        "method": "mystery",
                    },
                    {
                        "text": "不说服务禁语",
                        "points": 5.5,
                        "deduction": 5.5,
                        "cap": 5.5,
                        "method": "mystery",
                        "photo_required": False,
                        "applies_to": ["village", "partner"],
                    },
                ],
            }
        ],
    }
    data.update(changes)
    return data


def test_the_list_and_one_checklist(client, people, yiyuan):
    api = Api(client, people.supervisor)
    listed = api.get("/checklists")
    assert listed.status_code == 200, listed.content
    (summary,) = listed.json()["items"]
    assert summary["name"] == DEFAULT_NAME and summary["total"] == 100
    assert summary["item_count"] == 19 and summary["county"] == "370323"
    one = api.get(f"/checklists/{summary['id']}").json()
    assert one["may_change"] is False and one["levels"] == {
        "county": 100,
        "town": 100,
        "village": 100,
        "partner": 100,
    }
    first = one["sections"][0]["items"][0]
    assert first["method"] == "look" and first["photo_required"] is True
    assert first["method_label"] == "现场查看"
    assert api.get("/checklists", active="false").json() == {"items": [], "count": 0}
    assert api.get("/checklists", county="371524").json()["count"] == 0
    assert api.get("/checklists", regoin="370323").status_code == 422
    stranger = Api(client, people.helper)
    assert stranger.get("/checklists").json()["count"] == 0
    assert stranger.get(f"/checklists/{summary['id']}").status_code == 404


def test_the_bureau_makes_one_once(client, people, yiyuan):
    api = Api(client, people.bureau)
    api.headers["Idempotency-Key"] = "checklist-1"
    made = api.post("/checklists", body())
    assert made.status_code == 201, made.content
    again = api.post("/checklists", body())
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == made.json()["id"]
    checklist = Checklist.objects.get(name="暗访专用表")
    assert made.json()["total"] == 10.5 and made.json()["levels"]["town"] == 5
    assert ChecklistItem.objects.filter(section__checklist=checklist).count() == 2
    other = api.post("/checklists", body(name="另一张"))
    assert other.status_code == 409
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_a_rule_broken_is_answered_at_its_place(client, people, yiyuan):
    api = Api(client, people.bureau)
    wrong = body()
    wrong["sections"][0]["items"][1]["cap"] = 8
    answer = api.post("/checklists", wrong)
    assert answer.status_code == 409
    assert answer.json()["detail"] == [
        {
            "loc": ["body", "sections", 0, "items", 1, "cap"],
            "msg": "最多扣分不能超过该项分值。",
            "type": "rule",
        }
    ]
    clash = api.post("/checklists", body(name=DEFAULT_NAME))
    assert clash.status_code == 409 and clash.json()["detail"][0]["loc"] == ["body", "name"]
    malformed = body()
    malformed["sections"][0]["items"][0]["method"] = "guess"
    assert api.post("/checklists", malformed).status_code == 422
    assert api.post("/checklists", body(sections=[])).status_code == 422
    assert not Checklist.objects.filter(name="暗访专用表").exists()


def test_who_may_change(client, people, yiyuan):
    checklist = Checklist.objects.get(county=yiyuan.county, name=DEFAULT_NAME)
    replacement = body()
    del replacement["county"]
    for reader in (people.supervisor, people.special):
        api = Api(client, reader)
        assert api.post("/checklists", body()).status_code == 403
        assert api.put(f"/checklists/{checklist.pk}", replacement).status_code == 403
    stranger = Api(client, people.town_admin)
    assert stranger.post("/checklists", body()).status_code == 404
    assert stranger.put(f"/checklists/{checklist.pk}", replacement).status_code == 404
    assert Api(client, people.bureau).put("/checklists/999999", replacement).status_code == 404


def test_the_bureau_replaces_one_whole(client, people, yiyuan):
    checklist = Checklist.objects.get(county=yiyuan.county, name=DEFAULT_NAME)
    replacement = body(name="修订后的评分表", active=False)
    del replacement["county"]
    answer = Api(client, people.bureau).put(f"/checklists/{checklist.pk}", replacement)
    assert answer.status_code == 200, answer.content
    out = answer.json()
    assert out["name"] == "修订后的评分表" and out["active"] is False
    assert [i["text"] for s in out["sections"] for i in s["items"]] == [
        "使用文明用语",
        "不说服务禁语",
    ]
    checklist.refresh_from_db()
    assert checklist.name == "修订后的评分表" and not checklist.active
