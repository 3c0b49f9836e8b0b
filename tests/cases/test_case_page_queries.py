"""A case's page and `GET /api/v1/cases/{number}` in a fixed number of queries whatever the case holds
(checklist, notices, transfers, events), reading no password hash and no guide text; and the
transfer form's linkage directory testing only the helpers of its points, with the same rows as
the semi-join on every qualified helper it replaced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.action_views import _helpers_at
from bangban.cases.actions import NoticeItem
from bangban.cases.scope import get_case_for
from bangban.network.models import Membership, Role
from bangban.staff import directory
from bangban.staff.models import Helper
from bangban.workdays import calendar
from tests.network.test_api import Api, token_for

#: Queries of the case page for an admin who may transfer it: the session and the user, what
#: `get_case_for` costs (`_scope`, the case included), then 11 of its own: the case's checklist,
#: notices, transfers, events, service occasions and messages; the points and the people they
#: name; may reveal, may act; the refusal form's departments of the county (who decides 不予受理,
#: decision 0029). The transfer form is asked for when its section is opened (decision 0071).
ADMIN_PAGE = 2 + 11
#: Queries of the transfer form asked for in the panel (htmx) besides `get_case_for`'s: the
#: session and the user, may transfer (the point may act, no transfer pending), the directory
#: (point ids, points, hours, domains served, domain names, helpers).
TRANSFER_FORM = 2 + 2 + 6
#: Queries of the API's case besides `get_case_for`'s: the token is read with its user's
#: memberships, which `_scope` counts (one query for both); the case's transfers, the points and
#: people they name, its checklist, its notices.
API_CASE = 0 + 5


def _scope(user, number: str) -> int:
    """The queries `get_case_for` costs, the case's own read included (cases.scope decides them:
    the user's memberships, and for a county or below its points and the cases on offer to them)."""
    fresh = get_user_model().objects.get(pk=user.pk)  # memberships not read yet, as in a request
    with CaptureQueriesContext(connection) as ctx:
        get_case_for(fresh, number)
    return len(ctx.captured_queries)


@pytest.fixture
def county_admin(make_account, yiyuan):
    return make_account(Role.REGION_ADMIN, yiyuan.county, username="casepage-county-admin")


@pytest.fixture
def subzone(yiyuan):
    return yiyuan.subzone("medical_insurance")


@pytest.fixture
def receiver(make_helper, subzone):
    return make_helper(subzone).user


@pytest.fixture
def small_and_large(register, helper, subzone, receiver, yiyuan, make_helper):
    """(a case just registered; one with two notices, a declined and an accepted transfer, progress
    notes and a message to the applicant)."""
    small = register()
    large = register()
    today = timezone.localdate()
    lines = list(large.materials.order_by("position"))
    for n, reason in enumerate(("", "申请人补交的表格仍有误")):
        actions.issue_notice(
            large,
            items=[NoticeItem(line.pk, "missing", f"原件未带 {n}") for line in lines],
            supply_by=today + dt.timedelta(days=10),
            by=helper,
            repeat_reason=reason,
        )
    declined = actions.transfer_case(large, to_point=yiyuan.zone, reason="需专区办理", by=helper)
    at_zone = make_helper(yiyuan.zone).user
    actions.decline_transfer(declined, by=at_zone, reason="不属本区", suggested_point=subzone)
    offered = actions.transfer_case(
        large, to_point=subzone, to_helper=receiver, reason="需县医保分区办理", by=helper
    )
    actions.accept_transfer(offered, by=receiver)
    for n in range(5):
        actions.record_progress(large, by=receiver, text=f"进度 {n}", tell_applicant=n == 0)
    return small, large


def _count(client, url: str) -> tuple[int, list[str]]:
    # The calendar and the domain names are cached after the first request (the calendar checked
    # again only after 30 seconds: read afresh now, so that no check falls inside the count).
    calendar.invalidate()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _reads_nothing_secret(queries: list[str]) -> None:
    # The signed-in user's own row (the session's or the token's) is the one read with its hash.
    assert sum('"password"' in sql for sql in queries) == 1
    assert not any('"guide"' in sql for sql in queries)


