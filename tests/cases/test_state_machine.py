"""Random sequences of actions on one case (hypothesis), by its helper or by a helper elsewhere, on
days moving forward from the day of receipt: an action the workflow table allows the one acting
(`workflow.permitted`: the state, who they are to the case, the table's conditions) is performed,
refused only for its own input (a day, the materials); one it does not allow is refused. After
every step the state is one of the table's, every action left exactly one event of
its own (a refused one none, and changed nothing) besides the system's one deemed acceptance, the
deadline never moved earlier except by a recorded correction (an admin changing a day of the
calendar), suspended time was never counted, the first responsible helper never changed, and
the service occasions are numbered 1, 2, … from the registration, one per home visit and completion.
Once the notice window has passed without a notice in it, every action finds the case accepted on
the day of receipt; an acceptance is never dated before the materials were complete; what a reader
is shown of a case due for deemed acceptance is what the job then records."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from bangban.cases import actions, workflow
from bangban.cases.actions import CaseError, NoticeItem
from bangban.cases.models import (
    DEEMABLE,
    Case,
    CaseEvent,
    CaseMaterial,
    Occasion,
    clock_of,
    deemed_cutoff,
    notice_in_time,
)
from bangban.cases.workflow import OPEN, State
from bangban.workdays import calendar
from bangban.workdays.actions import set_day

TODAY = dt.datetime(2026, 11, 25, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
RECEIVED = dt.date(2026, 11, 2)
days = st.integers(min_value=0, max_value=23).map(lambda n: RECEIVED + dt.timedelta(days=n))
#: The day an action is dated, from today: mostly past days (some before the receipt or the
#: acceptance), sometimes a day still to come; each refused for its own input where it should be.
shifts = st.one_of(st.just(0), st.integers(min_value=-12, max_value=2)).map(
    lambda n: dt.timedelta(days=n)
)
CST = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=CST), tick=False)


calendar_days = st.integers(min_value=0, max_value=45).map(
    lambda n: RECEIVED + dt.timedelta(days=n)
)


@pytest.mark.django_db
def test_random_sequences_of_actions_keep_the_ledgers_promises(
    register, helper, make_item, make_helper, yiyuan
):
    item = make_item(promised_limit=10, legal_limit=20)
    people = {"helper": helper, "elsewhere": make_helper(yiyuan.town("南麻街道")).user}
    # Mostly the case's own helper (the case moves on), sometimes someone who may not act on it.
    who = st.sampled_from(["helper", "helper", "helper", "elsewhere"])
    #: The fields an action may refuse for its own input (a day, the materials as they are); any
    #: other refusal of an action the table allows is the table's and a wrong one.
    own_input = {
        "notice": (),
        "materials_received": ("received_on", "materials"),
        "accept": ("on", "materials"),
        "suspend": ("on",),
        "resume": ("on",),
        "extend": (),
        "complete": ("on",),
        "withdraw": (),
        "home_visit": ("on",),
    }

    class Ledger(RuleBasedStateMachine):
        @initialize()
        def registered(self):
            self.today = RECEIVED
            with at(self.today):
                self.case = register(item=item, received_on=RECEIVED)
            self.events = 1
            self.deadline = None
            self.suspensions = []
            self.corrected = False
            self.changed_after_close = False
            self.steps = 0
            self.notices = 0
            self.by = helper

        def status(self):
            return Case.objects.values_list("status", flat=True).get(pk=self.case.pk)

        def _deem_due(self) -> bool:
            """Is deemed acceptance due today (the window passed, no notice in it, not accepted)?"""
            case = Case.objects.get(pk=self.case.pk)
            return (
                case.status in DEEMABLE
                and case.accepted_on is None
                and not notice_in_time(case.received_on, self.today)
                and not case.notices.filter(within_window=True).exists()
            )

        def _act(self, name: str, action) -> bool:
            self.steps += 1
            before = Case.objects.select_related("handling_point").get(pk=self.case.pk)
            due = self._deem_due()
            allowed = bool(workflow.permitted(before, self.by, actions=[name]))
            try:
                with at(self.today):
                    action()
            except CaseError as error:
                after = Case.objects.get(pk=self.case.pk)
                assert after.status == before.status
                assert after.promised_deadline == before.promised_deadline
                assert after.accepted_on == before.accepted_on
                fields = {field.split(".")[0] for field in error.errors}
                if allowed:
                    wrong = fields - set(own_input[name])
                    assert not wrong, f"{name} allowed in {before.status} but refused: {error}"
                else:
                    table = {"status", "by"} | {
                        c.field for c in workflow.transition(name).conditions
                    }
                    assert fields & table, f"{name} refused for another reason: {error}"
                return False
            assert allowed, f"{name} not allowed in {before.status} to {self.by} but performed"
            self.events += 1
            if due:  # the action found the case deemed accepted first
                after = Case.objects.get(pk=self.case.pk)
                assert after.accepted_on == RECEIVED and after.acceptance_deemed
            return True

        @precondition(lambda self: self.today < TODAY.date() + dt.timedelta(days=20))
        @rule(n=st.integers(min_value=1, max_value=6))
        def time_passes(self, n):
            self.today += dt.timedelta(days=n)

        def acting(self, name: str) -> None:
            self.by = people[name]

        @precondition(lambda self: self.notices < 2)
        @rule(day=days, name=who)
        def notice(self, day, name):
            self.acting(name)
            line = self.case.materials.first()
            self.notices += 1
            self._act(
                "notice",
                lambda: actions.issue_notice(
                    self.case,
                    items=[NoticeItem(line.pk, "missing")],
                    supply_by=dt.date(2026, 12, 31),
                    by=self.by,
                    repeat_reason="再次补正",
                ),
            )

        @rule(shift=shifts, received=st.booleans(), name=who)
        def materials(self, shift, received, name):
            self.acting(name)
            day = self.today + shift
            status = "received" if received else "missing"
            statuses = {line.material_id: status for line in self.case.materials.all()}
            self._act(
                "materials_received",
                lambda: actions.set_material_status(
                    self.case, statuses=statuses, by=self.by, received_on=day
                ),
            )

        @rule(shift=shifts, name=who)
        def accept(self, shift, name):
            self.acting(name)
            day = self.today + shift
            if self._act("accept", lambda: actions.accept_case(self.case, by=self.by, on=day)):
                case = Case.objects.get(pk=self.case.pk)
                if not case.acceptance_deemed:
                    received = case.materials.filter(
                        status=CaseMaterial.Status.RECEIVED, material__necessity="required"
                    ).values_list("received_on", flat=True)
                    assert all(case.accepted_on >= day for day in received)

        @rule(shift=shifts, name=who)
        def suspend(self, shift, name):
            self.acting(name)
            day = self.today + shift
            self._act(
                "suspend",
                lambda: actions.suspend_case(self.case, by=self.by, reason="补正", on=day),
            )

        @rule(shift=shifts, name=who)
        def resume(self, shift, name):
            self.acting(name)
            day = self.today + shift
            suspended_on = Case.objects.get(pk=self.case.pk).suspended_on

            def resume():
                actions.resume_case(self.case, by=self.by, on=day)
                self.suspensions.append((suspended_on, day))

            self._act("resume", resume)

        @rule(n=st.integers(min_value=1, max_value=5), name=who)
        def extend(self, n, name):
            self.acting(name)
            self._act(
                "extend",
                lambda: actions.extend_case(
                    self.case, by=self.by, working_days=n, reason="专家评审", approver="局长"
                ),
            )

        @rule(shift=shifts, name=who)
        def home_visit(self, shift, name):
            self.acting(name)
            day = self.today + shift
            self._act(
                "home_visit",
                lambda: actions.record_home_visit(self.case, on=day, note="上门服务", by=self.by),
            )

        @precondition(lambda self: self.steps > 8)
        @rule(shift=shifts, name=who)
        def complete(self, shift, name):
            self.acting(name)
            day = self.today + shift
            self._act("complete", lambda: actions.complete_case(self.case, by=self.by, on=day))

        @precondition(lambda self: self.steps > 20)
        @rule(name=who)
        def withdraw(self, name):
            self.acting(name)
            self._act(
                "withdraw", lambda: actions.withdraw_case(self.case, by=self.by, reason="撤回")
            )

        @rule()
        def deem(self):
            """The hourly job records what a reader was shown the moment before."""
            case = Case.objects.select_related("revision").get(pk=self.case.pk)
            shown = clock_of(case, deemed_cutoff(self.today))
            with at(self.today):
                actions.apply_deemed_acceptance(self.case, today=self.today)
            stored = Case.objects.select_related("revision").get(pk=self.case.pk)
            assert clock_of(stored, deemed_cutoff(self.today)) == shown

        @rule(day=calendar_days)
        def calendar_changes(self, day):
            """An admin turns one day of the published year into a day off or a working day; the
            ledger recounts the deadlines it touches, recording each change."""
            weekend = day.weekday() >= 5
            if calendar.is_workday(day):
                kind = "weekend" if weekend else "holiday"
            else:
                kind = "makeup_workday" if weekend else "workday"
            before = CaseEvent.objects.filter(case=self.case).count()
            with at(self.today):
                set_day(day, kind=kind, name="调整", by=None)
                actions.correct_deadlines(day, day)
            added = CaseEvent.objects.filter(case=self.case).count() - before
            assert added in (0, 1)
            self.events += added
            self.corrected = bool(added)
            if self.status() not in OPEN:
                self.changed_after_close = True

        @invariant()
        def occasions_numbered_in_order(self):
            """The occasions are numbered 1, 2, … from the registration; a home visit and the
            completion each left one, a refused one none."""
            kinds = list(
                Occasion.objects.filter(case=self.case)
                .order_by("sequence")
                .values_list("sequence", "kind")
            )
            assert [n for n, _kind in kinds] == list(range(1, len(kinds) + 1))
            assert kinds[0][1] == Occasion.Kind.REGISTER
            for kind, action in (
                (Occasion.Kind.HOME_VISIT, "home_visit"),
                (Occasion.Kind.HANDOVER, "complete"),
            ):
                left = CaseEvent.objects.filter(case=self.case, action=action).count()
                assert sum(k == kind for _n, k in kinds) == left

        @invariant()
        def promises_kept(self):
            case = Case.objects.get(pk=self.case.pk)
            assert case.status in State.values
            deemed = CaseEvent.objects.filter(case=case, action="deem_accepted").count()
            assert deemed == int(case.acceptance_deemed) <= 1
            assert CaseEvent.objects.filter(case=case).count() == self.events + deemed
            if case.acceptance_deemed:
                assert case.accepted_on == case.received_on
                assert not case.notices.filter(within_window=True).exists()
            if case.deemed_deadline is not None:  # still awaiting acceptance, counted afresh
                assert case.accepted_on is None and case.status in DEEMABLE
                assert case.deemed_deadline == calendar.deadline(case.received_on, 10).date
            assert case.responsible_id == helper.pk
            if self.deadline is not None and not self.corrected:
                assert case.promised_deadline >= self.deadline
            if self.corrected:
                assert CaseEvent.objects.filter(case=case).last().action == "correct_deadline"
            self.deadline, self.corrected = case.promised_deadline, False
            if (
                case.accepted_on is not None
                and case.promised_deadline is not None
                and not self.changed_after_close
            ):
                # The deadline is the limit from acceptance, moved only by suspension and extension:
                # never by time spent suspended beyond what was recorded.
                base = calendar.deadline(case.accepted_on, 10).date
                counted = calendar.working_days_between(base, case.promised_deadline)
                extended = sum(
                    e.data["working_days"]
                    for e in CaseEvent.objects.filter(case=case, action="extend")
                )
                suspended = sum(calendar.working_days_between(a, b) for a, b in self.suspensions)
                assert counted == suspended + extended

    with time_machine.travel(TODAY, tick=False):
        run = settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )(Ledger)
        try:
            run.TestCase().runTest()
        finally:
            calendar.invalidate()  # the days changed are rolled back; so must the cache be
