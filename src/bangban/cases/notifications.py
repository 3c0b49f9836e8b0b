"""Every text the ledger sends, in one place to review together against the service language of
the county's work rules (《沂源县政务服务帮办代办工作规范》, 附件3 of the plan, 四（二）服务用语:
polite words, "请", never "不能办" or "自己看"), and the two ways they are sent.

Each text is one function of what it names, returning the text in the active language; the actions
(`cases.actions`) choose which to send and when, inside their transaction, through the outbox
(`messaging.actions.queue_message`: nothing is sent if the transaction rolls back). To the
applicant: the registration text stands alone (`send`, to the phone given at registration); every
later one is a step of the case, sent inside `about_case` ("办件 … ：") by `tell_applicant`, at the
case's contact phone when it is a mobile. To staff (`send`, at their work phones): the deadline
warnings and an unanswered transfer.
No other module in `src` builds a text that is sent (a test checks it); decision 0046.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from bangban.messaging.actions import queue_message

from . import identifiers
from .models import Case


def _day(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


# --- Sending ---------------------------------------------------------------------------------------


def send(case: Case, phone: str, body: str) -> None:
    """Queue `body` about `case` to `phone` (normalised, a mobile: the caller checked it)."""
    queue_message(recipient=phone, body=body, reference=f"case:{case.number}")


def tell_applicant(case: Case, text: str) -> None:
    """Queue a step of `case` (`text`, one of the functions below or a helper's progress note) to
    the applicant, framed by `about_case`, when the case's contact phone is a mobile."""
    phone = case.decrypted_contact_phone()
    if phone and identifiers.is_mobile(phone):
        queue_message(
            recipient=phone,
            body=about_case(case.number, text),
            reference=f"case:{case.number}",
        )


# --- To the applicant ------------------------------------------------------------------------------


def registered(item: str, number: str) -> str:
    """登记: sent on its own (not framed by `about_case`) to the contact phone given at registration."""
    return _("【帮办代办】您的“%(item)s”已登记，办件编号 %(number)s。") % {
        "item": item,
        "number": number,
    }


def about_case(number: str, text: str) -> str:
    """The frame of every later text to the applicant: the case's number, then the step."""
    return _("【帮办代办】办件 %(number)s：%(text)s") % {"number": number, "text": text}


def notice_issued(supply_by: dt.date, names: str) -> str:
    """一次性告知: the materials to supply (`names`, joined with 、) and by when."""
    return _("请于 %(day)s 前补正以下材料：%(names)s。") % {"day": _day(supply_by), "names": names}


def accepted(promised: dt.date) -> str:
    """受理, with the promised deadline."""
    return _("已受理，承诺于 %(day)s 前办结。") % {"day": _day(promised)}


def suspended(reason: str) -> str:
    """中止, with the helper's reason."""
    return _("已中止办理：%(reason)s") % {"reason": reason}


def resumed(promised: dt.date) -> str:
    """恢复, with the promised deadline moved by the suspension."""
    return _("已恢复办理，承诺于 %(day)s 前办结。") % {"day": _day(promised)}


def extended(promised: dt.date) -> str:
    """延长期限, with the new promised deadline."""
    return _("经批准延期，承诺于 %(day)s 前办结。") % {"day": _day(promised)}


def deadline_corrected(promised: dt.date) -> str:
    """期限更正 after the holidays were published, when the promised deadline moved."""
    return _("节假日安排公布后，承诺办结日期更正为 %(day)s。") % {"day": _day(promised)}


def transferred(point: str) -> str:
    """接收转办: the point that now handles the case."""
    return _("已转至%(point)s办理。") % {"point": point}


def completed(rating_url: str) -> str:
    """办结, inviting the applicant to rate the service at `rating_url` (the case's rating page,
    `documents.rating_url`)."""
    return _("已办结。欢迎对本次服务进行评价：%(url)s") % {"url": rating_url}


def withdrawn() -> str:
    """撤回."""
    return _("已撤回。")


def refused(reason: str) -> str:
    """不予受理, with the reason (the written refusal says more)."""
    return _("不予受理：%(reason)s") % {"reason": reason}


# A progress note (进度反馈) is the helper's own text, sent as written inside `about_case`.


# --- To staff --------------------------------------------------------------------------------------


def warning(level: str, number: str, item: str, day: str) -> str:
    """黄牌 (`level` "yellow": the promised deadline `day` is near) or 红牌 ("red": it has passed),
    to the helpers of the case (and, when red, the leads and admins above)."""
    if level == "red":
        text = _(
            "【帮办代办】红牌：办件 %(number)s（%(item)s）已超过承诺期限 %(day)s，请立即办理。"
        )
    else:
        text = _("【帮办代办】黄牌：办件 %(number)s（%(item)s）承诺期限为 %(day)s，请抓紧办理。")
    return text % {"number": number, "item": item, "day": day}


def transfer_unanswered(number: str, point: str) -> str:
    """A transfer the receiving point has not answered in time, to that point's lead."""
    return _("【帮办代办】办件 %(number)s 转至%(point)s，尚未接收，请尽快处理。") % {
        "number": number,
        "point": point,
    }
