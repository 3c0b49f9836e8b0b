"""What a county sets for its ratings: its reason tags, saved as a new version each time (a rating
names the version it was given under, so an old version is never edited), the first version every
county starts with, and its settings (`FeedbackPolicy`: whether 基本满意 counts as good, the
rectification's working days). Who may is the pages' and API's question (`scope.counties_for(user,
"change")`); these write."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils.translation import gettext as _

from bangban.kernel.history import log_change
from bangban.kernel.schemas import NO_CONTROL
from bangban.network.models import Region

from ..errors import FeedbackError
from ..models import FeedbackPolicy, Reason, ReasonSet
from ..reasons import ReasonData, current_reason_set, read_default_reasons

MAX_REASONS = 30
LABEL_LENGTH = 40
CODE_LENGTH = 40
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
DAYS_RANGE = (1, 60)


def reason_problems(reasons: Sequence[ReasonData]) -> list[str]:
    """What is wrong with a reason set about to be saved (every problem, each naming its row), or
    [] when it may be saved."""
    problems: list[str] = []
    if not reasons:
        return [_("请至少填写一个评价原因。")]
    if len(reasons) > MAX_REASONS:
        problems.append(_("评价原因最多 %(n)d 个。") % {"n": MAX_REASONS})
    seen: set[str] = set()
    for row, reason in enumerate(reasons, start=1):
        where = _("第 %(row)d 个原因") % {"row": row}
        code = reason.code
        if not code or len(code) > CODE_LENGTH or not SLUG.match(code):
            problems.append(
                _("%(where)s：代码须为 1–40 个英文字母、数字、连字符或下划线。") % {"where": where}
            )
        elif code in seen:
            problems.append(_("%(where)s：代码“%(code)s”重复。") % {"where": where, "code": code})
        seen.add(code)
        label = reason.label
        if not label.strip() or len(label) > LABEL_LENGTH or not re.fullmatch(NO_CONTROL, label):
            problems.append(
                _("%(where)s：名称须为 1–40 个字，且不能含控制字符。") % {"where": where}
            )
        if reason.polarity not in Reason.Polarity.values:
            problems.append(_("%(where)s：适用范围须为好评、差评或通用。") % {"where": where})
        if (
            isinstance(reason.position, bool)
            or not isinstance(reason.position, int)
            or not 0 <= reason.position <= 32767
        ):
            problems.append(_("%(where)s：排序须为 0–32767 的整数。") % {"where": where})
    return problems


def _same(reason_set: ReasonSet | None, reasons: Sequence[ReasonData]) -> bool:
    if reason_set is None:
        return False
    old = [
        (r.code, r.label, r.polarity, r.position)
        for r in reason_set.reasons.order_by("position", "code")
    ]
    new = sorted(
        ((r.code, r.label.strip(), r.polarity, r.position) for r in reasons),
        key=lambda row: (row[3], row[0]),
    )
    return old == new


def _lock(county: Region) -> None:
    """Serialise the versions of one county (PostgreSQL; SQLite serialises every write)."""
    list(Region.objects.select_for_update().filter(pk=county.pk).values_list("pk", flat=True))


def _create(county: Region, version: int, reasons: Sequence[ReasonData], by) -> ReasonSet:
    reason_set = ReasonSet.objects.create(county=county, version=version, created_by=by)
    Reason.objects.bulk_create(
        Reason(
            set=reason_set,
            code=r.code,
            label=r.label.strip(),
            polarity=r.polarity,
            position=r.position,
        )
        for r in reasons
    )
    return reason_set


def save_reason_set(county: Region, *, reasons: Sequence[ReasonData], by) -> ReasonSet:
    """Save `reasons` as the county's next version (n + 1); the old versions stay as they were, for
    the ratings given under them. FeedbackError (nothing written) when a reason is malformed, or
    when nothing changed."""
    if county.level != Region.Level.COUNTY:
        raise FeedbackError({"county": _("评价原因按县（区）设置。")})
    if problems := reason_problems(reasons):
        raise FeedbackError({"reasons": problems})
    with transaction.atomic():
        _lock(county)
        current = current_reason_set(county.pk)
        if _same(current, reasons):
            raise FeedbackError({"reasons": _("与当前版本相同，没有保存新版本。")})
        reason_set = _create(county, (current.version if current else 0) + 1, reasons, by)
        log_change(by, reason_set, ADDITION, f"评价原因第 {reason_set.version} 版")
    return reason_set


def give_default_reasons(county: Region, *, by=None) -> ReasonSet | None:
    """The county's first version, from `data/default_reasons.csv`, unless it has one already (a new
    county, the data migration, the demo). None when it had one."""
    if county.level != Region.Level.COUNTY:
        return None
    with transaction.atomic():
        _lock(county)
        if ReasonSet.objects.filter(county=county).exists():
            return None
        reason_set = _create(county, 1, read_default_reasons(), by)
        log_change(by, reason_set, ADDITION, "默认评价原因")
    return reason_set


def set_policy(
    county: Region, *, count_basic_as_good: bool, rectification_days: int, by
) -> FeedbackPolicy:
    """The county's settings: whether 基本满意 counts as good in 好评率, and the rectification's
    deadline in working days from the review (1–60)."""
    errors: dict = {}
    if county.level != Region.Level.COUNTY:
        errors["county"] = _("好差评设置按县（区）设置。")
    if not isinstance(count_basic_as_good, bool):
        errors["count_basic_as_good"] = _("请选择是否将“基本满意”计入好评。")
    low, high = DAYS_RANGE
    if (
        isinstance(rectification_days, bool)
        or not isinstance(rectification_days, int)
        or not low <= rectification_days <= high
    ):
        errors["rectification_days"] = _("整改期限须为 %(low)d–%(high)d 个工作日。") % {
            "low": low,
            "high": high,
        }
    if errors:
        raise FeedbackError(errors)
    with transaction.atomic():
        policy, created = FeedbackPolicy.objects.select_for_update().get_or_create(
            county=county,
            defaults={
                "count_basic_as_good": count_basic_as_good,
                "rectification_days": rectification_days,
            },
        )
        if not created:
            policy.count_basic_as_good = count_basic_as_good
            policy.rectification_days = rectification_days
            policy.save(update_fields=["count_basic_as_good", "rectification_days", "updated_at"])
        basic = "计入" if count_basic_as_good else "不计入"
        log_change(
            by,
            policy,
            ADDITION if created else CHANGE,
            f"“基本满意”{basic}好评；整改期限 {rectification_days} 个工作日",
        )
    return policy
