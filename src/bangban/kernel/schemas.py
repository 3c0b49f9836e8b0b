"""The bases of every app's JSON API schemas (decision 0032, docs/api.md).

Every string input is a `text()` (or a stricter pattern): a length that matches the model field and
no NUL or other control characters, said in the OpenAPI document as a `pattern` so that clients and
schemathesis know it. Request bodies are `Input`s, strict: an integer is a JSON integer, a boolean
`true` or `false`, a day a "YYYY-MM-DD" string within the range its type says (`day()`), never `0`
or "2024-01-01T00:00". Query strings are text and keep being parsed (they are no `Input`).
`ErrorOut` is the one error shape of every answer from 400 to 429; `errors()` documents it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .days import EARLIEST_EVENT, EARLIEST_PERSONAL, LATEST_DAY

# --- Strings and days ------------------------------------------------------------------------------

#: No C0 control characters and no DEL (PostgreSQL refuses NUL, SQLite hides it).
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
#: A real calendar date from 2000-01-01 to 2100-12-31: what happens in the system (cases, trainings,
#: checks), within the working-day calendar's years. Months' lengths and leap years are in the
#: pattern, so a date that matches it exists.
DATE_2000_2100 = (
    r"^(?:(?:20[0-9]{2}|2100)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|20(?:0[048]|[2468][048]|[13579][26])-02-29)$"
)
#: A real calendar date from 1900-01-01 to 2100-12-31: a person's history (birth, start of work).
DATE_1900_2100 = (
    r"^(?:(?:19[0-9]{2}|20[0-9]{2}|2100)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:19|20)(?:0[48]|[2468][048]|[13579][26])-02-29|2000-02-29)$"
)

MAX_ID = 2**63 - 1


def _no_surrogates(value: str) -> str:
    # A lone surrogate can arrive through a JSON "\ud800" escape; no database stores it.
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("surrogate")
    return value


def text(max_length: int, min_length: int = 0, pattern: str = NO_CONTROL, **extra):
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length, pattern=pattern, **extra),
        AfterValidator(_no_surrogates),
    ]


def day(earliest: date = EARLIEST_EVENT, description: str = "YYYY-MM-DD"):
    """A day in a request body: a "YYYY-MM-DD" string from `earliest` to 2100-12-31, said in the
    OpenAPI document as a pattern. pydantic alone would take a number (seconds since 1970) or a
    date-time at midnight; this takes neither. A `date` passes (Python callers)."""
    pattern = DATE_1900_2100 if earliest == EARLIEST_PERSONAL else DATE_2000_2100

    def parse(value):
        if isinstance(value, date) and not isinstance(value, datetime):
            parsed = value
        elif not isinstance(value, str):
            raise PydanticCustomError("date_type", "not a date string")
        elif not _ISO_DAY.match(value):
            raise PydanticCustomError("date_parsing", "not YYYY-MM-DD")
        else:
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError("date_parsing", "no such day") from None
        if not earliest <= parsed <= LATEST_DAY:
            raise PydanticCustomError(
                "date_range",
                "out of range",
                {"earliest": earliest.isoformat(), "latest": LATEST_DAY.isoformat()},
            )
        return parsed

    return Annotated[
        date,
        BeforeValidator(parse),
        WithJsonSchema({"type": "string", "pattern": pattern, "description": description}),
    ]


_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
Day = day()
PersonalDay = day(EARLIEST_PERSONAL)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Answer(BaseModel):
    """Answers built as plain dicts (and lists of them), validated by pydantic alone. ninja's
    `Schema` wraps every object it validates, nested ones included, in its `DjangoGetter` (a Python
    call per field, to follow Django managers and callables): for a page of 50 ledger rows, 350
    wrapped objects and 5 ms of a 20 ms answer (decision 0068). An answer that is a dict needs
    none of it; `from_attributes` still reads a plain object's attributes."""

    model_config = ConfigDict(from_attributes=True)


class Input(Schema):
    """Request bodies: unknown fields are refused (and the OpenAPI says so), and values are taken
    as JSON gives them: no `0` for `false`, no `"5"` or `5.0` for 5 (pydantic's strict mode; days
    are `day()`, which strict mode alone would refuse as strings)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _whole_numbers(cls, values):
        """JSON has one kind of number: `67.0` is the integer 67, as JSON Schema's `integer` has
        it. A fraction stays a float, which no integer field takes. (ninja validates a body twice,
        the second time wrapped in its `DjangoGetter`: the body is read from inside.)"""
        if isinstance(values, DjangoGetter) and isinstance(values._obj, dict):
            values = values._obj
        return _whole(values)


def _whole(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole(item) for item in value]
    return value


# --- Errors ----------------------------------------------------------------------------------------


class ErrorItem(Schema):
    loc: list[str | int] = Field(description="where: body/query/path/header, then the field")
    msg: str = Field(description="中文说明")
    type: str = Field(description="a machine-readable kind, e.g. missing, string_too_long, rule")


class ErrorOut(Schema):
    """The one error shape of every answer from 400 to 429."""

    detail: list[ErrorItem]


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The `response=` entries documenting the given error statuses (401 always)."""
    return {status: ErrorOut for status in sorted({401, *statuses})}
