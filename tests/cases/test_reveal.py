"""The full ID number (docs/domain.md "Full ID numbers"): shown only to the case's first responsible and
handling helpers and to the leads and admins above them, each showing logged as an IdentityView;
everyone else gets 403 (or 404 when the case is not theirs to see) and nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangban.cases import actions
from bangban.cases.actions import CaseError
from bangban.cases.models import IdentityView
from bangban.network.models import Role
from tests.proxies import through

from .conftest import person, resident_id

ID = resident_id(born="19440709", sequence=532)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def subzone(yiyuan):
    return yiyuan.subzone("medical_insurance")


@pytest.fixture
def receiver(make_helper, subzone):
    return make_helper(subzone).user


@pytest.fixture
def case(register):
    return register(applicant=person(number=ID))


def _user(who, *, helper, receiver, make_account, make_helper, yiyuan, case, subzone):
    station = case.registering_point
    return {
        "responsible": lambda: helper,
        "lead": lambda: make_account(Role.POINT_LEAD, station, username="r-lead"),
        "town_admin": lambda: make_account(
            Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="r-town"
        ),
        "county_admin": lambda: make_account(Role.REGION_ADMIN, yiyuan.county, username="r-county"),
        "supervisor": lambda: make_account(Role.SUPERVISOR, yiyuan.county, username="r-sup"),
        "colleague": lambda: make_helper(station).user,
        "elsewhere": lambda: make_helper(yiyuan.station("鲁村镇", 1)).user,
        "other_town_admin": lambda: make_account(
            Role.TOWN_ADMIN, yiyuan.town("南麻街道"), username="r-far-town"
        ),
        "receiver": lambda: receiver,
        "subzone_lead": lambda: make_account(Role.POINT_LEAD, subzone, username="r-sub-lead"),
    }[who]()


def reveal(client, case, **headers):
    return client.post(reverse("cases:reveal", args=[case.number]), **headers)


@pytest.mark.parametrize("who", ["responsible", "lead", "town_admin", "county_admin"])
def test_entitled_roles_see_the_number_and_each_showing_is_logged(
    client, case, who, helper, receiver, make_account, make_helper, yiyuan, subzone
):
    user = _user(
        who,
        helper=helper,
        receiver=receiver,
        make_account=make_account,
        make_helper=make_helper,
        yiyuan=yiyuan,
        case=case,
        subzone=subzone,
    )
    client.force_login(user)
    page = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "查看完整号码" in page and ID not in page
    response = reveal(client, case, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert ID in body and "已记录" in body
    assert "<html" not in body  # the htmx fragment only
    view = IdentityView.objects.get()
    assert (view.case, view.viewer, view.address) == (case, user, "127.0.0.1")
    reveal(client, case, HTTP_HX_REQUEST="true")
    assert IdentityView.objects.filter(case=case, viewer=user).count() == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 403),
        ("colleague", 403),
        ("elsewhere", 404),
        ("other_town_admin", 404),
    ],
)
def test_others_get_403_or_404_and_nothing_is_written(
    client, case, who, status, helper, receiver, make_account, make_helper, yiyuan, subzone
):
    user = _user(
        who,
        helper=helper,
        receiver=receiver,
        make_account=make_account,
        make_helper=make_helper,
        yiyuan=yiyuan,
        case=case,
        subzone=subzone,
    )
    client.force_login(user)
    if status == 403:
        page = client.get(reverse("cases:case", args=[case.number])).content.decode()
        assert "查看完整号码" not in page
    response = reveal(client, case)
    assert response.status_code == status
    assert ID not in response.content.decode()
    assert not IdentityView.objects.exists()


def test_the_receiving_point_may_not_while_the_transfer_is_pending(
    client, case, helper, subzone, receiver
):
    actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    client.force_login(receiver)
    assert client.get(reverse("cases:case", args=[case.number])).status_code == 200
    assert reveal(client, case).status_code == 403
    assert not IdentityView.objects.exists()


def test_after_a_transfer_the_handling_helper_and_their_lead_may(
    client, case, helper, subzone, receiver, make_account
):
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    actions.accept_transfer(transfer, by=receiver)
    lead = make_account(Role.POINT_LEAD, subzone, username="r-sub-lead")
    for user in (receiver, lead, helper):  # the first responsible helper still may
        client.force_login(user)
        assert ID in reveal(client, case, HTTP_HX_REQUEST="true").content.decode()
    assert IdentityView.objects.filter(case=case).count() == 3


def test_a_plain_post_shows_the_case_page_with_the_number(client, case, helper):
    client.force_login(helper)
    response = reveal(client, case)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert ID in body and "已记录" in body
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert IdentityView.objects.count() == 1


def test_only_post_reveals(client, case, helper):
    client.force_login(helper)
    assert client.get(reverse("cases:reveal", args=[case.number])).status_code == 405
    assert not IdentityView.objects.exists()


def test_the_action_refuses_a_supervisor_and_writes_nothing(case, make_account, yiyuan):
    supervisor = make_account(Role.SUPERVISOR, yiyuan.county, username="r-sup-action")
    with pytest.raises(CaseError) as error:
        actions.reveal_number(case, by=supervisor, address="10.0.0.1")
    assert "by" in error.value.errors
    assert not IdentityView.objects.exists()


def test_the_action_returns_the_number_and_logs_the_address(case, helper):
    assert actions.reveal_number(case, by=helper, address="10.0.0.1") == ID
    assert IdentityView.objects.get().address == "10.0.0.1"


@pytest.mark.parametrize("proxies", [1, 2])
def test_behind_the_proxy_the_log_records_the_clients_address(
    client, case, helper, settings, proxies
):
    """Not the proxy's 127.0.0.1, nor what the client wrote in front of X-Forwarded-For: the address
    the login lockouts and the rate limits go by too (bangban.kernel.clients)."""
    settings.BANGBAN_PROXY_COUNT = proxies
    client.force_login(helper)
    headers = through("203.0.113.7", proxies, written="198.51.100.1")
    assert reveal(client, case, HTTP_HX_REQUEST="true", **headers).status_code == 200
    assert IdentityView.objects.get().address == "203.0.113.7"


def test_an_unreadable_number_is_reported_and_not_logged(client, case, helper, settings):
    settings.BANGBAN_DATA_KEY = "another key entirely"
    settings.BANGBAN_DATA_KEYS_PREVIOUS = []
    client.force_login(helper)
    response = reveal(client, case, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "无法读取" in response.content.decode()
    assert not IdentityView.objects.exists()


def test_an_enterprise_credit_code_is_public_and_not_logged(register, helper):
    from bangban.cases.identifiers import credit_code_check_character

    code = "Y1370323MA3C4D5E6"
    code += credit_code_check_character(code)
    case = register(
        applicant=person(
            kind="organisation", name="某协会", document_type="credit_code", number=code
        )
    )
    assert actions.reveal_number(case, by=helper) == code
    assert not IdentityView.objects.exists()
