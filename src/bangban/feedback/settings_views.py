"""The county's rating settings pages: the current reasons and the settings for those who see the
county (`scope.counties_for`), the forms to save a new version of the reasons and to change the
settings for those who may change them (a region admin of the county or above). The writes are
`actions.save_reason_set` and `actions.set_policy`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bangban.kernel.forms import add_rule_errors

from . import scope
from .actions import save_reason_set, set_policy
from .errors import FeedbackError
from .models import ReasonSet
from .reasons import current_reason_set, reasons_of
from .rules import policy_for
from .settings_forms import PolicyForm, ReasonFormSet, reasons_of_formset

VERSIONS_SHOWN = 20


@login_required
@require_http_methods(["GET"])
def settings_list(request):
    counties = list(scope.counties_for(request.user).order_by("code")[:500])
    if len(counties) == 1:
        return redirect("feedback:settings", code=counties[0].code)
    return render(request, "feedback/settings/list.html", {"counties": counties})


def _page(request, county, *, policy_form=None, formset=None, status=200):
    may_change = scope.counties_for(request.user, "change").filter(pk=county.pk).exists()
    current = current_reason_set(county.pk)
    policy = policy_for(county.pk)
    reasons = reasons_of(current)
    context = {
        "county": county,
        "policy": policy,
        "current": current,
        "reasons": reasons,
        "versions": ReasonSet.objects.filter(county=county)
        .select_related("created_by")
        .order_by("-version")[:VERSIONS_SHOWN],
        "may_change": may_change,
    }
    if may_change:
        context["policy_form"] = policy_form or PolicyForm(
            initial={
                "count_basic_as_good": policy.count_basic_as_good,
                "rectification_days": policy.rectification_days,
            }
        )
        context["formset"] = formset or ReasonFormSet(
            initial=[
                {"code": r.code, "label": r.label, "polarity": r.polarity, "position": r.position}
                for r in reasons
            ],
            prefix="reasons",
        )
    return render(request, "feedback/settings/county.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def county_settings(request, code: str):
    return _page(request, scope.get_county_for(request.user, code))


@login_required
@require_POST
def policy_save(request, code: str):
    county = scope.get_county_for(request.user, code, "change")
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            set_policy(county, by=request.user, **form.cleaned_data)
        except FeedbackError as error:
            add_rule_errors(form, error)
        else:
            messages.success(request, _("好差评设置已保存。"))
            return redirect("feedback:settings", code=county.code)
    return _page(request, county, policy_form=form)


@login_required
@require_POST
def reasons_save(request, code: str):
    county = scope.get_county_for(request.user, code, "change")
    formset = ReasonFormSet(request.POST, prefix="reasons")
    if formset.is_valid():
        try:
            reason_set = save_reason_set(
                county, reasons=reasons_of_formset(formset), by=request.user
            )
        except FeedbackError as error:
            for messages_ in error.errors.values():
                for message in messages_:
                    formset._non_form_errors.append(message)
        else:
            messages.success(
                request, _("评价原因已保存为第 %(v)d 版。") % {"v": reason_set.version}
            )
            return redirect("feedback:settings", code=county.code)
    return _page(request, county, formset=formset)


urls = [
    path("settings/", settings_list, name="settings_list"),
    path("settings/<str:code>/", county_settings, name="settings"),
    path("settings/<str:code>/policy/", policy_save, name="settings_policy"),
    path("settings/<str:code>/reasons/", reasons_save, name="settings_reasons"),
]