def test_the_case_page_of_an_admin_runs_a_fixed_number_of_queries(
    client, county_admin, small_and_large, django_assert_num_queries
):
    client.force_login(county_admin)
    for case in small_and_large:
        url = reverse("cases:case", args=[case.number])
        count, queries = _count(client, url)
        expected = ADMIN_PAGE + _scope(county_admin, case.number)
        assert count == expected, "\n".join(queries)
        _reads_nothing_secret(queries)
        with django_assert_num_queries(expected):
            body = client.get(url).content.decode()
        # The transfer form is asked for when opened, from both pages; its queries are fixed too.
        form_url = reverse("cases:act", args=[case.number, "transfer"])
        assert f'hx-get="{form_url}"' in body
        with CaptureQueriesContext(connection) as ctx:
            form = client.get(form_url, headers={"HX-Request": "true"})
        assert len(ctx.captured_queries) == TRANSFER_FORM + _scope(county_admin, case.number), (
            "\n".join(q["sql"] for q in ctx.captured_queries)
        )
        fragment = form.content.decode()
        assert fragment.strip().startswith("<form") and 'id="transfer_reason"' in fragment
        assert "<html" not in fragment and 'name="to_point"' in fragment


def test_the_large_case_page_shows_what_it_read(client, county_admin, small_and_large, subzone):
    _small, large = small_and_large
    client.force_login(county_admin)
    body = client.get(reverse("cases:case", args=[large.number])).content.decode()
    zone = large.transfers.order_by("pk").first().to_point
    assert f"{large.registering_point.name} → {zone.name}" in body
    assert f"（建议转至 {subzone.name}）" in body
    assert large.handling_helper.get_full_name() in body
    assert body.count("-N000") >= 2  # both notices, with their numbers
    assert body.count("进度 ") >= 5


def test_the_responsible_helper_gets_the_same_count_for_any_case(
    client, helper, register, small_and_large
):
    """The responsible helper's page of a case at their point, before and after it filled up (the
    large one has gone to another point: the helper may only note progress there)."""
    small, large = small_and_large
    client.force_login(helper)
    busy = register()
    actions.issue_notice(
        busy,
        items=[NoticeItem(busy.materials.order_by("position").first().pk, "missing", "")],
        supply_by=timezone.localdate() + dt.timedelta(days=10),
        by=helper,
    )
    for n in range(4):
        actions.record_progress(busy, by=helper, text=f"进度 {n}")
    counts = {
        case.number: _count(client, reverse("cases:case", args=[case.number]))[0]
        for case in (small, busy)
    }
    assert len(set(counts.values())) == 1, counts
    large_count, queries = _count(client, reverse("cases:case", args=[large.number]))
    # No refusal form for the helper once the case is handled elsewhere (its departments); the
    # transfer form is not drawn with the page for anyone (asked for when opened).
    assert large_count == counts[small.number] - 1, "\n".join(queries)
    closed = client.get(
        reverse("cases:act", args=[large.number, "transfer"]), headers={"HX-Request": "true"}
    )
    assert closed.status_code == 200 and "您现在不能办理这一项" in closed.content.decode()
    _reads_nothing_secret(queries)


def test_the_api_case_runs_a_fixed_number_of_queries(client, county_admin, small_and_large):
    api = Api(client, token_for(client, county_admin))
    for case in small_and_large:
        api.get(f"/cases/{case.number}")
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"/cases/{case.number}")
        assert response.status_code == 200
        queries = [q["sql"] for q in ctx.captured_queries]
        assert len(queries) == API_CASE + _scope(county_admin, case.number), "\n".join(queries)
        _reads_nothing_secret(queries)
        assert not any('"number_encrypted"' in sql for sql in queries)


