"""The case's scope columns (decision 0061) equal what they are recomputed from, from scratch,
after random sequences of registrations, transfers offered, accepted and declined, points moved
(`update_point`) and division re-imports; and the scope read from them is the rule it replaces."""

from __future__ import annotations

import random
import re
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import connection

from bangban.cases import actions
from bangban.cases.actions.paths import refresh_paths
from bangban.cases.errors import CaseError
from bangban.cases.models import Case, Transfer
from bangban.cases.scope import cases_for, may
from bangban.network import access
from bangban.network import actions as network_actions
from bangban.network.divisions import import_divisions, yiyuan_files
from bangban.network.models import Role, ServicePoint
from tests.divisions import import_dong_e

Kind = ServicePoint.Kind


def from_scratch() -> dict[int, tuple[str, str, str]]:
    """Each case's three paths, computed in Python from its points and its pending transfer."""
    points = {p.pk: p.subtree_prefix for p in ServicePoint.objects.all()}
    offered = {
        t.case_id: points[t.to_point_id]
        for t in Transfer.objects.filter(status=Transfer.Status.PENDING)
    }
    return {
        c.pk: (points[c.registering_point_id], points[c.handling_point_id], offered.get(c.pk, ""))
        for c in Case.objects.all()
    }


def stored() -> dict[int, tuple[str, str, str]]:
    return {
        pk: (r, h, o)
        for pk, r, h, o in Case.objects.values_list(
            "pk", "registering_path", "handling_path", "offered_path"
        )
    }


def the_old_rule(user, action) -> set[int]:
    """The scope as it was written before the columns: the points the user may `action`, matched by
    id against the case's points and its pending transfer's, and the first responsible helper."""
    ids = set(access.points_for(user, action).values_list("pk", flat=True))
    offered = {
        t.case_id for t in Transfer.objects.filter(status=Transfer.Status.PENDING, to_point__in=ids)
    }
    return {
        c.pk
        for c in Case.objects.all()
        if c.registering_point_id in ids
        or c.handling_point_id in ids
        or c.pk in offered
        or (action == "view" and c.responsible_id == user.pk)
    }


def random_sequence(
    rng, steps, *, places, towns, staff, cases, register, by, reimport
) -> Counter[str]:
    """`steps` random moves among `places` (registering at the first, transferring, accepting,
    declining, moving a partner station to another of `towns`, re-importing the divisions), the
    columns compared with a recount after each; the moves made (those the case's state allowed)."""
    made: Counter[str] = Counter()
    for step in range(steps):
        move = rng.random()
        case = rng.choice(cases)
        case.refresh_from_db()
        pending = case.transfers.filter(status=Transfer.Status.PENDING).first()
        try:
            if move < 0.15:
                cases.append(register(point=places[0]))
                made["register"] += 1
            elif move < 0.45 and pending is None:
                target = rng.choice([p for p in places if p.pk != case.handling_point_id])
                actions.transfer_case(case, to_point=target, reason="随机转办", by=by)
                made["transfer"] += 1
            elif move < 0.65 and pending is not None:
                actions.accept_transfer(pending, by=staff[pending.to_point_id])
                made["accept"] += 1
            elif move < 0.75 and pending is not None:
                actions.decline_transfer(
                    pending, by=staff[pending.to_point_id], reason="不属本点办理"
                )
                made["decline"] += 1
            elif move < 0.92:
                bank = rng.choice([p for p in places if p.kind == Kind.PARTNER_STATION])
                bank.refresh_from_db()
                network_actions.update_point(
                    bank, parent=rng.choice([t for t in towns if t.pk != bank.parent_id]), by=None
                )
                made["move"] += 1
            else:
                reimport()
                made["import"] += 1
        except CaseError:
            pass  # a transition the case's state refuses: nothing was written
        assert stored() == from_scratch(), f"after step {step}"
    return made


def assert_the_scope_is_the_old_rule(users) -> None:
    """The scope read from the columns is the rule it replaces, for each user and action."""
    everything = list(Case.objects.all())
    # Read afresh, as each request does: a user object keeps the memberships (and their points'
    # paths) it read first.
    users = [type(u).objects.get(pk=u.pk) for u in users]
    for user in users:
        for action in ("view", "act", "change"):
            expected = the_old_rule(user, action)
            assert set(cases_for(user, action).values_list("pk", flat=True)) == expected, user
            assert {c.pk for c in everything if may(user, c, action)} == expected, user


