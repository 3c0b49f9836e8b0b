"""The paper rating card's pages (纸质评价卡): find the card by its number (among the cases the user
sees), then enter what it says with its scan. The write is `actions.enter_card`; a refusal — the
helper rated entering their own card, an occasion already rated — comes back on the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangban.cases.scope import cases_for
from bangban.kernel.forms import add_rule_errors

from .actions import enter_card
from .actions.cards import card_occasions, default_occasion, normalise_card
from .card_forms import CardForm, CardLookupForm
from .errors import FeedbackError
from .reasons import current_reason_set, reasons_of

#: An action's key → the form's field (the others, "by" among them, go above the form).
NAMES = {"card_scan": "scan"}


@login_required
@require_http_methods(["GET"])
def card_lookup(request):
    form = CardLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        card = normalise_card(form.cleaned_data["card"])
        if card and cases_for(request.user).filter(rating_card=card).exists():
            return redirect("feedback:card_entry", card=card)
        form.add_error("card", _("没有找到这张评价卡：请核对卡号，或该办件不在您的范围内。"))
    return render(request, "feedback/card/lookup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def card_entry(request, card: str):
    user = request.user
    case = cases_for(user).filter(rating_card=normalise_card(card)).first()
    if case is None:
        raise Http404
    occasions = card_occasions(case)
    chosen = default_occasion(occasions)
    reasons = reasons_of(current_reason_set(case.county_id))
    form = CardForm(
        request.POST or None,
        request.FILES or None,
        occasions=occasions,
        reasons=reasons,
        initial={"occasion": chosen.pk if chosen else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        occasion = next(o for o in occasions if o.pk == data["occasion"])
        try:
            rating = enter_card(
                case,
                occasion=occasion,
                level=data["level"],
                reasons=data["reasons"],
                comment=data["comment"],
                scan=data["scan"],
                by=user,
            )
        except FeedbackError as error:
            add_rule_errors(form, error, NAMES)
        else:
            messages.success(
                request,
                _("已录入评价卡 %(card)s：%(level)s。")
                % {"card": case.rating_card, "level": rating.get_level_display()},
            )
            return redirect(reverse("feedback:card_lookup"))
    return render(
        request,
        "feedback/card/entry.html",
        {"case": case, "form": form, "occasions": occasions, "chosen": chosen},
    )


urls = [
    path("cards/", card_lookup, name="card_lookup"),
    path("cards/<str:card>/", card_entry, name="card_entry"),
]
