"""The architecture chart (附件1 体系架构图): one level at a time, scoped by the gate, a fixed number
of queries, and an SVG that parses, holds every name and escapes them."""

from __future__ import annotations

import json
import os
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import include, path

from bangban.network import actions
from bangban.network.chart import (
    COUNTY_LEVEL,
    LEVEL,
    TOWN_LEVEL,
    VILLAGE_LEVEL,
    build_chart,
    chart_context,
    to_echarts,
    to_svg,
)
from bangban.network.models import Domain, PartnerOrganisation, Region, ServicePoint

pytestmark = pytest.mark.django_db

Kind = ServicePoint.Kind
SVG = "{http://www.w3.org/2000/svg}"

# A stand-in for the pages' routes, so the drill-down urls and the page template can be checked here.
urlpatterns = [
    path(
        "network/",
        include(
            (
                [
                    path("chart/<int:pk>/", lambda r, pk: HttpResponse(), name="chart"),
                    path("chart/<int:pk>.svg", lambda r, pk: HttpResponse(), name="chart_svg"),
                ],
                "network",
            )
        ),
    )
]


def _region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    return Region.objects.create(code=code, name=name, level=level, parent=parent)


def _network(villages_per_town=(3, 2), partners: int = 1):
    """A small county of our own (the real 沂源县 is loaded by conftest): centre, dedicated zone, a
    sub-zone, two towns with villages, partner stations."""
    county = _region("370399", "试点县", "county")
    centre = actions.create_point(None, kind=Kind.COUNTY_CENTRE, name="沂源县政务服务中心",
                                  region=county, by=None)  # fmt: skip
    actions.create_point(centre, kind=Kind.DEDICATED_ZONE, name="帮办代办专区", by=None)
    actions.create_point(
        centre,
        kind=Kind.DOMAIN_SUBZONE,
        name="医保帮办代办分区",
        domain=Domain.objects.get(code="medical_insurance"),
        by=None,
    )
    towns = []
    for t, (code, name) in enumerate([("370399002", "南麻街道"), ("370399104", "鲁村镇")]):
        town = _region(code, name, "town", county)
        town_centre = actions.create_point(
            centre, kind=Kind.TOWN_CENTRE, name=f"{name}便民服务中心", region=town, by=None
        )
        for v in range(villages_per_town[t]):
            village = _region(f"{code}{v + 1:03d}", f"{name[:2]}{v + 1}村", "village", town)
            actions.create_point(
                town_centre,
                kind=Kind.VILLAGE_STATION,
                name=f"{village.name}便民服务站",
                region=village,
                by=None,
            )
        towns.append(town_centre)
    bank = PartnerOrganisation.objects.create(
        county=county, name="沂源农商银行", partner_type="bank"
    )
    for p in range(partners):
        actions.create_point(
            towns[1],
            kind=Kind.PARTNER_STATION,
            name=f"沂心沂意农商银行{p + 1}号网点",
            organisation=bank,
            by=None,
        )
    return centre, towns


@pytest.fixture
def admin():
    return get_user_model().objects.create_superuser("chartadmin", "a@example.com", "x-Secure-1")


def _level(chart, code):
    return next(child for child in chart.children if child.level == code)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode())  # noqa: S314 - our own output


def _svg_texts(svg: str) -> str:
    tree = _parse(svg)
    return "".join("".join(t.itertext()) for t in tree.iter(f"{SVG}text"))


def test_county_chart_is_one_level_grouped_into_the_three_levels(admin):
    centre, towns = _network(villages_per_town=(3, 2), partners=2)
    chart = build_chart(centre, admin)

    assert chart.id == centre.pk
    assert chart.title == "试点县政务服务三级帮办代办体系架构图"
    assert [c.kind for c in chart.children] == [LEVEL, LEVEL, LEVEL]
    county_level = chart.children[0]
    assert [c.kind for c in county_level.children] == [Kind.DEDICATED_ZONE, Kind.DOMAIN_SUBZONE]
    assert not any(c.has_children for c in county_level.children)

    town_level = _level(chart, TOWN_LEVEL)
    assert [c.name for c in town_level.children] == ["南麻街道便民服务中心", "鲁村镇便民服务中心"]
    nanma, lucun = town_level.children
    assert nanma.counts == [(Kind.VILLAGE_STATION, 3)]
    assert nanma.summary == "3 个村（社区）便民服务站"
    assert lucun.summary == "2 个村（社区）便民服务站 · 2 个合作网点"
    assert nanma.has_children and lucun.has_children
    # One level only: the villages themselves are not in the chart, only counted.
    assert nanma.children == [] and lucun.children == []
    villages = _level(chart, VILLAGE_LEVEL)
    assert villages.counts == [(Kind.VILLAGE_STATION, 5), (Kind.PARTNER_STATION, 2)]
    assert chart.counts == [
        (Kind.DEDICATED_ZONE, 1),
        (Kind.DOMAIN_SUBZONE, 1),
        (Kind.TOWN_CENTRE, 2),
    ]


