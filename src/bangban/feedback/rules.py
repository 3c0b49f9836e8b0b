"""The rules of 好差评 that write nothing: the windows on the working-day calendar, who answers for a
rated point, the county's settings, flagging many ratings from one phone, and who may rate. The
actions ask them before they write, and the pages ask the same to offer only what is allowed.

Windows (鲁政办发〔2020〕10号): a service occasion may be rated until the 5th working day after it
(补充评价); a bad review is called back within 1 working day; rectified by the county's deadline
(5 working days from the review by default); the follow-up rating (追评) is open until the 5th
working day after the reply.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from bangban.cases.models import Case, Occasion
from bangban.kernel import protection
from bangban.network.models import ServicePoint
from bangban.staff.models import Helper
from bangban.workdays import calendar

from .models import FeedbackPolicy

RATING_DAYS = 5
FOLLOW_UP_DAYS = 5
CALL_BACK_DAYS = 1
#: Three calls not answered count as the call-back (the review's handling goes on).
CALLS_ENOUGH = 3
#: Ratings of this many cases from one phone within the window are flagged (疑似刷评). A phone, not
#: an address: a village station's visitors share one; cases, not ratings: one matter's occasions
#: rated in one sitting are one person's.
FLOOD_COUNT = 3
FLOOD_WINDOW = dt.timedelta(minutes=30)
#: A hall device rates the occasion pushed to it within this time.
DEVICE_WINDOW = dt.timedelta(minutes=15)

#: The points whose bad reviews the bureau takes (the county centre and its zones, windows, and
#: the partner stations); the others' go to their town.
BUREAU_KINDS = frozenset(
    {
        ServicePoint.Kind.COUNTY_CENTRE,
        ServicePoint.Kind.DEDICATED_ZONE,
        ServicePoint.Kind.DOMAIN_SUBZONE,
        ServicePoint.Kind.DEPARTMENT_WINDOW,
        ServicePoint.Kind.PARTNER_STATION,
    }
)


def policy_for(county_id: int) -> FeedbackPolicy:
    """The county's settings, or the defaults (unsaved) when it has set none."""
    found = FeedbackPolicy.objects.filter(county_id=county_id).first()
    return found or FeedbackPolicy(county_id=county_id)


def rating_closes_on(occasion: Occasion) -> dt.date:
    """The last day `occasion` may be rated: the 5th working day after it (补充评价)."""
    return calendar.deadline(occasion.on, RATING_DAYS).date


def follow_up_closes_on(replied_on: dt.date) -> dt.date:
    """The last day of the follow-up rating: the 5th working day after the reply."""
    return calendar.deadline(replied_on, FOLLOW_UP_DAYS).date


def call_back_due(opened_on: dt.date) -> dt.date:
    return calendar.deadline(opened_on, CALL_BACK_DAYS).date


def rectification_due(opened_on: dt.date, county_id: int) -> calendar.Deadline:
    return calendar.deadline(opened_on, policy_for(county_id).rectification_days)


def why_not_ratable(occasion: Occasion, on: dt.date, *, late_ok: bool = False) -> str:
    """Why `occasion` may not be given its first rating on `on`, or "" when it may. `late_ok`: the
    default rating the province assigns once the window has closed unrated."""
    if on < occasion.on:
        return str(_("服务之后才能评价。"))
    if not late_ok and on > rating_closes_on(occasion):
        return str(_("该次服务的评价已截止：服务后 5 个工作日内可以评价。"))
    if occasion.ratings.filter(assess=1).exists():
        return str(_("该次服务已经评价过了，每次服务只能评价一次。"))
    return ""


def answerable(point: ServicePoint) -> tuple[str, ServicePoint | None]:
    """Who takes `point`'s bad reviews: ("bureau", None) for the county centre, its zones and windows
    and the partner stations; ("town", the town centre) for a town centre and the stations under it."""
    if point.kind in BUREAU_KINDS:
        return "bureau", None
    if point.kind == ServicePoint.Kind.TOWN_CENTRE:
        return "town", point
    ids = [int(part) for part in point.ancestry.strip("/").split("/") if part]
    town = (
        ServicePoint.objects.filter(pk__in=ids, kind=ServicePoint.Kind.TOWN_CENTRE)
        .order_by("-ancestry")
        .first()
    )
    return ("town", town) if town is not None else ("bureau", None)


def is_staff_phone(phone: str) -> bool:
    """Whether `phone` is a staff phone (a helper's work phone or a point's phone): two index
    lookups (both columns are indexed for this question, asked on every public rating)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return False
    return (
        Helper.objects.filter(work_phone__in={phone, digits}).exists()
        or ServicePoint.objects.filter(phone__in={phone, digits}).exists()
    )


def why_phone_may_not_rate(case: Case, last4: str) -> str:
    """Why the person holding the receipt of `case` may not rate with the last four digits `last4`
    of the applicant's phone, or "" when they may. The applicant rates — the principal (委托人) of a
    代办 case, never the proxy — and never from a staff phone."""
    applicant = case.applicant
    phone = applicant.decrypted_phone()
    if not phone:
        return str(_("该办件未登记申请人电话，请到服务点填写纸质评价卡，或拨打 12345 评价。"))
    if len(last4) != 4 or not last4.isdigit() or phone[-4:] != last4:
        return str(_("手机号后四位与登记的申请人电话不符。"))
    if (
        case.kind == Case.Kind.PROXY
        and case.contact_phone_digest
        and (applicant.phone_digest == case.contact_phone_digest)
    ):
        return str(_("代办事项由委托人本人评价，代办人的电话不能用于评价。"))
    if is_staff_phone(phone):
        return str(_("工作人员的电话不能用于评价。"))
    return ""


def rater_digest(case: Case) -> str:
    """The keyed digest of the phone a QR rating of `case` comes from (the applicant's)."""
    return case.applicant.phone_digest or protection.phone_digest(case.applicant.decrypted_phone())
