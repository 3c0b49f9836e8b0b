"""The complaint's table, looped over (like tests/feedback/test_rectification_table.py): random
sequences of every action — the handler's, the hotline centre's extension decisions, the bureau's —
by the town's administrator, the person accused (who also holds a town-admin membership of the
same town), another town's administrator, the bureau and the platform (no user). An action the
table allows the one acting (`COMPLAINT.permitted`) is performed; one it does not allow is refused,
changing nothing. After every step the state is one of the table's, each performed action left
exactly one event of its own, and the accused never acted."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bangban.feedback import actions as feedback
from bangban.network.accounts import grant_membership
from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.actions import SupervisionError
from bangban.supervision.models import Category, Complaint, ComplaintEvent, Kind, Source
from bangban.supervision.workflow import COMPLAINT, Step

pytestmark = pytest.mark.django_db

#: The fields an action may refuse for its own input; any other refusal of an allowed action is
#: the table's, and a wrong one.
OWN_INPUT = {"reason", "days", "text", "note", "case", "point", "helper", "upheld"}


def test_every_action_is_allowed_iff_performed(people, complain, register):
    grant_membership(people.helper, role=Role.TOWN_ADMIN, binding=people.town, by=None)
    accused = type(people.helper).objects.get(pk=people.helper.pk)
    cast = {
        "handler": people.town_admin,
        "accused": accused,
        "other_town": people.other_town_admin,
        "bureau": people.bureau,
        "platform": None,
    }
    who = st.sampled_from(["handler", "handler", "handler", "accused", "other_town", "bureau"])
    texts = st.sampled_from(["已处理", "", "   "])
    case = register()

    class Table(RuleBasedStateMachine):
        @initialize(
            kind=st.sampled_from([Kind.COMPLAINT, Kind.HELP, Kind.CONSULT]),
            source=st.sampled_from([Source.HOTLINE, Source.WINDOW]),
        )
        def received(self, kind, source):
            self.complaint = complain(
                kind=kind, source=source, category=Category.BUCK, helper=accused
            )
            self.events = ComplaintEvent.objects.filter(complaint=self.complaint).count()

        def fresh(self) -> Complaint:
            return Complaint.objects.select_related("county", "rectification").get(
                pk=self.complaint.pk
            )

        def _act(self, name: str, perform, by) -> bool:
            before = self.fresh()
            allowed = bool(COMPLAINT.permitted(before, by, actions=[name]))
            try:
                perform(before)
            except SupervisionError as error:
                after = self.fresh()
                assert (after.status, after.updated_at) == (before.status, before.updated_at)
                fields = set(error.errors)
                if allowed:
                    assert fields <= OWN_INPUT, f"{name} allowed in {before.status}: {error}"
                else:
                    table = {"status", "by"} | {
                        c.field for c in COMPLAINT.transition(name).conditions
                    }
                    assert fields & table, f"{name} refused for another reason: {error}"
                return False
            assert allowed, f"{name} not allowed in {before.status} to {by} but performed"
            assert by != accused
            self.events += 1
            last = ComplaintEvent.objects.filter(complaint=self.complaint).last()
            assert (last.action, last.from_status) == (name, before.status)
            assert last.to_status == COMPLAINT.target_of(name, before.status)
            return True

        @rule(name=who)
        def sign(self, name):
            by = cast[name]
            self._act("sign", lambda c: actions.sign(c, by=by), by)

        @rule(name=who, reason=texts)
        def give_back(self, name, reason):
            by = cast[name]
            self._act("return", lambda c: actions.return_ticket(c, reason=reason, by=by), by)

        @rule(name=who, days=st.sampled_from([0, 3, 10, 11]), reason=texts)
        def extend(self, name, days, reason):
            by = cast[name]
            self._act(
                "request_extension",
                lambda c: actions.request_extension(c, days=days, reason=reason, by=by),
                by,
            )

        @rule(name=st.sampled_from(["platform", "bureau", "handler"]), approve=st.booleans())
        def decide(self, name, approve):
            by = cast[name]
            action = "approve_extension" if approve else "refuse_extension"
            self._act(action, lambda c: actions.decide_extension(c, approve=approve, by=by), by)

        @rule(name=who)
        def make_case(self, name):
            by = cast[name]
            self._act("to_case", lambda c: actions.to_case(c, case=case, by=by), by)

        @rule(name=who, text=texts)
        def answer(self, name, text):
            by = cast[name]
            self._act("answer", lambda c: actions.answer(c, text=text, by=by), by)

        @rule()
        def resolve(self):
            rect = self.fresh().rectification
            if rect is None or rect.status != "opened":
                return
            by = people.town_admin
            feedback.record_call(rect, reached=True, record="已联系", by=by)
            feedback.verify(
                rect, is_true=True, is_reasonable=True, is_malicious=False, note="属实", by=by
            )
            feedback.fix(rect, measures="已整改", by=by)

        @invariant()
        def kept(self):
            complaint = self.fresh()
            assert complaint.status in Step.values
            assert complaint.events.count() == self.events
            assert not complaint.events.filter(by=accused).exists()
            if complaint.status == Step.ANSWERED and complaint.rectification_id:
                assert complaint.rectification.status == "closed"

    Table.TestCase.settings = settings(
        max_examples=12,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    Table.TestCase().runTest()