def test_town_chart_lists_its_stations(admin):
    centre, towns = _network(villages_per_town=(3, 2), partners=1)
    chart = build_chart(towns[1], admin)
    assert chart.title == "鲁村镇便民服务中心"
    assert [c.kind for c in chart.children] == [
        Kind.VILLAGE_STATION,
        Kind.VILLAGE_STATION,
        Kind.PARTNER_STATION,
    ]
    assert all(not c.has_children and c.summary == "" for c in chart.children)


def test_urls_are_none_without_routes_and_point_at_the_chart_with_them(
    admin, settings, monkeypatch
):
    centre, towns = _network()
    no_routes = types.ModuleType("chart_test_no_routes")
    no_routes.urlpatterns = []
    monkeypatch.setitem(sys.modules, no_routes.__name__, no_routes)
    settings.ROOT_URLCONF = no_routes.__name__
    chart = build_chart(centre, admin)
    assert chart.url is None
    assert chart.children[0].children[0].url is None
    settings.ROOT_URLCONF = __name__
    chart = build_chart(towns[0], admin)
    assert chart.url == f"/network/chart/{towns[0].pk}/"
    assert chart.parent_url == f"/network/chart/{centre.pk}/"
    assert chart.children[0].url == f"/network/chart/{chart.children[0].id}/"


def test_scope_a_town_admin_sees_only_its_town(admin):
    centre, (nanma, lucun) = _network()
    user = actions.create_account(
        username="lucun", password="Secure-pass-123", role="town_admin", binding=lucun, by=None
    )
    chart = build_chart(centre, user)
    names = [c.name for level in chart.children for c in level.children]
    assert names == ["鲁村镇便民服务中心"]
    assert "南麻街道" not in to_svg(chart)
    assert "南麻街道" not in json.dumps(to_echarts(chart), ensure_ascii=False)
    # Its own town: all of it, but no way up to the county centre it may not see.
    town_chart = build_chart(lucun, user)
    assert len(town_chart.children) == 3
    assert town_chart.parent_url is None


def test_inactive_points_are_left_out(admin):
    centre, (nanma, lucun) = _network()
    actions.update_point(nanma, active=False, by=None)
    chart = build_chart(centre, admin)
    assert [c.name for c in _level(chart, TOWN_LEVEL).children] == ["鲁村镇便民服务中心"]


@pytest.mark.parametrize("villages", [5, 50])
def test_a_fixed_number_of_queries(villages, django_assert_num_queries):
    centre, towns = _network(villages_per_town=(villages, villages), partners=3)
    actions.create_account(
        username="county", password="Secure-pass-123", role="region_admin",
        binding=centre.county, by=None,
    )  # fmt: skip
    User = get_user_model()
    # The user's memberships; the children; the counts below them; the county's name.
    user = User.objects.get(username="county")
    with django_assert_num_queries(4):
        county = build_chart(centre, user)
    # The user's memberships; the children; the counts below them; whether the way up is visible.
    user = User.objects.get(username="county")
    with django_assert_num_queries(4):
        town = build_chart(towns[0], user)
    assert len(town.children) == villages
    assert _level(county, TOWN_LEVEL).children[0].counts == [(Kind.VILLAGE_STATION, villages)]
    assert town.parent_url is not None


