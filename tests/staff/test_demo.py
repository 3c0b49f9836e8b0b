import datetime as dt

from django.core.management import call_command
from django.test import override_settings

from bangban.network.models import Equipment, ServicePoint
from bangban.staff.models import Helper, TrainingOrganiser
from bangban.staff.qualification import ensure_qualified
from bangban.staff.staffing import staffing_summary


@override_settings(DEBUG=True)
def test_the_demo_staffs_yiyuan_with_both_colours_on_the_compliance_page(yiyuan, capsys):
    call_command("demo", "--once")
    assert "帮办代办员" in capsys.readouterr().out
    today = dt.date.today()
    rows = staffing_summary(ServicePoint.objects.filter(county=yiyuan.county), today, "kind")
    staffed = {row["kind"]: (row["staffed_points"], row["points"]) for row in rows}
    assert staffed["dedicated_zone"] == (1, 1)
    assert 0 < staffed["village_station"][0] < staffed["village_station"][1]
    assert staffed["domain_subzone"][0] < staffed["domain_subzone"][1]
    assert TrainingOrganiser.objects.short_of_trainings(today.year).exists()
    assert TrainingOrganiser.objects.with_trainings(today.year).filter(trainings__gte=2).exists()
    overdue = Equipment.objects.check_overdue(today).values("point").distinct().count()
    assert 0 < overdue < ServicePoint.objects.filter(equipment__isnull=False).distinct().count()
    assert ServicePoint.objects.filter(county=yiyuan.county, signage_in_place=False).exists()
    demo_helper = Helper.objects.get(user__username="helper")
    assert ensure_qualified(demo_helper.user, today) == demo_helper
