import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from bangban.network.demo import DEMO_PASSWORD
from bangban.network.models import Membership, Region, ServicePoint

Kind = ServicePoint.Kind


def test_yiyuan_has_its_whole_network(yiyuan):
    points = ServicePoint.objects.filter(county=yiyuan.county)
    assert points.filter(kind=Kind.COUNTY_CENTRE).count() == 1
    assert points.filter(kind=Kind.DEDICATED_ZONE).count() == 1
    assert points.filter(kind=Kind.DOMAIN_SUBZONE).count() == 10
    assert points.filter(kind=Kind.TOWN_CENTRE).count() == 12
    assert points.filter(kind=Kind.VILLAGE_STATION).count() == 468
    assert points.filter(kind=Kind.PARTNER_STATION).count() >= 4
    assert Region.objects.get(code="370323").parent.name == "淄博市"


@override_settings(DEBUG=True)
def test_demo_command_prints_one_login_per_role_and_runs_once(db, capsys):
    call_command("demo", "--once")
    out = capsys.readouterr().out
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {
        "region_admin",
        "supervisor",
        "department_admin",
        "town_admin",
        "partner_admin",
        "point_lead",
        "helper",
        "special_supervisor",
    }
    for role in roles:
        assert role in out  # one login printed per role
    for username in (
        "admin",
        "county_admin",
        "lucun_admin",
        "helper",
        "zone_lead",
        "subzone_lead",
        "tejian",
    ):
        assert get_user_model().objects.get(username=username).check_password(DEMO_PASSWORD)
        assert username in out
    assert "http://127.0.0.1:8000/" in out
    call_command("demo", "--once")
    again = capsys.readouterr().out
    assert "跳过" in again
    logins = out[out.index("演示账号") :]
    assert again.endswith(logins)  # the same logins and address, each time `make run` starts


@override_settings(DEBUG=True)
def test_the_demo_has_logins_for_the_dedicated_zone_and_a_sub_zone(db, capsys):
    call_command("demo", "--once", "--host", "0.0.0.0", "--port", "9123")  # noqa: S104
    out = capsys.readouterr().out
    zone = Membership.objects.get(user__username="zone_lead")
    subzone = Membership.objects.get(user__username="subzone_lead")
    assert (zone.role, zone.point.kind) == ("point_lead", Kind.DEDICATED_ZONE)
    assert (subzone.role, subzone.point.kind) == ("point_lead", Kind.DOMAIN_SUBZONE)
    assert f"zone_lead      point_lead         {zone.point.name}" in out
    assert f"subzone_lead   point_lead         {subzone.point.name}" in out
    # The address `make run HOST=0.0.0.0 PORT=9123` serves on, as a browser opens it.
    assert out.splitlines()[-1] == "打开 http://127.0.0.1:9123/ 登录。"


@pytest.mark.parametrize(
    ("host", "port", "address"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000/"),
        ("192.0.2.7", 8080, "http://192.0.2.7:8080/"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000/"),  # noqa: S104 - all interfaces, reached locally
        ("::1", 8000, "http://[::1]:8000/"),
    ],
)
def test_the_printed_address_is_the_served_one(host, port, address):
    from bangban.network.management.commands.demo import site_address

    assert site_address(host, port) == address


@override_settings(DEBUG=False)
def test_demo_refuses_a_production_configuration(db):
    with pytest.raises(CommandError, match="--force"):
        call_command("demo")
    assert not get_user_model().objects.exists()
