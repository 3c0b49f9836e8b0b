"""The linkage directory (联动信息库): every point and qualified helper of the deployment, directory
fields only; searchable by place, domain and Chinese text; paged; exported to Excel."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.network.actions import Period, index_users, set_opening_hours
from bangban.network.models import Domain, Role, ServicePoint
from bangban.staff import actions, directory
from bangban.staff.models import Helper

Kind = ServicePoint.Kind
TODAY = timezone.localdate()
EVERYTHING = directory.Filter()


@pytest.fixture
def helper_at(make_helper):
    """helper_at(point, name, domains=(), phone="", **make_helper options) → a Helper."""

    def make(point, name: str, domains=(), phone: str = "", **options) -> Helper:
        helper = make_helper(point, **options)
        helper.user.first_name = name
        helper.user.email = f"{helper.user.username}@example.cn"
        helper.user.save()
        index_users(
            [helper.user.pk]
        )  # renamed here directly: its grams rewritten as an action would
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


@pytest.fixture
def lucun(yiyuan):
    return yiyuan.station("鲁村镇")


@pytest.fixture
def as_village_helper(client, yiyuan, make_account):
    """Any signed-in user reads the whole directory: here a helper of a village in another town."""
    client.force_login(make_account(Role.HELPER, yiyuan.station("南麻街道"), username="reader"))
    return client


def _all_point_names(f=EVERYTHING) -> set[str]:
    ids = list(directory.points(f, on=TODAY).values_list("pk", flat=True))
    return {row["name"] for row in directory.point_rows(ids, on=TODAY)}


def _helper_names(f=EVERYTHING) -> list[str]:
    ids = list(directory.helpers(f, on=TODAY).values_list("pk", flat=True))
    return [row["name"] for row in directory.helper_rows(ids, on=TODAY)]


# --- What it lists ---------------------------------------------------------------------------------


def test_every_active_point_of_the_deployment_is_listed(yiyuan):
    assert directory.points(directory.Filter(), on=TODAY).count() == (
        ServicePoint.objects.filter(active=True).count()
    )


def test_an_inactive_point_is_not_listed(yiyuan, lucun):
    lucun.active = False
    lucun.save()
    assert lucun.name not in _all_point_names()


def test_only_qualified_helpers_are_listed(yiyuan, lucun, helper_at):
    helper_at(lucun, "李合格")
    helper_at(lucun, "王未培训", trained_on=None)
    helper_at(lucun, "赵不及格", passed=False)
    helper_at(lucun, "钱新手", started_on=TODAY - dt.timedelta(days=30))
    helper_at(lucun, "孙离岗", left_on=TODAY - dt.timedelta(days=1))
    assert _helper_names() == ["李合格"]


def test_a_point_row_carries_directory_fields_only(yiyuan, lucun, helper_at):
    lucun.phone = "0533-3210001"
    lucun.save()
    set_opening_hours(
        lucun,
        [
            *(Period(d, dt.time(9), dt.time(12)) for d in range(1, 6)),
            Period(6, dt.time(9), dt.time(11), "extended"),
        ],
        by=None,
    )
    helper_at(lucun, "李合格", domains=["medical_insurance", "tax"])
    [row] = directory.point_rows([lucun.pk], on=TODAY)
    assert row == {
        "id": lucun.pk,
        "name": lucun.name,
        "kind": "村（社区）便民服务站",
        "town": "鲁村镇",
        "domains": ["医保", "税务"]
        if Domain.objects.get(code="tax").name == "税务"
        else row["domains"],
        "hours": "星期一至星期五 09:00–12:00；延时服务：星期六 09:00–11:00",
        "phone": "0533-3210001",
    }
    assert len(row["domains"]) == 2


def test_a_subzone_handles_its_own_domain(yiyuan):
    subzone = yiyuan.subzone("medical_insurance")
    [row] = directory.point_rows([subzone.pk], on=TODAY)
    assert row["domains"] == [subzone.domain.name]


def test_an_unqualified_helper_adds_no_domain_to_the_point(yiyuan, lucun, helper_at):
    helper_at(lucun, "王未培训", domains=["tax"], trained_on=None)
    [row] = directory.point_rows([lucun.pk], on=TODAY)
    assert row["domains"] == []


def test_a_helper_row_names_every_point_where_they_serve(yiyuan, lucun, helper_at):
    from bangban.network.actions import grant_membership

    helper = helper_at(lucun, "李合格", domains=["tax"], phone="0533-1234567")
    grant_membership(helper.user, role=Role.HELPER, binding=yiyuan.town("鲁村镇"), by=None)
    [row] = directory.helper_rows([helper.pk], on=TODAY)
    assert row["name"] == "李合格"
    assert set(row["points"]) == {lucun.name, yiyuan.town("鲁村镇").name}
    assert row["work_phone"] == "0533-1234567"
    assert set(row) == {"name", "points", "domains", "work_phone"}


# --- Search ----------------------------------------------------------------------------------------


def test_search_by_town_name(yiyuan, lucun):
    names = _all_point_names(directory.Filter(place="鲁村镇"))
    assert lucun.name in names
    assert yiyuan.station("南麻街道").name not in names
    assert yiyuan.zone.name not in names


def test_search_by_town_code_in_its_9_and_12_digit_forms(yiyuan, lucun):
    town = lucun.region.parent.code
    assert _all_point_names(directory.Filter(place=town)) == _all_point_names(
        directory.Filter(place=town + "000")
    )
    assert lucun.name in _all_point_names(directory.Filter(place=town))


def test_an_unknown_town_name_is_reported(yiyuan):
    with pytest.raises(directory.UnknownPlace):
        directory.points(directory.Filter(place="不存在镇"), on=TODAY)


def test_search_by_domain_finds_the_subzone_and_points_with_a_qualified_helper(
    yiyuan, lucun, helper_at
):
    helper_at(lucun, "李合格", domains=["medical_insurance"])
    helper_at(
        yiyuan.station("南麻街道"), "王未培训", domains=["medical_insurance"], trained_on=None
    )
    names = _all_point_names(directory.Filter(domain="medical_insurance"))
    assert names == {lucun.name, yiyuan.subzone("medical_insurance").name}
    assert _helper_names(directory.Filter(domain="medical_insurance")) == ["李合格"]


def test_search_by_chinese_text_matches_helper_and_point_names(yiyuan, lucun, helper_at):
    helper_at(lucun, "李合格")
    helper_at(yiyuan.zone, "王专区")
    assert _helper_names(directory.Filter(text="李")) == ["李合格"]
    assert _helper_names(directory.Filter(text=lucun.name[:4])) == ["李合格"]
    assert lucun.name in _all_point_names(directory.Filter(text=lucun.name))


def test_search_helpers_by_town_and_domain(yiyuan, lucun, helper_at):
    helper_at(lucun, "李合格", domains=["tax"])
    helper_at(yiyuan.station("南麻街道"), "王南麻", domains=["tax"])
    assert _helper_names(directory.Filter(place="鲁村镇", domain="tax")) == ["李合格"]


def test_the_hours_summary_joins_days_with_the_same_periods():
    from bangban.network.actions import STANDARD_WEEK
    from bangban.network.models import OpeningHours

    periods = [
        OpeningHours(weekday=p.weekday, opens_at=p.opens_at, closes_at=p.closes_at, kind=p.kind)
        for p in STANDARD_WEEK
    ]
    assert directory.hours_summary(periods) == "星期一至星期五 09:00–12:00、13:30–17:30"
    assert directory.hours_summary([]) == ""


# --- The page --------------------------------------------------------------------------------------


def test_any_signed_in_user_sees_the_whole_deployment(as_village_helper, yiyuan, lucun):
    response = as_village_helper.get(
        reverse("staff:directory"), {"place": "鲁村镇", "q": lucun.name}
    )
    assert response.status_code == 200
    assert lucun.name in response.content.decode()


def test_the_page_requires_login(client, yiyuan):
    response = client.get(reverse("staff:directory"))
    assert response.status_code == 302


def test_the_page_shows_no_username_email_or_personal_data(
    as_village_helper, yiyuan, lucun, helper_at
):
    helper = helper_at(lucun, "李合格", domains=["tax"], phone="0533-7654321")
    response = as_village_helper.get(reverse("staff:directory"), {"show": "helpers", "q": "李合格"})
    page = response.content.decode()
    assert "李合格" in page and "0533-7654321" in page
    assert helper.user.username not in page
    assert helper.user.email not in page
    assert f"/staff/helpers/{helper.pk}/" not in page  # nothing links to a scoped page
    assert '<form method="post"' not in page


def test_the_page_is_paged_by_50(as_village_helper, yiyuan):
    response = as_village_helper.get(reverse("staff:directory"))
    assert response.context["page"].paginator.per_page == 50
    assert len(response.context["rows"]) == 50


def test_the_page_costs_a_fixed_number_of_queries(
    as_village_helper, yiyuan, lucun, helper_at, django_assert_num_queries
):
    """Session, user, domains, count, page ids, three row queries, domain names, the town picker,
    the navbar's memberships (+1 to look up a town given by name), however many rows."""
    for i in range(3):
        helper_at(yiyuan.station("鲁村镇", i), f"李{i}", domains=["tax"])
    url = reverse("staff:directory")
    as_village_helper.get(url)
    with django_assert_num_queries(12):
        as_village_helper.get(url, {"place": "鲁村镇"})
    with django_assert_num_queries(11):
        as_village_helper.get(url, {"show": "helpers"})
    for i in range(3, 8):
        helper_at(yiyuan.station("鲁村镇", i), f"李{i}", domains=["tax", "justice"])
    with django_assert_num_queries(11):
        as_village_helper.get(url, {"show": "helpers"})
    with django_assert_num_queries(11):
        as_village_helper.get(url, {"place": "370323", "page": 3})


