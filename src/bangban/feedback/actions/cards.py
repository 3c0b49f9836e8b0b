"""A paper rating card (纸质评价卡) entered by staff: the card's number is printed on the receipt
(`Case.rating_card`); someone who may act at the rated point, never the helper rated, enters the
level, reasons and comment the applicant ticked, with the card's scan. The rating itself is
`rate_occasion(channel=CARD)`, where every rating's rules are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import PurePath

from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.cases.models import Case, Occasion
from bangban.kernel.uploads import MAGIC, scan_problem
from bangban.network import access

from ..errors import FeedbackError
from ..models import Channel, Rating
from ..rules import why_not_ratable
from .ratings import rate_occasion

#: A card number as printed: letters and digits (spaces and dashes typed in are dropped).
CARD_LENGTH = 12


def normalise_card(number: str) -> str:
    return "".join(ch for ch in str(number) if ch.isalnum()).upper()[:40]


def card_occasions(case: Case, on: dt.date | None = None) -> list[Occasion]:
    """The occasions of `case`, newest first, each with `why_not` ("" when it may be rated on
    `on`)."""
    on = on or timezone.localdate()
    occasions = list(case.occasions.select_related("point", "helper").order_by("-on", "-sequence"))
    for occasion in occasions:
        occasion.why_not = why_not_ratable(occasion, on)
    return occasions


def default_occasion(occasions: Sequence[Occasion]) -> Occasion | None:
    """The card's occasion unless told otherwise: the latest not yet rated and still in its window
    (of `card_occasions`)."""
    return next((o for o in occasions if not o.why_not), None)


def scan_problems(scan) -> str:
    """Why the card's scan is not acceptable (an image or PDF of at most 20 MB, whose content is
    what its name says), or ""."""
    if problem := scan_problem(scan):
        return problem
    extension = PurePath(str(scan.name)).suffix.lower().lstrip(".")
    extension = "jpg" if extension == "jpeg" else extension
    scan.seek(0)
    head = scan.read(8)
    scan.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC[extension]):
        return _("扫描件内容与扩展名不符，或文件已损坏。")
    return ""


def enter_card(
    case: Case,
    *,
    occasion: Occasion | None,
    level: int,
    reasons: Sequence[str] = (),
    comment: str = "",
    scan,
    by,
) -> Rating:
    """Enter the paper card of `case` for `occasion` (None: the default occasion). Refused
    (FeedbackError, nothing written) when `by` may not act at the rated point, is the helper rated,
    or the card's rating breaks a rule of `rate_occasion`."""
    if occasion is None:
        occasion = default_occasion(card_occasions(case))
        if occasion is None:
            raise FeedbackError(
                {"occasion": _("该办件没有可以评价的服务（均已评价或已过评价期）。")}
            )
    elif occasion.case_id != case.pk:
        raise FeedbackError({"occasion": _("所选服务不属于该评价卡的办件。")})
    if not access.can(by, "act", occasion.point):
        raise FeedbackError({"by": _("您不能为该服务点的服务录入评价卡。")})
    if scan is None:
        raise FeedbackError({"card_scan": _("请上传评价卡的扫描件或照片。")})
    if problem := scan_problems(scan):
        raise FeedbackError({"card_scan": problem})
    suffix = PurePath(str(scan.name)).suffix.lower()
    scan.name = f"card-{case.rating_card or case.pk}{suffix}"
    return rate_occasion(
        occasion,
        level=level,
        channel=Channel.CARD,
        reasons=reasons,
        comment=comment,
        card_scan=scan,
        by=by,
    )
