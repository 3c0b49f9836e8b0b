"""The villager's rating page (/pj/<token>/, no login): what the receipt's QR code (and, with
`?from=sms`, the completion text's link) opens (docs/decisions/0049).

The province's page first when the adapter gives one (`province.rating_url`); then the last four
digits of the applicant's own phone (the principal's for 代办), kept for the case in the session for
30 minutes (`public_gate`); then each service occasion open for rating with its five faces and the
county's reasons, and the follow-up rating (追评) of a replied rectification. Every rating goes through
`actions.rate_occasion`, which says who may rate, when and with which reasons; this module only shows
its answer. A logged-in staff account is refused, an unknown token is a 404 like a malformed one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from bangban.cases.models import Case, Occasion
from bangban.kernel.forms import add_rule_errors

from . import actions, province, public_gate
from .actions.ratings import current_reason_set
from .errors import FeedbackError
from .models import BAD, Channel, Level, Rating, Reason
from .public_forms import CodeForm, FollowUpForm, RatingForm
from .rules import rater_digest, rating_closes_on, why_not_ratable
from .workflow import Step

THANKS_KEY = "rate_thanks"
#: The faces, worst first as the levels are stored (1 非常不满意 … 5 非常满意).
FACES = [(level.value, level.label) for level in Level]


def channel_of(request) -> str:
    """SMS when the page was opened from the completion text (`?from=sms`), else the receipt's QR."""
    return Channel.SMS if request.GET.get("from") == "sms" else Channel.QR


def _here(request, name: str, token: str) -> str:
    url = reverse(name, args=[token])
    return f"{url}?from=sms" if channel_of(request) == Channel.SMS else url


def _not_found(request):
    return render(request, "feedback/public/not_found.html", status=404)


