"""Identifiers of applicants: validating, normalising and masking them. Pure functions, no database.

docs/domain.md "Identifiers and personal data" and "Definitions" (Elderly; Full ID numbers):

- A **resident ID number** (居民身份证号码, GB 11643-1999) has 18 characters: a 6-digit area code, the
  birth date YYYYMMDD, a 3-digit sequence (odd = male, even = female) and a check character by ISO 7064
  MOD 11-2 (`X` stands for 10; `x` is accepted). An old 15-digit number (area, YYMMDD born 19YY,
  sequence) is converted to 18 characters. A number is valid by its check character and a real birth
  date (from 1900, not after today). The area code is deliberately *not* checked against a table of
  divisions: python-stdnum's `cn.ric` does that, and its table dates codes, so it rejects genuine
  370323 (沂源县) numbers of people born before 1989 — exactly our users. Nor do we use its
  `cn.uscc`, which rejects credit codes beginning with N (village collective economic organisations)
  or Y (others).
- Other documents need their type (`DocumentType`): a 港澳台居民居住证 number has the same form with the
  area code 810000, 820000 or 830000; a foreigner's permanent residence card (外国人永久居留身份证) has
  either the 2023 number (18 characters starting with 9, GB 11643 check character) or the earlier one
  (3 letters + 12 digits, no published check: shape only); a passport or other document is checked for
  shape only.
- A **unified social credit code** (统一社会信用代码, GB 32100-2015) has 18 characters from
  0-9 A-H J-N P-R T U W-Y: the registration authority (any of them but 0), the type, the 6-digit
  division code, the 9-character organisation code and a check character, modulo 31.
- **Masks** are what every list, page and export shows: `370323********1234`, `138****1234`
  (`bangban.kernel.masks`, imported here for the callers that know them by this module).
- **Age** in full years; someone born on 29 February has their birthday on 28 February in a common
  year (the staff app's `anniversary` rule). **Elderly** is 60 or older on the day (老年人权益保障法 §2).

Every refusal is an `IdentifierError`, a `ValueError` (so pydantic and form validators turn it into a
field error) whose message says in Chinese what is wrong — never what the right check character would
be, which would help forge a number.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangban.kernel.masks import mask_id, mask_phone  # noqa: F401 - masks live in the kernel

Sex = Literal["male", "female"]

# --- errors and document types ------------------------------------------------------------------


class IdentifierError(ValueError):
    """A number was refused. `message` is the Chinese explanation (also `str(error)`); `code` a stable
    English word for the kind of problem (required, length, characters, prefix, date, checksum)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", gettext_lazy("居民身份证")
    HK_MACAO_TAIWAN_PERMIT = "hk_macao_taiwan_permit", gettext_lazy("港澳台居民居住证")
    FOREIGN_PERMANENT_RESIDENCE = (
        "foreign_permanent_residence",
        gettext_lazy("外国人永久居留身份证"),
    )
    PASSPORT = "passport", gettext_lazy("护照")
    OTHER = "other", gettext_lazy("其他证件")


# --- cleaning typed text ------------------------------------------------------------------------

#: Full-width ASCII (what a Chinese input method types: ０-９, Ｘ, －, （）) to ASCII.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
#: Characters that copying from a web page or a spreadsheet leaves behind invisibly.
_INVISIBLE = {code: None for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}


def _compact(text: str) -> str:
    """`text` in half-width characters, without whitespace (inner spaces too) or invisible marks."""
    return "".join(text.translate(_HALF_WIDTH).translate(_INVISIBLE).split())


# --- GB 11643 numbers (resident ID, residence permit, 2023 permanent residence card) ------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECKS = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
_PERMIT_AREAS = ("810000", "820000", "830000")


def resident_id_check_character(body: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) of 17 digits: one of 0-9 and X."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("the body of a GB 11643 number is 17 digits")
    return _ID_CHECKS[
        sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True)) % 11
    ]


@dataclass(frozen=True)
class ResidentId:
    """A valid resident ID number and what it says."""

    number: str  # 18 characters, X upper-case
    birth_on: dt.date
    sex: Sex
    area_code: str  # 6 digits, as written: not checked against a table of divisions


