"""Qualified to serve (上岗资格): active, a year of acceptance work, a training passed."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangban.staff import actions
from bangban.staff.models import Helper, anniversary, experience_cutoff
from bangban.staff.qualification import (
    HelperNotQualified,
    ensure_qualified,
    reasons_for,
    reasons_not_qualified,
)

D = dt.date


def qualified(helper, on) -> bool:
    """The queryset and the person-by-person reasons must say the same (and the ledger's one-query
    `reasons_for` the same reasons)."""
    by_query = Helper.objects.qualified(on).filter(pk=helper.pk).exists()
    assert by_query == (reasons_not_qualified(helper, on) == [])
    assert reasons_for(helper.user, on) == reasons_not_qualified(helper, on)
    return by_query


def test_exactly_one_year_of_experience_qualifies(yiyuan, make_helper):
    helper = make_helper(yiyuan.zone, started_on=D(2025, 3, 10), trained_on=D(2025, 4, 1))
    assert not qualified(helper, D(2026, 3, 9))
    assert qualified(helper, D(2026, 3, 10))


def test_a_start_on_29_february_counts_as_28_february(yiyuan, make_helper):
    helper = make_helper(yiyuan.zone, started_on=D(2024, 2, 29), trained_on=D(2024, 3, 1))
    assert not qualified(helper, D(2025, 2, 27))
    assert qualified(helper, D(2025, 2, 28))


def test_in_a_leap_year_29_february_is_not_yet_a_year_after_1_march(yiyuan, make_helper):
    helper = make_helper(yiyuan.zone, started_on=D(2023, 3, 1), trained_on=D(2023, 3, 2))
    assert not qualified(helper, D(2024, 2, 29))
    assert qualified(helper, D(2024, 3, 1))


@given(
    start=st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)),
    on=st.dates(min_value=D(2000, 1, 1), max_value=D(2041, 12, 31)),
)
def test_the_cutoff_the_query_uses_agrees_with_the_anniversary(start, on):
    assert (start <= experience_cutoff(on)) == (anniversary(start) <= on)


def test_a_helper_who_failed_training_is_not_qualified(yiyuan, make_helper):
    helper = make_helper(yiyuan.zone, passed=False)
    assert not qualified(helper, D(2026, 6, 1))
    assert reasons_not_qualified(helper, D(2026, 6, 1)) == ["培训考核未合格，须培训合格后上岗。"]


def test_a_training_passed_after_one_failed_qualifies(yiyuan, make_helper, organiser):
    helper = make_helper(yiyuan.zone, trained_on=D(2026, 3, 1), passed=False)
    actions.record_training(
        organiser, held_on=D(2026, 5, 1), topic="补考", results={helper: True}, by=None
    )
    assert not qualified(helper, D(2026, 4, 30))
    assert reasons_for(helper.user, D(2026, 4, 30)) == ["培训考核未合格，须培训合格后上岗。"]
    assert qualified(helper, D(2026, 5, 1))


def test_the_ledger_reads_the_reasons_in_one_query(
    yiyuan, make_helper, make_account, django_assert_num_queries
):
    from bangban.network.models import Role

    helper = make_helper(yiyuan.zone, trained_on=None, left_on=D(2026, 2, 1))
    with django_assert_num_queries(1):
        assert len(reasons_for(helper.user, D(2026, 3, 1))) == 2
    nobody = make_account(Role.HELPER, yiyuan.zone)
    with django_assert_num_queries(1):
        assert reasons_for(nobody, D(2026, 3, 1)) == ["没有帮办代办员档案，不能担任帮办代办员。"]


def test_a_helper_never_trained_is_not_qualified(yiyuan, make_helper):
    helper = make_helper(yiyuan.zone, trained_on=None)
    assert reasons_not_qualified(helper, D(2026, 6, 1)) == ["尚未参加培训，须先培训后上岗。"]


def test_a_training_counts_from_the_day_it_was_held(yiyuan, make_helper):
    helper = make_helper(yiyuan.zone, started_on=D(2020, 1, 1), trained_on=D(2026, 5, 20))
    assert not qualified(helper, D(2026, 5, 19))
    assert qualified(helper, D(2026, 5, 20))


def test_a_helper_who_left_is_not_qualified_from_that_day(yiyuan, make_helper):
    helper = make_helper(yiyuan.zone, left_on=D(2026, 6, 30))
    assert qualified(helper, D(2026, 6, 29))
    assert not qualified(helper, D(2026, 6, 30))
    assert "已于 2026-06-30 离岗。" in reasons_not_qualified(helper, D(2026, 7, 1))


def test_every_reason_is_given_at_once(yiyuan, make_helper):
    helper = make_helper(
        yiyuan.zone, started_on=D(2026, 1, 5), trained_on=None, left_on=D(2026, 2, 1)
    )
    assert len(reasons_not_qualified(helper, D(2026, 3, 1))) == 3


def test_an_unqualified_person_is_refused_as_responsible_helper_with_the_reason(
    yiyuan, make_helper
):
    helper = make_helper(yiyuan.zone, started_on=D(2026, 1, 5))
    with pytest.raises(HelperNotQualified) as refused:
        ensure_qualified(helper.user, D(2026, 6, 1))
    assert "不满一年" in str(refused.value)
    assert "2027-01-05 满一年" in refused.value.reasons[0]


def test_someone_without_a_helper_profile_is_refused(yiyuan, make_account):
    from bangban.network.models import Role

    user = make_account(Role.HELPER, yiyuan.zone)
    with pytest.raises(HelperNotQualified, match="没有帮办代办员档案"):
        ensure_qualified(user, D(2026, 6, 1))


def test_a_qualified_helper_passes_the_check(yiyuan, make_helper):
    helper = make_helper(yiyuan.zone)
    assert ensure_qualified(helper.user, D(2026, 6, 1)) == helper
