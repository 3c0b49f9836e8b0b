# ruff: noqa: F811 - the fixtures imported from tests.feedback.rectifying
"""The rectification and appeal API: the list through the page's filter, a rectification's detail
(never the rater's phone), one POST per action, the refusals in the one error shape."""

from __future__ import annotations

import pytest

from bangban.feedback.models import Rating
from tests.feedback.rectifying import (  # noqa: F401 - fixtures
    bad_review,
    bureau,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
    town_admin,
)
from tests.network.test_api import Api, assert_error, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for(client):
    def make(user):
        return Api(client, token_for(client, user))

    return make


def test_the_handler_puts_a_review_right_through_the_api(bad_review, town_admin, api_for):
    rect = bad_review()
    api = api_for(town_admin)
    listed = api.get("/rectifications", show="mine").json()
    assert [r["id"] for r in listed["items"]] == [rect.pk] and listed["count"] == 1
    detail = api.get(f"/rectifications/{rect.pk}").json()
    assert detail["permitted"] == ["call_attempt", "call_back"]
    assert detail["rating"]["comment"] == "态度不好，让我跑了两趟"
    assert "1380533" not in str(detail)  # never the rater's phone
    steps = [
        ("call", {"reached": True, "record": "已联系"}),
        ("verify", {"is_true": True, "is_reasonable": True, "is_malicious": False, "note": "属实"}),
        ("rectify", {"measures": "加强培训"}),
        ("finish", {"note": "已培训"}),
        ("reply", {"text": "已整改，向您致歉"}),
    ]
    for action, body in steps:
        response = api.post(f"/rectifications/{rect.pk}/{action}", body)
        assert response.status_code == 200, (action, response.content)
    assert response.json()["status"] == "replied"
    assert api.get("/rectifications", show="mine").json()["count"] == 0
    assert api.get("/rectifications", state="replied").json()["count"] == 1


def test_refusals_in_the_one_shape(bad_review, town_admin, helper, api_for, make_account, yiyuan):
    rect = bad_review()
    # The person rated sees their review but may not act on it: 403.
    assert_error(
        api_for(helper).post(f"/rectifications/{rect.pk}/call", {"reached": True, "record": "x"}),
        403,
    )
    # Out of the state: 409 at the path.
    assert_error(
        api_for(town_admin).post(f"/rectifications/{rect.pk}/finish", {"note": "完成"}), 409, "id"
    )
    # Another town's admin does not see it: 404.
    other = make_account("town_admin", yiyuan.town("南麻街道"))
    assert_error(api_for(other).get(f"/rectifications/{rect.pk}"), 404)
    # A malformed body: 422; an unknown filter: 422.
    assert_error(
        api_for(town_admin).post(f"/rectifications/{rect.pk}/call", {"reached": "yes"}), 422
    )
    assert_error(api_for(town_admin).get("/rectifications", stat="opened"), 422)


def test_appeals_through_the_api(bad_review, helper, bureau, api_for):
    rect = bad_review()
    filed = api_for(helper).post(f"/ratings/{rect.rating_id}/appeals", {"reason": "恶意差评"})
    assert filed.status_code == 201, filed.content
    appeal = filed.json()["id"]
    queue = api_for(bureau).get("/appeals", decision="pending").json()
    assert [a["id"] for a in queue["items"]] == [appeal]
    assert_error(
        api_for(helper).post(f"/appeals/{appeal}/decide", {"decision": "overturned", "note": "x"}),
        403,
    )
    decided = api_for(bureau).post(
        f"/appeals/{appeal}/decide", {"decision": "overturned", "note": "经查属恶意"}
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "overturned"
    assert Rating.objects.get(pk=rect.rating_id).overturned
