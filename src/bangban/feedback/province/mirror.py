"""Ratings from the province into our store, by pull (`pull_ratings`, periodic) or by the province's
signed callback (`feedback/api/province.py`), both through `mirror`: once per (occasion, assess number) —
a rating we already hold is skipped, not an error —, through `rate_occasion(channel=PROVINCE)` like
every other rating. A default rating the province assigned (`isDefault`) is stored with
`province_default=True`: it counts as unrated and opens no rectification.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.db import IntegrityError
from django.utils.translation import gettext as _

from bangban.cases.models import Occasion
from bangban.kernel.schemas import DATE_2000_2100

from ..actions import rate_occasion
from ..errors import FeedbackError
from ..models import BAD, Channel, Level, ProvinceCursor, Rating, Reason
from ..reasons import current_reason_set
from . import health
from .fields import from_wire, parse_wire_time, split_project_no
from .gateway import ProvinceError, gateway_for

logger = logging.getLogger("bangban.feedback.province")

#: What the callback's OpenAPI document promises to take (parse takes exactly these).
PROJECT_NO_PATTERN = r"^[0-9A-Za-z-]{1,60}$"
ASSESS_TIME_PATTERN = (
    DATE_2000_2100[:-1]
    + r"[ T](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)

#: A reason code: a short line. The text: anything but NUL (other control characters become spaces).
REASON_PATTERN = r"^[^\x00-\x1f\x7f]{1,40}$"
TEXT_PATTERN = r"^[^\x00]*$"

PULL_PAGE = 100
PULL_PAGES = 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


class RecordError(Exception):
    """A record from the province we cannot read: `{field: message}`."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(errors)


class UnknownProject(Exception):
    """The province named a projectNo that is none of our occasions."""

    def __init__(self, project_no: str):
        self.project_no = project_no
        super().__init__(project_no)


@dataclass
class Record:
    project_no: str
    assess_number: int
    level: int
    reasons: list[str]
    text: str
    assess_time: object
    default: bool


