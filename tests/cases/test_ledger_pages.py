"""The ledger pages: the list (scope for every role, filters, figures, badges, fixed query count),
the case page (everything it shows, masked, fixed query count) and the options of the pickers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.models import Case, CompletionTally, counted_from_cases, next_working_day
from bangban.cases.views import COUNT_CAP, PAGE_SIZE
from bangban.cases.workflow import State
from bangban.network.models import Role
from bangban.workdays import calendar
from tests.pages import page_text as text

from .conftest import person, resident_id


def listed(body: str, *cases) -> set[str]:
    """Which of `cases` the list links to."""
    return {c.number for c in cases if f'href="/cases/{c.number}/"' in body}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def subzone(yiyuan):
    return yiyuan.subzone("medical_insurance")


@pytest.fixture
def receiver(make_helper, subzone):
    return make_helper(subzone).user


def set_(case, **values):
    """Write a case's columns directly, and count its completion afresh as the actions would."""
    Case.objects.filter(pk=case.pk).update(**values)
    CompletionTally.objects.all().delete()
    CompletionTally.objects.bulk_create(counted_from_cases(Case.objects.all()))


# --- The list: who sees what ------------------------------------------------------------------------


def _binding(yiyuan, where):
    return {
        "county": yiyuan.county,
        "town": yiyuan.town("鲁村镇"),
        "other_town": yiyuan.town("南麻街道"),
        "station": yiyuan.station("鲁村镇"),
        "other_station": yiyuan.station("鲁村镇", 1),
    }[where]


SCOPE = [
    (Role.HELPER, "station", True),
    (Role.HELPER, "other_station", False),
    (Role.POINT_LEAD, "station", True),
    (Role.POINT_LEAD, "other_station", False),
    (Role.TOWN_ADMIN, "town", True),
    (Role.TOWN_ADMIN, "other_town", False),
    (Role.REGION_ADMIN, "county", True),
    (Role.SUPERVISOR, "county", True),
]


@pytest.mark.parametrize(("role", "where", "sees"), SCOPE)
def test_the_ledger_and_the_case_page_show_a_case_to_those_in_scope(
    client, register, make_account, yiyuan, role, where, sees
):
    case = register()
    client.force_login(
        make_account(role, _binding(yiyuan, where), username=f"pages-{role}-{where}")
    )
    body = text(client.get(reverse("cases:ledger")))
    assert listed(body, case) == ({case.number} if sees else set())
    page = client.get(reverse("cases:case", args=[case.number]))
    assert page.status_code == (200 if sees else 404)


def test_the_first_responsible_helper_keeps_the_case_after_a_transfer(
    client, register, helper, subzone, receiver
):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    actions.accept_transfer(transfer, by=receiver)
    helper.memberships.all().delete()  # even when no longer at the station
    client.force_login(helper)
    assert listed(text(client.get(reverse("cases:ledger"))), case) == {case.number}
    assert client.get(reverse("cases:case", args=[case.number])).status_code == 200


def test_the_receiving_point_sees_a_case_while_its_transfer_is_pending(
    client, register, helper, subzone, receiver
):
    case = register()
    client.force_login(receiver)
    assert listed(text(client.get(reverse("cases:ledger"))), case) == set()
    actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    assert listed(text(client.get(reverse("cases:ledger"))), case) == {case.number}
    body = text(client.get(reverse("cases:case", args=[case.number])))
    assert "待接收" in body and "纵向联动" in body