def test_svg_parses_holds_every_name_and_escapes(admin):
    centre, (nanma, lucun) = _network()
    actions.update_point(lucun, name="鲁村镇<b>&\"中心'", by=None)
    svg = to_svg(build_chart(centre, admin))

    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("version") == "1.1"
    width, height = int(root.get("width")), int(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg
    assert "<script" not in svg
    text = _svg_texts(svg)
    for name in ["试点县政务服务三级帮办代办体系架构图", "帮办代办专区", "医保帮办代办分区"]:
        assert name in text
    # Long names are wrapped on natural breaks; joined back they are whole.
    assert "南麻街道便民服务中心" in text
    assert "鲁村镇<b>&\"中心'" in text
    assert "3 个村（社区）便民服务站" in text
    assert "图例" in text and "镇（街道）便民服务中心" in text


def test_a_town_of_sixty_stations_wraps_into_rows(admin):
    centre, towns = _network(villages_per_town=(60, 1), partners=0)
    chart = build_chart(towns[0], admin)
    svg = to_svg(chart)
    root = _parse(svg)
    width, height = int(root.get("width")), int(root.get("height"))
    assert width <= 2000
    assert height > 5 * 40  # at least five rows of boxes
    text = _svg_texts(svg)
    for child in chart.children:
        assert child.name in text
    xs = {float(r.get("x")) for r in root.iter(f"{SVG}rect")}
    assert max(xs) < width


def test_echarts_option_is_json_with_urls(admin, settings):
    settings.ROOT_URLCONF = __name__
    centre, towns = _network()
    option = to_echarts(build_chart(centre, admin))
    data = json.loads(json.dumps(option))["series"][0]["data"][0]
    assert data["name"] == "沂源县政务服务中心"
    assert data["url"] == f"/network/chart/{centre.pk}/"
    town_level = data["children"][1]
    assert town_level["url"] is None
    assert town_level["children"][0]["name"] == "南麻街道便民服务中心"
    assert town_level["children"][0]["url"] == f"/network/chart/{towns[0].pk}/"
    assert town_level["children"][0]["value"] == "3 个村（社区）便民服务站"


def test_page_template_has_chart_download_and_an_accessible_list(admin, settings, tmp_path):
    settings.ROOT_URLCONF = __name__
    (tmp_path / "base.html").write_text(
        "<title>{% block title %}{% endblock %}</title>"
        "<main>{% block content %}{% endblock %}</main>{% block scripts %}{% endblock %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    centre, towns = _network()
    actions.update_point(towns[1], name="鲁村镇<script>", by=None)
    request = RequestFactory().get("/")
    request.user = admin
    html = render_to_string("network/chart.html", chart_context(centre, admin), request=request)
    assert f'href="/network/chart/{centre.pk}.svg"' in html
    assert 'id="chart-option"' in html
    assert "echarts.min.js" in html
    assert f'href="/network/chart/{towns[0].pk}/"' in html  # the list links each town
    assert "3 个村（社区）便民服务站" in html
    assert '<script>"' not in html and "鲁村镇&lt;script&gt;" in html
    assert 'aria-hidden="true"' in html or 'role="img"' in html


def test_the_real_county_chart(yiyuan, admin):
    """沂源县 as loaded from the real division data: 12 towns, 468 villages."""
    chart = build_chart(yiyuan.centre, admin)
    assert chart.title == "沂源县政务服务三级帮办代办体系架构图"
    towns = _level(chart, TOWN_LEVEL).children
    assert len(towns) == 12
    stations = sum(n for t in towns for k, n in t.counts if k == Kind.VILLAGE_STATION)
    assert stations == 468
    assert len(_level(chart, COUNTY_LEVEL).children) >= 11  # the zone and the ten sub-zones
    svg = to_svg(chart)
    root = _parse(svg)
    assert int(root.get("width")) <= 2200
    text = _svg_texts(svg)
    for town in towns:
        assert town.name in text or town.name.replace("便民服务中心", "") in text
    out = os.environ.get("BANGBAN_CHART_OUT")
    if out:  # to look at it: BANGBAN_CHART_OUT=/tmp/charts pytest tests/network/test_chart.py
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "county.svg").write_text(svg, encoding="utf-8")
        town = yiyuan.town("鲁村镇")
        (Path(out) / "town.svg").write_text(to_svg(build_chart(town, admin)), encoding="utf-8")