def _integer(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():  # JSON's 4.0 is the integer 4
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse(data) -> Record:
    """A rating record of the province's (docs/province.md "Rating"), checked; RecordError naming
    every field in the wrong."""
    if not isinstance(data, dict):
        raise RecordError({"body": _("请求体必须是 JSON 对象。")})
    errors: dict[str, str] = {}
    project_no = data.get("projectNo")
    if not isinstance(project_no, str) or not re.fullmatch(PROJECT_NO_PATTERN, project_no):
        errors["projectNo"] = _("projectNo 必须是 1 到 60 个字母、数字或连字符。")
    assess = _integer(data.get("assessNumber"))
    if assess not in (1, 2):
        errors["assessNumber"] = _("assessNumber 必须是 1（首次评价）或 2（追评）。")
    level = None
    satisfaction = _integer(data.get("satisfaction"))
    try:
        level = from_wire(satisfaction) if satisfaction is not None else None
    except ValueError:
        level = None
    if level is None:
        errors["satisfaction"] = _("satisfaction 必须是 1 到 5 的整数。")
    reasons = data.get("reasonCodes") or []
    if not isinstance(reasons, list) or not all(
        isinstance(r, str) and re.fullmatch(REASON_PATTERN, r) for r in reasons
    ):
        errors["reasonCodes"] = _(
            "reasonCodes 必须是字符串数组，每项 1 到 40 个字符、不含控制字符。"
        )
        reasons = []
    text = data.get("text") or ""
    if not isinstance(text, str) or "\x00" in text:
        errors["text"] = _("text 必须是不含 NUL 字符的字符串。")
        text = ""
    assess_time = None
    given_time = data.get("assessTime")
    if isinstance(given_time, str) and re.fullmatch(ASSESS_TIME_PATTERN, given_time):
        assess_time = parse_wire_time(given_time)
    else:
        errors["assessTime"] = _("assessTime 必须是“YYYY-MM-DD HH:MM:SS”格式的时间。")
    default = data.get("isDefault", 0)
    if default not in (0, 1, "0", "1", True, False):
        errors["isDefault"] = _("isDefault 必须是 0 或 1。")
    if errors:
        raise RecordError(errors)
    return Record(
        project_no=project_no,
        assess_number=assess,
        level=level,
        reasons=[r for r in reasons if r][:20],
        # Our comments are one line of at most 500 characters; the province's text is kept so.
        text=_CONTROL.sub(" ", _SURROGATES.sub("", text)).strip()[:500],
        assess_time=assess_time,
        default=default in (1, "1", True),
    )


def _reasons(reasons: list[str], level: int, county_id: int) -> list[str]:
    """The province's reason codes our county also has, fitting the level (the others are
    dropped: our figures count our reasons)."""
    reason_set = current_reason_set(county_id)
    if reason_set is None or not reasons:
        return []
    known = {r.code: r for r in reason_set.reasons.all()}
    wrong = Reason.Polarity.GOOD if level in BAD else Reason.Polarity.BAD
    kept = []
    for code in dict.fromkeys(reasons):
        reason = known.get(code)
        if reason is not None and (level == Level.BASIC or reason.polarity != wrong):
            kept.append(code)
    return kept[:5]


def occasion_of(project_no: str) -> Occasion:
    parts = split_project_no(project_no)
    occasion = None
    if parts is not None:
        occasion = (
            Occasion.objects.select_related("case")
            .filter(case__number=parts[0], sequence=parts[1])
            .first()
        )
    if occasion is None:
        raise UnknownProject(project_no)
    return occasion


def mirror(data) -> tuple[str, Rating]:
    """Store one rating record of the province's: ("stored", the rating) or ("held", the rating we
    already hold for that occasion and assess number). RecordError when it cannot be read,
    UnknownProject when its projectNo is none of ours, FeedbackError when a rule of ours refuses it
    (a follow-up with no rectification waiting for one)."""
    record = parse(data)
    occasion = occasion_of(record.project_no)
    held = _held(occasion, record.assess_number)
    if held is not None:
        return "held", held
    try:
        rating = rate_occasion(
            occasion,
            level=record.level,
            channel=Channel.PROVINCE,
            reasons=_reasons(record.reasons, record.level, occasion.case.county_id),
            comment=record.text,
            follow_up=record.assess_number == 2,
            province_default=record.default,
            at=record.assess_time,
        )
    except (FeedbackError, IntegrityError):
        # Another worker (the callback and the pull at once) stored it first.
        held = _held(occasion, record.assess_number)
        if held is not None:
            return "held", held
        raise
    return "stored", rating


def _held(occasion: Occasion, assess: int) -> Rating | None:
    return Rating.objects.filter(occasion=occasion, assess=assess).first()


@dataclass
class Pulled:
    stored: int = 0
    held: int = 0
    skipped: int = 0


def pull_ratings(limit: int = PULL_PAGE) -> Pulled:
    """Ask the province for the ratings after our cursor, page by page, and mirror them; the cursor
    moves after each page. A record we cannot take (unknown project, refused by a rule) is logged
    and passed over: it must not stop the others. Nothing when the adapter is off."""
    pulled = Pulled()
    gateway = gateway_for()
    if not gateway.on:
        return pulled
    cursor, _created = ProvinceCursor.objects.get_or_create(name="pull")
    for _i in range(PULL_PAGES):
        try:
            page = gateway.pull_ratings(cursor.token, limit)
        except ProvinceError as exc:
            health.note(False)
            logger.warning("Pulling ratings from the province failed: %s", exc)
            break
        health.note(True)
        for item in page.items:
            try:
                outcome, _rating = mirror(item)
            except (RecordError, UnknownProject, FeedbackError) as exc:
                logger.warning("A rating from the province was not taken: %r (%r)", exc, item)
                pulled.skipped += 1
                continue
            setattr(pulled, outcome, getattr(pulled, outcome) + 1)
        if page.cursor == cursor.token or not page.items:
            break
        cursor.token = page.cursor
        cursor.save(update_fields=["token", "updated_at"])
    return pulled