def _birth_on(number: str) -> dt.date:
    """The birth date in positions 7-14 of an 18-character number; an existing date from 1900 on."""
    digits = number[6:14]
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdentifierError(_("出生日期 %(date)s 不存在。") % {"date": digits}, "date") from None
    if born < _EARLIEST_BIRTH:
        raise IdentifierError(_("出生日期 %(date)s 早于 1900 年。") % {"date": digits}, "date")
    return born


def _check_not_future(number: str, today: dt.date) -> dt.date:
    born = _birth_on(number)
    if born > today:
        raise IdentifierError(_("出生日期 %(date)s 晚于今天。") % {"date": number[6:14]}, "date")
    return born


def _check_shape(number: str, noun: str) -> None:
    """17 digits and a digit or X."""
    if not _ID_SHAPE.fullmatch(number):
        raise IdentifierError(
            _("%(noun)s前 17 位只能是数字，最后一位是数字或 X。") % {"noun": noun}, "characters"
        )


def _check_character(number: str, noun: str) -> None:
    """The check character of an 18-character number of the right shape."""
    if resident_id_check_character(number[:17]) != number[17]:
        raise IdentifierError(_("%(noun)s校验位不正确，请核对。") % {"noun": noun}, "checksum")


def _sex(number: str) -> Sex:
    return "male" if int(number[16]) % 2 else "female"


def normalise_resident_id(text: str) -> str:
    """The 18-character form of a resident ID number: spaces (also full-width ones) removed, `x`
    upper-cased, an old 15-digit number converted (born 19YY, check character computed).

    Checks the shape, the birth date (existing, from 1900) and the check character; whether the birth
    date lies in the future needs a day to compare with, so `parse_resident_id` checks that.
    Raises IdentifierError."""
    number = _compact(text).upper()
    noun = _("身份证号码")
    if not number:
        raise IdentifierError(_("请填写身份证号码。"), "required")
    if len(number) == 15:
        if not (number.isascii() and number.isdigit()):
            raise IdentifierError(_("15 位旧身份证号码只能由数字组成。"), "characters")
        body = number[:6] + "19" + number[6:]
        number = body + resident_id_check_character(body)
    elif len(number) != 18:
        raise IdentifierError(
            _("身份证号码应为 18 位（或 15 位旧号码），现为 %(n)s 位。") % {"n": len(number)},
            "length",
        )
    _check_shape(number, noun)
    if number[0] == "0":
        raise IdentifierError(_("身份证号码不能以 0 开头。"), "prefix")
    if number[:2] in ("81", "82", "83"):
        raise IdentifierError(
            _("以 81、82、83 开头的是港澳台居民居住证号码，请选择证件类型“港澳台居民居住证”。"),
            "prefix",
        )
    if number[0] == "9":
        raise IdentifierError(
            _("以 9 开头的是外国人永久居留身份证号码，请选择证件类型“外国人永久居留身份证”。"),
            "prefix",
        )
    _birth_on(number)  # a wrong date says where the mistake is; a wrong check character does not
    _check_character(number, noun)
    return number


def parse_resident_id(text: str, today: dt.date) -> ResidentId:
    """A valid resident ID number and its birth date, sex and area code; the birth date may not lie
    after `today`. Raises IdentifierError."""
    number = normalise_resident_id(text)
    born = _check_not_future(number, today)
    return ResidentId(number=number, birth_on=born, sex=_sex(number), area_code=number[:6])


# --- other documents -----------------------------------------------------------------------------

_OLD_PERMANENT_RESIDENCE = re.compile(r"[A-Z]{3}[0-9]{12}")
_NEW_PERMANENT_RESIDENCE = re.compile(r"9[0-9]{16}[0-9X]")
_PASSPORT = re.compile(r"[0-9A-Z]{5,30}")
#: Other documents (军官证, 回乡证, …) may carry Chinese characters: 军字第 0012345 号.
_OTHER_DOCUMENT = re.compile(r"[0-9A-Z\u4e00-\u9fff]{5,30}")


@dataclass(frozen=True)
class Document:
    """A valid document number of an applicant. The birth date and sex are known where the number
    says them (resident ID, residence permit) and None elsewhere: enter them by hand there."""

    document_type: DocumentType
    number: str
    birth_on: dt.date | None = None
    sex: Sex | None = None


