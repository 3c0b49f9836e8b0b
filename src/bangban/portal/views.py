"""The public pages (no login): an item as applicants read it (the page the QR code of the printed
one-time notice list opens) and the blank forms and samples of its materials; a case's progress (the
page the QR code of the acceptance receipt opens).

Only an active item's current revision is public; anything else is 404, like a missing page.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import os
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import get_usage

from bangban.cases.documents import rating_path
from bangban.cases.events import Kind
from bangban.cases.models import Case, Transfer, clock_of, deemed_cutoff
from bangban.cases.workflow import BY_ACTION, State
from bangban.catalog.models import Material, ServiceItem
from bangban.catalog.places import handling_places
from bangban.network.models import Domain

FILE_FIELDS = ("blank_form", "sample")


@require_safe
def item(request, pk: int):
    try:
        found = (
            ServiceItem.objects.active()
            .filter(current__isnull=False)
            .select_related("county", "current__department")
            .prefetch_related(
                Prefetch("current__domains", queryset=Domain.objects.order_by("position", "code"))
            )
            .get(pk=pk)
        )
    except ServiceItem.DoesNotExist as error:
        raise Http404 from error
    revision = found.current
    materials = list(revision.materials.order_by("position"))
    context = {
        "item": found,
        "revision": revision,
        "materials": materials,
        "has_deferrable": any(m.necessity == Material.Necessity.DEFERRABLE for m in materials),
        "places": handling_places(found, revision),
    }
    return render(request, "portal/item.html", context)


@require_safe
def material_file(request, pk: int, which: str):
    """The blank form or sample of a material of an active item's current revision, as a
    download; 404 for anything else (an older revision's material, no file, a bad `which`)."""
    if which not in FILE_FIELDS:
        raise Http404
    material = (
        Material.objects.filter(pk=pk, revision__item__active=True)
        .filter(revision__item__current=F("revision"))
        .first()
    )
    file = getattr(material, which, None) if material is not None else None
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(file.name))


# --- The public case page (the QR code of the acceptance receipt) ---------------------------------
#
# No login: the unguessable token of the QR link, then the last four digits of the case's phone as a
# second factor (docs/decisions/0020). An unknown token and a wrong code look exactly alike; every POST
# is counted per client address, every wrong code per token, and a token that reached its limit is
# refused even the right code. The right code unlocks the case in the visitor's session for
# UNLOCK_SECONDS (the session key is random; nothing in the URL or a cookie value says "unlocked").
# A case without a phone shows its state and dates by the token alone, and nothing else.

#: What a token may look like (ours are 43 URL-safe characters); anything else is not looked up.
CASE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: Page views per client address (reloads, the QR code scanned again); lookups are POSTs.
CASE_VIEW_RATE = "120/10m"
UNLOCK_SECONDS = 30 * 60
SESSION_KEY = "portal_cases"

STATE_TEXT = {
    State.REGISTERED: _("帮办代办员已登记您的事项，正在核对材料。"),
    State.AWAITING_MATERIALS: _("还缺少材料。请按一次性告知书补齐后交给帮办代办员。"),
    State.IN_PROGRESS: _("已经受理，正在办理。"),
    State.SUSPENDED: _("办理暂时中止（例如等待检验、鉴定），恢复后继续计算期限。"),
    State.COMPLETED: _("已经办结。"),
    State.WITHDRAWN: _("已经撤回，不再办理。"),
    State.REFUSED: _("不予受理，原因见书面的不予受理告知书。"),
}

#: The steps of the timeline in plain words. Actions not listed show the workflow's label; the
#: internal ones (a transfer's escalation) are left out, and so is a progress note the applicant was
#: not meant to be told.
STEP_TEXT = {
    Kind.REGISTER: _("帮办代办员登记了您的事项"),
    Kind.NOTICE: _("出具了一次性告知书，告诉您还要补哪些材料"),
    Kind.MATERIALS_RECEIVED: _("核收了您的材料"),
    Kind.ACCEPT: _("事项已受理，开始计算办理期限"),
    Kind.DEEM_ACCEPTED: _("事项视为已受理，办理期限从收到材料之日算起"),
    Kind.REFUSE: _("不予受理，出具了书面告知书"),
    Kind.SUSPEND: _("办理暂时中止"),
    Kind.RESUME: _("恢复办理"),
    Kind.EXTEND: _("经批准，办理期限延长"),
    Kind.HOME_VISIT: _("帮办代办员上门为您服务"),
    Kind.COMPLETE: _("事项已办结"),
    Kind.WITHDRAW: _("事项已撤回"),
    Kind.CORRECT_DEADLINE: _("按新公布的节假日安排，更正了办理期限"),
}
HIDDEN_STEPS = frozenset({Kind.ESCALATE_TRANSFER})
#: A transfer's steps name the points (the sending one as `from`, the receiving one as `to`).
TRANSFER_STEPS = {
    Kind.TRANSFER: _("转交%(to)s办理"),
    Kind.ACCEPT_TRANSFER: _("%(to)s接手办理"),
    Kind.DECLINE_TRANSFER: _("转交未成，仍由%(from)s办理"),
}


@dataclass
class Step:
    on: dt.date
    label: str
    text: str
    deadline: dt.date | None = None


