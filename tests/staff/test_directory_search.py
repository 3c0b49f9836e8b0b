"""The linkage directory's text search read through the grams (decision 0069): the same points and
helpers, in the same order, as the substring test on every row it replaced, for queries of every
length; the grams of the helpers the demo and the spreadsheet import write; a fixed number of
queries whatever the text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from bangban.network import actions as network_actions
from bangban.network.demo import Demo
from bangban.network.models import Role, ServicePoint
from bangban.staff import actions as staff_actions
from bangban.staff import directory, spreadsheets
from bangban.staff.demo import extend_demo
from bangban.staff.models import Helper, TrainingOrganiser
from tests.network.test_directory_grams import (
    recomputed_points,
    recomputed_users,
    stored_points,
    stored_users,
)

from .test_spreadsheets import row, xlsx

TODAY = timezone.localdate()


def old_points(f: directory.Filter):
    """`directory.points` before the grams: the substring test on every point."""
    qs = ServicePoint.objects.active().filter(directory._place_q(f.place, ""))
    if f.domain:
        handled_by_helper = directory._serving(
            TODAY, point=OuterRef("pk"), user__helper_profile__domains__code=f.domain
        )
        qs = qs.filter(Q(domain__code=f.domain) | Exists(handled_by_helper))
    if f.text.strip():
        qs = qs.filter(name__contains=f.text.strip())
    return qs.order_by("county__code", "ancestry", "kind", "name", "id")


def old_helpers(f: directory.Filter):
    """`directory.helpers` before the grams: the substring tests on every helper."""
    serving = directory._serving(TODAY, user=OuterRef("user"))
    qs = Helper.objects.qualified(on=TODAY).filter(Exists(serving))
    if f.place.strip():
        qs = qs.filter(Exists(serving.filter(directory._place_q(f.place, "point__"))))
    if f.domain:
        qs = qs.filter(domains__code=f.domain)
    text = f.text.strip()
    if text:
        qs = qs.filter(
            Q(user__first_name__contains=text)
            | Q(user__last_name__contains=text)
            | Exists(serving.filter(point__name__contains=text))
        )
    return qs.order_by("user__first_name", "user__last_name", "id")


@pytest.fixture
def staffed(yiyuan):
    """Yiyuan with the demo's ~700 helpers, a few with Latin names or a last name, and a point
    with a Latin name."""
    extend_demo(Demo(county=yiyuan.county, centre=yiyuan.centre))
    station = yiyuan.station("鲁村镇")
    network_actions.update_point(station, name="Lucun 草埠 Station 便民服务站", by=None)
    lucun_admin = network_actions.create_account(
        username="lucun-admin",
        password="Secure-pass-123",
        role=Role.TOWN_ADMIN,
        binding=yiyuan.town("鲁村镇"),
        by=None,
    )
    # Xyzw's rarest gram, zw, is Abzw's too, which does not contain it: the exact test is needed.
    names = [
        "Anna Li",
        "ANNA",
        "李 合格",
        "欧阳明",
        "Ma 马",
        "zhang",
        "Xyzw",
        "Abzw",
        "Xyqq",
        "Xyrr",
    ]
    file = xlsx([row(f"latin-{i}", station, name=name) for i, name in enumerate(names)])
    result = spreadsheets.import_helpers(file, by=lucun_admin)
    assert result.ok, [str(p) for p in result.problems]
    imported = Helper.objects.filter(user__username__startswith="latin-")
    staff_actions.record_training(
        TrainingOrganiser.objects.get(kind="county_bureau", county=yiyuan.county),
        held_on=TODAY - dt.timedelta(days=30),
        topic="帮办代办业务培训",
        results={helper: True for helper in imported},
        by=None,
    )  # qualified, so listed
    # A helper also serving at a point out of use: found by that point's name neither way.
    closed = yiyuan.station("南麻街道", 1)
    network_actions.grant_membership(
        Helper.objects.get(user__username="latin-0").user, role=Role.HELPER, binding=closed, by=None
    )
    network_actions.update_point(closed, name="停用测试服务站", active=False, by=None)
    helper = Helper.objects.get(user__username="latin-5")
    helper.user.last_name = "San"  # the last name, which only the shell or admin writes
    helper.user.save()
    network_actions.index_users([helper.user.pk])
    return yiyuan


def test_the_demo_and_the_spreadsheet_import_write_the_grams(staffed):
    assert Helper.objects.count() > 500
    assert stored_users() == recomputed_users()
    assert stored_points() == recomputed_points()


QUERIES = [
    "村",  # one character: many
    "王",
    "欧",  # one: few
    "鲁村",  # two
    "社区",
    "合格",
    "草埠",
    "服务站",  # three
    "便民服务站",
    "鲁村镇便民服务中心",  # a whole name
    "欧阳明",
    "a",  # Latin letters, either case
    "A",
    "an",
    "ANNA",
    "Anna Li",  # a blank inside
    "lucun 草",
    "李 合",
    "  社区  ",  # blanks around
    "San",
    "Xyzw",  # a Latin query whose rarest gram a name not containing it holds
    "停用测试",  # a point out of use, where a listed helper also serves
    "村居",  # grams of no name together
    "无此名称",  # none
    "Q",
]


@pytest.mark.parametrize("text", QUERIES)
def test_the_directory_finds_what_the_substring_test_found(staffed, text):
    for f in (
        directory.Filter(text=text),
        directory.Filter(text=text, place="鲁村镇"),
        directory.Filter(text=text, domain="medical_insurance"),
    ):
        points = list(directory.points(f, on=TODAY).values_list("pk", flat=True))
        assert points == list(old_points(f).values_list("pk", flat=True))
        helpers = list(directory.helpers(f, on=TODAY).values_list("pk", flat=True))
        assert helpers == list(old_helpers(f).values_list("pk", flat=True))


def test_the_queries_find_something_and_not_everything(staffed):
    """The comparisons above are not all of empty sets (nor of everything)."""
    everything = old_points(directory.Filter()).count() + old_helpers(directory.Filter()).count()
    found = {
        text: old_points(directory.Filter(text=text)).count()
        + old_helpers(directory.Filter(text=text)).count()
        for text in QUERIES
    }
    # Latin letters match either case on SQLite only (its LIKE), so fewer find something on PostgreSQL.
    assert sum(1 for n in found.values() if 0 < n < everything) >= len(QUERIES) - 8, found
    assert found["无此名称"] == 0
    assert found["Anna Li"] >= 1 and found["San"] >= 1


@pytest.mark.parametrize("show", ["points", "helpers"])
def test_the_page_costs_the_same_queries_for_every_length_of_text(
    staffed, client, make_account, django_assert_num_queries, show
):
    """As many as without text (tests/staff/test_directory.py), whatever the text finds, and one
    more per gram table searched, which counts the text's grams (`kernel.search.capped_counts`):
    the points' for points, the points' and the users' for helpers."""
    client.force_login(make_account(Role.HELPER, staffed.station("南麻街道"), username="reader"))
    url = reverse("staff:directory")
    client.get(url)
    for text in ["", "村", "鲁村", "便民服务站", "鲁村镇便民服务中心", "Lucun"]:
        counting = 0 if not text else 1 if show == "points" else 2
        with django_assert_num_queries(11 + counting):
            response = client.get(url, {"show": show, "q": text})
        assert response.context["rows"], text


