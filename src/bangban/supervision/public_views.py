"""The director's mailbox (局长信箱) under /mailbox/, public, no login (decision 0055).

`/mailbox/<county code>/` is the letter's form (the county's own site links it); a letter goes
through `actions.receive(source=mailbox, by=None)` like every complaint — a 举报 or a fee letter to
the bureau, never to the point accused — and only letters sent are counted per client address
(`BANGBAN_MAILBOX_RATE`). The writer is then shown the letter's number and a private link,
`/mailbox/q/<token>/`, where its state and the answer stay readable: never who handles it, nor
anything of anyone else. An unknown county code or token is the public 404."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from bangban.feedback import public_gate
from bangban.kernel.forms import add_rule_errors
from bangban.network.models import Region

from . import actions
from .errors import SupervisionError
from .models import Complaint, Source
from .public_forms import LetterForm
from .workflow import Step

#: What a token may look like (ours are 43 URL-safe characters); anything else is not looked up.
TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")
COUNTY_CODE = re.compile(r"[0-9]{6}")
SENT_KEY = "mailbox_sent"
LETTER_GROUP = "mailbox.letter.client"

#: What the writer is told of each state (no internals: who handles it is the county's business).
PUBLIC_STATES = {
    Step.RECEIVED: "received",
    Step.HANDLING: "handling",
    Step.ANSWERED: "answered",
    Step.RETURNED: "returned",
}


def _county(code: str) -> Region:
    if not COUNTY_CODE.fullmatch(code or ""):
        raise Http404
    county = Region.objects.filter(level=Region.Level.COUNTY, code=code).first()
    if county is None:
        raise Http404
    return county


def _limited(request, minutes: int):
    response = render(request, "supervision/mailbox/limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def _form_page(request, county: Region, form: LetterForm, status: int = 200):
    context = {"county": county, "form": form}
    return render(request, "supervision/mailbox/write.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def write(request, code: str):
    """The letter's form; a letter sent goes to `actions.receive` and on to the "sent" page."""
    county = _county(code)
    if request.method != "POST":
        return _form_page(request, county, LetterForm(county=county))
    form = LetterForm(request.POST, county=county)
    if not form.is_valid():
        return _form_page(request, county, form)
    minutes = public_gate.limited(request, LETTER_GROUP, settings.BANGBAN_MAILBOX_RATE)
    if minutes:
        return _limited(request, minutes)
    data = form.cleaned_data
    try:
        complaint = actions.receive(
            county=county,
            source=Source.MAILBOX,
            kind=data["kind"],
            category=data["category"],
            title=data["title"],
            content=data["content"],
            received_on=timezone.localdate(),
            anonymous=data["anonymous"],
            name=data["name"],
            phone=data["phone"],
            point=data["point"],
            by=None,
        )
    except SupervisionError as error:
        add_rule_errors(form, error)
        return _form_page(request, county, form)
    request.session[SENT_KEY] = complaint.public_token
    return redirect("mailbox:sent", code=county.code)


@never_cache
@require_safe
def sent(request, code: str):
    """The letter just sent: its number and its private link (from the writer's session only)."""
    county = _county(code)
    token = request.session.get(SENT_KEY)
    complaint = _by_token(token) if isinstance(token, str) else None
    if complaint is None or complaint.county_id != county.pk:
        return redirect("mailbox:write", code=county.code)
    link = request.build_absolute_uri(reverse("mailbox:query", args=[complaint.public_token]))
    context = {"county": county, "complaint": complaint, "link": link}
    return render(request, "supervision/mailbox/sent.html", context)


def _by_token(token: str) -> Complaint | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return Complaint.objects.select_related("county").filter(public_token=token).first()


@never_cache
@require_safe
def query(request, token: str):
    """The writer's view of their letter: what they wrote, its state and dates, and the answer."""
    complaint = _by_token(token)
    if complaint is None:
        raise Http404
    context = {"complaint": complaint, "state": PUBLIC_STATES[complaint.status]}
    return render(request, "supervision/mailbox/query.html", context)


urls: list = [
    path("q/<str:token>/", query, name="query"),
    path("<str:code>/", write, name="write"),
    path("<str:code>/sent/", sent, name="sent"),
]
