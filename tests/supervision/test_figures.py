"""The figures of complaints and inspections (supervision.figures): each figure against a hand count,
on time at the limit day and not the day after, by point, helper and town, the scope of each role,
and a fixed number of queries (docs/decisions/0060-supervision-figures.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.feedback import actions as feedback
from bangban.feedback.workflow import Step as RectStep
from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.figures import Period, Rate, figures_for
from bangban.supervision.models import Category, Kind
from bangban.supervision.rules import answer_due, return_due

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.date(2026, 11, 9)
#: The day the figures are read: Wednesday 11-18, after Monday's answer day (11-16).
TODAY = dt.date(2026, 11, 18)


def at(day: dt.date, hour: int = 10):
    """Travel to `day` at `hour` Beijing time."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=CST), tick=False)


def november() -> Period:
    return Period.preset("month", TODAY)


def answer_upheld(complaint, by, upheld: bool):
    """A 投诉/举报 answered the one way the table allows: its rectification called back, verified
    (`upheld` is the verification's 情况属实), fixed, then the answer closes it."""
    rect = complaint.rectification
    rect = feedback.record_call(rect, reached=True, record="已联系投诉人，核实情况。", by=by)
    rect = feedback.verify(
        rect, is_true=upheld, is_reasonable=True, is_malicious=False, note="经核实。", by=by
    )
    feedback.fix(rect, measures="已当面道歉并为其办结。", by=by)
    complaint.refresh_from_db()
    return actions.answer(complaint, text="已为您办理，感谢监督。", by=by)


# --- Inspections, through their actions ------------------------------------------------------------


@pytest.fixture
def checklist(people):
    """Two items of 10 points, 2 off each occurrence: a full score of 20 at any point."""
    items = [
        actions.ItemData(text="标识标牌规范", points=10, deduction=2, cap=10, method="look"),
        actions.ItemData(text="工作人员在岗", points=10, deduction=2, cap=10, method="mystery"),
    ]
    return actions.save_checklist(
        people.county,
        name="村级站点督查表",
        sections=[actions.SectionData(title="基础建设", items=items)],
        by=people.bureau,
    )


@pytest.fixture
def inspect(people, checklist):
    """inspect(point, on, announced=False, findings={item index: occurrences}, submitted=True,
    closed=()) → an inspection of `point` by the supervisor, started at 9 on `on` and submitted at
    11 (`actions.start_inspection`, `record_finding`, `submit_inspection`); the rectifications of
    the findings at the indexes in `closed` put right by the point's lead that afternoon (verified,
    fixed, and closed by the reply, as a finding's is)."""
    items = list(checklist.sections.get().items.order_by("order"))

    def make(point, on, *, announced=False, findings=None, submitted=True, closed=()):
        with at(on, 9):
            inspection = actions.start_inspection(
                point,
                checklist=checklist,
                announced=announced,
                by=people.supervisor,
                by_kind="bureau",
            )
            for index, occurrences in (findings or {}).items():
                actions.record_finding(
                    inspection,
                    item=items[index],
                    occurrences=occurrences,
                    note="发现问题。",
                    by=people.supervisor,
                )
        if not submitted:
            return inspection
        with at(on, 11):
            inspection = actions.submit_inspection(inspection, summary="", by=people.supervisor)
        for index in closed:
            rect = inspection.findings.get(item=items[index]).rectification
            with at(on, 15):
                rect = feedback.verify(
                    rect,
                    is_true=True,
                    is_reasonable=True,
                    is_malicious=False,
                    note="属实。",
                    by=people.lead,
                )
                rect = feedback.fix(rect, measures="已更换标牌。", by=people.lead)
                rect = feedback.reply(rect, text="已整改完毕。", by=people.lead)
            assert rect.status == RectStep.CLOSED
        return inspection

    return make


# --- A month of complaints and inspections ----------------------------------------------------------


