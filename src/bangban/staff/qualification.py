"""Qualified to serve (上岗资格, 先培训后上岗): the reasons someone is not, and the check the case
ledger calls before making a person a case's responsible helper.

The same rule as `Helper.objects.qualified(on=…)`, said person by person with its reasons; the tests
hold the two to each other.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

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
    reasons = []
    if helper.left_on is not None and helper.left_on <= on:
        reasons.append(_("已于 %(day)s 离岗。") % {"day": f"{helper.left_on:%Y-%m-%d}"})
    ready = anniversary(helper.started_on)
    if ready > on:
        reasons.append(
            _("从事受理工作不满一年（%(start)s 开始，%(ready)s 满一年）。")
            % {"start": f"{helper.started_on:%Y-%m-%d}", "ready": f"{ready:%Y-%m-%d}"}
        )
    attended = TrainingAttendance.objects.filter(helper=helper, session__held_on__lte=on)
    if not attended.filter(passed=True).exists():
        if attended.exists():
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
