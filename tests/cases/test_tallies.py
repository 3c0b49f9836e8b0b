"""The completion tallies (decision 0067) equal a recount from the cases after random sequences of
registrations, acceptances, completions (on time and late, on several days), withdrawals and
historical imports; and the figures read from them equal the figures read from the cases."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.models import Case, CaseMaterial, CompletionTally, counted_from_cases
from bangban.cases.scope import _tallies, cases_for, figures_for
from bangban.network.models import Role
from tests.cases.test_import import admin, row, upload  # noqa: F401 - fixtures and the upload


def stored() -> list[tuple]:
    rows = CompletionTally.objects.values_list("county_id", "day", "completed", "on_time")
    return sorted(r for r in rows if r[2])


def recounted() -> list[tuple]:
    return sorted(
        (t.county_id, t.day, t.completed, t.on_time) for t in counted_from_cases(Case.objects.all())
    )


def _accept(case, helper, day):
    statuses = {line.material_id: CaseMaterial.Status.RECEIVED for line in case.materials.all()}
    actions.set_material_status(case, statuses=statuses, by=helper, received_on=day)
    return actions.accept_case(case, by=helper, on=day)


@pytest.fixture
def short_item(make_item):
    return make_item(promised_limit=2, legal_limit=5)


def tally_sequence(rng, steps, *, register, helper, item, historical_import) -> None:
    """`steps` random moves over days (registering, accepting, completing, withdrawing) with a
    historical import half-way, the tallies compared with a recount after each."""
    day = dt.date(2026, 9, 1)
    cases = []
    for step in range(steps):
        day += dt.timedelta(days=rng.choice([0, 1, 2, 4]))
        with time_machine.travel(dt.datetime(day.year, day.month, day.day, 10), tick=False):
            case = rng.choice(cases) if cases else None
            if case is not None:
                case.refresh_from_db()
            if case is None or rng.random() < 0.3:
                cases.append(register(item=item, received_on=day))
            elif case.status in ("registered", "awaiting_materials"):
                _accept(case, helper, day)
            elif case.status == "in_progress" and rng.random() < 0.85:
                actions.complete_case(case, by=helper)
            elif case.status == "in_progress":
                actions.withdraw_case(case, by=helper, reason="申请人撤回")
        if step == steps // 2:
            historical_import()
        assert stored() == recounted(), f"after step {step}"
    on_time = sum(r[3] for r in stored())
    completed = sum(r[2] for r in stored())
    assert completed > on_time > 0, "cases completed both on time and late"


@pytest.fixture
def yiyuan_import(client, admin, row, yiyuan):  # noqa: F811
    """A historical import into Yiyuan: one case on time, one late (a 1-day promise missed)."""

    def upload_two():
        client.force_login(admin)
        response = upload(
            client,
            yiyuan,
            [row(), row(**{"办件编号": "YY-2025-0002", "办结日期": dt.date(2025, 6, 30)})],
        )
        assert response.status_code in (200, 302)

    return upload_two


@pytest.mark.parametrize("seed", [1, 2])
def test_the_tallies_equal_a_recount(seed, register, helper, short_item, yiyuan_import):
    tally_sequence(
        random.Random(seed),
        30,
        register=register,
        helper=helper,
        item=short_item,
        historical_import=yiyuan_import,
    )


def test_the_tallies_equal_a_recount_in_a_county_imported_from_its_files(
    dong_e, yiyuan, yiyuan_import
):
    """The same on 东阿县, which only its division files made, beside Yiyuan's imported cases:
    fewer steps, one seed."""
    tally_sequence(
        random.Random(1),
        20,
        register=dong_e.register,
        helper=dong_e.helper,
        item=dong_e.item,
        historical_import=yiyuan_import,
    )
    assert {county for county, *_ in stored()} == {dong_e.county.pk, yiyuan.county.pk}


def test_a_late_completion_is_counted_but_not_on_time(register, helper, short_item):
    with time_machine.travel(dt.datetime(2026, 11, 2, 10), tick=False):
        case = _accept(
            register(item=short_item, received_on=dt.date(2026, 11, 2)),
            helper,
            dt.date(2026, 11, 2),
        )
    with time_machine.travel(dt.datetime(2026, 11, 20, 10), tick=False):
        actions.complete_case(case, by=helper)
    (tally,) = CompletionTally.objects.all()
    assert (tally.day, tally.completed, tally.on_time) == (dt.date(2026, 11, 20), 1, 0)


@pytest.mark.parametrize("binding", ["county", "city", "province"])
def test_the_figures_from_the_tallies_equal_those_from_the_cases(
    binding, register, helper, make_account, yiyuan
):
    today = timezone.localdate()
    for back in (40, 2, 0):  # last quarter (maybe), this month, today
        day = today - dt.timedelta(days=back)
        with time_machine.travel(dt.datetime(day.year, day.month, day.day, 10), tick=False):
            case = _accept(register(received_on=day), helper, day)
            actions.complete_case(case, by=helper)
    register()
    region = {
        "county": yiyuan.county,
        "city": yiyuan.county.parent,
        "province": yiyuan.county.parent.parent,
    }[binding]
    user = make_account(Role.REGION_ADMIN, region)
    assert _tallies(user) is not None  # read from the tallies…
    figures = figures_for(user, today)
    assert figures == cases_for(user).figures(today)  # …and equal to the count of the cases
    assert figures["quarter_completed"] >= 2 and figures["open"] == 1


def test_a_scope_that_is_not_whole_counties_counts_the_cases(register, helper, make_account):
    register()
    assert _tallies(helper) is None  # a helper's station: not whole counties
    lead_and_admin = make_account(Role.TOWN_ADMIN, helper.memberships.first().point.parent)
    assert _tallies(lead_and_admin) is None
    today = timezone.localdate()
    assert figures_for(helper, today) == cases_for(helper).figures(today)