@pytest.fixture
def a_month(people, complain, inspect):
    """November 2026 around 鲁村镇's first station (hand counts in the tests)."""
    made = {}
    with at(dt.date(2026, 10, 20)):
        made["october"] = complain(kind=Kind.CONSULT, category=Category.OTHER)
    with at(MONDAY):
        made["upheld"] = complain()  # 投诉 推诿扯皮, the station's helper
        made["late"] = complain(kind=Kind.CONSULT, category=Category.OTHER)
        made["not_true"] = complain(
            kind=Kind.COMPLAINT,
            category=Category.ATTITUDE,
            point=people.other_station,
            helper=None,
        )
        made["returned"] = complain()
        made["fee"] = complain(kind=Kind.REPORT, category=Category.FEE)  # open: overdue on 11-18
        for key in ("upheld", "late", "not_true"):
            made[key] = actions.sign(made[key], by=people.town_admin)
    due = answer_due(MONDAY)
    assert due == dt.date(2026, 11, 16)
    with at(return_due(MONDAY)):  # the last day to send it back: on time
        made["returned"] = actions.return_ticket(
            made["returned"], reason="不属本县", by=people.town_admin
        )
    with at(due):  # the last day: on time
        made["upheld"] = answer_upheld(made["upheld"], people.town_admin, True)
        made["not_true"] = answer_upheld(made["not_true"], people.town_admin, False)
    with at(due + dt.timedelta(days=1)):  # the day after: late
        made["late"] = actions.answer(made["late"], text="已解答。", by=people.town_admin)
    with at(dt.date(2026, 11, 17)):
        made["help"] = complain(kind=Kind.HELP, category=Category.EFFICIENCY)  # open, not due
        made["partner"] = complain(
            kind=Kind.SUGGESTION, category=Category.OTHER, point=people.partner, helper=None
        )
    # Inspections: the station twice (16 of 20 unannounced, 18 of 20 announced), the other
    # station once (12 of 20); a draft and one of October (4 of 20) are not counted.
    scores = [
        inspect(people.station, dt.date(2026, 11, 10), findings={0: 2, 1: 0}, closed=(0,)),
        inspect(people.station, dt.date(2026, 11, 12), announced=True, findings={1: 1}),
        inspect(people.other_station, dt.date(2026, 11, 12), findings={1: 4}),
        inspect(people.station, dt.date(2026, 11, 13), submitted=False, findings={0: 5}),
        inspect(people.station, dt.date(2026, 10, 13), findings={0: 5, 1: 3}),
    ]
    assert [(i.score, i.full_score) for i in scores] == [
        (16, 20),
        (18, 20),
        (12, 20),
        (None, 20),
        (4, 20),
    ]
    return made


def read(user, by="point", **kwargs):
    if hasattr(user, "_bangban_memberships"):
        user._bangban_memberships = None
    with at(TODAY):
        return figures_for(user, november(), by, today=TODAY, **kwargs)


def test_the_complaint_figures_count_what_their_definitions_say(a_month, people):
    total = read(people.bureau).complaints_total
    # Received in November: upheld, late, not_true, returned, fee, help, partner (not October's).
    assert total.complaints == 7
    assert dict(total.by_kind) == {"咨询": 1, "求助": 1, "投诉": 3, "举报": 1, "建议": 1}
    assert dict(total.by_category) == {
        "违规收费": 1,
        "推诿扯皮": 2,
        "吃拿卡要": 0,
        "服务态度": 1,
        "工作纪律": 0,
        "服务禁语": 0,
        "办事效率": 1,
        "其他": 2,
    }
    assert (total.answered, total.returned, total.open, total.overdue) == (3, 1, 3, 1)
    # On time: upheld and not_true (answered on the due day), returned (on its last day); not
    # late (the day after). Due by now: those four and the fee report open past its day.
    assert total.on_time_rate == Rate(3, 5)
    # With a verdict: upheld (true) and not_true; the consultation has none.
    assert total.upheld_rate == Rate(1, 2)


def test_on_time_is_the_due_day_itself_and_not_the_day_after(a_month, people):
    rows = {row.name: row for row in read(people.bureau).complaints}
    station, other = rows[people.station.name], rows[people.other_station.name]
    # The station: upheld (on its due day) and returned (on its last day) on time; late (the day
    # after its due day) not; the fee report open past its day counts against it.
    assert a_month["late"].answered_on == a_month["late"].due + dt.timedelta(days=1)
    assert a_month["upheld"].answered_on == a_month["upheld"].due
    assert a_month["returned"].returned_on == a_month["returned"].return_due
    assert (station.answered, station.returned, station.overdue) == (2, 1, 1)
    assert station.on_time_rate == Rate(2, 4)
    assert other.on_time_rate == Rate(1, 1)