def reimport_yiyuan() -> None:
    files = yiyuan_files()
    import_divisions(counties=files.counties, towns=files.towns, villages=files.villages)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_columns_equal_a_recount_after_random_transfers_moves_and_imports(
    seed, yiyuan, make_helper, make_account, register, helper
):
    rng = random.Random(seed)
    county = yiyuan.county
    places = [
        yiyuan.station("鲁村镇"),
        yiyuan.station("鲁村镇", 1),
        yiyuan.station("南麻街道"),
        yiyuan.town("鲁村镇"),
        yiyuan.town("南麻街道"),
        yiyuan.subzone("medical_insurance"),
        *ServicePoint.objects.filter(county=county, kind=Kind.PARTNER_STATION)[:3],
    ]
    towns = list(ServicePoint.objects.filter(county=county, kind=Kind.TOWN_CENTRE))
    staff = {p.pk: make_helper(p).user for p in places}
    cases = [register() for _ in range(4)]
    random_sequence(
        rng,
        40,
        places=places,
        towns=towns,
        staff=staff,
        cases=cases,
        register=register,
        by=helper,
        reimport=reimport_yiyuan,
    )
    assert_the_scope_is_the_old_rule(
        [
            helper,
            *staff.values(),
            make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="s-town"),
            make_account(Role.POINT_LEAD, places[5], username="s-lead"),
            make_account(Role.REGION_ADMIN, county, username="s-county"),
            make_account(Role.REGION_ADMIN, county.parent, username="s-city"),
            make_account(Role.SUPERVISOR, county.parent.parent, username="s-province"),
            make_account(
                Role.DEPARTMENT_ADMIN, yiyuan.department("县医疗保障局"), username="s-department"
            ),
            make_account(
                Role.PARTNER_ADMIN, yiyuan.organisation("沂源农村商业银行"), username="s-partner"
            ),
        ]
    )


def test_the_columns_equal_a_recount_in_a_county_imported_from_its_files(
    dong_e, yiyuan, make_helper, make_account, register
):
    """The same on 东阿县, which only its division files made (its ids, codes and tree are not the
    demo's), beside a case of Yiyuan: fewer steps, one seed."""
    rng = random.Random(2)
    first, second = dong_e.towns[:2]
    places = [
        dong_e.station,
        dong_e.stations(first)[1],
        dong_e.stations(second)[0],
        first,
        second,
        *dong_e.partner_stations,
    ]
    staff = {p.pk: make_helper(p).user for p in places}
    cases = [dong_e.register() for _ in range(3)]
    register()  # and one of Yiyuan, which no one of 东阿县 sees
    made = random_sequence(
        rng,
        20,
        places=places,
        towns=dong_e.towns,
        staff=staff,
        cases=cases,
        register=dong_e.register,
        by=dong_e.helper,
        reimport=import_dong_e,
    )
    assert set(made) == {"register", "transfer", "accept", "decline", "move", "import"}, made
    county = dong_e.county
    assert_the_scope_is_the_old_rule(
        [
            dong_e.helper,
            *staff.values(),
            make_account(Role.TOWN_ADMIN, first, username="d-town"),
            make_account(Role.POINT_LEAD, second, username="d-lead"),
            make_account(Role.REGION_ADMIN, county, username="d-county"),
            make_account(Role.REGION_ADMIN, county.parent, username="d-city"),
            make_account(Role.SUPERVISOR, county.parent.parent, username="d-province"),
            make_account(Role.DEPARTMENT_ADMIN, dong_e.department, username="d-department"),
            make_account(Role.PARTNER_ADMIN, dong_e.organisation, username="d-partner"),
        ]
    )


def test_a_division_import_puts_right_paths_gone_stale(yiyuan, register):
    cases = [register(), register()]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        registering_path="/0/", handling_path="/0/", offered_path="/0/"
    )
    reimport_yiyuan()
    assert stored() == from_scratch()


def test_nothing_is_rewritten_when_nothing_moved(yiyuan, register, django_assert_num_queries):
    register()
    with django_assert_num_queries(1):  # the read that finds no stale row
        assert refresh_paths(Case.objects.all()) == 0


