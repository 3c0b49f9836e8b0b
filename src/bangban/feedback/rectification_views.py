"""The rectification pages (整改) of every subject — a bad review, a complaint, an inspection's
finding: the handler's queue at /feedback/rectifications/ (by default what the user must act on
now, with the list's filters and each row's yellow or red card), a rectification's page (what it
is of — the review, never the rater's phone; a link to the complaint or the inspection —, the
timeline and exactly the forms the table allows the user: `workflow.permitted`), the actions
posted from it, and the rater's number to call back, shown masked to the handler and in full on
request, logged (`actions.reveal_phone`). A complaint's complainant is called from the
complaint's page (`supervision`, linked by URL name: feedback never imports it), which also
answers the complaint and so closes its rectification.

Thin like the ledger's pages: read through `feedback.scope` (404 for missing and not allowed
alike), every write through `feedback.actions`, whose `FeedbackError` messages go back on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bangban.kernel.clients import client_ip
from bangban.kernel.forms import add_rule_errors
from bangban.kernel.masks import mask_phone
from bangban.network import access

from . import actions, warnings, workflow
from .errors import FeedbackError
from .events import Kind
from .models import Reason, Rectification
from .rectification_forms import (
    ACTION_FORMS,
    FORM_OF_ACTION,
    RectificationPageFilter,
    town_options,
)
from .scope import get_rectification_for, rectifications_for

PAGE_SIZE = 25


def _with_cards(rows, today):
    near_until = warnings.next_working_day(today)
    for rect in rows:
        rect.card = warnings.card_of(rect, today, near_until)
    return rows


@login_required
@require_GET
def rectification_list(request):
    """The handler's queue: by default what the user must act on (`show=mine`), else everything
    they may see, filtered; each row with its card today."""
    user, today = request.user, timezone.localdate()
    form = RectificationPageFilter(request.GET or None)
    rows = form.apply(rectifications_for(user), user, today, default_show="mine")
    rows = rows.select_related("point", "town", "rating").order_by("due", "-opened_on", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_cards(page.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    points = access.points_for(user, "view").order_by("name").values_list("pk", "name")[:300]
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "towns": town_options(user),
        "subjects": Rectification.Subject.choices,
        "points": list(points),
        "show": (form.cleaned_data.get("show") if form.is_bound and form.is_valid() else "")
        or "mine",
        "filtered": bool(request.GET),
    }
    return render(request, "feedback/rectifications/list.html", context)


def _applicant_phone(rect: Rectification) -> str:
    if rect.rating_id is None:
        return ""
    return rect.rating.case.applicant.decrypted_phone()


def _url(name: str, pk) -> str:
    """The page `name` of a later app (supervision) for `pk`, or "" while it has none."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def subject_link(rect: Rectification) -> str:
    """The page of what a complaint's or finding's rectification is of: the complaint, or the
    inspection of the finding (through the reverse links `supervision` declares, by URL name)."""
    if rect.subject == Rectification.Subject.COMPLAINT:
        complaint = getattr(rect, "complaint", None)
        return _url("supervision:complaint", complaint.pk) if complaint is not None else ""
    if rect.subject == Rectification.Subject.FINDING:
        finding = getattr(rect, "finding", None)
        return _url("supervision:inspection", finding.inspection_id) if finding else ""
    return ""


#: The reply's label for the subjects without a follow-up rating (closed by the reply).
FINAL_REPLY_LABEL = {
    Rectification.Subject.FINDING: gettext_lazy("答复检查人并办结"),
}


def detail_context(request, rect: Rectification, bound: dict | None = None) -> dict:
    """What `feedback/rectifications/detail.html` needs: what it is of (the review, or a link to the
    complaint or the inspection), the timeline, the forms the table allows the user (`bound`: a
    form posted back with its errors)."""
    user, today = request.user, timezone.localdate()
    allowed = workflow.permitted(rect, user)
    forms, seen = [], set()
    for transition in allowed:
        name = FORM_OF_ACTION[transition.action]
        if name in seen:
            continue
        seen.add(name)
        form = (bound or {}).get(name) or ACTION_FORMS[name](prefix=name)
        label = _("回访") if name == "call" else transition.label
        if name == "reply" and rect.subject in FINAL_REPLY_LABEL:
            label = FINAL_REPLY_LABEL[rect.subject]
            form.fields["text"].label = _("答复内容")
        forms.append({"name": name, "label": label, "form": form})
    may_call = any(t.action in ("call_attempt", "call_back") for t in allowed)
    of_rating = rect.rating_id is not None
    link = subject_link(rect)
    events = rect.events.select_related("by").order_by("at", "pk")
    labels, states = dict(Kind.choices), dict(workflow.Step.choices)
    return {
        "rect": rect,
        "rating": rect.rating,
        "card": warnings.card_of(rect, today, warnings.next_working_day(today)),
        "forms": forms,
        "masked_phone": mask_phone(_applicant_phone(rect)) if may_call and of_rating else "",
        "call_complainant": link if may_call and rect.subject == "complaint" else "",
        "subject_link": link,
        "answer_elsewhere": rect.subject == "complaint" and rect.status == workflow.Step.RESOLVED,
        "timeline": [
            (
                e,
                labels.get(e.action, e.action),
                states.get(e.from_status, "") if e.from_status != e.to_status else "",
                states.get(e.to_status, ""),
            )
            for e in events
        ],
        "may_appeal": rect.rating is not None and actions.may_appeal(rect.rating, user),
        "reasons": _reason_labels(rect.rating),
    }


