"""Statements compiled once (`kernel.statements`, decision 0071): the same rows as the QuerySet
they are built from, on both databases, built and compiled once per database and shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangban.kernel.statements import Param, Statement
from bangban.network import access
from bangban.network.models import Membership, Region, Role, ServicePoint
from bangban.workdays.models import CalendarDay


def test_values_rows_are_the_querysets_with_its_converters(yiyuan):
    """Dates and booleans come back as the ORM gives them (SQLite keeps dates as text), and a date
    value is adapted as the ORM adapts it."""
    for day, kind in [(dt.date(2026, 10, 1), "holiday"), (dt.date(2026, 10, 9), "makeup_workday")]:
        CalendarDay.objects.update_or_create(
            day=day, defaults={"kind": kind, "is_workday": kind == "makeup_workday"}
        )
    built = []

    def build():
        built.append(1)
        return (
            CalendarDay.objects.filter(day__gte=Param("from"), day__lte=Param("to"))
            .order_by("day")
            .values_list("day", "is_workday")
        )

    statement = Statement(build)
    values = {"from": dt.date(2026, 10, 1), "to": dt.date(2026, 10, 9)}
    expected = list(
        CalendarDay.objects.filter(day__gte=values["from"], day__lte=values["to"])
        .order_by("day")
        .values_list("day", "is_workday")
    )
    assert statement.tuples(values) == expected
    assert (dt.date(2026, 10, 1), False) in expected and isinstance(expected[0][0], dt.date)
    assert statement.tuples({"from": dt.date(2026, 10, 2), "to": dt.date(2026, 10, 9)}) == [
        row for row in expected if row[0] >= dt.date(2026, 10, 2)
    ]
    assert len(built) == 1  # compiled once, run twice


def test_each_shape_is_compiled_once(yiyuan):
    points = list(ServicePoint.objects.order_by("pk").values_list("pk", "name")[:5])
    shapes = []

    def build(n):
        shapes.append(n)
        return ServicePoint.objects.filter(pk__in=[Param(i) for i in range(n)]).values_list(
            "pk", "name"
        )

    statement = Statement(build)
    keys = [pk for pk, _ in points]
    assert sorted(statement.tuples(keys[:2], 2)) == points[:2]
    assert sorted(statement.tuples(keys[2:4], 2)) == points[2:4]
    assert sorted(statement.tuples(keys, 5)) == points
    assert shapes == [2, 5]


def test_model_rows_come_with_the_related_objects_they_select(yiyuan, make_account):
    """A statement of model rows (the token's memberships) gives the QuerySet's objects, each with
    its `select_related` objects in place: reading them asks nothing more."""
    town = yiyuan.town("鲁村镇")
    user = make_account(Role.TOWN_ADMIN, town)
    make_account(Role.REGION_ADMIN, yiyuan.county)
    statement = Statement(
        lambda: Membership.objects.filter(
            user=Param("user"), user__is_active=True, user__date_joined__lte=Param("now")
        ).select_related("user", *access.MEMBERSHIP_BINDINGS)
    )
    held = statement.objects({"user": user.pk, "now": timezone.now()})
    assert held == list(Membership.objects.filter(user=user))
    county = Region.objects.get(pk=town.county_id)
    with CaptureQueriesContext(connection) as queries:
        m = held[0]
        assert (m.user, m.point, m.point.county, m.region) == (user, town, county, None)
        assert m.point.county.code == county.code == "370323"
    assert queries.captured_queries == []
    assert statement.objects({"user": user.pk, "now": timezone.now() - dt.timedelta(days=1)}) == []


def test_a_statement_is_one_logged_query(yiyuan):
    centre = yiyuan.centre
    statement = Statement(lambda: ServicePoint.objects.filter(pk=Param("pk")).values_list("name"))
    with CaptureQueriesContext(connection) as queries:
        assert statement.tuples({"pk": centre.pk}) == [(centre.name,)]
    assert len(queries.captured_queries) == 1


def test_model_rows_of_a_values_statement_are_refused(yiyuan):
    statement = Statement(lambda: ServicePoint.objects.filter(pk=Param("pk")).values_list("name"))
    with pytest.raises(ValueError, match="model rows"):
        statement.objects({"pk": yiyuan.centre.pk})


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="the database locks no rows (SQLite)"
)
def test_a_locking_statement_runs_only_inside_a_transaction(transactional_db):
    """As the ORM refuses `select_for_update()` outside a transaction, so does a statement."""
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    region = Region.objects.create(code="990101", name="测试县", level="county")
    statement = Statement(
        lambda: Region.objects.select_for_update().filter(pk=Param("pk")).values_list("name")
    )
    with pytest.raises(TransactionManagementError):
        statement.tuples({"pk": region.pk})
    with transaction.atomic():
        assert statement.tuples({"pk": region.pk}) == [("测试县",)]
