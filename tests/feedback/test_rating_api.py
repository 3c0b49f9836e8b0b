"""Ratings through the API: the villager's `POST /public/ratings` (no account; its answer holds no
personal data; limited with the page) and staff's `GET /ratings` and `GET /ratings/{id}` (scoped to
the points they see; filters; never the rater's phone or its digest)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from bangban.feedback.models import Rating
from tests.cases.test_concurrency import bearer

from .conftest import LAST4, PHONE, rate

PUBLIC = "/api/v1/public/ratings"
LIST = "/api/v1/ratings"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def post(client, case, rated, **changes):
    body = {"token": case.public_token, "phone_last4": LAST4, "occasion": rated.pk, "level": 2}
    body.update(changes)
    return client.post(PUBLIC, body, content_type="application/json")


def no_personal_data(answer: str, case) -> None:
    assert PHONE not in answer and LAST4 not in answer.replace(case.public_token, "")
    assert case.applicant.phone_digest not in answer
    assert "phone" not in answer and "digest" not in answer
    assert case.applicant.name not in answer


# --- The villager ----------------------------------------------------------------------------------


def test_a_rating_without_an_account_answers_201_without_personal_data(client, rated_case):
    response = post(
        client,
        rated_case,
        rated_case.occasion,
        reasons=["slow"],
        comment="等了很久",
        anonymous=False,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id",
        "occasion",
        "level",
        "assess",
        "channel",
        "reasons",
        "anonymous",
        "rated_at",
    }
    assert (body["level"], body["assess"], body["channel"]) == (2, 1, "qr")
    no_personal_data(response.content.decode(), rated_case)
    rating = Rating.objects.get(pk=body["id"])
    assert rating.rater_phone_digest == rated_case.applicant.phone_digest
    assert rating.rectification.anonymous is False


def test_an_unknown_token_and_an_occasion_of_another_case_are_404(client, make_rated_case):
    case, other = make_rated_case(), make_rated_case()
    response = client.post(
        PUBLIC,
        {"token": "A" * 43, "phone_last4": LAST4, "occasion": case.occasion.pk, "level": 4},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", "token"]
    response = post(client, case, other.occasion)
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", "occasion"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"phone_last4": "12345"},
        {"phone_last4": "12a4"},
        {"reasons": ["a"] * 6},
        {"comment": "x" * 501},
        {"comment": "坏\x00"},
        {"anonymous": 1},
        {"unknown": 1},
        {"occasion": 0},
    ],
)
def test_malformed_bodies_are_422(client, rated_case, changes):
    assert post(client, rated_case, rated_case.occasion, **changes).status_code == 422
    assert not Rating.objects.exists()


def test_wrong_digits_through_the_api_count_with_the_pages(client, rated_case, settings):
    settings.BANGBAN_CASE_CODE_FAILURE_RATE = "2/h"
    page = f"/pj/{rated_case.public_token}/"
    assert client.post(page, {"step": "code", "code": "0000"}).status_code == 200
    assert post(client, rated_case, rated_case.occasion, phone_last4="0000").status_code == 409
    limited = post(client, rated_case, rated_case.occasion)  # the right digits now
    assert limited.status_code == 429
    assert limited.json()["detail"][0]["type"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert "分钟后再试" in limited.json()["detail"][0]["msg"]


# --- Staff -----------------------------------------------------------------------------------------


@pytest.fixture
def ratings(make_rated_case, make_helper, yiyuan):
    """A 2 at 鲁村镇's station, a 5 there, a 4 at another town's station (in that order), from
    three phones."""
    bad_case, good_case = make_rated_case(), make_rated_case(phone="13805330002")
    elsewhere_point = yiyuan.station("悦庄镇")
    elsewhere_helper = make_helper(elsewhere_point).user
    elsewhere = make_rated_case(
        phone="13805330003",
        point=elsewhere_point,
        by=elsewhere_helper,
        responsible=elsewhere_helper,
    )
    return [
        rate(bad_case.occasion, level=2, reasons=["slow"]),
        rate(good_case.occasion, level=5),
        rate(elsewhere.occasion, level=4),
    ]


def get(user, path=LIST, **query):
    return Client().get(path, query, headers=bearer(user))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["items"]]


def test_a_town_admin_lists_the_ratings_of_its_town_only(ratings, make_account, yiyuan):
    admin = make_account("town_admin", yiyuan.town("鲁村镇"))
    response = get(admin)
    assert sorted(ids(response)) == sorted(r.pk for r in ratings[:2])
    assert response.json()["count"] == 2
    answer = response.content.decode()
    assert "digest" not in answer and "phone" not in answer and PHONE not in answer
    first = next(i for i in response.json()["items"] if i["id"] == ratings[0].pk)
    assert first["bad"] is True and first["rectification"]["status"] == "opened"
    assert first["point"]["name"] == ratings[0].point.name
    assert first["occasion"]["number"].endswith("-1")


def test_the_filters(ratings, make_account, yiyuan):
    county = make_account("region_admin", yiyuan.county)
    assert sorted(ids(get(county))) == sorted(r.pk for r in ratings)
    assert ids(get(county, bad="true")) == [ratings[0].pk]
    assert sorted(ids(get(county, bad="false"))) == sorted(r.pk for r in ratings[1:])
    assert ids(get(county, level=5)) == [ratings[1].pk]
    assert sorted(ids(get(county, point=yiyuan.town("鲁村镇").pk))) == sorted(
        r.pk for r in ratings[:2]
    )
    assert ids(get(county, helper=ratings[2].helper_id)) == [ratings[2].pk]
    assert ids(get(county, flagged="true")) == []
    assert len(ids(get(county, flagged="false"))) == 3
    today = timezone.localdate()
    assert len(ids(get(county, **{"from": today.isoformat(), "to": today.isoformat()}))) == 3
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert ids(get(county, **{"from": tomorrow})) == []
    page = get(county, limit=2, offset=2)
    assert len(ids(page)) == 1 and page.json()["count"] == 3
    assert get(county, regoin="x").status_code == 422
    assert get(county, level=6).status_code == 422


def test_a_rating_is_read_by_whoever_sees_its_point_and_404_for_others(
    ratings, make_account, yiyuan
):
    mine = make_account("town_admin", yiyuan.town("鲁村镇"))
    other = make_account("town_admin", yiyuan.town("悦庄镇"))
    path = f"{LIST}/{ratings[0].pk}"
    response = get(mine, path)
    assert response.status_code == 200
    body = response.json()
    assert (body["level"], body["reasons"], body["channel"]) == (2, ["slow"], "qr")
    assert "rater_phone_digest" not in json.dumps(body)
    assert get(other, path).status_code == 404
    assert get(mine, f"{LIST}/{ratings[2].pk}").status_code == 404
    assert Client().get(path).status_code == 401


def test_the_helper_rated_sees_their_own_points_ratings(ratings, make_account):
    helper = ratings[0].helper
    assert ratings[0].pk in ids(get(helper))