def test_the_api_case_names_its_points_and_people(
    client, county_admin, small_and_large, subzone, receiver, helper
):
    _small, large = small_and_large
    data = Api(client, token_for(client, county_admin)).get(f"/cases/{large.number}").json()
    assert data["handling_point"] == {"id": subzone.pk, "name": subzone.name}
    assert data["responsible"]["id"] == helper.pk
    assert data["handling_helper"] == {"id": receiver.pk, "name": receiver.get_full_name()}
    assert data["entered_by"]["id"] == helper.pk
    declined, accepted = data["transfers"]
    assert declined["status"] == "declined"
    assert declined["suggested_point"] == {"id": subzone.pk, "name": subzone.name}
    assert declined["to_helper"] is None
    assert accepted["to_helper"] == {"id": receiver.pk, "name": receiver.get_full_name()}
    assert [n["repeated"] for n in data["notices"]] == [False, True]


def test_a_case_out_of_scope_or_missing_is_still_404(client, register, make_account, yiyuan):
    case = register()
    far = make_account(Role.HELPER, yiyuan.station("鲁村镇", 1), username="casepage-far")
    client.force_login(far)
    assert client.get(reverse("cases:case", args=[case.number])).status_code == 404
    assert client.get("/cases/370323-20000101-9999/").status_code == 404
    api = Api(client, token_for(client, far))
    assert api.get(f"/cases/{case.number}").status_code == 404
    assert api.get("/cases/370323-20000101-9999").status_code == 404


# --- The linkage directory tests only the helpers of its points ---------------------------------


@pytest.fixture
def mixed_helpers(make_helper, subzone, yiyuan):
    """Helpers at the subzone and a town, qualified or not, each for one reason."""
    today = timezone.localdate()
    town = yiyuan.town("鲁村镇")
    made = {
        "qualified": make_helper(subzone),
        "lead": make_helper(subzone, role=Role.POINT_LEAD),
        "at the town": make_helper(town),
        "left": make_helper(subzone, left_on=today - dt.timedelta(days=3)),
        "leaves later": make_helper(subzone, left_on=today + dt.timedelta(days=30)),
        "too new": make_helper(subzone, started_on=today - dt.timedelta(days=100)),
        "never trained": make_helper(subzone, trained_on=None),
        "failed": make_helper(subzone, passed=False),
    }
    return made, [subzone.pk, town.pk]


def _old_serving(on: dt.date):
    """The rule as it was: a semi-join on every qualified helper of the deployment."""
    return Membership.objects.filter(
        role__in=directory.SERVING_ROLES,
        point__active=True,
        user__helper_profile__in=Helper.objects.qualified(on=on).values("pk"),
    )


def test_the_transfer_forms_helpers_are_the_qualified_ones_as_before(mixed_helpers):
    made, point_ids = mixed_helpers
    today = timezone.localdate()
    found = {row["user_id"] for row in _helpers_at(point_ids)}
    before = set(
        _old_serving(today).filter(point_id__in=point_ids).values_list("user_id", flat=True)
    )
    assert found == before
    names = {made[k].user_id for k in ("qualified", "lead", "at the town", "leaves later")}
    assert names <= found
    for unqualified in ("left", "too new", "never trained", "failed"):
        assert made[unqualified].user_id not in found


def test_the_directory_serves_the_same_memberships_as_before(mixed_helpers, subzone):
    made, _point_ids = mixed_helpers
    today = timezone.localdate()
    for day in (today, dt.date(2021, 6, 1), dt.date(2020, 6, 1)):
        now = set(directory._serving(day).values_list("pk", flat=True))
        assert now == set(_old_serving(day).values_list("pk", flat=True)), day
    assert {m.pk for m in Membership.objects.filter(user=made["qualified"].user)} <= set(
        directory._serving(today).values_list("pk", flat=True)
    )
    helpers = set(directory.helpers(directory.Filter(), on=today).values_list("pk", flat=True))
    assert made["qualified"].pk in helpers and made["failed"].pk not in helpers
    rows = directory.point_rows([subzone.pk], on=today)
    assert [row["id"] for row in rows] == [subzone.pk]
