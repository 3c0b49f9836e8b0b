"""The national field set of 好差评 (docs/province.md): what a service record and a rating are called
on the wire, and the explicit conversions between our values and the province's.

Our occasion is the province's project (`projectNo` = `Occasion.number`: 一次一评 — every time the
applicant is served is rated once, so every occasion is a project of its own to the province).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from bangban.cases.models import Applicant, Case, Occasion

from ..models import Channel, Level, Rating

#: The national channel code `pf` of each of our channels: 1 PC, 2 mobile, 3 QR, 4 hall tablet,
#: 5 other hall terminal, 6 phone, 7 SMS. A paper card is entered at a hall terminal (5); a rating
#: that came from the province is never pushed back (it keeps the province's own `pf`).
PF = {
    Channel.QR: 3,
    Channel.SMS: 7,
    Channel.DEVICE: 4,
    Channel.CARD: 5,
}
PF_NAMES = {
    1: "PC端",
    2: "移动端",
    3: "二维码",
    4: "政务大厅平板电脑",
    5: "政务大厅其他终端",
    6: "电话",
    7: "短信",
}

#: The national assess number: 1 the first rating, 2 the follow-up (追评).
ASSESS_FIRST, ASSESS_FOLLOW_UP = 1, 2
#: raterType: 1 a person (自然人), 2 an organisation (法人或其他组织).
RATER_TYPE = {Applicant.Kind.PERSON: 1, Applicant.Kind.ORGANISATION: 2}


# --- Satisfaction: two codings of the same five levels ---------------------------------------------


def national_level(level: int) -> int:
    """Our level (1 非常不满意 … 5 非常满意, the provincial interfaces' order) as GB/T 39046-2020
    A.8 codes it (1 非常满意 … 5 非常不满意)."""
    return 6 - Level(level)


def from_national_level(code: int) -> int:
    """A GB/T 39046-2020 A.8 code (1 非常满意 … 5 非常不满意) as our level."""
    if code not in (1, 2, 3, 4, 5):
        raise ValueError(f"no GB/T 39046 satisfaction code {code!r}")
    return int(Level(6 - code))


def to_wire(level: int) -> int:
    """The `satisfaction` we send: our level in the coding the province speaks
    (`BANGBAN_PROVINCE_LEVELS`: `province`, ours, by default; `gbt39046` the standard's)."""
    if settings.BANGBAN_PROVINCE_LEVELS == "gbt39046":
        return national_level(level)
    return int(Level(level))


def from_wire(code: int) -> int:
    """Our level from the `satisfaction` the province sends (its coding, as `to_wire`)."""
    if settings.BANGBAN_PROVINCE_LEVELS == "gbt39046":
        return from_national_level(code)
    if code not in Level.values:
        raise ValueError(f"no satisfaction {code!r}")
    return int(code)


# --- Identifiers ------------------------------------------------------------------------------------


def area_code(county_code: str) -> str:
    """The 12-digit region code of a county: its 6-digit code padded with zeros."""
    return county_code.ljust(12, "0")


def split_project_no(project_no: str) -> tuple[str, int] | None:
    """(case number, sequence) of an occasion's number `…-0042-1`; None when it is not one."""
    head, dash, tail = project_no.rpartition("-")
    if not dash or not head or not tail.isdigit() or len(tail) > 4:
        return None
    return head, int(tail)


def wire_time(at: dt.datetime) -> str:
    """A moment as the province writes it: local time, `YYYY-MM-DD HH:MM:SS`."""
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def parse_wire_time(text: str) -> dt.datetime:
    """`YYYY-MM-DD HH:MM:SS` local time (or ISO 8601 with an offset) → an aware datetime."""
    moment = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def mask_name(name: str) -> str:
    """`张秀英` → `张*英`, `张三` → `张*`: enough for the person to recognise, not to identify."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- Records ----------------------------------------------------------------------------------------


def service_record(occasion: Occasion) -> dict:
    """The service record (办件信息) of `occasion`, as pushed to the province. Reads the occasion's
    case, item, revision, point, county, applicant and helper (select them with the occasion)."""
    case: Case = occasion.case
    applicant: Applicant = case.applicant
    revision = case.revision
    record = {
        "projectNo": occasion.number,
        "caseNo": case.number,
        "taskCode": case.item.implementation_code,
        "taskBasicCode": revision.basic_code,
        "taskName": revision.name,
        "areaCode": area_code(occasion.point.county.code),
        "deptName": revision.department.name,
        "serviceName": occasion.point.name,
        "serviceKind": occasion.kind,
        "serviceTime": wire_time(occasion.at) if occasion.at else "",
        "serviceDate": occasion.on.isoformat(),
        "helperName": _name(occasion.helper),
        "raterType": RATER_TYPE[applicant.kind],
        "userName": (
            applicant.name
            if applicant.kind == Applicant.Kind.ORGANISATION
            else mask_name(applicant.name)
        ),
        "userCertMasked": (
            applicant.credit_code
            if applicant.kind == Applicant.Kind.ORGANISATION
            else applicant.number_masked
        ),
        "userPhoneMasked": applicant.phone_masked,
        "proxy": 1 if case.kind == Case.Kind.PROXY else 0,
    }
    if case.kind == Case.Kind.PROXY:
        # 代办: the proxy is the helper who acts for the principal (the applicant, who rates). Sent:
        # the name and the masked phone the progress messages go to; never an ID number, which we
        # do not hold for a helper and would not send for anyone (docs/province.md).
        record["agentName"] = _name(case.handling_helper or occasion.helper)
        record["agentPhoneMasked"] = case.contact_phone_masked
    return record


def rating_record(rating: Rating) -> dict:
    """A rating (评价) as pushed to the province. The rater's phone is never sent."""
    occasion = rating.occasion
    return {
        "projectNo": occasion.number,
        "assessNumber": rating.assess,
        "satisfaction": to_wire(rating.level),
        "reasonCodes": list(rating.reasons),
        "text": rating.comment,
        "anonymous": 1 if rating.anonymous else 0,
        "assessTime": wire_time(rating.rated_at),
        "pf": PF[rating.channel],
        "taskCode": occasion.case.item.implementation_code,
        "areaCode": area_code(occasion.point.county.code),
        "raterType": RATER_TYPE[occasion.case.applicant.kind],
    }


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
