"""A rating (好差评) of one service occasion, by whichever channel it comes: the rules of who may rate,
when and what, held here once for the QR page, the paper card, the hall device, the API and the
provincial system alike (docs/domain.md "Evaluation and supervision")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.cases.models import Occasion
from bangban.kernel.schemas import NO_CONTROL
from bangban.network import access
from bangban.network.paths import path_of

from .. import province
from ..errors import FeedbackError
from ..models import BAD, Channel, Level, Rating, RatingDevice, Reason, ReasonSet
from ..reasons import current_reason_set
from ..rules import DEVICE_WINDOW, FLOOD_COUNT, FLOOD_WINDOW, why_not_ratable
from .rectifications import answer_follow_up, open_rectification

MAX_REASONS = 5
#: The channels through which the person rates with no one logged in.
SELF_SERVICE = frozenset({Channel.QR, Channel.SMS})


def _reason_problems(reasons: Sequence[str], level: int, reason_set: ReasonSet | None) -> list:
    if not reasons:
        return []
    if len(reasons) > MAX_REASONS or len(set(reasons)) != len(reasons):
        return [_("最多选择 %(n)d 个不同的原因。") % {"n": MAX_REASONS}]
    known = {} if reason_set is None else {r.code: r for r in reason_set.reasons.all()}
    unknown = [code for code in reasons if code not in known]
    if unknown:
        return [_("没有这些评价原因：%(codes)s。") % {"codes": "、".join(map(str, unknown))}]
    wrong = Reason.Polarity.GOOD if level in BAD else Reason.Polarity.BAD
    if level != Level.BASIC and any(known[code].polarity == wrong for code in reasons):
        return [_("所选原因与评价等级不符。")]
    return []


def _who_problems(occasion: Occasion, channel: str, by, device: RatingDevice | None, now) -> dict:
    """Who did not do the work: the person rates (no staff session) on the QR page, by SMS, on a
    device and through the province; a card is entered by staff other than the person rated."""
    if channel == Channel.CARD:
        if by is None or not access.memberships(by):
            return {"by": _("纸质评价卡须由工作人员登录后录入。")}
        if by.pk == occasion.helper_id:
            return {"by": _("被评价的工作人员不能录入对自己的评价卡，请由其他工作人员录入。")}
        return {}
    if by is not None and getattr(by, "is_authenticated", False):
        return {"by": _("工作人员不能代替办事群众评价，请由办事群众本人评价。")}
    if channel == Channel.DEVICE:
        if device is None or not device.active:
            return {"device": _("评价器未登记或已停用。")}
        if device.pushed_occasion_id != occasion.pk or device.pushed_at is None:
            return {"occasion": _("评价器只能评价工作人员刚推送的这次服务。")}
        if now - device.pushed_at > DEVICE_WINDOW:
            return {"occasion": _("推送已超时，请工作人员重新推送。")}
    return {}


def _flag_flood(rating: Rating, now: dt.datetime) -> None:
    """Ratings of many cases from one phone in a short time are flagged, this one and the others.
    Cases, not ratings: a villager rating the registration, the home visit and the handover of
    their own matter in one sitting is no flood."""
    if not rating.rater_phone_digest:
        return
    recent = Rating.objects.filter(
        rater_phone_digest=rating.rater_phone_digest, rated_at__gte=now - FLOOD_WINDOW
    )
    # this one, not yet saved, is one of them
    cases = set(recent.values_list("case_id", flat=True).distinct()) | {rating.case_id}
    if len(cases) >= FLOOD_COUNT:
        recent.update(flagged=True)
        rating.flagged = True


def rate_occasion(
    occasion: Occasion,
    *,
    level: int,
    channel: str,
    reasons: Sequence[str] = (),
    comment: str = "",
    anonymous: bool = False,
    rater_phone_digest: str = "",
    by=None,
    card_scan=None,
    device: RatingDevice | None = None,
    follow_up: bool = False,
    province_default: bool = False,
    at: dt.datetime | None = None,
) -> Rating:
    """Rate `occasion` (or, with `follow_up`, give the follow-up rating of its bad review's
    rectification). FeedbackError naming every problem, and nothing written, when a rule says no."""
    now = at or timezone.now()
    on = timezone.localdate(now)
    with transaction.atomic():
        occasion = (
            Occasion.objects.select_for_update()
            .select_related("case", "case__county", "point")
            .get(pk=occasion.pk)
        )
        errors: dict = {}
        if channel not in Channel.values:
            errors["channel"] = _("评价渠道无效。")
        if province_default and channel != Channel.PROVINCE:
            errors["province_default"] = _("只有省好差评系统可以给出默认评价。")
        if isinstance(level, bool) or level not in Level.values:
            errors["level"] = _("请选择 1 到 5 级中的一个评价。")
        if len(comment) > 500 or not re.fullmatch(NO_CONTROL, comment):
            errors["comment"] = _("评价内容不能超过 500 字，且不能含控制字符。")
        if channel == Channel.CARD and not card_scan:
            errors["card_scan"] = _("请上传评价卡的扫描件或照片。")
        errors.update(_who_problems(occasion, channel, by, device, now))
        rect = None
        if follow_up:
            rect = getattr(_first_rating(occasion), "rectification", None)
            if rect is None or rect.status != "replied":
                errors["follow_up"] = _("该次服务没有等待追评的差评整改。")
            elif on > rect.follow_up_due:
                errors["follow_up"] = _("追评已截止：答复后 5 个工作日内可以追评。")
        elif problem := why_not_ratable(occasion, on, late_ok=province_default):
            errors["occasion"] = problem
        reason_set = current_reason_set(occasion.case.county_id)
        if "level" not in errors and (problems := _reason_problems(reasons, level, reason_set)):
            errors["reasons"] = problems
        if errors:
            raise FeedbackError(errors)
        rating = Rating(
            occasion=occasion,
            assess=Rating.Assess.FOLLOW_UP if follow_up else Rating.Assess.FIRST,
            case_id=occasion.case_id,
            county_id=occasion.case.county_id,
            point_id=occasion.point_id,
            point_path=path_of(occasion.point_id),
            helper_id=occasion.helper_id,
            level=level,
            reason_set=reason_set if reasons else None,
            reasons=list(reasons),
            comment=comment.strip(),
            channel=channel,
            province_default=province_default,
            anonymous=anonymous,
            rater_phone_digest=rater_phone_digest,
            entered_by=by if channel == Channel.CARD else None,
            device=device,
            rated_at=now,
            rated_on=on,
        )
        if card_scan:
            rating.card_scan = card_scan
        _flag_flood(rating, now)
        rating.save(force_insert=True)
        if device is not None:
            RatingDevice.objects.filter(pk=device.pk).update(pushed_occasion=None, pushed_at=None)
        if rect is not None:
            answer_follow_up(rect, rating)
        elif rating.level in BAD and not province_default:
            open_rectification(rating)
        province.queue_rating(rating)
    return rating


def _first_rating(occasion: Occasion) -> Rating | None:
    return occasion.ratings.filter(assess=Rating.Assess.FIRST).first()