def _parse_permit(number: str, today: dt.date) -> Document:
    noun = _("港澳台居民居住证号码")
    if len(number) != 18:
        raise IdentifierError(
            _("港澳台居民居住证号码应为 18 位，现为 %(n)s 位。") % {"n": len(number)}, "length"
        )
    _check_shape(number, noun)
    if number[:6] not in _PERMIT_AREAS:
        raise IdentifierError(
            _("港澳台居民居住证号码应以 810000（香港）、820000（澳门）或 830000（台湾）开头。"),
            "prefix",
        )
    _birth_on(number)
    _check_character(number, noun)
    born = _check_not_future(number, today)
    return Document(DocumentType.HK_MACAO_TAIWAN_PERMIT, number, born, _sex(number))


def _parse_permanent_residence(number: str) -> Document:
    if len(number) == 15:
        if not _OLD_PERMANENT_RESIDENCE.fullmatch(number):
            raise IdentifierError(
                _("旧版外国人永久居留身份证号码为 3 个字母加 12 位数字。"), "characters"
            )
    elif len(number) == 18:
        if not _NEW_PERMANENT_RESIDENCE.fullmatch(number):
            raise IdentifierError(
                _(
                    "2023 年版外国人永久居留身份证号码以 9 开头，前 17 位是数字，最后一位是数字或 X。"
                ),
                "characters",
            )
        _check_character(number, _("外国人永久居留身份证号码"))
    else:
        raise IdentifierError(
            _("外国人永久居留身份证号码应为 18 位（2023 年版）或 15 位（旧版），现为 %(n)s 位。")
            % {"n": len(number)},
            "length",
        )
    return Document(DocumentType.FOREIGN_PERMANENT_RESIDENCE, number)


def parse_document(document_type: str, text: str, today: dt.date) -> Document:
    """A valid number of a document of the given type (a `DocumentType` value), normalised: spaces
    removed, letters upper-cased, an old resident ID number converted to 18 characters. Raises
    IdentifierError; ValueError for a type that is not a `DocumentType`."""
    kind = DocumentType(document_type)
    if kind == DocumentType.RESIDENT_ID:
        resident = parse_resident_id(text, today)
        return Document(kind, resident.number, resident.birth_on, resident.sex)
    number = _compact(text).upper()
    if not number:
        raise IdentifierError(_("请填写证件号码。"), "required")
    if kind == DocumentType.HK_MACAO_TAIWAN_PERMIT:
        return _parse_permit(number, today)
    if kind == DocumentType.FOREIGN_PERMANENT_RESIDENCE:
        return _parse_permanent_residence(number)
    if kind == DocumentType.PASSPORT:
        if not _PASSPORT.fullmatch(number):
            raise IdentifierError(_("护照号码应为 5–30 位字母或数字。"), "characters")
        return Document(kind, number)
    if not _OTHER_DOCUMENT.fullmatch(number):
        raise IdentifierError(_("证件号码应为 5–30 位字母、数字或汉字。"), "characters")
    return Document(kind, number)


def normalise_document(document_type: str, text: str, today: dt.date) -> str:
    """The normalised number of a document of the given type (see `parse_document`): what is
    encrypted, masked and digested for finding the applicant again."""
    return parse_document(document_type, text, today).number


# --- unified social credit code (GB 32100-2015) -------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 …
_CREDIT_FORBIDDEN = "IOSVZ"