def test_the_ledger_needs_a_login(client):
    response = client.get(reverse("cases:ledger"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- The list: filters, figures, warnings ------------------------------------------------------------


@pytest.fixture
def county_admin(make_account, yiyuan):
    return make_account(Role.REGION_ADMIN, yiyuan.county, username="pages-county-admin")


def test_filters_narrow_the_list(client, register, county_admin, make_item, yiyuan):
    other_item = make_item(name="居民养老保险参保登记")
    old = register(applicant=person(name="王德福", number=resident_id(born="19400101")))
    young = register(applicant=person(name="李小明", number=resident_id(born="19900101")))
    other = register(item=other_item)
    set_(young, elderly=False)
    set_(old, elderly=True)
    client.force_login(county_admin)
    url = reverse("cases:ledger")
    assert listed(text(client.get(url, {"special": "elderly"})), old, young) == {old.number}
    assert listed(text(client.get(url, {"q": "李小"})), old, young, other) == {young.number}
    body = text(client.get(url, {"item": other_item.pk}))
    assert listed(body, old, young, other) == {other.number}
    assert f'<option value="{other_item.pk}" selected>' in body  # the picker keeps the choice
    town = yiyuan.town("鲁村镇")  # the point filter takes the subtree below a point
    assert len(listed(text(client.get(url, {"point": town.pk})), old, young, other)) == 3
    elsewhere = yiyuan.town("南麻街道")
    assert listed(text(client.get(url, {"point": elsewhere.pk})), old, young, other) == set()


def test_states_and_dates_filter_together(client, register, county_admin):
    first, second = register(), register()
    set_(second, status=State.COMPLETED, completed_on=timezone.localdate())
    client.force_login(county_admin)
    url = reverse("cases:ledger")
    assert listed(text(client.get(url, {"state": ["completed"]})), first, second) == {second.number}
    today = timezone.localdate().isoformat()
    body = text(client.get(url, {"completed_from": today, "completed_to": today}))
    assert listed(body, first, second) == {second.number}
    # The form as a browser sends it, the order select left at its default (blank): a range of
    # completion days comes back in completion order, newest first (decision 0072)
    third = register()
    set_(third, status=State.COMPLETED, completed_on=timezone.localdate() - dt.timedelta(days=3))
    set_(first, status=State.COMPLETED, completed_on=timezone.localdate() - dt.timedelta(days=1))
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    sent = client.post(url, {"completed_from": since, "completed_to": today, "sort": ""})
    assert sent.status_code == 302 and "sort" not in sent["Location"]
    page = client.get(sent["Location"]).content.decode()
    assert '<option value="" selected>' in page
    assert page.index(second.number) < page.index(first.number) < page.index(third.number)
    chosen = client.get(url, {"completed_from": since, "sort": "registered"}).content.decode()
    assert chosen.index(first.number) < chosen.index(second.number) < chosen.index(third.number)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"registered_from": "2026-13-45"}, "登记日期自", "有效的日期"),
        ({"point": "abc"}, "服务点（含下级）", "整数"),
        (
            {"registered_from": "2026-11-25", "registered_to": "2026-11-01"},
            "登记日期至",
            "结束日期不能早于开始日期",
        ),
        ({"state": "nonsense"}, "状态", "nonsense"),
        ({"sort": "password"}, "排序", "password"),
    ],
)
def test_an_invalid_filter_says_why_and_the_rest_still_applies(
    client, register, county_admin, params, field, message
):
    case = register()
    client.force_login(county_admin)
    response = client.get(reverse("cases:ledger"), {**params, "q": case.number})
    body = text(response)
    assert "以下筛选条件有误，已忽略" in body
    assert field in body and message in body
    assert 'aria-invalid="true"' in body
    assert listed(body, case) == {case.number}


def test_garbage_page_numbers_and_pickers_do_not_fail(client, register, county_admin):
    register()
    client.force_login(county_admin)
    url = reverse("cases:ledger")
    for params in ({"page": "x"}, {"page": "-3"}, {"page": "99999999999"}, {"helper": "9" * 30}):
        assert client.get(url, params).status_code == 200


