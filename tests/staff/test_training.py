"""Training organisers (the seed's annex 4) and the rule of two trainings a year."""

import datetime as dt

import pytest

from bangban.network.models import ServicePoint
from bangban.staff import actions
from bangban.staff.actions import StaffError
from bangban.staff.models import TrainingOrganiser

Kind = ServicePoint.Kind


def test_every_county_organiser_is_set_up_once_with_its_points(yiyuan):
    actions.set_up_organisers(yiyuan.county, by=None)
    actions.set_up_organisers(yiyuan.county, by=None)
    organisers = TrainingOrganiser.objects.filter(county=yiyuan.county)
    assert organisers.filter(kind="county_bureau").count() == 1
    assert organisers.filter(kind="town").count() == 12
    bureau = organisers.get(kind="county_bureau")
    assert set(bureau.points.values_list("kind", flat=True)) == {
        Kind.DEDICATED_ZONE,
        Kind.DOMAIN_SUBZONE,
    }
    assert bureau.points.count() == 4  # the zone, 企业开办, 投资项目, 综合受理
    lucun = organisers.get(kind="town", town_centre=yiyuan.town("鲁村镇"))
    assert (
        lucun.points.filter(kind=Kind.VILLAGE_STATION).count()
        == ServicePoint.objects.filter(
            parent=yiyuan.town("鲁村镇"), kind=Kind.VILLAGE_STATION
        ).count()
    )
    bank = organisers.get(kind="partner", organisation=yiyuan.organisation("沂源农村商业银行"))
    assert set(bank.points.all()) == set(
        ServicePoint.objects.filter(organisation__name="沂源农村商业银行")
    )


def test_an_organiser_with_one_training_in_a_year_falls_short(organiser):
    actions.record_training(organiser, held_on=dt.date(2026, 3, 1), topic="政策培训", by=None)
    assert organiser in TrainingOrganiser.objects.short_of_trainings(2026)
    actions.record_training(organiser, held_on=dt.date(2026, 9, 1), topic="系统操作", by=None)
    assert organiser not in TrainingOrganiser.objects.short_of_trainings(2026)
    assert organiser in TrainingOrganiser.objects.short_of_trainings(2025)


def test_a_training_of_last_december_does_not_count_this_year(organiser):
    actions.record_training(organiser, held_on=dt.date(2025, 12, 31), topic="年末培训", by=None)
    actions.record_training(organiser, held_on=dt.date(2026, 1, 1), topic="年初培训", by=None)
    counted = TrainingOrganiser.objects.with_trainings(2026).get(pk=organiser.pk)
    assert counted.trainings == 1


def test_a_training_must_have_a_topic_and_have_been_held(organiser):
    with pytest.raises(StaffError) as error:
        actions.record_training(organiser, held_on=dt.date(2099, 1, 1), topic=" ", by=None)
    assert set(error.value.errors) == {"topic", "held_on"}
    assert not organiser.sessions.exists()


def test_a_result_can_be_corrected_after_the_training(organiser, make_helper, yiyuan):
    helper = make_helper(yiyuan.zone, passed=False)
    session = helper.attendances.get().session
    actions.set_training_results(session, {helper: True}, by=None)
    assert helper.attendances.get().passed


def test_a_profile_cannot_leave_before_it_started(yiyuan, make_account):
    from bangban.network.models import Role

    user = make_account(Role.HELPER, yiyuan.zone)
    with pytest.raises(StaffError) as error:
        actions.save_helper(
            user,
            by=None,
            origin="window",
            started_on=dt.date(2026, 5, 1),
            left_on=dt.date(2026, 4, 1),
        )
    assert "left_on" in error.value.errors