def _reason_labels(rating) -> list[str]:
    if rating is None or not rating.reasons or rating.reason_set_id is None:
        return list(getattr(rating, "reasons", []) or [])
    labels = dict(
        Reason.objects.filter(set_id=rating.reason_set_id, code__in=rating.reasons).values_list(
            "code", "label"
        )
    )
    return [labels.get(code, code) for code in rating.reasons]


def _rect(user, pk) -> Rectification:
    found = get_rectification_for(user, pk)
    return Rectification.objects.select_related(
        "county", "point", "town", "helper", "rating__case__applicant", "rating__point"
    ).get(pk=found.pk)


@login_required
@require_GET
def rectification_detail(request, pk: int):
    rect = _rect(request.user, pk)
    return render(request, "feedback/rectifications/detail.html", detail_context(request, rect))


def _perform(name: str, rect: Rectification, data: dict, user) -> None:
    if name == "call":
        actions.record_call(rect, reached=data["reached"] == "yes", record=data["record"], by=user)
    elif name == "verify":
        actions.verify(
            rect,
            is_true=data["is_true"] == "yes",
            is_reasonable=data["is_reasonable"] == "yes",
            is_malicious=data["is_malicious"] == "yes",
            note=data["note"],
            by=user,
        )
    elif name == "fix":
        actions.fix(rect, measures=data["measures"], evidence=data.get("evidence"), by=user)
    elif name == "rectify":
        actions.rectify(rect, measures=data["measures"], due=data.get("due"), by=user)
    elif name == "explain":
        actions.explain(rect, explanation=data["explanation"], by=user)
    elif name == "finish":
        actions.finish(rect, note=data["note"], evidence=data.get("evidence"), by=user)
    elif name == "reply":
        actions.reply(rect, text=data["text"], by=user)


#: The keys of an action's errors that are another name on the page's form.
ERROR_NAMES = {"at": "record", "reached": "reached"}


@login_required
@require_POST
def act(request, pk: int, name: str):
    """One action posted from the page: back to the page, or the page again with the errors on
    the form (the table's refusals above it)."""
    if name not in ACTION_FORMS:
        raise Http404
    rect = _rect(request.user, pk)
    form = ACTION_FORMS[name](request.POST, request.FILES, prefix=name)
    if form.is_valid():
        try:
            _perform(name, rect, form.cleaned_data, request.user)
        except FeedbackError as error:
            add_rule_errors(form, error, ERROR_NAMES)
        else:
            messages.success(request, _("已保存。"))
            return redirect("feedback:rectification", pk=rect.pk)
    rect = _rect(request.user, pk)
    context = detail_context(request, rect, bound={name: form})
    if not any(f["name"] == name for f in context["forms"]):
        context["refused"] = [m for ms in form.errors.values() for m in ms] or [
            _("您现在不能进行该操作。")
        ]
    return render(request, "feedback/rectifications/detail.html", context, status=400)


@never_cache
@login_required
@require_POST
def reveal(request, pk: int):
    """The number to call back, in full, to a handler who may call now; logged on the timeline
    (`actions.reveal_phone`). 403 for anyone else, nothing written."""
    rect = _rect(request.user, pk)
    try:
        phone = actions.reveal_phone(rect, by=request.user, address=client_ip(request))
    except FeedbackError as error:
        return HttpResponseForbidden(" ".join(m for ms in error.errors.values() for m in ms))
    if request.headers.get("HX-Request"):
        return render(
            request, "feedback/rectifications/_reveal.html", {"rect": rect, "revealed": phone}
        )
    context = detail_context(request, rect)
    context["revealed"] = phone
    return render(request, "feedback/rectifications/detail.html", context)


urls = [
    path("rectifications/", rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", rectification_detail, name="rectification"),
    path("rectifications/<int:pk>/reveal/", reveal, name="rectification_reveal"),
    path("rectifications/<int:pk>/<slug:name>/", act, name="rectification_act"),
]
