"""The appeal pages (申诉复核): filing an appeal on a bad review, for the helper rated or a lead of
the rated point (`actions.may_appeal`), and the appeals at /feedback/appeals/ — the bureau's queue
of pending ones with the form to decide each (`actions.may_decide`), and everyone else's own.

Thin: read through `feedback.scope`, written through `feedback.actions`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangban.kernel.forms import add_rule_errors

from . import actions
from .errors import FeedbackError
from .models import Appeal, Rectification
from .rectification_forms import AppealForm, DecideForm
from .scope import appeals_for, get_rating_for

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def file_appeal(request, rating_pk: int):
    rating = get_rating_for(request.user, rating_pk)
    if not actions.may_appeal(rating, request.user):
        raise Http404
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.file_appeal(
                rating,
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data.get("evidence"),
                by=request.user,
            )
        except FeedbackError as error:
            add_rule_errors(form, error, {"rating": None})
        else:
            messages.success(request, _("申诉已提交，请等待县行政审批服务局复核。"))
            return redirect("feedback:appeals")
    rect = Rectification.objects.filter(rating=rating).first()
    context = {"rating": rating, "form": form, "rect": rect}
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/appeals/file.html", context, status=status)


def _queue(user, decision: str):
    rows = appeals_for(user).select_related(
        "rating", "rating__point", "rating__county", "filed_by", "decided_by"
    )
    if decision:
        rows = rows.filter(decision=decision)
    return rows.order_by("filed_at", "pk") if decision == "pending" else rows


@login_required
@require_GET
def appeal_list(request):
    """The appeals the user may see: pending first by default (the bureau's queue), each with its
    decision form when the user may decide it."""
    return _list_page(request)


def _list_page(request, bound: dict | None = None, status: int = 200):
    decision = request.GET.get("decision", "pending")
    if decision not in {"", *Appeal.Decision.values}:
        decision = "pending"
    page = Paginator(_queue(request.user, decision), PAGE_SIZE).get_page(request.GET.get("page"))
    for appeal in page.object_list:
        appeal.may_decide = appeal.decision == Appeal.Decision.PENDING and actions.may_decide(
            appeal, request.user
        )
        appeal.form = (bound or {}).get(appeal.pk) or DecideForm(prefix=f"a{appeal.pk}")
    context = {"page": page, "decision": decision, "decisions": Appeal.Decision.choices}
    return render(request, "feedback/appeals/list.html", context, status=status)


@login_required
@require_POST
def decide(request, pk: int):
    appeal = appeals_for(request.user).filter(pk=pk).select_related("rating").first()
    if appeal is None:
        raise Http404
    form = DecideForm(request.POST, prefix=f"a{appeal.pk}")
    if form.is_valid():
        try:
            actions.decide_appeal(
                appeal,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except FeedbackError as error:
            add_rule_errors(form, error)
        else:
            messages.success(request, _("复核结果已保存。"))
            return redirect("feedback:appeals")
    return _list_page(request, bound={appeal.pk: form}, status=400)


urls = [
    path("appeals/", appeal_list, name="appeals"),
    path("appeals/<int:pk>/decide/", decide, name="appeal_decide"),
    path("ratings/<int:rating_pk>/appeal/", file_appeal, name="appeal_file"),
]