def test_a_transfer_to_another_county_is_refused(yiyuan, register, helper):
    from bangban.network.models import Region

    case = register()
    other = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    far = ServicePoint.objects.create(
        kind=Kind.COUNTY_CENTRE, name="高青县政务服务中心", county=other, region=other
    )
    with pytest.raises(CaseError) as refused:
        actions.transfer_case(case, to_point=far, reason="转到外县", by=helper)
    assert "本县" in str(refused.value.errors["to_point"])
    assert not case.transfers.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_a_towns_scope_is_read_through_the_path_indexes(yiyuan, make_account, register):
    """Every part of a subtree's scope can use an index (the offered path's is partial, so the
    query says its condition), or SQLite reads every case: 3 s for a town at 1,000,000 cases."""
    register()
    town = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="plan-town")
    sql, params = cases_for(town).order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "MULTI-INDEX OR" in plan and "SCAN cases_case" not in plan, plan
    assert "case_offered_path" in plan


def _plan_of_keys(user, params: dict) -> str:
    """SQLite's plan of the ledger keys' query for `user` under the filter `params`."""
    import datetime as dt

    from bangban.cases.ledger import LedgerFilter

    ledger = LedgerFilter(params)
    assert ledger.is_valid(), ledger.errors
    keys = ledger.apply(cases_for(user), dt.date(2026, 12, 7)).values("pk")[:1001]
    sql, params = keys.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(row[-1] for row in cursor.fetchall())


#: SQLite's statistics of the cases table in `bench_cases.py`'s ledger of 1,000,000 cases (its
#: `sqlite_stat1` after ANALYZE): what the planner knows of a large ledger.
LEDGER_STATISTICS = {
    "case_completed_order": "936837 1322 35 4 1 1",
    "case_county_completed": "936837 6205 10 2 1 1",
    "case_county_order": "1000000 6623 11 1 1 1",
    "case_handling_path": "1000000 16",
    "case_handling_status": "1000000 16 10",
    "case_offered_path": "184 2",
    "case_open_figures": "8103 55 16 2 2 2 2 1 1",
    "case_registered_order": "1000000 1415 47 1 1 1",
    "case_registering_path": "1000000 16",
    "case_registering_status": "1000000 16 10",
    "case_status_deadline": "1000000 142858 602",
    "case_status_deemed": "491 491 29",
    "cases_case_applicant_id_756c921c": "1000000 4",
    "cases_case_contact_phone_digest_1b5acaf6": "1000000 4",
    "cases_case_entered_by_id_695af122": "1000000 15",
    "cases_case_handling_helper_id_3dc28a4c": "1000000 15",
    "cases_case_handling_point_id_a8a8e78b": "1000000 16",
    "cases_case_item_id_896f667f": "1000000 170",
    "cases_case_original_number_3d8ab047": "1000000 1000000",
    "cases_case_refusal_department_id_7f5e7049": "1000000 620",
    "cases_case_registering_point_id_002e2a34": "1000000 16",
    "cases_case_responsible_id_c0ab712c": "1000000 15",
    "cases_case_revision_id_92ca9e99": "1000000 170",
    "sqlite_autoindex_cases_case_1": "1000000 1",
    "sqlite_autoindex_cases_case_2": "1000000 1",
    "sqlite_autoindex_cases_case_3": "1000000 1000000",
    "sqlite_autoindex_cases_case_4": "1000000 6623 11 1",
}


