# ruff: noqa: F811 - the fixtures imported from tests.feedback.rectifying
"""申诉复核: the rated helper (or the point's lead) appeals, the bureau decides; an overturned review
is marked, never deleted, and out of the figures; its open rectification ends by the table."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from bangban.feedback import actions
from bangban.feedback.actions import FeedbackError
from bangban.feedback.models import Appeal, Rating, Rectification
from bangban.feedback.workflow import Step
from bangban.network.models import Role
from tests.feedback.rectifying import (  # noqa: F401 - fixtures
    bad_review,
    bureau,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
    town_admin,
)

pytestmark = pytest.mark.django_db


def test_an_overturned_review_is_marked_never_deleted(bad_review, helper, bureau):
    rect = bad_review()
    rating = rect.rating
    ratings = Rating.objects.count()
    appeal = actions.file_appeal(rating, reason="评价人当天未到服务点，系恶意差评", by=helper)
    assert appeal.decision == Appeal.Decision.PENDING
    assert Rating.objects.active().filter(pk=rating.pk).exists()
    actions.decide_appeal(appeal, decision="overturned", note="经查监控，评价人未到场", by=bureau)
    assert Rating.objects.count() == ratings
    rating = Rating.objects.get(pk=rating.pk)
    assert rating.overturned and rating.overturned_at is not None
    assert rating.level == 2 and rating.comment  # as it was
    assert not Rating.objects.active().filter(pk=rating.pk).exists()
    rect = Rectification.objects.get(pk=rect.pk)
    assert rect.status == Step.OVERTURNED and rect.events.last().action == "overturn"
    appeal.refresh_from_db()
    assert (appeal.decision, appeal.decided_by) == ("overturned", bureau)
    assert LogEntry.objects.filter(user=bureau, object_id=str(appeal.pk)).exists()
    assert LogEntry.objects.filter(user=bureau, object_id=str(rating.pk)).exists()


def test_an_upheld_review_stays(bad_review, helper, bureau):
    rect = bad_review()
    appeal = actions.file_appeal(rect.rating, reason="不服", by=helper)
    actions.decide_appeal(appeal, decision="upheld", note="评价属实", by=bureau)
    assert Rating.objects.active().filter(pk=rect.rating_id).exists()
    assert Rectification.objects.get(pk=rect.pk).status == Step.OPENED
    with pytest.raises(FeedbackError) as refused:  # decided once
        actions.decide_appeal(appeal, decision="overturned", note="改判", by=bureau)
    assert set(refused.value.errors) == {"status"}
    # A new appeal may follow a decided one.
    actions.file_appeal(rect.rating, reason="补充新证据", by=helper)


def test_one_pending_appeal_at_a_time(bad_review, helper, make_helper, station):
    lead = make_helper(station, role=Role.POINT_LEAD).user
    rect = bad_review()
    actions.file_appeal(rect.rating, reason="恶意差评", by=lead)
    with pytest.raises(FeedbackError) as refused:
        actions.file_appeal(rect.rating, reason="再次申诉", by=helper)
    assert set(refused.value.errors) == {"rating"}
    assert Appeal.objects.filter(rating=rect.rating).count() == 1


def test_who_may_appeal_and_decide(bad_review, helper, town_admin, bureau, make_helper, yiyuan):
    rect = bad_review()
    colleague = make_helper(yiyuan.station("鲁村镇")).user  # same point, not rated, no lead
    for someone in (colleague, town_admin, bureau):
        with pytest.raises(FeedbackError) as refused:
            actions.file_appeal(rect.rating, reason="恶意差评", by=someone)
        assert set(refused.value.errors) == {"by"}
    appeal = actions.file_appeal(rect.rating, reason="恶意差评", by=helper)
    for someone in (town_admin, helper):
        with pytest.raises(FeedbackError) as refused:
            actions.decide_appeal(appeal, decision="overturned", note="撤销", by=someone)
        assert set(refused.value.errors) == {"by"}
    assert not Rating.objects.get(pk=rect.rating_id).overturned


def test_a_good_rating_cannot_be_appealed(bad_review, helper):
    rect = bad_review()
    with pytest.raises(FeedbackError) as refused:
        actions.file_appeal(rect.rating, reason="", by=helper)
    assert set(refused.value.errors) == {"reason"}
    good = Rating.objects.filter(pk=rect.rating_id)
    good.update(level=5)
    with pytest.raises(FeedbackError) as refused:
        actions.file_appeal(good.get(), reason="不服", by=helper)
    assert set(refused.value.errors) == {"rating"}


def test_a_decision_needs_its_note(bad_review, helper, bureau):
    appeal = actions.file_appeal(bad_review().rating, reason="恶意差评", by=helper)
    with pytest.raises(FeedbackError) as refused:
        actions.decide_appeal(appeal, decision="maybe", note="", by=bureau)
    assert set(refused.value.errors) == {"decision", "note"}
