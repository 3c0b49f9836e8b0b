"""Which helpers and training organisers a user may see or manage: the staff app's objects scoped
through the one gate (`network.access`), always derived from the points a user may act on.

"Missing" and "not allowed" look the same (Http404), as everywhere.
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from bangban.network.access import Action, is_superuser, memberships, points_for, points_q
from bangban.network.models import Membership, Role, ServicePoint

from .models import Helper, TrainingOrganiser

#: What may be done to an organiser: see it, manage its trainings ("change"), correct its points.
OrganiserAction = Literal["view", "change", "correct"]


def helpers_for(user, action: Action = "view") -> QuerySet:
    """Helper profiles of the people serving (helper or point lead) at a point the user may act on
    with `action`; for "view" also the user's own profile."""
    if is_superuser(user):
        return Helper.objects.all()
    if not getattr(user, "is_active", False):
        return Helper.objects.none()
    q = Q()
    points = points_q(user, action)
    if points:
        serving = Membership.objects.serving(
            at=ServicePoint.objects.filter(points).values("pk")
        ).filter(user=OuterRef("user_id"))
        q |= Q(Exists(serving))
    if action == "view":
        q |= Q(user_id=user.pk)
    return Helper.objects.filter(q) if q else Helper.objects.none()


def get_helper_for(user, pk, action: Action = "view", queryset=None):
    """The helper `pk` if `user` may `action` it; Http404 whether it is missing or not allowed."""
    qs = queryset if queryset is not None else Helper.objects.all()
    if not is_superuser(user):
        qs = qs.filter(pk__in=helpers_for(user, action).values("pk"))
    try:
        return qs.get(pk=pk)
    except (Helper.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def accounts_to_profile(user, action: Action = "change") -> QuerySet:
    """The accounts a user may give a helper profile ("change"; "view": may see): people serving
    (helper or point lead) at a point the user may act on with `action`, with or without a profile.
    The HTML "new profile" page and `POST /helpers` both ask here."""
    serving = Membership.objects.serving(at=points_for(user, action).values("pk"))
    return get_user_model().objects.filter(pk__in=serving.values("user_id"))


def _organisers_managed_q(user) -> Q:
    """Organisers whose own admins the user is among: the region admin of its county, the
    department admin of its department, the town admin of its town centre, the partner admin of its
    organisation."""
    q = Q()
    for m in memberships(user):
        if m.role == Role.REGION_ADMIN:
            low, high = m.region.code_range
            q |= Q(county__code__gte=low, county__code__lt=high)
        elif m.role == Role.DEPARTMENT_ADMIN:
            q |= Q(department_id=m.department_id)
        elif m.role == Role.TOWN_ADMIN:
            q |= Q(town_centre_id=m.point_id)
        elif m.role == Role.PARTNER_ADMIN:
            q |= Q(organisation_id=m.organisation_id)
    return q


def organisers_for(user, action: Action = "view") -> QuerySet:
    """Training organisers a user may see ("view": responsible for a point the user may view, bound
    to the user's own department, organisation or town, or of a region the user administers or
    supervises) or manage ("change": record trainings and results; the organiser's own admins)."""
    if is_superuser(user):
        return TrainingOrganiser.objects.all()
    if not getattr(user, "is_active", False):
        return TrainingOrganiser.objects.none()
    q = _organisers_managed_q(user)
    if action == "view":
        for m in memberships(user):
            # Not a special supervisor: organisers' trainings name the people trained.
            if m.role == Role.SUPERVISOR:
                low, high = m.region.code_range
                q |= Q(county__code__gte=low, county__code__lt=high)
        points = points_q(user, "view")
        if points:
            responsible = TrainingOrganiser.points.through.objects.filter(
                trainingorganiser_id=OuterRef("pk"),
                servicepoint_id__in=ServicePoint.objects.filter(points).values("pk"),
            )
            q |= Q(Exists(responsible))
    elif action != "change":
        return TrainingOrganiser.objects.none()
    return TrainingOrganiser.objects.filter(q) if q else TrainingOrganiser.objects.none()


def organisers_to_correct(user) -> QuerySet:
    """Training organisers whose points (and name) a user may correct: those of the counties inside
    a region the user administers (region admins, and superusers). The organiser's own department,
    town or partner admins record its trainings but do not decide what it trains for."""
    if is_superuser(user):
        return TrainingOrganiser.objects.all()
    if not getattr(user, "is_active", False):
        return TrainingOrganiser.objects.none()
    q = Q()
    for m in memberships(user):
        if m.role == Role.REGION_ADMIN:
            low, high = m.region.code_range
            q |= Q(county__code__gte=low, county__code__lt=high)
    return TrainingOrganiser.objects.filter(q) if q else TrainingOrganiser.objects.none()


def get_organiser_for(user, pk, action: OrganiserAction = "view", queryset=None):
    """The organiser `pk` if `user` may `action` it ("correct": `organisers_to_correct`); Http404
    whether missing or not allowed."""
    qs = queryset if queryset is not None else TrainingOrganiser.objects.all()
    if not is_superuser(user):
        allowed = (
            organisers_to_correct(user) if action == "correct" else organisers_for(user, action)
        )
        qs = qs.filter(pk__in=allowed.values("pk"))
    try:
        return qs.get(pk=pk)
    except (TrainingOrganiser.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