def test_the_figures_and_the_cards_follow_the_definitions(client, register, county_admin):
    today = timezone.localdate()
    due, late, calm, done_late = register(), register(), register(), register()
    set_(
        due,
        status=State.IN_PROGRESS,
        deemed_deadline=None,
        accepted_on=due.received_on,
        promised_deadline=next_working_day(today),
    )
    set_(
        late,
        status=State.IN_PROGRESS,
        deemed_deadline=None,
        accepted_on=late.received_on,
        promised_deadline=today - dt.timedelta(days=1),
    )
    set_(
        calm,
        status=State.IN_PROGRESS,
        deemed_deadline=None,
        accepted_on=calm.received_on,
        promised_deadline=today + dt.timedelta(days=40),
    )
    set_(
        done_late,
        status=State.COMPLETED,
        deemed_deadline=None,
        accepted_on=done_late.received_on,
        promised_deadline=today - dt.timedelta(days=1),
        completed_on=today,
    )
    client.force_login(county_admin)
    body = text(client.get(reverse("cases:ledger")))
    assert re.search(r'id="figure-open">3<', body)
    assert re.search(r'id="figure-near"><a [^>]*>1<', body)
    assert re.search(r'id="figure-overdue"><a [^>]*>1<', body)
    assert re.search(r'id="figure-month">0\.0%<', body)
    assert "在办超期 1 件" in body  # beside the rate, never hidden by it
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(
            r'<tr(?: class="row-\w+")?>\s*<td class="number"><a href="/cases/([^/]+)/".*?</tr>',
            body,
            re.S,
        )
    }
    assert "黄牌" in rows[due.number] and "红牌" not in rows[due.number]
    assert "红牌" in rows[late.number]
    assert "牌" not in rows[calm.number] and "牌" not in rows[done_late.number]
    near = text(client.get(reverse("cases:ledger"), {"warning": "near_deadline"}))
    assert listed(near, due, late, calm, done_late) == {due.number}


def test_pages_without_an_exact_count(client, register, county_admin, monkeypatch):
    from bangban.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 2)
    cases = [register() for _ in range(3)]
    client.force_login(county_admin)
    url = reverse("cases:ledger")
    first = text(client.get(url, {"sort": "registered"}))
    assert listed(first, *cases) == {cases[0].number, cases[1].number}
    assert "超过 2 件" in first and "下一页" in first and "上一页" not in first
    second = text(client.get(url, {"sort": "registered", "page": 2}))
    assert listed(second, *cases) == {cases[2].number}
    assert "上一页" in second and "下一页" not in second


@pytest.mark.parametrize("rows", [1, PAGE_SIZE])
def test_the_list_runs_a_fixed_number_of_queries(
    client, register, county_admin, django_assert_num_queries, rows
):
    assert rows <= COUNT_CAP
    for _ in range(rows):
        register()
    client.force_login(county_admin)
    url = reverse("cases:ledger")
    # The calendar is cached after the first request, and checked again only after 30 seconds:
    # read afresh now, so that no check falls inside the measured requests.
    calendar.invalidate()
    client.get(url)
    # No picker lists its options on the page (they are asked for on demand: decision 0064).
    with django_assert_num_queries(10):
        body = text(client.get(url, {"sort": "deadline", "special": "any", "kind": "assisted"}))
    assert body.count('<td class="number">') == rows
    with django_assert_num_queries(10):
        body = text(client.get(url))
    assert body.count('<td class="number">') == rows


# --- The pickers ----------------------------------------------------------------------------------


def test_the_point_picker_lists_the_users_own_points(client, make_account, yiyuan):
    town = yiyuan.town("鲁村镇")
    client.force_login(make_account(Role.TOWN_ADMIN, town, username="pages-picker-town"))
    options = text(client.get(reverse("cases:ledger_options"), {"field": "point"}))
    assert town.name in options
    assert yiyuan.station("鲁村镇").name in options
    assert yiyuan.town("南麻街道").name not in options


def test_the_page_draws_only_the_chosen_options_and_asks_for_the_rest(
    client, make_account, yiyuan, helper, item
):
    """The pickers' lists are not drawn on every page (decision 0064): the select holds the chosen
    option only, says how to find the others, and asks for its list when the conditions open."""
    town = yiyuan.town("鲁村镇")
    client.force_login(make_account(Role.TOWN_ADMIN, town, username="pages-picker-town"))
    url = reverse("cases:ledger")

    def select(body, name):
        return re.search(rf'<select name="{name}".*?</select>', body, re.S).group(0)

    body = text(client.get(url))
    for name in ("point", "helper", "item"):
        drawn = select(body, name)
        assert drawn.count("<option") == 2 and "其他选项请输入文字查找" in drawn
        assert 'hx-get="/cases/options/"' in drawn and f'"field": "{name}"' in drawn
        assert "toggle from:closest details once" in drawn
    station = yiyuan.station("鲁村镇")
    body = text(client.get(url, {"point": station.pk, "helper": helper.pk, "item": item.pk}))
    assert f'<option value="{station.pk}" selected>{station.name}</option>' in select(body, "point")
    assert f'<option value="{helper.pk}" selected>' in select(body, "helper")
    assert f'<option value="{item.pk}" selected>' in select(body, "item")
    assert select(body, "point").count("<option") == 3
    # A filtered page opens its conditions: the lists are asked for once it has loaded.
    assert 'hx-trigger="load"' in select(body, "point")
    # A point outside the user's scope is never named, even when chosen in the URL.
    elsewhere = yiyuan.town("南麻街道")
    body = text(client.get(url, {"point": elsewhere.pk}))
    assert elsewhere.name not in select(body, "point")


