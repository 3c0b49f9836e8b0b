"""The 12345 platform's ticket, field by field (docs/hotline.md "Fields"), and the one table that
turns its codes into ours. `parse_ticket` and `parse_decision` read a record the platform sent —
pulled or called back alike — into typed values, or raise `RecordError` naming each field they
cannot read; they write nothing and look nothing up (`county_of` and `point_in` do, after the signature).

A category code we do not know is 其他 (the ticket is still ours to answer); a kind code we do not
know is refused: the time limits and the rectification depend on it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.kernel.schemas import DATE_2000_2100
from bangban.network.models import Region, ServicePoint

from ..models import Category, Kind

#: The platform's 诉求类型 codes → our kinds.
KINDS: dict[str, str] = {
    "01": Kind.CONSULT,
    "02": Kind.HELP,
    "03": Kind.COMPLAINT,
    "04": Kind.REPORT,
    "05": Kind.SUGGESTION,
}
#: The platform's 问题类别 codes (政务服务类) → our categories; any other code is 其他.
CATEGORIES: dict[str, str] = {
    "0101": Category.FEE,
    "0102": Category.BUCK,
    "0103": Category.FAVOUR,
    "0104": Category.ATTITUDE,
    "0105": Category.DISCIPLINE,
    "0106": Category.PHRASES,
    "0107": Category.EFFICIENCY,
    "0199": Category.OTHER,
}

#: Our field names (an action's SupervisionError) → the platform's, to name a refused field in its terms.
PLATFORM_FIELDS: dict[str, str] = {
    "ticket_no": "ticketNo",
    "received_on": "dispatchTime",
    "kind": "appealType",
    "category": "problemType",
    "name": "citizenName",
    "phone": "citizenPhone",
    "point": "orgCode",
    "note": "note",
    "extension": "approved",
    "status": "ticketNo",
    "by": "ticketNo",
}

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TIME_PATTERN = DATE_2000_2100[:-1] + r" (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
#: A title: one visible character at least, no control characters.
TITLE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
#: A content: one visible character at least, lines allowed.
CONTENT_PATTERN = r"^[^\x00]*[^\s\x00-\x1f\x7f-\x9f][^\x00]*$"
TICKET_NO_PATTERN = r"^[A-Za-z0-9-]{1,64}$"
AREA_PATTERN = r"^\d{6}(\d{6})?$"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class RecordError(Exception):
    """A record we cannot read: `errors` is {field: message}."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Ticket:
    """One ticket, read: what `actions.receive(source="hotline", …)` takes."""

    ticket_no: str
    county_code: str
    received_on: dt.date
    platform_due_at: dt.datetime | None
    kind: str
    category: str
    title: str
    content: str
    name: str
    phone: str
    #: The accused point as the platform names it (`orgCode`, `orgName`), found by `point_in`.
    org_code: str
    org_name: str


@dataclass(frozen=True)
class Decision:
    """The hotline centre's decision on an extension request."""

    ticket_no: str
    county_code: str
    approve: bool
    note: str


def clean(value, *, lines: bool = False) -> str:
    """A platform's text as we keep it: NFC, without control characters or lone surrogates; line
    breaks kept in long texts (`lines`), else made spaces."""
    if not isinstance(value, str):
        return ""
    value = value.encode("utf-8", "ignore").decode("utf-8")  # a lone surrogate is dropped
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\t", " ") if lines else re.sub(r"\n+", " ", value.replace("\t", " "))
    return _CONTROL.sub("", value).strip()


def _time(errors: dict, data: dict, field: str, *, required: bool) -> dt.datetime | None:
    value = data.get(field)
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not re.fullmatch(TIME_PATTERN, value):
        errors[field] = _("须为“年-月-日 时:分:秒”格式的北京时间，如 2026-12-07 09:30:00。")
        return None
    try:
        naive = dt.datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        errors[field] = _("不是有效的日期时间。")
        return None
    return timezone.make_aware(naive)


