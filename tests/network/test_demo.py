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
    }
    for role in roles:
        assert role in out  # one login printed per role
    for username in ("admin", "county_admin", "lucun_admin", "helper"):
        assert get_user_model().objects.get(username=username).check_password(DEMO_PASSWORD)
        assert username in out
    call_command("demo", "--once")
    assert "跳过" in capsys.readouterr().out


@override_settings(DEBUG=False)
def test_demo_refuses_a_production_configuration(db):
    with pytest.raises(CommandError, match="--force"):
        call_command("demo")
    assert not get_user_model().objects.exists()