@contextmanager
def ledger_statistics():
    """SQLite planning with the statistics of a large ledger (`LEDGER_STATISTICS`), as a
    deployment has once the task worker's nightly ANALYZE has run (`kernel.tasks`); a small test
    database's own would describe a handful of rows. Removed again afterwards."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # makes sqlite_stat1
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.executemany(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cases_case', %s, %s)",
            list(LEDGER_STATISTICS.items()),
        )
        cursor.execute("ANALYZE sqlite_schema")  # the planner reads them again
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.execute("ANALYZE sqlite_schema")


QUARTER = {"completed_from": "2026-07-01", "completed_to": "2026-09-30"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_a_countys_quarter_is_read_from_its_completion_index_alone(yiyuan, make_account, register):
    """A county administrator's "completed in a quarter", in completion order (its default,
    decision 0072), walks the county's completion index without reading the table or sorting; in
    registration order, asked for, the county's order index, which carries the completion day
    (cases/0020)."""
    register()
    admin = make_account(Role.REGION_ADMIN, yiyuan.county, username="plan-county")
    plan = _plan_of_keys(admin, QUARTER)
    assert "COVERING INDEX case_county_completed" in plan and "TEMP B-TREE" not in plan, plan
    plan = _plan_of_keys(admin, {**QUARTER, "sort": "-registered"})
    assert "COVERING INDEX case_county_order" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_a_provinces_quarter_is_read_from_the_completion_indexes_alone(
    yiyuan, make_account, register
):
    """A province administrator's "completed in a quarter" reads the quarter's completions from a
    completion index alone (decision 0072), where the registration order walked past every case
    registered since."""
    from bangban.network.models import Region

    register()
    province = Region.objects.get(code="37")
    city = yiyuan.county.parent
    Region.objects.bulk_create(
        Region(code=f"3703{n:02d}", name=f"第{n}县", level=Region.Level.COUNTY, parent=city)
        for n in range(40, 80)
    )
    admin = make_account(Role.REGION_ADMIN, province, username="plan-prov")
    plan = _plan_of_keys(admin, QUARTER)
    # With statistics of 1,000,000 cases SQLite walks the completion index; without them it probes
    # the county completion index once per county, stopping each probe after the page's rows (its
    # ORDER BY … LIMIT early-out): both read the quarter's entries only, from the index alone.
    assert re.search(
        r"COVERING INDEX case_(completed_order|county_completed) \((county_id=\? AND )?"
        r"completed_on>\? AND completed_on<\?\)",
        plan,
    ), plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
@pytest.mark.parametrize("level", ["overdue", "near_deadline"])
def test_a_scopes_cards_are_read_from_the_open_cases_index_alone(
    yiyuan, make_account, register, level
):
    """A county's or a city's 黄牌 and 红牌 in the ledger are read from the open cases' partial index,
    which carries the ledger's order (cases/0023), without reading the table: the filter writes the
    open states as the index does (`open_warning_q`, decision 0072), where it used to walk every
    case of the scope. Planned with a large ledger's statistics: without any, SQLite walks the
    county's order, as it did before, which a small ledger serves as well."""
    register()
    county = make_account(Role.REGION_ADMIN, yiyuan.county, username=f"cards-county-{level}")
    city = make_account(Role.REGION_ADMIN, yiyuan.county.parent, username=f"cards-city-{level}")
    for admin in (county, city):
        with ledger_statistics():
            plan = _plan_of_keys(admin, {"warning": level})
        assert "COVERING INDEX case_open_figures" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_a_regions_live_figures_are_read_from_the_open_cases_index(yiyuan, make_account, register):
    """A province administrator's open, 黄牌 and 红牌 figures are counted from the open cases'
    partial index (cases/0021), which holds what the warnings are read from. SQLite uses a partial
    index only for a query that writes its condition as the index does: the open states are
    written into the statement (`InWritten`), not bound — checked on the statement as it runs,
    with its parameters."""
    import datetime as dt

    from bangban.network.models import Region

    register()
    admin = make_account(Role.REGION_ADMIN, Region.objects.get(code="37"), username="plan-open")
    cases_for(admin)  # the admin's memberships and counties, read before
    ran = []

    def keep(execute, sql, params, many, context):
        ran.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        figures = cases_for(admin).open_figures(dt.date(2026, 12, 7))
    assert figures["open"] == 1
    ((sql, params),) = ran
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "COVERING INDEX case_open_figures" in plan, plan


def test_written_codes_are_codes_of_our_own():
    from django.db.models import F

    from bangban.cases.models import Case
    from bangban.kernel.models import InWritten

    for bad in ((), ("open') OR 1=1 --",), ("Registered",), (1,)):
        with pytest.raises(ValueError, match="codes of our own"):
            Case.objects.filter(InWritten(F("status"), bad))
    sql = str(Case.objects.filter(InWritten(F("status"), ("registered", "suspended"))).query)
    assert "IN ('registered', 'suspended')" in sql
