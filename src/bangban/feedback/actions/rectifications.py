"""A bad review put right (整改), step by step through the table `feedback.workflow.RECTIFICATION`:
opened when the review is given, called back, verified, fixed / rectified / explained, replied to,
then answered by the follow-up rating or closed when its window ends."""

from __future__ import annotations

from ..events import record
from ..models import Rating, Rectification
from ..rules import answerable, call_back_due, rectification_due
from ..workflow import Step


def open_rectification(rating: Rating) -> Rectification:
    """The rectification of the bad review `rating`, in the rating's transaction: with the town of
    the rated point or the bureau (`rules.answerable`), its call-back due the next working day and
    its deadline the county's (`rules.rectification_due`)."""
    level, town = answerable(rating.point)
    due = rectification_due(rating.rated_on, rating.county_id)
    rect = Rectification.objects.create(
        rating=rating,
        county_id=rating.county_id,
        point_id=rating.point_id,
        helper_id=rating.helper_id,
        level=level,
        town=town,
        status=Step.OPENED,
        anonymous=rating.anonymous,
        opened_on=rating.rated_on,
        call_back_due=call_back_due(rating.rated_on),
        due=due.date,
        due_provisional=due.provisional,
    )
    record(rect, "open", by=None, from_status="", data={"rating": rating.pk})
    return rect


def answer_follow_up(rect: Rectification, rating: Rating) -> Rectification:
    """The one follow-up rating (追评) answers a replied rectification: 不满意 (a bad level) reopens
    it once, to be decided again (its next reply closes it: there is no second follow-up); anything
    else closes it."""
    from ..workflow import RECTIFICATION
    from .core import _apply, _locked

    rect = _locked(rect)
    data = {"rating": rating.pk, "level": rating.level}
    changes = {"follow_up": rating}
    if rating.is_bad and RECTIFICATION.check(rect, "reopen", None) is None:
        return _apply(rect, "reopen", None, {**changes, "reopened": True, "outcome": ""}, data)
    action = "close" if rating.is_bad else "satisfied"
    return _apply(rect, action, None, {**changes, "closed_on": rating.rated_on}, data)