def test_a_county_picker_shows_whole_levels_and_searches_the_rest(
    client, county_admin, yiyuan, monkeypatch
):
    from bangban.cases import views

    monkeypatch.setattr(views, "PICKER_LIMIT", 40)
    client.force_login(county_admin)
    options = text(client.get(reverse("cases:ledger_options"), {"field": "point"}))
    station = yiyuan.station("鲁村镇")
    assert yiyuan.centre.name in options and station.name not in options
    assert "更多结果请输入文字查找" in options
    found = text(
        client.get(reverse("cases:ledger_options"), {"field": "point", "point_find": station.name})
    )
    assert f'<option value="{station.pk}">' in found
    # Without JavaScript: the search text goes with the filter and narrows the page's options.
    page = text(client.get(reverse("cases:ledger"), {"point_find": station.name}))
    select = re.search(r'<select name="point".*?</select>', page, re.S).group(0)
    assert f'<option value="{station.pk}">' in select and "hx-get" not in select


def test_the_helper_picker_finds_helpers_in_scope_only(
    client, helper, make_helper, yiyuan, county_admin
):
    elsewhere = make_helper(yiyuan.station("南麻街道")).user
    town_admin_user = helper  # a helper sees the helpers of the own station
    client.force_login(town_admin_user)
    body = text(client.get(reverse("cases:ledger_options"), {"field": "helper"}))
    assert f'value="{helper.pk}"' in body and f'value="{elsewhere.pk}"' not in body
    client.force_login(county_admin)
    body = text(client.get(reverse("cases:ledger_options"), {"field": "helper"}))
    assert f'value="{elsewhere.pk}"' in body
    assert client.get(reverse("cases:ledger_options"), {"field": "password"}).status_code == 404


def test_the_item_picker_searches_the_catalog(client, helper, item, make_item):
    other = make_item(name="居民养老保险参保登记")
    client.force_login(helper)
    body = text(client.get(reverse("cases:ledger_options"), {"field": "item", "item_find": "养老"}))
    assert f'value="{other.pk}"' in body and f'value="{item.pk}"' not in body


# --- The case page ---------------------------------------------------------------------------------

ID = resident_id(born="19450312", sequence=421)
PHONE = "13805331234"


@pytest.fixture
def story(register, helper, subzone, receiver):
    """A case with a notice, a transfer accepted by the 医保 sub-zone, and a progress note."""
    case = register(applicant=person(number=ID, phone=PHONE, needs="行动不便"))
    line = case.materials.order_by("position").first()
    actions.issue_notice(
        case,
        items=[actions.NoticeItem(line_id=line.pk, reason="missing", note="原件")],
        supply_by=timezone.localdate() + dt.timedelta(days=10),
        by=helper,
    )
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    actions.accept_transfer(transfer, by=receiver)
    actions.record_progress(case, by=receiver, text="材料已转医保经办机构审核")
    return Case.objects.get(pk=case.pk)


def test_the_case_page_shows_the_header_applicant_item_and_people(client, story, helper, subzone):
    client.force_login(helper)
    body = text(client.get(reverse("cases:case", args=[story.number])))
    assert story.number in body and "待补正材料" in body
    assert story.revision.name in body
    assert f"/catalog/{story.item_id}/revisions/{story.revision.number}/" in body
    assert "370323********" + ID[-4:] in body
    assert "138****1234" in body and "行动不便" in body and "老年人" in body
    assert subzone.name in body and story.registering_point.name in body
    assert reverse("cases:receipt", args=[story.number]) in body
    assert reverse("cases:refusal", args=[story.number]) not in body


