"""Template helpers of the staff app. `{% point_staffing point as staffing %}` gives a point's page
its people with their qualification and the staffing count, so that network's views and templates
need to know nothing of staff (apps depend one way: network → staff)."""

from __future__ import annotations

from django import template
from django.db.models import Exists, OuterRef
from django.utils import timezone

from bangban.network.models import Membership, ServicePoint

from ..models import TrainingAttendance
from ..qualification import reasons_from_training, reasons_not_qualified
from ..staffing import with_staffing

register = template.Library()


@register.simple_tag(takes_context=True)
def point_staffing(context, point: ServicePoint) -> dict:
    """The people serving at `point` (helpers and point leads), each with whether they are
    qualified today and why not, and the point's qualified count against its minimum. Two
    queries whatever the number of people. The point comes from a page that read it through the
    gate (`access.get_point_for`); everyone serving at a visible point is visible."""
    today = timezone.localdate()
    attended = TrainingAttendance.objects.filter(
        helper__user=OuterRef("user_id"), session__held_on__lte=today
    )
    people = list(
        Membership.objects.serving(at=point)
        .select_related("user", "user__helper_profile")
        .annotate(trained=Exists(attended), passed_training=Exists(attended.filter(passed=True)))
        .order_by("role", "user__first_name", "user__username", "id")
    )
    for m in people:
        helper = getattr(m.user, "helper_profile", None)
        if helper is None:
            m.helper, m.reasons = None, reasons_not_qualified(None, today)
        else:
            helper.trained, helper.passed_training = m.trained, m.passed_training
            m.helper, m.reasons = helper, reasons_from_training(helper, today)
    staffing = (
        with_staffing(ServicePoint.objects.filter(pk=point.pk), today)
        .values("qualified_helpers", "required_helpers", "staffed")
        .first()
    )
    # The point page has already asked the gate whether the user may change the point.
    can_change = bool(context.get("can_change"))
    return {"people": people, "staffing": staffing, "can_change": can_change}
