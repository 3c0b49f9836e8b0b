"""What every action of the ledger shares: its error (`CaseError`), the case locked for the
action, the workflow table enforced (`_check`: may this action be done now, by this person), the
change written with its one event (`_apply`), the service occasion an action records
(`_serve`, decision 0048), and who may serve at a point.

The actions of each topic (the other modules of this package) are written on these.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.network import access
from bangban.network.models import SERVING_ROLES, ServicePoint
from bangban.staff.qualification import HelperNotQualified, reasons_for

from .. import events, workflow
from ..errors import CaseError
from ..models import Case, Occasion, deadline_values


def _serves_at(user, point: ServicePoint) -> bool:
    """Does `user` serve at `point`? From the memberships the gate reads once per user object (no
    query for the user of the request, whose memberships the gate has read already)."""
    return any(m.role in SERVING_ROLES and m.point_id == point.pk for m in access.memberships(user))


def _not_qualified(user, on: dt.date) -> str:
    """Why `user` is not qualified to serve on `on` (上岗资格, docs/domain.md "Definitions"), as one
    text, or "" when they are: one query (`staff.qualification.reasons_for`, the reasons of
    `ensure_qualified`)."""
    reasons = reasons_for(user, on)
    return str(HelperNotQualified(reasons)) if reasons else ""


def _locked(case: Case) -> Case:
    return (
        # Only the case's own row: the county's, shared by every case of the county, stays free.
        Case.objects.select_for_update(of=("self",))
        .select_related("county", "handling_point", "revision", "applicant")
        .get(pk=case.pk)
    )


def _check(case: Case, action: str, by) -> workflow.Transition:
    """The transition of `action` if the table allows it now (`workflow.LEDGER.check`: the case's
    state, `by` among its actors, its named conditions); CaseError otherwise, at the refusal's field
    (the API answers 403 for "by", 409 else: someone else may have acted first)."""
    refusal = workflow.LEDGER.check(case, action, by)
    if refusal is not None:
        raise CaseError({refusal.field: refusal.message})
    return workflow.transition(action)


def _deadline_values(case: Case, accepted_on: dt.date) -> dict:
    """The promised and legal deadlines counted from the acceptance day (`models.deadline_values`)."""
    return deadline_values(case.revision, accepted_on)


def _snapshot(case: Case, names) -> dict:
    return {name: _json(getattr(case, name)) for name in names}


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _apply(case: Case, action: str, by, changes: dict, data: dict | None = None) -> Case:
    """Write `changes` and the state the table says, and append the one event of the action."""
    before_status = case.status
    target = workflow.target_of(action, case.status)
    changes = {**changes, "status": target}
    before = _snapshot(case, changes)
    for name, value in changes.items():
        setattr(case, name, value)
    case.save(update_fields=list(changes))
    events.record(
        case,
        action,
        by=by,
        from_status=before_status,
        to_status=target,
        data={
            **(data or {}),
            "before": before,
            "after": _snapshot(case, changes),
        },
    )
    return case


def _day(on: dt.date | None) -> dt.date:
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise CaseError({"on": _("日期不能晚于今天。")})
    return day


def _serve(
    case: Case, kind: str, *, on: dt.date, point: ServicePoint, helper, first: bool = False
) -> Occasion:
    """Record that the applicant of `case` was served (一次一评, `Occasion`): what (`kind`, an
    `Occasion.Kind`), on which day, at which point and by whom — beside the action's event, in its
    transaction. The sequence is the case's next (1, 2, …), read under the case's lock the caller
    holds (`_locked`); `first` for a case just created (no read)."""
    last = 0 if first else case.occasions.aggregate(last=Max("sequence"))["last"] or 0
    return Occasion.objects.create(
        case=case, sequence=last + 1, kind=kind, on=on, point=point, helper=helper
    )