def test_a_common_text_is_found_by_the_substring_test_alone(staffed, settings):
    """Every gram of 便民服务站 is held by more points than the cap: the points are found by
    `name__contains` alone, no gram read, and the same as before; the users, none of whose names
    holds those grams, still through theirs."""
    settings.BANGBAN_SEARCH_GRAM_CAP = 20
    f = directory.Filter(text="便民服务站")
    points = directory.points(f, on=TODAY)
    assert "network_pointgram" not in str(points.query)
    found = list(points.values_list("pk", flat=True))
    assert len(found) > 20
    assert found == list(old_points(f).values_list("pk", flat=True))
    helpers = directory.helpers(f, on=TODAY)
    sql = str(helpers.query)
    assert "network_pointgram" not in sql and "network_usergram" in sql
    found = list(helpers.values_list("pk", flat=True))
    assert len(found) > 20
    assert found == list(old_helpers(f).values_list("pk", flat=True))


def test_a_rare_text_is_found_through_its_rarest_gram(staffed, settings):
    """鲁村镇便民服务中心: its rarest gram, 鲁村, is held by fewer points than the cap; the candidates
    are the points holding it, then tested."""
    settings.BANGBAN_SEARCH_GRAM_CAP = 20
    f = directory.Filter(text="鲁村镇便民服务中心")
    points = directory.points(f, on=TODAY)
    sql = str(points.query)
    assert "network_pointgram" in sql and "鲁村" in sql, sql
    found = list(points.values_list("pk", flat=True))
    assert len(found) == 1
    assert found == list(old_points(f).values_list("pk", flat=True))
