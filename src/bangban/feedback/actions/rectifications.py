"""A bad review put right (整改), step by step through the table `feedback.workflow.RECTIFICATION`:
opened when the review is given, called back, verified, fixed / rectified / explained, replied to,
then answered by the follow-up rating or closed when its window ends. Each step is one transaction
on the locked row, checked against the table (`_check`) and written with its one timeline event
(`_apply`). The system's steps — the follow-up window's end, escalation, the morning warnings — are
in `actions.deadlines`.

A complaint or an inspection's finding (the next issue) will go through the same steps."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.cases import notifications
from bangban.kernel.schemas import NO_CONTROL
from bangban.kernel.uploads import scan_problem
from bangban.network.paths import path_of

from .. import province
from ..errors import FeedbackError
from ..events import Kind, record
from ..models import Rating, Rectification
from ..rules import (
    CALLS_ENOUGH,
    answerable,
    call_back_due,
    follow_up_closes_on,
    rectification_due,
)
from ..workflow import RECTIFICATION, Step
from .core import _apply, _check, _locked

__all__ = [
    "answer_follow_up",
    "close_answered",
    "explain",
    "finish",
    "fix",
    "follow_up_link",
    "open_for",
    "open_rectification",
    "record_call",
    "rectify",
    "reply",
    "reveal_phone",
    "verify",
]


def open_rectification(rating: Rating) -> Rectification:
    """The rectification of the bad review `rating`, in the rating's transaction: with the town of
    the rated point or the bureau (`rules.answerable`), its call-back due the next working day and
    its deadline the county's (`rules.rectification_due`)."""
    level, town = answerable(rating.point)
    return open_for(
        Rectification.Subject.RATING,
        point=rating.point,
        helper_id=rating.helper_id,
        level=level,
        town=town,
        anonymous=rating.anonymous,
        opened_on=rating.rated_on,
        rating=rating,
        data={"rating": rating.pk},
    )


def open_for(
    subject: str,
    *,
    point,
    helper_id: int | None,
    level: str,
    town=None,
    anonymous: bool,
    opened_on: dt.date,
    confidential: bool = False,
    due: dt.date | None = None,
    rating: Rating | None = None,
    data: dict | None = None,
) -> Rectification:
    """A rectification of `subject` (a `Rectification.Subject`) at `point`, never handled by the
    person `helper_id`, in the caller's transaction: `level` and `town` say who handles it
    (`workflow._is_handler`); the call-back is due the next working day (none when `anonymous`:
    no one to call), the deadline is `due` or the county's (`rules.rectification_due`). The
    caller (the rating, or `supervision`'s complaint or finding) keeps the link to it."""
    counted = rectification_due(opened_on, point.county_id)
    rect = Rectification.objects.create(
        rating=rating,
        subject=subject,
        confidential=confidential,
        county_id=point.county_id,
        point_id=point.pk,
        point_path=path_of(point),
        helper_id=helper_id,
        level=level,
        town=town,
        status=Step.OPENED,
        anonymous=anonymous,
        opened_on=opened_on,
        call_back_due=call_back_due(opened_on),
        due=due or counted.date,
        due_provisional=counted.provisional if due is None else False,
    )
    record(rect, Kind.OPEN, by=None, from_status="", data=data or {"subject": subject})
    return rect


def close_answered(rect: Rectification, *, text: str, by) -> Rectification:
    """答复投诉人并办结: a complaint's rectification, resolved, closed by the complaint's answer
    `text` — called by `supervision`'s answer action inside its transaction, so that the answer
    and the closing are one write. The table checks that `by` handles it."""
    rect = _locked(rect)
    _check(rect, "answer", by)
    today = timezone.localdate()
    changes = {"reply": text[:500], "replied_on": today, "closed_on": today}
    return _apply(rect, "answer", by, changes, {"text": text[:500]})


def answer_follow_up(rect: Rectification, rating: Rating) -> Rectification:
    """The one follow-up rating (追评) answers a replied rectification: 不满意 (a bad level) reopens
    it once, to be decided again by a new deadline counted from the follow-up (its next reply
    closes it: there is no second follow-up); anything else closes it."""
    rect = _locked(rect)
    data = {"rating": rating.pk, "level": rating.level}
    changes = {"follow_up": rating}
    if rating.is_bad and RECTIFICATION.check(rect, "reopen", None) is None:
        due = rectification_due(rating.rated_on, rect.county_id)
        reopened = {
            **changes,
            "reopened": True,
            "outcome": "",
            "due": due.date,
            "due_provisional": due.provisional,
        }
        return _apply(rect, "reopen", None, reopened, data)
    action = "close" if rating.is_bad else "satisfied"
    return _apply(rect, action, None, {**changes, "closed_on": rating.rated_on}, data)


