# ruff: noqa: F811 - the fixtures imported from tests.supervision.inspecting
"""Inspections through the API: started, a finding put, a photo sent as base64, submitted into
rectifications; scope (a draft is its inspector's alone), errors in the one shape and in Chinese,
and a retried start with the same Idempotency-Key starting nothing twice."""

from __future__ import annotations

import base64

import pytest

from bangban.supervision.models import Finding, Inspection, InspectionPhoto
from tests.network.test_api import Api, assert_error, token_for
from tests.supervision.inspecting import (  # noqa: F401 - fixtures
    JPEG,
    checklist,
    checklist_item,
    inspect,
)


@pytest.fixture
def api_for(client):
    def make(user):
        return Api(client, token_for(client, user))

    return make


def _photo(content: bytes = JPEG, **changes) -> dict:
    image = {"filename": "门头.jpg", "content_base64": base64.b64encode(content).decode()}
    return {"image": image, **changes}


def test_an_inspection_from_start_to_submission(people, checklist, checklist_item, api_for):
    api = api_for(people.supervisor)
    response = api.post(
        "/inspections",
        {
            "point": people.station.pk,
            "checklist": checklist.pk,
            "announced": False,
            "by_kind": "bureau",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert (body["full_score"], body["status"], body["editable"]) == (40.0, "draft", True)
    sign = checklist_item("门头标识规范")
    response = api.put(
        f"/inspections/{pk}/findings/{sign.pk}",
        {"occurrences": 4, "note": "门头破损", "helper": people.helper.pk},
    )
    assert response.status_code == 200, response.content
    (finding,) = response.json()["findings"]
    assert (finding["deducted"], finding["helper"]["id"]) == (5.0, people.helper.pk)
    detail = assert_error(api.post(f"/inspections/{pk}/submit", {"summary": ""}), 409, "photos")
    assert "门头标识规范" in detail[0]["msg"]
    response = api.post(f"/inspections/{pk}/photos", _photo(finding=finding["id"], caption="门头"))
    assert response.status_code == 201, response.content
    assert response.json()["url"].startswith("/supervision/inspections/photos/")
    response = api.post(f"/inspections/{pk}/submit", {"summary": "整体较好"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["score"], body["editable"]) == ("submitted", 35.0, False)
    rect = body["findings"][0]["rectification"]
    assert rect["status"] == "opened" and rect["visible"] is True
    lead = api_for(people.lead).get(f"/inspections/{pk}").json()
    assert lead["findings"][0]["rectification"]["visible"] is True


def test_a_draft_is_the_inspectors_alone(people, inspect, api_for):
    inspection = inspect()
    for user in (people.lead, people.bureau, people.special):
        api = api_for(user)
        assert_error(api.get(f"/inspections/{inspection.pk}"), 404)
        assert api.get("/inspections").json()["count"] == 0
    assert api_for(people.supervisor).get("/inspections").json()["count"] == 1


def test_refusals_in_the_one_shape(people, checklist, checklist_item, inspect, api_for):
    api = api_for(people.supervisor)
    base = {"point": people.station.pk, "checklist": checklist.pk, "announced": False}
    assert_error(api.post("/inspections", {**base, "by_kind": "special"}), 422, "by_kind")
    assert_error(api.post("/inspections", base), 409, "by_kind")
    assert_error(api.post("/inspections", {**base, "by_kind": "bureau", "announced": 0}), 422)
    lead = api_for(people.lead)
    assert_error(lead.post("/inspections", {**base, "by_kind": "bureau"}), 404, "point")
    inspection = inspect()
    dress = checklist_item("工作人员统一着装")
    path = f"/inspections/{inspection.pk}/findings/{dress.pk}"
    assert_error(api.put(path, {"occurrences": 100}), 422, "occurrences")
    assert_error(api.put(path, {"occurrences": 1, "helper": people.town_admin.pk}), 409, "helper")
    partner_only = checklist_item("合作网点专区标识")
    assert_error(
        api.put(f"/inspections/{inspection.pk}/findings/{partner_only.pk}", {"occurrences": 1}),
        409,
        "item",
    )
    photos = f"/inspections/{inspection.pk}/photos"
    assert_error(api.post(photos, _photo(b"%PDF-1.4 not a photo")), 409, "image")
    assert_error(api.post(photos, _photo(taken_at="2026-02-30T10:00:00+08:00")), 422, "taken_at")
    bad_name = {"image": {**_photo()["image"], "filename": "a.pdf"}}
    assert_error(api.post(photos, bad_name), 422, "filename")
    assert not Finding.objects.exists() and not InspectionPhoto.objects.exists()
    api.post(f"/inspections/{inspection.pk}/submit", {})
    assert_error(api.put(path, {"occurrences": 1}), 409)


def test_a_retried_start_starts_nothing_twice(people, checklist, api_for):
    api = api_for(people.supervisor)
    body = {
        "point": people.station.pk,
        "checklist": checklist.pk,
        "announced": True,
        "by_kind": "third_party",
        "unit": "评估公司",
    }
    headers = {**api._headers(), "Idempotency-Key": "start-1"}
    first = api.client.post(
        "/api/v1/inspections", body, content_type="application/json", headers=headers
    )
    again = api.client.post(
        "/api/v1/inspections", body, content_type="application/json", headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Inspection.objects.count() == 1


def test_the_special_supervisors_inspection_is_special_and_a_draft_may_be_discarded(
    people, checklist, api_for
):
    api = api_for(people.special)
    response = api.post(
        "/inspections",
        {"point": people.partner.pk, "checklist": checklist.pk, "announced": False},
    )
    assert response.status_code == 201, response.content
    assert response.json()["by"] == "special"
    pk = response.json()["id"]
    assert api.client.delete(f"/api/v1/inspections/{pk}", headers=api._headers()).status_code == 204
    assert not Inspection.objects.exists()
