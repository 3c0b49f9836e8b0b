"""Home visits (上门服务): a helper served the applicant at home. The state and the clock stay as
they are; the visit is a service occasion of its own (一次一评, decision 0048), rated like the
others."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Case, Occasion
from .core import CaseError, _apply, _check, _day, _locked, _serve
from .deemed import _deem_first

#: The longest note of a visit.
NOTE_LIMIT = 300


def record_home_visit(case: Case, *, on: dt.date | None, note: str, by) -> Case:
    """上门服务: `by` served the applicant of `case` at home on `on` (default today; not after today,
    not before the case's day of receipt), doing what `note` says. The handling point's people and
    the first responsible helper may record it while the case is open; the occasion is the handling
    point's, by `by`."""
    note = (note or "").strip()
    if not note or len(note) > NOTE_LIMIT:
        raise CaseError({"note": _("请写明上门服务的内容（不超过 300 字）。")})
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "home_visit", by)
        day = _day(on)
        if day < case.received_on:
            raise CaseError(
                {
                    "on": _("上门日期不能早于收到材料的日期（%(day)s）。")
                    % {"day": f"{case.received_on:%Y-%m-%d}"}
                }
            )
        case = _apply(case, "home_visit", by, {}, {"text": note, "visited_on": day.isoformat()})
        _serve(case, Occasion.Kind.HOME_VISIT, on=day, point=case.handling_point, helper=by)
    return case
