"""The ledger's one filter definition (`cases.ledger.LedgerFilter`) and its live figures."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.cases.actions.paths import refresh_paths
from bangban.cases.ledger import LedgerFilter
from bangban.cases.models import Case
from bangban.cases.workflow import State
from bangban.workdays import calendar

D = dt.date
TODAY = D(2026, 11, 25)


def pick(params, today=TODAY):
    form = LedgerFilter(params)
    assert form.is_valid(), form.errors
    return list(form.apply(Case.objects.all(), today).values_list("pk", flat=True))


def set_(case, **values):
    """Write a case's columns directly, its scope columns kept as the actions keep them."""
    Case.objects.filter(pk=case.pk).update(**values)
    refresh_paths(Case.objects.filter(pk=case.pk))


@pytest.fixture
def three(register, yiyuan, make_helper):
    """An open case due today, an overdue one handled at the 医保 sub-zone, a completed one."""
    due = register()
    late = register()
    done = register()
    set_(
        due,
        status=State.IN_PROGRESS,
        deemed_deadline=None,
        accepted_on=due.received_on,
        promised_deadline=TODAY,
        elderly=False,
    )
    set_(
        late,
        status=State.IN_PROGRESS,
        deemed_deadline=None,
        accepted_on=late.received_on,
        promised_deadline=D(2026, 11, 20),
        handling_point=yiyuan.subzone("medical_insurance"),
        elderly=True,
    )
    set_(
        done,
        status=State.COMPLETED,
        deemed_deadline=None,
        accepted_on=done.received_on,
        promised_deadline=D(2026, 11, 20),
        completed_on=D(2026, 11, 19),
        elderly=False,
    )
    return due, late, done


def test_the_warnings_are_the_yellow_and_red_cards(three):
    due, late, done = three
    assert pick({"warning": "near_deadline"}) == [due.pk]
    assert pick({"warning": "overdue"}) == [late.pk]


def test_state_special_group_and_text(three):
    due, late, done = three
    assert set(pick({"state": ["in_progress"]})) == {due.pk, late.pk}
    assert pick({"special": "elderly"}) == [late.pk]
    assert pick({"q": late.number}) == [late.pk]


def test_a_point_means_its_subtree_registered_or_handled(three, yiyuan):
    due, late, done = three
    assert pick({"point": yiyuan.subzone("medical_insurance").pk}) == [late.pk]
    # the county centre is above the sub-zone and the village station: all three
    assert len(pick({"point": yiyuan.centre.pk})) == 3
    assert pick({"point": 999_999_999}) == []


def test_sorting_by_deadline(three):
    due, late, done = three
    assert pick({"sort": "deadline", "state": ["in_progress"]}) == [late.pk, due.pk]


@pytest.fixture
def completions(register):
    """Three completed cases whose completion order is not their registration order, and an open
    one (registered last)."""
    first, second, third, open_ = register(), register(), register(), register()
    for case, day in ((first, D(2026, 8, 20)), (second, D(2026, 9, 3)), (third, D(2026, 7, 1))):
        set_(
            case,
            status=State.COMPLETED,
            deemed_deadline=None,
            accepted_on=case.received_on,
            completed_on=day,
        )
    return first, second, third, open_


def test_a_range_of_completion_days_is_listed_newest_completion_first(completions):
    """Decision 0072: asked for the cases completed in a quarter, the ledger lists them as they
    were completed, newest first, unless another order is asked for."""
    first, second, third, open_ = completions
    quarter = {"completed_from": "2026-07-01", "completed_to": "2026-09-30"}
    assert pick(quarter) == [second.pk, first.pk, third.pk]
    assert pick({**quarter, "sort": "completed"}) == [third.pk, first.pk, second.pk]
    assert pick({**quarter, "sort": "-registered"}) == [third.pk, second.pk, first.pk]
    assert pick({"completed_to": "2026-08-31"}) == [first.pk, third.pk]
    assert pick({}) == [open_.pk, third.pk, second.pk, first.pk]  # no range: registration order


def test_the_completion_order_puts_open_cases_last_either_way(completions):
    """Without a range of completion days, the cases not completed come last in both directions
    on every database (PostgreSQL and SQLite put nulls at opposite ends)."""
    first, second, third, open_ = completions
    assert pick({"sort": "-completed"}) == [second.pk, first.pk, third.pk, open_.pk]
    assert pick({"sort": "completed"}) == [third.pk, first.pk, second.pk, open_.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": ["open"]}, "state"),
        ({"registered_from": "2026-13-01"}, "registered_from"),
        ({"registered_from": "2026-11-20", "registered_to": "2026-11-01"}, "registered_to"),
        ({"warning": "purple"}, "warning"),
        ({"point": "x"}, "point"),
        ({"sort": "name"}, "sort"),
    ],
)
def test_bad_parameters_name_the_field(db, params, field):
    form = LedgerFilter(params)
    assert not form.is_valid()
    assert field in form.errors


def test_the_query_round_trips_as_json(db):
    form = LedgerFilter({"state": ["completed"], "registered_from": "2026-11-01", "q": ""})
    assert form.is_valid()
    assert form.query() == {"state": ["completed"], "registered_from": "2026-11-01"}
    assert LedgerFilter(form.query()).is_valid()


def test_the_live_figures_in_one_query(three, django_assert_num_queries):
    calendar.invalidate()  # read afresh: its 30-second re-check falls outside the count
    calendar.current()
    with django_assert_num_queries(1):
        figures = Case.objects.figures(TODAY)
    assert figures == {
        "open": 2,
        "near_deadline": 1,
        "overdue": 1,
        "month_completed": 1,
        "month_on_time": 1,
        "quarter_completed": 1,
        "quarter_on_time": 1,
    }
