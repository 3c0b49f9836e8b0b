# ruff: noqa: F811 - the fixtures imported from tests.feedback.conftest_figures
"""Who sees which ratings, rectifications, appeals and service occasions (feedback.scope), and the
pages and API that read through it, for every role: a rating at a village station of 鲁村镇, one at
the partner station of 沂源农商银行 under 鲁村镇, one at the county's 医保 sub-zone and one in 高青县."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.http import Http404

from bangban.feedback.models import Appeal
from bangban.feedback.scope import (
    appeals_for,
    get_rating_for,
    get_rectification_for,
    occasions_for,
    ratings_for,
    rectifications_for,
)
from bangban.network.models import Role
from tests.feedback.conftest_figures import (  # noqa: F401 - fixtures
    gaoqing,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    rate,
    register,
    serve,
    station,
)
from tests.network.test_api import token_for
from tests.pages import page_text as text

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 9, 10, tzinfo=CST)
ALL = {"station", "partner", "subzone", "gaoqing"}
YIYUAN = {"station", "partner", "subzone"}


@pytest.fixture
def rated(register, make_helper, yiyuan, helper, gaoqing):
    """{place: a bad rating}, each with its rectification and an appeal."""
    county, centre, register_there = gaoqing
    with time_machine.travel(MONDAY, tick=False):
        found = {"station": rate(serve(register()), 1)}
        for name, point in (
            ("partner", yiyuan.partner_station("沂源农村商业银行")),
            ("subzone", yiyuan.subzone("medical_insurance")),
        ):
            person = make_helper(point).user
            found[name] = rate(serve(register(point=point, by=person, responsible=person)), 2)
        found["gaoqing"] = rate(serve(register_there()), 1)
    for rating in found.values():
        Appeal.objects.create(rating=rating, reason="恶意差评", filed_by=rating.helper)
    return found


def account(role, where, make_account, yiyuan, helper):
    """The user of a role bound where the matrix says."""
    if role == "superuser":
        return get_user_model().objects.create_superuser("root-scope", password="Secure-pass-123")
    if role == "own_helper":
        return helper
    bindings = {
        ("helper", "other"): lambda: yiyuan.station("鲁村镇", 1),
        ("point_lead", "own"): lambda: yiyuan.station("鲁村镇"),
        ("point_lead", "other"): lambda: yiyuan.station("鲁村镇", 1),
        ("town_admin", "own"): lambda: yiyuan.town("鲁村镇"),
        ("town_admin", "other"): lambda: yiyuan.town("南麻街道"),
        ("partner_admin", "own"): lambda: yiyuan.organisation("沂源农村商业银行"),
        ("department_admin", "own"): lambda: yiyuan.department("县医疗保障局"),
        ("department_admin", "other"): lambda: yiyuan.department("县人力资源和社会保障局"),
        ("region_admin", "county"): lambda: yiyuan.county,
        ("region_admin", "city"): lambda: yiyuan.county.parent,
        ("supervisor", "county"): lambda: yiyuan.county,
        ("nobody", ""): lambda: yiyuan.station("鲁村镇"),
        ("inactive", ""): lambda: yiyuan.county,
    }
    binding = bindings[role, where]()
    user = make_account(
        {"nobody": Role.HELPER, "inactive": Role.REGION_ADMIN}.get(role, role),
        binding,
        username=f"scope-{role}-{where}",
    )
    if role == "nobody":
        user.memberships.all().delete()
    if role == "inactive":
        user.is_active = False
        user.save(update_fields=["is_active"])
    return get_user_model().objects.get(pk=user.pk)


MATRIX = [
    ("own_helper", "", {"station"}),
    ("helper", "other", set()),
    ("point_lead", "own", {"station"}),
    ("point_lead", "other", set()),
    ("town_admin", "own", {"station", "partner"}),
    ("town_admin", "other", set()),
    ("partner_admin", "own", {"partner"}),
    ("department_admin", "own", {"subzone"}),
    ("department_admin", "other", set()),
    ("region_admin", "county", YIYUAN),
    ("region_admin", "city", ALL),
    ("supervisor", "county", YIYUAN),
    ("nobody", "", set()),
    ("inactive", "", set()),
    ("superuser", "", ALL),
]


def seen(rated, pks) -> set[str]:
    by_pk = {r.pk: name for name, r in rated.items()}
    return {by_pk[pk] for pk in pks if pk in by_pk}


@pytest.mark.parametrize(("role", "where", "expected"), MATRIX)
def test_who_sees_which_ratings_rectifications_appeals_and_occasions(
    role, where, expected, rated, make_account, yiyuan, helper
):
    user = account(role, where, make_account, yiyuan, helper)
    ratings = ratings_for(user)
    assert seen(rated, ratings.values_list("pk", flat=True)) == expected
    rects = rectifications_for(user).values_list("rating_id", flat=True)
    assert seen(rated, rects) == expected
    appeals = appeals_for(user).values_list("rating_id", flat=True)
    assert seen(rated, appeals) == expected
    occasions = set(occasions_for(user).values_list("pk", flat=True))
    assert {name for name, r in rated.items() if r.occasion_id in occasions} == expected
    for name, rating in rated.items():
        if name in expected:
            assert get_rating_for(user, rating.pk) == rating
            assert get_rectification_for(user, rating.rectification.pk).rating_id == rating.pk
        else:
            with pytest.raises(Http404):
                get_rating_for(user, rating.pk)
            with pytest.raises(Http404):
                get_rectification_for(user, rating.rectification.pk)


@pytest.mark.parametrize(("role", "where", "expected"), MATRIX)
def test_the_pages_and_the_api_follow_the_same_scope(
    role, where, expected, rated, make_account, yiyuan, helper, client
):
    user = account(role, where, make_account, yiyuan, helper)
    client.force_login(user)
    if role == "inactive":
        assert client.get("/feedback/ratings/").status_code == 302
        assert client.get("/feedback/figures/").status_code == 302
        return
    for name, rating in rated.items():
        response = client.get(f"/feedback/ratings/{rating.pk}/")
        assert response.status_code == (200 if name in expected else 404), name
    listed = text(client.get("/feedback/ratings/"))
    assert seen(
        rated, [r.pk for r in rated.values() if f"/feedback/ratings/{r.pk}/" in listed]
    ) == (expected)
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, tzinfo=CST), tick=False):
        page = text(client.get("/feedback/figures/?by=point"))
        if role == "superuser":
            return  # an operator has no API token of the counties' own
        token = token_for(client, user)
        response = client.get(
            "/api/v1/feedback/figures",
            {"by": "point"},
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.content
    assert response.json()["total"]["bad_rate"]["count"] == len(expected)
    assert f"（{len(expected)}/{len(expected)}）" in page or not expected


def test_the_scope_is_an_index_range_for_a_region(
    rated, make_account, yiyuan, django_assert_num_queries
):
    """A county's or a city's admin: the counties are read (a city's in one query), then the rows
    are matched on their own county column; no list of points."""
    city = make_account(Role.REGION_ADMIN, yiyuan.county.parent)
    city = get_user_model().objects.get(pk=city.pk)
    with django_assert_num_queries(3):  # memberships, the city's counties, the ratings
        ratings = ratings_for(city)
        sql = str(ratings.query)
        assert len(list(ratings)) == len(rated)
    assert "county_id" in sql and "IN" in sql and "servicepoint" not in sql.lower()
