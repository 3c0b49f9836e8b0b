"""Qualified to serve (上岗资格, 先培训后上岗): the reasons someone is not, and the check the case
ledger calls before making a person a case's responsible helper.

The same rule as `Helper.objects.qualified(on=…)`, said person by person with its reasons; the tests
hold the two to each other.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from bangban.kernel.statements import Param, Statement

from .models import Helper, TrainingAttendance, anniversary


class HelperNotQualified(Exception):
    """Refused: this person may not be a case's responsible helper on that day."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("；".join(reasons))


def reasons_not_qualified(helper: Helper | None, on: dt.date) -> list[str]:
    """Why `helper` is not qualified on `on` (empty when they are)."""
    if helper is None:
        return [_("没有帮办代办员档案，不能担任帮办代办员。")]
    attended = TrainingAttendance.objects.filter(helper=helper, session__held_on__lte=on)
    passed = attended.filter(passed=True).exists()
    return _reasons(helper, on, trained=passed or attended.exists(), passed=passed)


def _reasons(helper: Helper, on: dt.date, *, trained: bool, passed: bool) -> list[str]:
    reasons = []
    if helper.left_on is not None and helper.left_on <= on:
        reasons.append(_("已于 %(day)s 离岗。") % {"day": f"{helper.left_on:%Y-%m-%d}"})
    ready = anniversary(helper.started_on)
    if ready > on:
        reasons.append(
            _("从事受理工作不满一年（%(start)s 开始，%(ready)s 满一年）。")
            % {"start": f"{helper.started_on:%Y-%m-%d}", "ready": f"{ready:%Y-%m-%d}"}
        )
    if not passed:
        if trained:
            reasons.append(_("培训考核未合格，须培训合格后上岗。"))
        else:
            reasons.append(_("尚未参加培训，须先培训后上岗。"))
    return reasons


def ensure_qualified(user, on: dt.date) -> Helper:
    """The user's helper profile if they are qualified on `on`; HelperNotQualified with the reasons
    otherwise. The ledger calls this before anyone becomes a case's responsible helper."""
    helper = Helper.objects.filter(user=user).first()
    reasons = reasons_not_qualified(helper, on)
    if reasons:
        raise HelperNotQualified(reasons)
    return helper


def with_training(helpers: QuerySet[Helper], on: dt.date) -> QuerySet[Helper]:
    """Annotate each helper with `trained` (attended a training on or before `on`) and
    `passed_training` (passed one): what `reasons_from_training` needs, in the list's one query."""
    attended = TrainingAttendance.objects.filter(helper=OuterRef("pk"), session__held_on__lte=on)
    return helpers.annotate(
        trained=Exists(attended), passed_training=Exists(attended.filter(passed=True))
    )


def reasons_from_training(helper: Helper, on: dt.date) -> list[str]:
    """`reasons_not_qualified` for a helper annotated by `with_training` (no further query)."""
    return _reasons(helper, on, trained=helper.trained, passed=helper.passed_training)


def _best_training() -> QuerySet:
    """Per helper, their best training on or before the day `Param("on")`: passed (True), attended
    (False), or none (null)."""
    return (
        TrainingAttendance.objects.filter(helper=OuterRef("pk"), session__held_on__lte=Param("on"))
        .order_by("-passed")
        .values("passed")[:1]
    )


#: The profile's two dates and its best training, compiled once (decision 0071): asked on every
#: registration.
_QUALIFICATION = Statement(
    lambda: (
        Helper.objects.filter(user=Param("user"))
        .annotate(best=Subquery(_best_training()))
        .values_list("started_on", "left_on", "best")[:1]
    )
)


def reasons_for(user, on: dt.date) -> list[str]:
    """`reasons_not_qualified` for the helper profile of `user` (no profile: its reason), in one
    statement the ledger asks on every registration: the profile's two dates and, in one
    sub-query, its best training on or before `on` (passed, attended, or none)."""
    rows = _QUALIFICATION.tuples({"user": user.pk, "on": on})
    if not rows:
        return reasons_not_qualified(None, on)
    started_on, left_on, best = rows[0]
    helper = Helper(started_on=started_on, left_on=left_on)
    return _reasons(helper, on, trained=best is not None, passed=bool(best))