def test_complaints_by_point_helper_and_town(a_month, people):
    by_point = {r.name: r.complaints for r in read(people.bureau, "point").complaints}
    assert by_point == {
        people.station.name: 5,
        people.other_station.name: 1,
        people.partner.name: 1,
    }
    by_helper = {r.id: r.complaints for r in read(people.bureau, "helper").complaints}
    assert by_helper == {people.helper.pk: 5, None: 2}
    by_town = {
        (r.group, r.name, r.kind): r.complaints for r in read(people.bureau, "town").complaints
    }
    assert by_town == {
        ("town", people.town.name, people.town.get_kind_display()): 6,
        ("county", f"{people.county.name}县级服务点和合作网点", "县级"): 1,
    }
    # The total is the same whichever the grouping.
    assert (
        read(people.bureau, "town").complaints_total.counts
        == read(people.bureau).complaints_total.counts
    )


def test_the_inspection_figures_count_what_their_definitions_say(a_month, people):
    figures = read(people.bureau)
    rows = {row.name: row for row in figures.inspections}
    station = rows[people.station.name]
    assert (station.inspections, station.unannounced) == (2, 1)
    assert station.average == pytest.approx(85.0)  # 80% and 90%
    assert station.lowest == pytest.approx(80.0)
    # Findings with occurrences: item 0 twice (closed) of the first, item 1 once of the second;
    # the other station's item 1 four times (open); the draft's and October's are not counted.
    assert station.rectified_rate == Rate(1, 2)
    assert rows[people.other_station.name].rectified_rate == Rate(0, 1)
    total = figures.inspections_total
    assert (total.inspections, total.unannounced) == (3, 2)
    assert total.average == pytest.approx((80 + 90 + 60) / 3)
    assert total.lowest == pytest.approx(60.0)
    assert total.rectified_rate == Rate(1, 3)
    by_town = read(people.bureau, "town")
    assert by_town.inspections_by == "town"
    assert [(r.name, r.inspections) for r in by_town.inspections] == [(people.town.name, 3)]


def test_an_empty_period_divides_by_nothing(a_month, people):
    with at(TODAY):
        figures = figures_for(people.bureau, Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    assert figures.complaints == [] and figures.inspections == []
    assert figures.complaints_total.on_time_rate.percent == "—"
    assert figures.inspections_total.average is None


def test_each_role_counts_its_own_scope(a_month, people, make_account, yiyuan):
    # The town sees its own points' complaints, but not the confidential fee report.
    town = read(people.town_admin).complaints_total
    assert (town.complaints, town.counts["category_fee"]) == (5, 0)
    # Another town sees the complaints of its own points only: the partner station under it.
    other = read(people.other_town_admin).complaints
    assert [(r.name, r.complaints) for r in other] == [(people.partner.name, 1)]
    # A partner's administrator: its station's suggestion only.
    assert read(people.partner_admin).complaints_total.complaints == 1
    # Helpers, leads and special supervisors see no complaint at all.
    for user in (people.helper, people.lead, people.special):
        assert read(user).complaints_total.complaints == 0
    # The point sees its submitted inspections (not the draft); the special supervisor only their
    # own, and these are the supervisor's.
    assert read(people.lead).inspections_total.inspections == 2
    assert read(people.special).inspections_total.inspections == 0
    assert read(people.supervisor).inspections_total.inspections == 3
    # The city above sees the county, and may pick it.
    city = make_account(Role.REGION_ADMIN, yiyuan.county.parent)
    assert read(city).complaints_total.complaints == 7
    assert read(city, county=people.county).complaints_total.complaints == 7


@pytest.mark.parametrize("groups", [1, 4])
def test_a_figure_set_is_a_fixed_number_of_queries(
    groups, people, complain, inspect, yiyuan, django_assert_max_num_queries
):
    points = [yiyuan.station("鲁村镇", i) for i in range(groups)]
    with at(MONDAY):
        for point in points:
            complain(point=point, helper=None, kind=Kind.CONSULT)
            inspect(point, MONDAY, findings={0: 1})
    for by in ("point", "helper", "town"):
        people.bureau._bangban_memberships = None
        with at(TODAY), django_assert_max_num_queries(8):
            figures = figures_for(people.bureau, november(), by)
        assert figures.complaints_total.complaints == groups
        assert figures.inspections_total.inspections == groups