def _limited(request, minutes: int):
    response = render(request, "feedback/public/limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def _refused(request, message: str, status: int = 403):
    return render(request, "feedback/public/refused.html", {"message": message}, status=status)


STAFF_REFUSAL = _("您已用工作人员账号登录，不能代替办事群众评价。请退出登录，由办事群众本人评价。")


@dataclass
class Row:
    """One service occasion on the page: what it was (never who served), and what may be done."""

    occasion: Occasion
    state: str  # "open", "rated", "closed"
    closes_on: object = None
    form: RatingForm | None = None
    rating: Rating | None = None
    reply: str = ""
    follow_up_due: object = None
    follow_up_form: FollowUpForm | None = None
    reasons: dict = field(default_factory=dict)


def _rows(case: Case, reasons, bound: dict | None = None) -> list[Row]:
    """The case's occasions served so far, each with its form (`bound`: the posted form of one)."""
    today = timezone.localdate()
    bound = bound or {}
    rows = []
    occasions = (
        case.occasions.filter(on__lte=today)
        .select_related("point")
        .prefetch_related("ratings__rectification")
        .order_by("sequence")
    )
    for occasion in occasions:
        first = next((r for r in occasion.ratings.all() if r.assess == Rating.Assess.FIRST), None)
        row = Row(occasion=occasion, state="rated" if first else "open", rating=first)
        if first is None:
            if why_not_ratable(occasion, today):
                row.state = "closed"
            else:
                row.closes_on = rating_closes_on(occasion)
                row.form = bound.get(("rate", occasion.pk)) or RatingForm(
                    initial={"occasion": occasion.pk}, reasons=reasons, auto_id=f"o{occasion.pk}-%s"
                )
        rect = getattr(first, "rectification", None) if first else None
        if rect is not None and rect.status == Step.REPLIED and today <= rect.follow_up_due:
            row.reply, row.follow_up_due = rect.reply, rect.follow_up_due
            row.follow_up_form = bound.get(("follow_up", occasion.pk)) or FollowUpForm(
                initial={"occasion": occasion.pk}, auto_id=f"f{occasion.pk}-%s"
            )
        rows.append(row)
    return rows


def _grouped(reasons) -> dict:
    """The county's reasons by the faces they fit: bad for 1–2, good for 4–5, any for all."""
    groups = {"bad": [], "good": [], "any": []}
    for reason in reasons:
        groups[reason.polarity].append(reason)
    return groups


def _reasons(case: Case) -> list[Reason]:
    reason_set = current_reason_set(case.county_id)
    return [] if reason_set is None else list(reason_set.reasons.order_by("position", "code"))


def _rating_page(request, case: Case, bound: dict | None = None, status: int = 200):
    reasons = _reasons(case)
    context = {
        "case": case,
        "rows": _rows(case, reasons, bound),
        "faces": FACES,
        "groups": _grouped(reasons),
        "from_sms": channel_of(request) == Channel.SMS,
    }
    return render(request, "feedback/public/rate.html", context, status=status)


def _code_page(request, form: CodeForm | None = None, status: int = 200):
    return render(request, "feedback/public/code.html", {"form": form or CodeForm()}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def case(request, token: str):
    if request.method != "POST":
        minutes = public_gate.limited(request, "rate.case.view", settings.BANGBAN_RATING_VIEW_RATE)
        if minutes:
            return _limited(request, minutes)
    found = public_gate.case_of(token)
    if found is None:
        return _not_found(request)
    if request.method != "POST" and (elsewhere := province.rating_url(found)):
        return redirect(elsewhere)
    staff = public_gate.staff_user(request)
    step = request.POST.get("step") if request.method == "POST" else None
    if staff is not None and step != "rate":
        return _refused(request, str(STAFF_REFUSAL))
    if not found.applicant.phone_encrypted:
        return _refused(
            request,
            _("该办件未登记申请人电话，请到服务点填写纸质评价卡，或拨打 12345 评价。"),
            status=200,
        )
    if step == "code" or (step and not public_gate.verified(request, found)):
        return _check_code(request, found)
    if not public_gate.verified(request, found):
        return _code_page(request)
    if step in ("rate", "follow_up"):
        return _rate(request, found, staff, follow_up=step == "follow_up")
    return _rating_page(request, found)


def _check_code(request, case: Case):
    form = CodeForm(request.POST if request.POST.get("step") == "code" else None)
    if not form.is_valid():
        return _code_page(request, form)
    problem, minutes = public_gate.check_code(request, case, form.cleaned_data["code"])
    if minutes:
        return _limited(request, minutes)
    if problem:
        form.add_error("code", problem)
        return _code_page(request, form)
    public_gate.verify(request, case)
    return redirect(_here(request, "rate:case", case.public_token))


def _rate(request, case: Case, staff, *, follow_up: bool):
    minutes = public_gate.limited(request, "rate.rating.client", settings.BANGBAN_RATING_RATE)
    if minutes:
        return _limited(request, minutes)
    if follow_up:
        form = FollowUpForm(request.POST)
    else:
        form = RatingForm(request.POST, reasons=_reasons(case))
    occasion_id = request.POST.get("occasion", "")
    occasion = case.occasions.filter(pk=int(occasion_id)).first() if occasion_id.isdigit() else None
    if occasion is None:
        return _rating_page(request, case)
    form.auto_id = f"{'f' if follow_up else 'o'}{occasion.pk}-%s"
    key = ("follow_up" if follow_up else "rate", occasion.pk)
    if not form.is_valid():
        return _rating_page(request, case, {key: form}, status=200)
    data = form.cleaned_data
    try:
        rating = actions.rate_occasion(
            occasion,
            level=form.level if follow_up else data["level"],
            channel=channel_of(request),
            reasons=() if follow_up else data["reasons"],
            comment=data["comment"],
            anonymous=False if follow_up else data["anonymous"],
            rater_phone_digest=rater_digest(case),
            by=staff,
            follow_up=follow_up,
        )
    except FeedbackError as error:
        if "by" in error.errors:
            return _refused(request, " ".join(error.errors["by"]))
        add_rule_errors(form, error, {"occasion": "", "follow_up": ""})
        return _rating_page(request, case, {key: form})
    request.session[THANKS_KEY] = {
        "case": case.pk,
        "bad": rating.level in BAD,
        "anonymous": rating.anonymous,
        "follow_up": follow_up,
    }
    return redirect(_here(request, "rate:thanks", case.public_token))


@never_cache
@require_safe
def thanks(request, token: str):
    found = public_gate.case_of(token)
    if found is None:
        return _not_found(request)
    done = request.session.get(THANKS_KEY)
    if not isinstance(done, dict) or done.get("case") != found.pk:
        return redirect(_here(request, "rate:case", token))
    more = public_gate.verified(request, found) and any(
        row.state == "open" for row in _rows(found, [])
    )
    context = {**done, "more": more, "back": _here(request, "rate:case", token)}
    return render(request, "feedback/public/thanks.html", context)
