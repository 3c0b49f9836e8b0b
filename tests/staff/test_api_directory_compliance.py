"""The linkage directory and compliance through the JSON API: the directory is the whole deployment's
with directory fields only; compliance is the page's figures within the caller's scope (404 outside);
both cost a fixed number of queries whatever the page size."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.models import Q

from bangban.network import access
from bangban.network.actions import index_users
from bangban.network.api import digest
from bangban.network.models import ApiToken, Domain, Role, ServicePoint
from bangban.staff import actions, compliance, directory
from tests.network.test_api import Api, token_for

TODAY = dt.date(2026, 6, 1)
Kind = ServicePoint.Kind
RCB = "沂源农村商业银行"
ABC = "中国农业银行沂源县支行"
POINT_KEYS = {"id", "name", "kind", "town", "domains", "hours", "phone"}
HELPER_KEYS = {"name", "points", "domains", "work_phone"}
GROUP_KEYS = {"level", "region", "point", "name", "kind", "points", "failing", "missing"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


@pytest.fixture
def api_as(client, make_account):
    def make(role, binding):
        return Api(client, token_for(client, make_account(role, binding)))

    return make


@pytest.fixture
def county_api(api_as, yiyuan):
    return api_as(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def reader(client, make_account, yiyuan):
    """Any signed-in user reads the whole directory: here a helper of a village in 南麻街道."""
    user = make_account(Role.HELPER, yiyuan.station("南麻街道"), username="directory-reader")
    return Api(client, token_for(client, user))


@pytest.fixture
def named_helper(make_helper):
    def make(point, name, domains=(), phone="", **options):
        helper = make_helper(point, **options)
        helper.user.first_name = name
        helper.user.email = f"{helper.user.username}@example.cn"
        helper.user.save()
        index_users([helper.user.pk])  # renamed here directly: its grams, as an action writes them
        return actions.save_helper(
            helper.user,
            by=None,
            origin=helper.origin,
            started_on=helper.started_on,
            left_on=helper.left_on,
            full_time=helper.full_time,
            work_phone=phone,
            domains=Domain.objects.filter(code__in=domains),
        )

    return make


# --- The linkage directory -----------------------------------------------------------------------


def test_the_directory_lists_every_active_point_with_directory_fields_only(reader, yiyuan):
    items, offset = [], 0
    while True:
        body = reader.get("/directory/points", limit=500, offset=offset).json()
        assert body["count"] == ServicePoint.objects.active().count()
        items += body["items"]
        offset += 500
        if offset >= body["count"]:
            break
    assert len(items) == body["count"]
    assert {p["id"] for p in items} == set(
        ServicePoint.objects.active().values_list("pk", flat=True)
    )
    for item in items:
        assert set(item) == POINT_KEYS
        assert item["kind"] in Kind.values
    # The same rows as the page's, in the same order (domains as codes).
    ids = list(directory.points(directory.Filter(), on=TODAY).values_list("pk", flat=True))
    assert [p["id"] for p in items] == ids


def test_the_directory_lists_only_qualified_helpers_and_no_private_fields(
    reader, yiyuan, named_helper
):
    lucun = yiyuan.station("鲁村镇")
    good = named_helper(lucun, "王芳", domains=["medical_insurance"], phone="0533-3221234")
    named_helper(lucun, "李未训", trained_on=None)
    named_helper(lucun, "赵离职", left_on=dt.date(2026, 1, 1))
    response = reader.get("/directory/helpers")
    body = response.json()
    assert body["count"] == 1
    assert body["items"] == [
        {
            "name": "王芳",
            "points": [lucun.name],
            "domains": ["medical_insurance"],
            "work_phone": "0533-3221234",
        }
    ]
    assert set(body["items"][0]) == HELPER_KEYS
    text = response.content.decode()
    assert good.user.username not in text
    assert "@example.cn" not in text


def test_the_directory_filters_by_town_domain_and_text(reader, yiyuan, named_helper):
    lucun = yiyuan.station("鲁村镇")
    named_helper(lucun, "王芳", domains=["medical_insurance"])
    named_helper(yiyuan.station("南麻街道"), "张伟")
    town = lucun.region.parent.code
    assert len(town) == 9
    for code in (town, town + "000"):
        names = [h["name"] for h in reader.get("/directory/helpers", town=code).json()["items"]]
        assert names == ["王芳"]
        points = reader.get("/directory/points", town=code, limit=500).json()
        expected = directory.points(directory.Filter(place=town), on=TODAY)
        assert points["count"] == expected.count() > 0
    by_domain = reader.get("/directory/helpers", domain="medical_insurance").json()
    assert [h["name"] for h in by_domain["items"]] == ["王芳"]
    assert reader.get("/directory/helpers", q="张").json()["items"][0]["name"] == "张伟"
    by_text = reader.get("/directory/points", q=lucun.name).json()
    assert lucun.pk in [p["id"] for p in by_text["items"]]
    assert reader.get("/directory/helpers", domain="no_such_domain").json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"twon": "370323104"}, ["query", "twon"]),
        ({"town": "3703"}, ["query", "town"]),
        ({"q": "鲁\x00村"}, ["query", "q"]),
        ({"limit": "501"}, ["query", "limit"]),
    ],
)
def test_the_directory_refuses_bad_queries(reader, params, loc):
    response = reader.get("/directory/points", **params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_the_directory_needs_a_token(client):
    assert Api(client).get("/directory/points").status_code == 401


@pytest.mark.parametrize("limit", [1, 50])
def test_directory_query_counts_are_fixed(
    reader, yiyuan, named_helper, django_assert_num_queries, limit
):
    for i in range(5):
        named_helper(yiyuan.station("鲁村镇", i % 2), f"帮办{i}", domains=["medical_insurance"])
    # token, count, page of ids, points, hours, domains handled, domain codes
    with django_assert_num_queries(7):
        body = reader.get("/directory/points", limit=limit).json()
    assert len(body["items"]) == min(limit, body["count"])
    # token, count, page of ids, names, points served, domains, domain codes
    with django_assert_num_queries(7):
        body = reader.get("/directory/helpers", limit=limit).json()
    assert len(body["items"]) == min(limit, 5)


# --- Compliance ----------------------------------------------------------------------------------


def test_county_figures_equal_the_pages(county_api, yiyuan, make_helper):
    make_helper(yiyuan.station("鲁村镇"))
    make_helper(yiyuan.station("鲁村镇", 1), trained_on=None)
    body = county_api.get("/compliance").json()
    assert body["region"] == yiyuan.county.code
    points = ServicePoint.objects.filter(county=yiyuan.county)
    towns = compliance.summary(
        compliance.by_code_prefix(points.filter(kind__in=compliance.TOWN_LEVEL), "region__code", 9),
        TODAY,
        "group",
    )
    groups = [i for i in body["items"] if i["level"] == "town"]
    assert [(g["region"], g["points"]) for g in groups] == [
        (t["group"], t["points"]) for t in towns
    ]
    for g, t in zip(groups, towns, strict=True):
        assert set(g) == GROUP_KEYS
        assert g["failing"] == {c: t[f"{c}_failing"] for c in compliance.RULE_CODES}
    county_level = [i for i in body["items"] if i["level"] == "point"]
    assert {i["kind"] for i in county_level} <= set(compliance.COUNTY_LEVEL)
    assert (
        len(county_level)
        == compliance.assessed(points.filter(kind__in=compliance.COUNTY_LEVEL)).count()
    )
    assert body["count"] == len(body["items"])
    # The city level: one row for the county, the same sums.
    city = county_api.get("/compliance", region=yiyuan.county.code[:4]).json()
    [row] = city["items"]
    expected = compliance.summary(
        compliance.by_code_prefix(points, "county__code", 6), TODAY, "group"
    )
    assert row["region"] == yiyuan.county.code and row["level"] == "county"
    assert row["points"] == expected[0]["points"]
    assert row["failing"] == {c: expected[0][f"{c}_failing"] for c in compliance.RULE_CODES}


def test_a_towns_points_are_paged_and_match_with_compliance(county_api, yiyuan, make_helper):
    lucun = yiyuan.station("鲁村镇")
    make_helper(lucun, trained_on=None)
    town = lucun.region.parent.code
    body = county_api.get("/compliance", region=town, limit=500).json()
    in_town = ServicePoint.objects.filter(region__code__startswith=town)
    annotated = {p.pk: p for p in compliance.with_compliance(compliance.assessed(in_town), TODAY)}
    assert body["count"] == len(annotated)
    assert len(county_api.get("/compliance", region=town + "000", limit=2).json()["items"]) == 2
    row = next(i for i in body["items"] if i["point"] == lucun.pk)
    p = annotated[lucun.pk]
    assert row["failing"] == {r.code: int(not getattr(p, r.ok)) for r in compliance.RULES}
    assert row["missing"]["qualified"] == 1
    only = county_api.get("/compliance", region=town, fail="qualified").json()
    assert [i["point"] for i in only["items"]] == [lucun.pk]
    # A town centre's stations: the centre and its children.
    centre = yiyuan.town("鲁村镇")
    stations = county_api.get("/compliance", point=centre.pk, limit=500).json()
    expected = compliance.assessed(ServicePoint.objects.filter(Q(pk=centre.pk) | Q(parent=centre)))
    assert stations["point"] == centre.pk
    assert {i["point"] for i in stations["items"]} == set(expected.values_list("pk", flat=True))


def test_a_town_admin_reads_only_its_towns_figures(api_as, yiyuan):
    api = api_as(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    own = yiyuan.town("鲁村镇").region.code
    other = yiyuan.town("南麻街道")
    home = api.get("/compliance").json()
    assert home["point"] == yiyuan.town("鲁村镇").pk
    assert api.get("/compliance", region=own).status_code == 200
    response = api.get("/compliance", region=other.region.code)
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["query", "region"]
    assert api.get("/compliance", point=other.pk).status_code == 404
    assert api.get("/compliance", point=yiyuan.station("南麻街道").pk).status_code == 404
    assert api.get(f"/compliance/points/{yiyuan.station('南麻街道').pk}").status_code == 404
    assert api.get(f"/compliance/points/{yiyuan.station('鲁村镇').pk}").status_code == 200
    # The county: only its own town's group.
    county = api.get("/compliance", region=yiyuan.county.code).json()
    assert [i["region"] for i in county["items"]] == [own]


def test_a_partner_admin_sees_only_its_own_stations(api_as, yiyuan):
    api = api_as(Role.PARTNER_ADMIN, yiyuan.organisation(RCB))
    ours = yiyuan.partner_station(RCB)
    theirs = yiyuan.partner_station(ABC)
    body = api.get("/compliance", limit=500).json()
    visible = access.points_for(api_user(api), "view")  # the caller's scope, as the page takes it
    expected = set(compliance.assessed(visible).values_list("pk", flat=True))
    assert {i["point"] for i in body["items"]} == expected
    assert ours.pk in expected and theirs.pk not in expected
    assert api.get(f"/compliance/points/{theirs.pk}").status_code == 404
    assert api.get("/compliance", point=theirs.pk).status_code == 404
    assert api.get(f"/compliance/points/{ours.pk}").status_code == 200


def api_user(api):
    return ApiToken.objects.get(digest=digest(api.token)).user


def test_a_points_causes(county_api, yiyuan, make_helper):
    lucun = yiyuan.station("鲁村镇")
    untrained = make_helper(lucun, trained_on=None)
    untrained.user.first_name = "李未训"
    untrained.user.save()
    body = county_api.get(f"/compliance/points/{lucun.pk}").json()
    p = compliance.with_compliance(ServicePoint.objects.filter(pk=lucun.pk), TODAY).get()
    assert body["rules"] == [
        {"rule": r.code, "ok": bool(getattr(p, r.ok)), "missing": getattr(p, r.missing)}
        for r in compliance.RULES
    ]
    assert body["assessed"] is True
    assert body["kind"] == "village_station"
    assert body["unqualified"] == [
        {"name": "李未训", "reasons": ["尚未参加培训，须先培训后上岗。"]}
    ]
    people = compliance.serving_people(lucun, TODAY)  # the cause page's
    assert [p.reasons for p in people if p.reasons] == [u["reasons"] for u in body["unqualified"]]
    assert untrained.user.username not in str(body)
    assert {o["name"] for o in body["organisers_short"]} == {
        o.name for o in compliance.organisers_of(lucun, 2026) if o.short
    }
    assert body["equipment"] == 0 and body["equipment_overdue"] == []
    assert body["signage_in_place"] is lucun.signage_in_place


def test_compliance_refuses_bad_queries(county_api, yiyuan):
    assert county_api.get("/compliance", regoin="370323").status_code == 422
    # With both, the region only narrows: the point must lie in it.
    assert county_api.get("/compliance", region="370323", point=yiyuan.zone.pk).status_code == 200
    station = yiyuan.station("鲁村镇")
    outside = county_api.get("/compliance", region="370323999", point=station.pk)
    assert outside.status_code == 404
    assert county_api.get("/compliance", region="37032").status_code == 422
    assert county_api.get("/compliance", fail="colour").status_code == 422
    assert county_api.get("/compliance", point=str(2**63)).status_code == 422
    assert county_api.get("/compliance/points/0").status_code == 422
    assert county_api.get("/compliance", region="999999").status_code == 404
    assert county_api.get(f"/compliance/points/{2**63 - 1}").status_code == 404


@pytest.mark.parametrize("extra", [0, 4])
def test_compliance_query_counts_are_fixed(
    county_api, yiyuan, make_helper, django_assert_num_queries, extra
):
    for i in range(1 + extra):
        make_helper(yiyuan.station("鲁村镇", i % 3))
    town = yiyuan.station("鲁村镇").region.parent.code
    with django_assert_num_queries(3):  # the token with the gate's memberships, page, count
        body = county_api.get("/compliance", region=town, limit=2 + extra).json()
    assert len(body["items"]) == 2 + extra
    # the token with the gate's memberships, the point with its figures, helpers, people without a
    # profile, organisers, equipment
    with django_assert_num_queries(7):
        county_api.get(f"/compliance/points/{yiyuan.station('鲁村镇').pk}")