def _last_four(masked: str) -> str:
    """The last four digits of the number itself (a landline's extension after 转 left out), from its
    mask (`138****1234`, `0533-***1201转8001`): the mask keeps them, so the phone itself is never
    read in clear here (decision 0030)."""
    digits = [c for c in masked.split("转")[0] if c.isdigit()]
    return "".join(digits[-4:]) if len(digits) >= 4 else ""


def _code_of(text: str) -> str | None:
    """Four digits as typed (full-width digits and spaces allowed), or None."""
    code = unicodedata.normalize("NFKC", text or "").replace(" ", "")
    return code if len(code) == 4 and code.isascii() and code.isdigit() else None


def _steps(case: Case) -> list[Step]:
    transfers = {
        t.pk: t for t in Transfer.objects.filter(case=case).select_related("from_point", "to_point")
    }
    steps = []
    for event in case.events.order_by("at", "pk"):
        action, data = event.action, event.data or {}
        transition = BY_ACTION.get(action)
        label = (
            str(transition.label)
            if transition
            else (Kind.REGISTER.label if action == Kind.REGISTER else "")
        )
        if action in HIDDEN_STEPS or not label:
            continue
        transfer = transfers.get(data.get("transfer"))
        if action == Kind.PROGRESS:
            if not data.get("told") or not data.get("text"):
                continue
            text = data["text"]
        elif action in TRANSFER_STEPS and transfer:
            text = TRANSFER_STEPS[action] % {
                "to": transfer.to_point.name,
                "from": transfer.from_point.name,
            }
        else:
            text = str(STEP_TEXT.get(action, label))
        after = data.get("after") or {}
        deadline = after.get("promised_deadline") if isinstance(after, dict) else None
        steps.append(
            Step(
                on=timezone.localdate(event.at),
                label=label,
                text=text,
                deadline=dt.date.fromisoformat(deadline) if isinstance(deadline, str) else None,
            )
        )
    return steps


def _unlocked(request, case: Case) -> bool:
    until = request.session.get(SESSION_KEY, {}).get(str(case.pk))
    return isinstance(until, int | float) and until > time.time()


def _unlock(request, case: Case) -> None:
    now = time.time()
    kept = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v > now}
    kept[str(case.pk)] = int(now + UNLOCK_SECONDS)
    request.session[SESSION_KEY] = dict(sorted(kept.items(), key=lambda kv: kv[1])[-10:])


def _lock(request, case: Case | None) -> None:
    unlocked = dict(request.session.get(SESSION_KEY, {}))
    if case is not None and unlocked.pop(str(case.pk), None) is not None:
        request.session[SESSION_KEY] = unlocked


def _limited(request, usage: dict | None):
    minutes = max(1, math.ceil(max(usage["time_left"], 0) / 60)) if usage else 1
    response = render(request, "portal/case_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def _case_context(case: Case) -> dict:
    return {
        "case": case,
        # deemed acceptance shown as soon as the law has it, before anyone records it
        "clock": clock_of(case, deemed_cutoff(timezone.localdate())),
        "state": State(case.status).label,
        "state_text": STATE_TEXT.get(case.status, ""),
        "unlock_minutes": UNLOCK_SECONDS // 60,
        # 好差评: every service of the case may be rated there (the feedback app's page).
        "rating_path": rating_path(case),
    }


def _token_key(token: str):
    return lambda group, request: token


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def case(request, token: str):
    found = None
    if CASE_TOKEN.fullmatch(token):
        found = (
            Case.objects.select_related("revision", "handling_point")
            .filter(public_token=token)
            .first()
        )
    if request.method != "POST":
        usage = get_usage(
            request, "portal.case.view", key="ip", rate=CASE_VIEW_RATE, increment=True
        )
        if usage and usage["should_limit"]:
            return _limited(request, usage)
        if found is not None and not found.contact_phone_masked:
            return render(request, "portal/case_basic.html", _case_context(found))
        if found is not None and _unlocked(request, found):
            context = {**_case_context(found), "steps": _steps(found)}
            return render(request, "portal/case.html", context)
        return render(request, "portal/case_code.html", {"error": ""})

    usage = get_usage(
        request,
        "portal.case.lookup",
        key="ip",
        rate=settings.BANGBAN_CASE_LOOKUP_RATE,
        increment=True,
    )
    if usage and usage["should_limit"]:
        return _limited(request, usage)
    if request.POST.get("lock"):
        _lock(request, found)
        return redirect(request.path)
    failures = {
        "group": "portal.case.code",
        "key": _token_key(token),
        "rate": settings.BANGBAN_CASE_CODE_FAILURE_RATE,
    }
    usage = get_usage(request, **failures)
    if usage and usage["count"] >= usage["limit"]:
        return _limited(request, usage)
    code = _code_of(request.POST.get("code", ""))
    if code is None:
        error = _("请输入电话号码的最后 4 位数字。")
        return render(request, "portal/case_code.html", {"error": error, "field_error": True})
    if found is not None and not found.contact_phone_masked:
        return redirect(request.path)
    expected = _last_four(found.contact_phone_masked) if found is not None else ""
    if expected and hmac.compare_digest(code, expected):
        _unlock(request, found)
        return redirect(request.path)
    get_usage(request, **failures, increment=True)
    error = _("查询码不正确。请核对回执上的二维码，并输入接收办理进度的电话号码的最后 4 位。")
    return render(request, "portal/case_code.html", {"error": error, "field_error": True})