def test_a_bad_place_is_reported_on_the_form(as_village_helper, yiyuan):
    response = as_village_helper.get(reverse("staff:directory"), {"place": "不存在镇"})
    assert response.status_code == 200
    assert "找不到名为“不存在镇”的镇（街道）或县。" in response.content.decode()


def test_the_htmx_search_answers_with_the_results_only(as_village_helper, yiyuan):
    response = as_village_helper.get(
        reverse("staff:directory"), {"place": "鲁村镇"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.content.decode()
    assert "directory-heading" in response.content.decode()


# --- The export ------------------------------------------------------------------------------------


def test_the_export_opens_with_openpyxl_and_has_the_rows(
    as_village_helper, yiyuan, lucun, helper_at
):
    helper_at(lucun, "李合格", domains=["tax"], phone="0533-7654321")
    response = as_village_helper.get(reverse("staff:directory_export"), {"place": "鲁村镇"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    points, helpers = book.worksheets
    point_rows = list(points.iter_rows(values_only=True))
    assert point_rows[0][:2] == ("服务点编号", "服务点名称")
    expected = (
        ServicePoint.objects.filter(active=True)
        .filter(region__code__startswith=lucun.region.parent.code)
        .count()
    )
    assert len(point_rows) - 1 == expected
    assert lucun.name in {r[1] for r in point_rows[1:]}
    helper_rows = list(helpers.iter_rows(values_only=True))
    assert helper_rows[1] == (
        "李合格",
        lucun.name,
        "税务" if Domain.objects.get(code="tax").name == "税务" else helper_rows[1][2],
        "0533-7654321",
    )


def test_an_export_over_the_cap_is_refused_in_chinese(as_village_helper, yiyuan, monkeypatch):
    monkeypatch.setattr(directory, "MAX_EXPORT_ROWS", 10)
    response = as_village_helper.get(reverse("staff:directory_export"))
    assert response.status_code == 400
    assert "超过一次导出的上限 10 条" in response.content.decode()