def _ticket_no(errors: dict, data: dict) -> str:
    value = data.get("ticketNo")
    if not isinstance(value, str) or not re.fullmatch(TICKET_NO_PATTERN, value):
        errors["ticketNo"] = _("工单编号须为 1 至 64 位字母、数字或连字符。")
        return ""
    return value


def _county_code(errors: dict, data: dict) -> str:
    value = data.get("areaCode")
    if not isinstance(value, str) or not re.fullmatch(AREA_PATTERN, value):
        errors["areaCode"] = _("区划代码须为 6 位（或 12 位）数字。")
        return ""
    return value[:6]


class UnknownCounty(Exception):
    """A record for a county that is not ours."""


def county_of(code: str) -> Region:
    """The county of `code` (the 6-digit form), or UnknownCounty."""
    county = Region.objects.filter(code=code, level=Region.Level.COUNTY).first()
    if county is None:
        raise UnknownCounty(code)
    return county


def point_in(county: Region, code: str, name: str) -> ServicePoint | None:
    """The accused point, by our id (`orgCode`, as the county registered its points with the
    platform) or else by its exact name in the county; None when neither names one point (the
    bureau then links it)."""
    points = ServicePoint.objects.filter(county=county, active=True)
    if code.isascii() and code.isdigit() and len(code) <= 12:
        found = points.filter(pk=int(code)).first()
        if found is not None:
            return found
    if name:
        named = list(points.filter(name=name)[:2])
        if len(named) == 1:
            return named[0]
    return None


def parse_ticket(data) -> Ticket:
    """A ticket record read, or RecordError naming every field we cannot read."""
    if not isinstance(data, dict):
        raise RecordError({"body": _("工单须为 JSON 对象。")})
    errors: dict = {}
    ticket_no = _ticket_no(errors, data)
    county_code = _county_code(errors, data)
    dispatched = _time(errors, data, "dispatchTime", required=True)
    due_at = _time(errors, data, "dueTime", required=False)
    kind = KINDS.get(data.get("appealType")) if isinstance(data.get("appealType"), str) else None
    if kind is None:
        errors["appealType"] = _("诉求类型须为 01 咨询、02 求助、03 投诉、04 举报或 05 建议。")
    code = data.get("problemType")
    category = CATEGORIES.get(code, Category.OTHER) if isinstance(code, str) else Category.OTHER
    title = clean(data.get("title"))[:100]
    content = clean(data.get("content"), lines=True)
    if not title:
        errors["title"] = _("请填写工单标题。")
    if not content:
        errors["content"] = _("请填写诉求内容。")
    elif len(content) > 4000:
        errors["content"] = _("诉求内容不能超过 4000 字。")
    if errors:
        raise RecordError(errors)
    return Ticket(
        ticket_no=ticket_no,
        county_code=county_code,
        received_on=timezone.localdate(dispatched),
        platform_due_at=due_at,
        kind=kind,
        category=category,
        title=title,
        content=content,
        name=clean(data.get("citizenName"))[:50],
        phone=clean(data.get("citizenPhone"))[:30],
        org_code=clean(data.get("orgCode"))[:12],
        org_name=clean(data.get("orgName"))[:100],
    )


def parse_decision(data) -> Decision:
    """An extension decision read, or RecordError."""
    if not isinstance(data, dict):
        raise RecordError({"body": _("延期审批结果须为 JSON 对象。")})
    errors: dict = {}
    ticket_no = _ticket_no(errors, data)
    county_code = _county_code(errors, data)
    approved = data.get("approved")
    if approved not in (0, 1):  # true and false too
        errors["approved"] = _("审批结果须为 1（批准）或 0（不予延期）。")
    note = clean(data.get("note"))
    if len(note) > 500:
        errors["note"] = _("审批意见不能超过 500 字。")
    if errors:
        raise RecordError(errors)
    return Decision(ticket_no=ticket_no, county_code=county_code, approve=approved == 1, note=note)