def credit_code_check_character(body: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code."""
    if len(body) != 17 or any(char not in _CREDIT_VALUES for char in body):
        raise ValueError("the body of a credit code is 17 characters of its alphabet")
    total = sum(
        _CREDIT_VALUES[char] * weight for char, weight in zip(body, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(text: str) -> str:
    """A valid unified social credit code, upper-cased, spaces removed. Any registration authority
    but 0 is accepted, N (农业, village collective economic organisations) and Y (其他) included; the
    type, division and organisation code are checked for shape only. Raises IdentifierError."""
    code = _compact(text).upper()
    if not code:
        raise IdentifierError(_("请填写统一社会信用代码。"), "required")
    forbidden = sorted({char for char in code if char in _CREDIT_FORBIDDEN})
    if forbidden:
        raise IdentifierError(
            _("统一社会信用代码含有不允许的字母 %(chars)s（代码不使用 I、O、S、V、Z）。")
            % {"chars": "、".join(forbidden)},
            "characters",
        )
    if any(char not in _CREDIT_VALUES for char in code):
        raise IdentifierError(_("统一社会信用代码只能由数字和大写字母组成。"), "characters")
    if len(code) != 18:
        raise IdentifierError(
            _("统一社会信用代码应为 18 位，现为 %(n)s 位。") % {"n": len(code)}, "length"
        )
    if code[0] == "0":
        raise IdentifierError(_("统一社会信用代码第 1 位（登记管理部门代码）不能是 0。"), "prefix")
    if not code[2:8].isdigit():
        raise IdentifierError(
            _("统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为数字。"), "characters"
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise IdentifierError(_("统一社会信用代码校验位不正确，请核对。"), "checksum")
    return code


# --- age -----------------------------------------------------------------------------------------


def _birthday(birth_on: dt.date, year: int) -> dt.date:
    """The birthday in `year`: 29 February falls on 28 February in a common year."""
    if birth_on.month == 2 and birth_on.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return birth_on.replace(year=year)


def age_on(birth_on: dt.date, day: dt.date) -> int:
    """Full years of age on `day`. ValueError when `day` is before the birth."""
    if day < birth_on:
        raise ValueError("a day before the birth has no age")
    years = day.year - birth_on.year
    return years - 1 if day < _birthday(birth_on, day.year) else years


ELDERLY_AGE = 60  # 老年人权益保障法 §2; the setting's default


def is_elderly(birth_on: dt.date, day: dt.date, threshold: int = ELDERLY_AGE) -> bool:
    """Whether someone born on `birth_on` is `threshold` or older on `day` (60: 老年人权益保障法 §2)."""
    return age_on(birth_on, day) >= threshold


# --- phones --------------------------------------------------------------------------------------

_PHONE_CHARACTERS = re.compile(r"[0-9+\-()转]+")
_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[0-9]{10})")
_LANDLINE = re.compile(r"\(?(0[0-9]{2,3})\)?-?([0-9]{7,8})(?:(?:-|转)([0-9]{1,6}))?")
_VALID_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _area_code_length(digits: str) -> int:
    """010 and 020-029 are three digits long; every other area code (0311, 0533, …) four."""
    return 3 if digits[1] in "12" else 4


def normalise_phone(text: str) -> str:
    """A phone number in one form: a mainland mobile as 11 digits (`13812341234`; a +86 or 86 prefix,
    spaces and hyphens dropped), a landline as area code, hyphen, number and any extension after
    转 (`0533-3241201`, `010-12345678转8001`). Raises IdentifierError."""
    phone = _compact(text)
    if not phone:
        raise IdentifierError(_("请填写电话号码。"), "required")
    if not _PHONE_CHARACTERS.fullmatch(phone):
        raise IdentifierError(_("电话号码只能包含数字、“+”、“-”、括号和“转”。"), "characters")
    plain = phone.replace("-", "").replace("(", "").replace(")", "")
    mobile = _MOBILE.fullmatch(plain)
    if mobile and _VALID_MOBILE.fullmatch(mobile.group(1)):
        return mobile.group(1)
    unprefixed = re.sub(r"^(?:\+86|0086|86)", "", plain)
    if unprefixed.startswith("1") and unprefixed.isdigit():
        raise IdentifierError(_("手机号码应为 11 位数字，以 13–19 开头。"), "mobile")
    if phone.lstrip("(").startswith("0"):
        landline = _LANDLINE.fullmatch(phone)
        if landline:
            digits = landline.group(1) + landline.group(2)
            area, local = (
                digits[: _area_code_length(digits)],
                digits[_area_code_length(digits) :],
            )
            if 7 <= len(local) <= 8:
                extension = landline.group(3)
                return f"{area}-{local}" + (f"转{extension}" if extension else "")
        raise IdentifierError(_("固定电话应为区号加 7–8 位号码，如 0533-3241201。"), "landline")
    raise IdentifierError(
        _("请填写 11 位手机号码，或带区号的固定电话（如 0533-3241201）。"), "characters"
    )


def is_mobile(number: str) -> bool:
    """Whether `number` is a valid mainland mobile number (text messages can only go to one)."""
    try:
        return _VALID_MOBILE.fullmatch(normalise_phone(number)) is not None
    except IdentifierError:
        return False
