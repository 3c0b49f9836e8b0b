"""转办待办: the transfers waiting for the points the user may act at, with accept and decline (联动).

Thin like the other pages: every write goes through `actions.accept_transfer` and
`actions.decline_transfer`, whose Chinese messages are shown; the second of two answers is told so.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangban.network.models import ServicePoint

from . import actions
from .action_views import NEARBY_KINDS, _helpers_at
from .actions import CaseError
from .forms import AcceptTransferForm, DeclineForm
from .models import Transfer
from .scope import transfers_to

#: Answered transfers stay in the inbox this many days.
ANSWERED_DAYS = 14


def _inbox(user):
    """Transfers to the points the user may act at: pending ones, and those answered lately."""
    since = timezone.localdate() - dt.timedelta(days=ANSWERED_DAYS)
    return (
        transfers_to(user)
        .filter(Q(status=Transfer.Status.PENDING) | Q(answered_on__gte=since))
        .select_related(
            "case__revision",
            "case__applicant",
            "from_point",
            "to_point",
            "to_helper",
            "sent_by",
            "answered_by",
            "suggested_point",
        )
        .order_by("-sent_at", "-pk")
    )


def _suggestions(county_id) -> list[ServicePoint]:
    return list(
        ServicePoint.objects.active()
        .filter(county_id=county_id, kind__in=NEARBY_KINDS)
        .order_by("ancestry", "kind", "name", "pk")
    )


@login_required
def transfers(request):
    """转办待办: the transfers waiting for the user's points, with accept and decline."""
    rows = list(_inbox(request.user)[:200])
    pending = [t for t in rows if t.status == Transfer.Status.PENDING]
    answered = [t for t in rows if t.status != Transfer.Status.PENDING]
    suggestions: dict[int, list[ServicePoint]] = {}
    for t in pending:
        if t.case.county_id not in suggestions:
            suggestions[t.case.county_id] = _suggestions(t.case.county_id)
    forms = {
        t.pk: DeclineForm(points=suggestions[t.case.county_id], auto_id=f"id_t{t.pk}_%s")
        for t in pending
    }
    helpers = _helpers_at(sorted({t.to_point_id for t in pending}))
    accepts = {
        t.pk: AcceptTransferForm(
            helpers=[h for h in helpers if h["point_id"] == t.to_point_id],
            initial={"handling_helper": t.to_helper_id or request.user.pk},
            auto_id=f"id_a{t.pk}_%s",
        )
        for t in pending
    }
    context = {
        "pending": [(t, accepts[t.pk], forms[t.pk]) for t in pending],
        "answered": answered,
    }
    return render(request, "cases/transfers.html", context)


@login_required
@require_POST
def transfer_answer(request, pk: int, answer: str):
    """Accept or decline a transfer (POST). Whoever answers second is told so, in Chinese."""
    if answer not in ("accept", "decline"):
        raise Http404
    user = request.user
    transfer = (
        transfers_to(user, queryset=Transfer.objects.filter(pk=pk))
        .select_related("case", "to_point")
        .first()
    )
    if transfer is None:
        raise Http404
    try:
        if answer == "accept":
            form = AcceptTransferForm(request.POST, helpers=_helpers_at([transfer.to_point_id]))
            if not form.is_valid():
                raise CaseError(
                    {"handling_helper": _("承办人须是接收服务点具备上岗资格的帮办代办员。")}
                )
            chosen = form.cleaned_data["handling_helper"]
            helper = get_user_model().objects.filter(pk=chosen).first() if chosen else None
            case = actions.accept_transfer(transfer, by=user, handling_helper=helper)
            messages.success(
                request,
                _("已接收办件 %(number)s，由本服务点承办。") % {"number": case.number},
            )
            return redirect("cases:case", number=case.number)
        form = DeclineForm(request.POST, points=_suggestions(transfer.case.county_id))
        if not form.is_valid():
            raise CaseError({"suggested_point": _("建议转至的服务点无效。")})
        suggested = ServicePoint.objects.filter(pk=form.cleaned_data["suggested_point"]).first()
        actions.decline_transfer(
            transfer, by=user, reason=form.cleaned_data["reason"], suggested_point=suggested
        )
        messages.success(request, _("已退回办件 %(number)s。") % {"number": transfer.case.number})
    except CaseError as error:
        for problems in error.errors.values():
            for problem in problems:
                messages.error(request, problem)
    return redirect("cases:transfers")
