"""The home page (首页, decision 0036): every login lands there unless `next` says otherwise, and each
role finds its own work — a helper their cases, the transfers waiting for their point and the yellow
and red cards; an administrator the live figures of their scope. The network tree stays in the nav."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.home_views import ADMIN, HELPER, NONE, work_of
from bangban.cases.models import Case, next_working_day
from bangban.cases.workflow import State
from bangban.network.models import Role
from tests.conftest import PASSWORD
from tests.pages import page_text as text

from .conftest import person


def heading(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", text(response), re.S).group(1).strip()


def log_in(client, user, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD, **extra})


@pytest.fixture
def subzone(yiyuan):
    return yiyuan.subzone("medical_insurance")


@pytest.fixture
def accounts(yiyuan, make_account, helper, station):
    """One account per role, bound as the demo binds them (network/demo.py)."""
    return {
        Role.REGION_ADMIN: make_account(Role.REGION_ADMIN, yiyuan.county),
        Role.SUPERVISOR: make_account(Role.SUPERVISOR, yiyuan.county),
        Role.DEPARTMENT_ADMIN: make_account(
            Role.DEPARTMENT_ADMIN, yiyuan.department("县医疗保障局")
        ),
        Role.TOWN_ADMIN: make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")),
        Role.PARTNER_ADMIN: make_account(
            Role.PARTNER_ADMIN, yiyuan.organisation("沂源农村商业银行")
        ),
        Role.POINT_LEAD: make_account(Role.POINT_LEAD, station),
        Role.HELPER: helper,
    }


def overdue(case: Case, days_late: int = 3) -> Case:
    """Make `case` in progress with a promised deadline `days_late` days ago (红牌)."""
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(
        status=State.IN_PROGRESS,
        deemed_deadline=None,
        accepted_on=case.received_on,
        promised_deadline=today - dt.timedelta(days=days_late),
    )
    return Case.objects.get(pk=case.pk)


def near(case: Case) -> Case:
    """Make `case` due on the next working day (黄牌)."""
    Case.objects.filter(pk=case.pk).update(
        status=State.IN_PROGRESS,
        deemed_deadline=None,
        accepted_on=case.received_on,
        promised_deadline=next_working_day(timezone.localdate()),
    )
    return Case.objects.get(pk=case.pk)


# --- Who lands where ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "work"),
    [
        (Role.REGION_ADMIN, ADMIN),
        (Role.SUPERVISOR, ADMIN),
        (Role.DEPARTMENT_ADMIN, ADMIN),
        (Role.TOWN_ADMIN, ADMIN),
        (Role.PARTNER_ADMIN, ADMIN),
        (Role.POINT_LEAD, HELPER),
        (Role.HELPER, HELPER),
    ],
)
def test_each_role_logs_in_to_the_home_page_of_its_work(client, accounts, role, work):
    user = accounts[role]
    assert work_of(user) == work
    response = log_in(client, user)
    assert response.status_code == 302
    assert response.url == reverse("home") == "/"
    page = client.get(response.url)
    assert page.status_code == 200
    assert heading(page) == ("我的工作" if work == HELPER else "工作概况")
    assert "下级服务点" not in text(page)
    body = text(page)
    # The home is the nav's first item, and the network tree is still there.
    nav = body[body.index('aria-label="主导航"') :]
    links = re.findall(r'class="nav-link[^"]*"[^>]*href="([^"]+)"', nav)
    assert links[0] == "/" and reverse("network:tree") in links
    if work == ADMIN:
        assert 'id="figure-open"' in body and 'id="figure-overdue"' in body
    else:
        assert 'id="figure-open"' not in body and "我负责的在办件" in body


def test_next_is_respected(client, accounts):
    response = log_in(client, accounts[Role.HELPER], next=reverse("catalog:items"))
    assert response.url == reverse("catalog:items")


def test_a_superuser_lands_on_the_figures_of_everything(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root-home", password=PASSWORD)
    assert work_of(admin) == ADMIN
    client.force_login(admin)
    assert heading(client.get("/")) == "工作概况"


def test_an_account_without_a_role_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("nobody-home", password=PASSWORD)
    assert work_of(user) == NONE
    client.force_login(user)
    page = text(client.get("/"))
    assert "还没有分配角色" in page and "figure-open" not in page


def test_administering_wins_over_serving(yiyuan, accounts, station):
    from bangban.network.actions import grant_membership

    lead = accounts[Role.TOWN_ADMIN]
    grant_membership(lead, role=Role.HELPER, binding=station, by=None)
    assert work_of(lead) == ADMIN


def test_the_home_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_network_tree_is_still_reachable(client, accounts):
    client.force_login(accounts[Role.TOWN_ADMIN])
    response = client.get(reverse("network:tree"))
    assert response.status_code == 200 and heading(response) == "鲁村镇便民服务中心"


# --- What a helper finds -------------------------------------------------------------------------------


def test_a_helper_sees_the_transfers_waiting_for_their_point(
    client, register, helper, make_helper, subzone, yiyuan
):
    receiver = make_helper(subzone).user
    named = register(applicant=person(name="李桂兰"))
    other = register(applicant=person(name="王建国"))
    actions.transfer_case(other, to_point=subzone, reason="需县医保分区办理", by=helper)
    actions.transfer_case(
        named, to_point=subzone, reason="需县医保分区办理", by=helper, to_helper=receiver
    )
    client.force_login(receiver)
    page = text(client.get("/"))
    assert "转办待接收（2 件）" in page
    assert page.index(named.number) < page.index(other.number)  # named to them first
    assert "指定由您接收" in page
    assert reverse("cases:transfers") in page
    # The sending helper has none waiting for their point.
    client.force_login(helper)
    assert "转办待接收（0 件）" in text(client.get("/"))


def test_a_helper_sees_red_and_yellow_cards_first_and_their_open_cases(client, register, helper):
    late = overdue(register(applicant=person(name="赵红")))
    soon = near(register(applicant=person(name="钱黄")))
    calm = register(applicant=person(name="孙平"))
    closed = register(applicant=person(name="周结"))
    Case.objects.filter(pk=closed.pk).update(status=State.WITHDRAWN, deemed_deadline=None)
    client.force_login(helper)
    page = text(client.get("/"))
    assert "预警：红牌 1 件，黄牌 1 件" in page
    cards = page[page.index('id="home-cards"') : page.index('id="home-mine"')]
    assert cards.index(late.number) < cards.index(soon.number)
    assert "红牌·已超期" in cards and "黄牌·临近期限" in cards
    assert calm.number not in cards
    mine = page[page.index('id="home-mine"') :]
    assert "我负责的在办件（3 件）" in mine
    for case in (late, soon, calm):
        assert case.number in mine
    assert closed.number not in mine


def test_a_helper_does_not_see_another_points_cards(client, register, make_helper, yiyuan):
    late = overdue(register())
    elsewhere = make_helper(yiyuan.station("鲁村镇", 1)).user
    client.force_login(elsewhere)
    page = text(client.get("/"))
    assert late.number not in page and "预警：红牌 0 件，黄牌 0 件" in page
    assert "没有临近期限或已超期的办件" in page


# --- What an administrator finds ----------------------------------------------------------------


def test_an_administrator_sees_the_figures_of_their_scope(client, register, accounts, yiyuan):
    overdue(register())
    near(register())
    register()
    client.force_login(accounts[Role.TOWN_ADMIN])
    page = text(client.get("/"))
    figure = dict(re.findall(r'id="figure-(\w+)">(?:<a [^>]*>)?(\d+)', page))
    assert figure == {"open": "3", "near": "1", "overdue": "1"}
    assert "预警：红牌 1 件，黄牌 1 件" in page
    assert "鲁村镇便民服务中心" in page  # where the role is bound
    # A partner admin's scope has none of them.
    client.force_login(accounts[Role.PARTNER_ADMIN])
    page = text(client.get("/"))
    assert dict(re.findall(r'id="figure-(\w+)">(?:<a [^>]*>)?(\d+)', page)) == {
        "open": "0",
        "near": "0",
        "overdue": "0",
    }


def test_a_supervisor_is_offered_no_registration_and_no_transfers(client, accounts):
    client.force_login(accounts[Role.SUPERVISOR])
    page = text(client.get("/"))
    assert reverse("cases:register") not in page
    assert "转办待接收" not in page


def test_the_home_reads_a_fixed_number_of_queries(
    client, register, helper, django_assert_num_queries
):
    client.force_login(helper)
    client.get("/")
    for _ in range(5):
        overdue(register())
    with django_assert_num_queries(12):
        assert client.get("/").status_code == 200