def test_the_case_page_lists_notices_transfers_and_holding_days(client, story, helper, subzone):
    client.force_login(helper)
    body = text(client.get(reverse("cases:case", args=[story.number])))
    notice = story.notices.get()
    assert reverse("cases:notice", args=[story.number, notice.number]) in body
    assert "需县医保分区办理" in body and "已接收" in body and "纵向联动" in body
    holding = re.search(r'<ul class="mb-0" id="holding">(.*?)</ul>', body, re.S).group(1)
    assert story.registering_point.name in holding and subzone.name in holding


def test_the_timeline_reads_the_events(client, story, helper, receiver):
    client.force_login(helper)
    body = text(client.get(reverse("cases:case", args=[story.number])))
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', body, re.S).group(1)
    labels = re.findall(r'<span class="what">(.*?)</span>', timeline)
    assert labels == ["登记", "一次性告知", "转办", "接收转办", "进度反馈"]
    assert "已登记 → 待补正材料" in timeline
    assert "材料已转医保经办机构审核" in timeline
    assert "测试用户" in timeline  # who


def test_the_message_log_is_masked(client, story, helper):
    client.force_login(helper)
    body = text(client.get(reverse("cases:case", args=[story.number])))
    log = re.search(r'id="messages-heading">.*?</section>', body, re.S).group(0)
    assert log.count("138****1234") >= 3  # registered, notice, transfer, progress
    assert "材料已转医保经办机构审核" in log


@pytest.mark.parametrize("who", ["helper", "receiver", "lead", "town", "county", "supervisor"])
def test_no_full_id_number_or_phone_in_any_page(
    client, story, helper, receiver, make_account, yiyuan, who
):
    user = {
        "helper": lambda: helper,
        "receiver": lambda: receiver,
        "lead": lambda: make_account(Role.POINT_LEAD, story.registering_point, username="m-lead"),
        "town": lambda: make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="m-town"),
        "county": lambda: make_account(Role.REGION_ADMIN, yiyuan.county, username="m-county"),
        "supervisor": lambda: make_account(Role.SUPERVISOR, yiyuan.county, username="m-sup"),
    }[who]()
    client.force_login(user)
    for url in (reverse("cases:ledger"), reverse("cases:case", args=[story.number])):
        body = text(client.get(url))
        assert ID not in body and ID[6:14] + ID[14:] not in body
        assert PHONE not in body
        assert story.number in body


def test_an_enterprise_shows_its_credit_code(client, register, helper):
    from bangban.cases.identifiers import credit_code_check_character

    code = "N2370323MA3C4D5E6"
    code += credit_code_check_character(code)
    case = register(
        applicant=person(
            kind="organisation", name="某村股份经济合作社", document_type="credit_code", number=code
        )
    )
    client.force_login(helper)
    assert code in text(client.get(reverse("cases:ledger")))
    body = text(client.get(reverse("cases:case", args=[case.number])))
    assert code in body and "查看完整号码" not in body


def test_a_refused_case_links_its_refusal(client, register, helper):
    case = register()
    actions.refuse_case(
        case, by=helper, reason="不属于本事项受理范围", document_number="沂医保不受字〔2026〕7号"
    )
    client.force_login(helper)
    body = text(client.get(reverse("cases:case", args=[case.number])))
    assert reverse("cases:refusal", args=[case.number]) in body
    assert "不属于本事项受理范围" in body
    assert f"{case.revision.department.name} 沂医保不受字〔2026〕7号" in body


def test_the_case_page_runs_a_fixed_number_of_queries(
    client, register, helper, django_assert_num_queries
):
    small, large = register(), register()
    for n in range(6):
        actions.record_progress(large, by=helper, text=f"进度 {n}")
    actions.record_progress(small, by=helper, text="进度")
    client.force_login(helper)
    client.get(reverse("cases:case", args=[small.number]))
    counts = []
    for case in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            text(client.get(reverse("cases:case", args=[case.number])))
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get(reverse("cases:case", args=[large.number]))


def test_a_case_out_of_scope_is_404_like_a_missing_one(client, register, make_account, yiyuan):
    case = register()
    client.force_login(make_account(Role.HELPER, yiyuan.station("鲁村镇", 1), username="pages-far"))
    assert client.get(reverse("cases:case", args=[case.number])).status_code == 404
    assert client.get("/cases/370323-20000101-9999/").status_code == 404
