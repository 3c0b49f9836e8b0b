"""Progress notes (进度反馈): a note on a case's timeline, texted to the applicant unless kept
internal. The state and the clock stay as they are."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from .. import notifications
from ..models import Case
from .core import CaseError, _apply, _check, _locked
from .deemed import _deem_first


def record_progress(case: Case, *, by, text: str, tell_applicant: bool = True) -> Case:
    """进度反馈: a note on the case's timeline, texted to the applicant unless kept internal."""
    text = (text or "").strip()
    if not text or len(text) > 300:
        raise CaseError({"text": _("请填写进度内容（不超过 300 字）。")})
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "progress", by)
        case = _apply(case, "progress", by, {}, {"text": text, "told": bool(tell_applicant)})
        if tell_applicant:
            notifications.tell_applicant(case, text)
    return case
