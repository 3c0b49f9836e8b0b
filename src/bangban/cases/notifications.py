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


# --- 好差评: the rectification of a bad review (the feedback app chooses when) ---------------------


def tell_rater(case: Case, text: str) -> bool:
    """Queue a step of a bad review's rectification (`text`) to the person who rated `case`: the
    applicant's own phone — for a 代办 case the principal's (委托人), never the proxy's — framed by
    `about_case`, when it is a mobile. Whether it was queued."""
    phone = case.applicant.decrypted_phone()
    if not phone or not identifiers.is_mobile(phone):
        return False
    queue_message(
        recipient=identifiers.normalise_phone(phone),
        body=about_case(case.number, text),
        reference=f"case:{case.number}",
    )
    return True


def tell_staff(phone: str, body: str, reference: str) -> None:
    """Queue `body` (a warning below) to a member of staff's work phone (normalised, a mobile: the
    caller checked it), about `reference` (what it concerns, e.g. `rectification:12`)."""
    queue_message(recipient=phone, body=body, reference=reference)


def rectification_replied(reply: str, closes_on: dt.date, link: str) -> str:
    """答复评价人: the reply to a bad review, and the one follow-up rating (追评) it invites."""
    return _(
        "您对本次服务的评价已处理：%(reply)s 如对处理结果仍不满意，请于 %(day)s 前追评：%(link)s"
    ) % {"reply": reply, "day": _day(closes_on), "link": link}


def rectification_closed(reply: str) -> str:
    """答复评价人并办结: the reply after the follow-up reopened the matter (no second follow-up)."""
    return _("您的追评已重新处理：%(reply)s 感谢您的监督。") % {"reply": reply}


def rectification_warning(level: str, point: str, day: str, call_back: bool = False) -> str:
    """A bad review's rectification near its deadline (`level` "yellow") or past it ("red"; with
    `call_back`, the rater not called back in time), to its handlers (and, when red, the level
    above)."""
    if call_back:
        text = _("【帮办代办】红牌：%(point)s的差评未在 %(day)s 前回访评价人，请立即回访。")
    elif level == "red":
        text = _("【帮办代办】红牌：%(point)s的差评整改已超过期限 %(day)s，请立即处理。")
    else:
        text = _("【帮办代办】黄牌：%(point)s的差评整改期限为 %(day)s，请抓紧处理。")
    return text % {"point": point, "day": day}


# --- Complaints and requests (投诉举报、咨询求助: the supervision app chooses when) --------------------


def tell_complainant(phone: str, body: str, reference: str) -> bool:
    """Queue `body` (a text below) to a complainant's own phone (`phone`, decrypted by the caller)
    when it is a mobile, about `reference` (`complaint:<id>`). Whether it was queued."""
    if not phone or not identifiers.is_mobile(phone):
        return False
    queue_message(recipient=identifiers.normalise_phone(phone), body=body, reference=reference)
    return True


def complaint_answered(number: str, text: str, link: str) -> str:
    """答复诉求人: the answer to a named letter to the director's mailbox or a window complaint, with
    the private link (`link`) where its state and answer stay readable."""
    return _("【帮办代办】您反映的问题（编号 %(number)s）已答复：%(text)s 详情请查看：%(link)s") % {
        "number": number,
        "text": text,
        "link": link,
    }


def complaint_warning(level: str, number: str, title: str, day: str) -> str:
    """A complaint near its answer day (`level` "yellow") or past it ("red"), to its handlers."""
    if level == "red":
        text = _(
            "【帮办代办】红牌：诉求 %(number)s（%(title)s）已超过答复期限 %(day)s，请立即办理。"
        )
    else:
        text = _("【帮办代办】黄牌：诉求 %(number)s（%(title)s）答复期限为 %(day)s，请抓紧办理。")
    return text % {"number": number, "title": title, "day": day}
