"""The shape of a workflow table (decision 0042): the states a thing of a domain is in, the actions
that move it, from which states, to which, who may perform them and on which named conditions.

A domain writes its table once (the ledger's is `bangban.cases.workflow.LEDGER`) and gets from it:
enforcement (`Workflow.check`, which its actions call before they write), the one answer to "what
may this user do to this thing now" (`Workflow.permitted`, which its pages and actions ask alike),
a loop in its tests over the table, and its chart (`bangban.kernel.workflow_chart`). The next
tables — a bad review's rectification, a complaint, an appointment — are tables of their own.

What the kernel does not know, the domain says in its table: the words (state and actor labels,
the refusals), who the user is to a thing (`relations`: the actors a user stands as, each asked
once and only when needed, cheap ones first) and what its conditions read (a condition may use
what the page has read already, `read`, rather than ask the database again). Rules that need the
action's own input (a date, a reason) stay in the action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Condition:
    """A rule a transition needs besides the state and the actor, named so that pages, tests and
    records can say which one stands in the way. `problem(subject, read)` says why it does not hold
    (the refusal, in the domain's words), or "" when it does; `read` is what the caller has read of
    the subject already (None: ask the database). `field` names where the refusal belongs."""

    name: str
    field: str
    problem: Callable[[Any, Any], str]

    def __call__(self, subject, read=None) -> str:
        return self.problem(subject, read)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    #: The state after the action; None keeps the state.
    target: Any
    actors: frozenset
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Refusal:
    """Why an action may not be performed now: `reason` is "state", "actor" or the name of the
    condition that does not hold; `field` and `message` are the domain's (its error names a field)."""

    reason: str
    field: str
    message: str


class Relations:
    """Which actors of a workflow a user stands as to one thing: a test per actor, asked only when a
    transition needs it, at most once, in the order given (put the cheap ones first)."""

    def __init__(self, tests: Mapping[Any, Callable[[], bool]]):
        self._tests = dict(tests)
        self._known: dict[Any, bool] = {}

    def __contains__(self, actor) -> bool:
        if actor not in self._known:
            test = self._tests.get(actor)
            self._known[actor] = bool(test()) if test is not None else False
        return self._known[actor]

    def any_of(self, actors: Iterable) -> bool:
        """Whether the user stands as one of `actors`, asking in the order of the tests."""
        wanted = frozenset(actors)
        return any(actor in self for actor in self._tests if actor in wanted)


@dataclass(frozen=True)
class Workflow:
    """A table. `states` and `actors` are the domain's choices (enums with a `label`), in the order
    they are drawn; `closed` the states a thing ends in, `done` those drawn as a successful end;
    `system` the actors that are the system's scheduled jobs (performed with no user); `start` the
    state a thing is created in (by `start_label`, not a transition). `relations(subject, user,
    read)` gives the user's `Relations` to the subject (the system's when `user` is None).
    `state_refusal` (with %(state)s and %(action)s) and `actor_refusal` (with %(action)s) are the
    domain's words for the two refusals every table has, under `state_field` and `actor_field`."""

    states: Any
    actors: Any
    transitions: tuple[Transition, ...]
    relations: Callable[[Any, Any, Any], Relations]
    state_refusal: str
    actor_refusal: str
    closed: frozenset = frozenset()
    done: frozenset = frozenset()
    system: frozenset = frozenset()
    start: Any = None
    start_label: str = ""
    state_field: str = "status"
    actor_field: str = "by"
    #: How the state of a subject is read (`subject.status` by default).
    state_of: Callable[[Any], Any] = field(default=lambda subject: subject.status)
    by_action: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_action", {t.action: t for t in self.transitions})

    def transition(self, action: str) -> Transition:
        return self.by_action[action]

    def allowed_from(self, state) -> list[Transition]:
        """The actions the table allows from `state`, whoever performs them and whatever else."""
        return [t for t in self.transitions if state in t.sources]

    def target_of(self, action: str, state):
        """The state after `action` from `state` (the same state when the action keeps it)."""
        t = self.by_action[action]
        return t.target if t.target is not None else self.states(state)

    def check(self, subject, action: str, user, read=None) -> Refusal | None:
        """Why `user` (None: the system) may not perform `action` on `subject` now — the state, the
        actor, then each condition in the table's order — or None when they may."""
        t = self.by_action[action]
        return self._refusal(subject, t, self.relations(subject, user, read), read)

    def permitted(
        self, subject, user, read=None, actions: Iterable[str] | None = None
    ) -> list[Transition]:
        """What `user` may do to `subject` now: the transitions of `actions` (default: the whole
        table), in that order, that the state, the user's relations and every condition allow. The
        one answer for pages and actions alike; an action checks again when it is performed."""
        relations = self.relations(subject, user, read)
        chosen = self.transitions if actions is None else [self.by_action[a] for a in actions]
        return [t for t in chosen if self._refusal(subject, t, relations, read) is None]

    def _refusal(self, subject, t: Transition, relations: Relations, read) -> Refusal | None:
        state = self.state_of(subject)
        if state not in t.sources:
            message = str(self.state_refusal) % {
                "state": self.states(state).label,
                "action": t.label,
            }
            return Refusal("state", self.state_field, message)
        if not relations.any_of(t.actors):
            message = str(self.actor_refusal) % {"action": t.label}
            return Refusal("actor", self.actor_field, message)
        for condition in t.conditions:
            if problem := condition(subject, read):
                return Refusal(condition.name, condition.field, problem)
        return None