# --- What the handler writes ------------------------------------------------------------------------


def _text(errors: dict, field: str, value: str, limit: int, required: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = required
    elif len(value) > limit or not re.fullmatch(NO_CONTROL, value):
        errors[field] = _("不能超过 %(n)d 字，且不能含控制字符。") % {"n": limit}
    return value


def _evidence(errors: dict, evidence) -> None:
    if evidence and (problem := scan_problem(evidence)):
        errors["evidence"] = problem


def _raise(errors: dict) -> None:
    if errors:
        raise FeedbackError(errors)


def record_call(
    rect: Rectification, *, reached: bool, record: str, by, at: dt.datetime | None = None
) -> Rectification:
    """A call to the rater (回访): reached, the call-back with its contact record; not reached, an
    attempt — the third (`rules.CALLS_ENOUGH`) counts as the call-back, and the work goes on."""
    now = timezone.now()
    with transaction.atomic():
        rect = _locked(rect)
        action = "call_back" if reached or rect.failed_calls + 1 >= CALLS_ENOUGH else "call_attempt"
        _check(rect, action, by)
        errors: dict = {}
        text = _text(errors, "record", record, 500, _("请填写回访记录（联系情况、评价人的意见）。"))
        at = at or now
        if at > now:
            errors["at"] = _("回访时间不能晚于现在。")
        elif timezone.localdate(at) < rect.opened_on:
            errors["at"] = _("回访时间不能早于差评日期。")
        _raise(errors)
        changes: dict = {"call_record": text}
        data = {"reached": bool(reached), "record": text, "at": at.isoformat()}
        if not reached:
            changes["failed_calls"] = rect.failed_calls + 1
            data["attempt"] = changes["failed_calls"]
        if action == "call_back":
            changes["called_back_at"] = at
        return _apply(rect, action, by, changes, data)


def verify(
    rect: Rectification,
    *,
    is_true: bool,
    is_reasonable: bool,
    is_malicious: bool,
    note: str,
    by,
) -> Rectification:
    """核实: is the review true, is the request reasonable, was it malicious (then the rated helper
    may appeal), and what was found."""
    with transaction.atomic():
        rect = _locked(rect)
        _check(rect, "verify", by)
        errors: dict = {}
        text = _text(errors, "note", note, 500, _("请填写核实情况。"))
        for name, value in (
            ("is_true", is_true),
            ("is_reasonable", is_reasonable),
            ("is_malicious", is_malicious),
        ):
            if not isinstance(value, bool):
                errors[name] = _("请选择“是”或“否”。")
        _raise(errors)
        changes = {
            "is_true": is_true,
            "is_reasonable": is_reasonable,
            "is_malicious": is_malicious,
            "verification": text,
        }
        data = {**changes}
        return _apply(rect, "verify", by, changes, data)


def fix(rect: Rectification, *, measures: str, evidence=None, by) -> Rectification:
    """立行立改: put right at once, with what was done and its evidence (a scan or photo)."""
    with transaction.atomic():
        rect = _locked(rect)
        _check(rect, "fix", by)
        errors: dict = {}
        text = _text(errors, "measures", measures, 1000, _("请填写采取的措施。"))
        _evidence(errors, evidence)
        _raise(errors)
        changes = {"outcome": Rectification.Outcome.FIXED, "measures": text}
        if evidence:
            changes["evidence"] = evidence
        return _apply(rect, "fix", by, changes, {"measures": text, "evidence": bool(evidence)})


def rectify(rect: Rectification, *, measures: str, due: dt.date | None = None, by) -> Rectification:
    """限期整改: the measures and the deadline — the county's (`rules.rectification_due`, from the
    review) unless the handler sets one; never a day already past."""
    with transaction.atomic():
        rect = _locked(rect)
        _check(rect, "rectify", by)
        errors: dict = {}
        text = _text(errors, "measures", measures, 1000, _("请填写整改措施。"))
        provisional = rect.due_provisional
        if due is None:
            counted = rectification_due(rect.opened_on, rect.county_id)
            due, provisional = max(counted.date, rect.due), counted.provisional
        elif due < timezone.localdate():
            errors["due"] = _("整改期限不能早于今天。")
        else:
            provisional = False
        _raise(errors)
        changes = {
            "outcome": Rectification.Outcome.RECTIFY,
            "measures": text,
            "due": due,
            "due_provisional": provisional,
        }
        return _apply(rect, "rectify", by, changes, {"measures": text, "due": due.isoformat()})


def explain(rect: Rectification, *, explanation: str, by) -> Rectification:
    """解释说明: the request has no legal basis; what the rater is told why."""
    with transaction.atomic():
        rect = _locked(rect)
        _check(rect, "explain", by)
        errors: dict = {}
        text = _text(errors, "explanation", explanation, 1000, _("请填写解释说明的内容和依据。"))
        _raise(errors)
        changes = {"outcome": Rectification.Outcome.EXPLAINED, "measures": text}
        return _apply(rect, "explain", by, changes, {"explanation": text})


def finish(rect: Rectification, *, evidence=None, note: str, by) -> Rectification:
    """整改完成: the deadline's rectification done, what was done and its evidence."""
    with transaction.atomic():
        rect = _locked(rect)
        _check(rect, "finish", by)
        errors: dict = {}
        text = _text(errors, "note", note, 500, _("请填写整改完成情况。"))
        _evidence(errors, evidence)
        _raise(errors)
        changes: dict = {}
        if evidence:
            changes["evidence"] = evidence
        return _apply(rect, "finish", by, changes, {"note": text, "evidence": bool(evidence)})


def follow_up_link(case) -> str:
    """Where the rater gives the follow-up rating: the province's page when the adapter is on and
    answers, our own page otherwise (`/pj/<token>/`, after the site's public address)."""
    found = province.rating_url(case)
    if found:
        return found
    base = getattr(settings, "BANGBAN_PUBLIC_URL", "").rstrip("/")
    return f"{base}/pj/{case.public_token}/"


def _tell_rater(rect: Rectification, text: str, closes_on: dt.date | None) -> bool:
    """The reply to a named rater by text (`notifications.tell_rater`: the applicant's own phone,
    for a 代办 case the principal's); nothing for an anonymous review."""
    if rect.rating_id is None or rect.anonymous:
        return False
    case = Rating.objects.select_related("case__applicant").get(pk=rect.rating_id).case
    if closes_on is None:
        return notifications.tell_rater(case, notifications.rectification_closed(text))
    link = follow_up_link(case)
    return notifications.tell_rater(
        case, notifications.rectification_replied(text, closes_on, link)
    )


def reply(rect: Rectification, *, text: str, by) -> Rectification:
    """答复评价人: the reply, texted to a named rater with the follow-up link; the rater may then
    rate the fix once until the 5th working day after (`rules.follow_up_closes_on`). After a
    reopening the reply closes the rectification (there is one follow-up only)."""
    today = timezone.localdate()
    with transaction.atomic():
        rect = _locked(rect)
        # A bad review's first reply awaits the follow-up rating; after a reopening, and for a
        # finding (no one rates it), the reply closes; a complaint's is closed by its answer.
        action = "reply" if rect.subject == "rating" and not rect.reopened else "reply_final"
        _check(rect, action, by)
        errors: dict = {}
        body = _text(errors, "text", text, 300, _("请填写答复内容。"))
        _raise(errors)
        changes: dict = {"reply": body, "replied_on": today}
        closes_on = None
        if action == "reply":
            closes_on = follow_up_closes_on(today)
            changes["follow_up_due"] = closes_on
        else:
            changes["closed_on"] = today
        texted = _tell_rater(rect, body, closes_on)
        return _apply(rect, action, by, changes, {"text": body, "texted": texted})


def reveal_phone(rect: Rectification, *, by, address: str | None = None) -> str:
    """The applicant's phone to call back, for a handler who may call now (the table allows the
    call), logged on the timeline (who, when, from which address) in the same transaction. Raises
    FeedbackError (`by`) otherwise, nothing written."""
    with transaction.atomic():
        rect = _locked(rect)
        if not RECTIFICATION.permitted(rect, by, actions=["call_back"]):
            raise FeedbackError({"by": _("您现在不能查看该评价人的电话。")})
        rating = Rating.objects.select_related("case__applicant").get(pk=rect.rating_id)
        phone = rating.case.applicant.decrypted_phone()
        if not phone:
            raise FeedbackError({"phone": _("该办件未登记申请人电话。")})
        record(
            rect,
            Kind.REVEAL_PHONE,
            by=by,
            from_status=rect.status,
            data={"address": address or ""},
        )
    return phone
