"""Pydantic schemas of the catalog's JSON API (see docs/api.md, 服务事项).

Request bodies are flat, with the names of `actions.ItemData` and `actions.MaterialData`, so a rule
of `actions.check_item` (409) is located at the very field sent (`["body", "fee_note"]`,
`["body", "materials", 0, "copies"]`). Answers group what belongs together (`legal_limit: {value,
unit}`, `type: {code, name, system}`, `fee: {charged, note}`). Every string input has its column's
length and no control characters (the guide keeps its line breaks and tabs); enum values are the
models' snake_case choices.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from bangban.kernel.schemas import Id, Input, text
from bangban.network.schemas import DomainCode

from .actions import KEYWORD_LIMIT, KEYWORDS_LIMIT, MAX_KEYWORDS
from .actions import MAX_LIMIT as MAX_DAYS
from .models import ItemRevision, Level, LimitUnit, Material, Mode

ModeValue = Literal[tuple(Mode.values)]  # type: ignore[valid-type]
LevelValue = Literal[tuple(Level.values)]  # type: ignore[valid-type]
UnitValue = Literal[tuple(LimitUnit.values)]  # type: ignore[valid-type]
RevisionSource = Literal[tuple(ItemRevision.Source.values)]  # type: ignore[valid-type]
MaterialKind = Literal[tuple(Material.Kind.values)]  # type: ignore[valid-type]
MaterialForm = Literal[tuple(Material.Form.values)]  # type: ignore[valid-type]
Necessity = Literal[tuple(Material.Necessity.values)]  # type: ignore[valid-type]
MaterialSource = Literal[tuple(Material.Source.values)]  # type: ignore[valid-type]

#: Letters and digits (the action upper-cases them), as the national platform writes codes.
BASIC_CODE = r"^[0-9A-Za-z]{12}$"
IMPLEMENTATION_CODE = r"^[0-9A-Za-z]{1,36}$"
COUNTY_CODE = r"^[0-9]{6}$"
#: Line breaks and tabs allowed (the guide is several paragraphs); no other control character.
MULTILINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
#: A material list this long is not a list a helper can read out; the bound keeps bodies small.
MAX_MATERIALS = 100
MAX_GUIDE = 20000

BasicCode = text(12, 12, BASIC_CODE, examples=["000172007000"])
ImplementationCode = text(36, 1, IMPLEMENTATION_CODE, examples=["11370323MB0000000000001"])
CountyCode = text(6, 6, COUNTY_CODE, examples=["370323"])
Name = text(200, 1)
Version = text(20)
TypeCode = text(20, 1)
TypeText = text(50, 1)
LongText = text(500)
Note = text(200)
Guide = text(MAX_GUIDE, pattern=MULTILINE)
Keyword = text(KEYWORD_LIMIT, 1, examples=["低保"])
Days = Annotated[int, Field(ge=0, le=MAX_DAYS, description="days; 0 = on the spot (即办)")]
Count = Annotated[int, Field(ge=0, le=99)]


# --- Answers ---------------------------------------------------------------------------------------


class LimitOut(Schema):
    value: int = Field(description="days; 0 = on the spot (即办)")
    unit: UnitValue


class TypeOut(Schema):
    code: str
    name: str
    system: str = Field(description="the code system the type code belongs to")


class FeeOut(Schema):
    charged: bool = Field(description="the item itself charges a statutory fee (the help is free)")
    note: str = Field(description="standard and basis of the fee")


class RevisionOut(Schema):
    number: int = Field(description="1, 2, … in the order the revisions were made")
    created_at: datetime
    source: RevisionSource
    note: str


class RevisionSummaryOut(RevisionOut):
    name: str = Field(description="the item's name in that revision")
    current: bool = Field(description="the item's current revision")


class RevisionListOut(Schema):
    items: list[RevisionSummaryOut]
    count: int


class MaterialOut(Schema):
    position: int = Field(description="1, 2, … in the list's order")
    name: str
    kind: MaterialKind
    form: MaterialForm
    necessity: Necessity
    source: MaterialSource
    originals: int
    copies: int
    standard: str = Field(description="acceptance standard (受理标准)")
    notes: str
    has_blank_form: bool = Field(description="a blank form (空白表格) is on file")
    has_sample: bool = Field(description="a filled-in sample (示例样表) is on file")
    blank_form_url: str | None = Field(
        description="the blank form on the public pages; null when there is none or the public "
        "pages do not serve it (an earlier revision, an item out of use)"
    )
    sample_url: str | None = Field(description="the sample on the public pages; null likewise")


class MaterialListOut(Schema):
    items: list[MaterialOut]
    count: int


class _ItemBase(Schema):
    id: int
    county: str = Field(description="division code of the item's county")
    county_name: str
    implementation_code: str
    basic_code: str
    name: str
    keywords: list[str] = Field(
        description="what applicants call the item at the counter (俗称), found by every item "
        "search as the name is"
    )
    department: int = Field(description="id of the implementing department")
    department_name: str
    domains: list[str] = Field(description="domain codes")
    modes: list[ModeValue]
    levels: list[LevelValue]
    legal_limit: LimitOut
    promised_limit: LimitOut
    active: bool


class ItemSummaryOut(_ItemBase):
    revision: int = Field(description="number of the current revision")


class ItemListOut(Schema):
    items: list[ItemSummaryOut]
    count: int


class ItemOut(_ItemBase):
    version: str
    type: TypeOut
    fee: FeeOut
    guide: str
    revision: RevisionOut
    materials: list[MaterialOut]


# --- Requests --------------------------------------------------------------------------------------


class MaterialIn(Input):
    name: Name
    kind: MaterialKind = Material.Kind.OTHER.value
    form: MaterialForm = Material.Form.PAPER.value
    necessity: Necessity = Material.Necessity.REQUIRED.value
    source: MaterialSource = Material.Source.APPLICANT.value
    originals: Count = 0
    copies: Count = 0
    standard: LongText = Field("", description="acceptance standard (受理标准)")
    notes: LongText = ""


class ItemFieldsIn(Input):
    """The whole state of an item: every revision says all of it."""

    basic_code: BasicCode
    version: Version = ""
    name: Name
    keywords: list[Keyword] = Field(
        [],
        max_length=MAX_KEYWORDS,
        description="what applicants call the item (俗称), e.g. 低保; [] for none; at most "
        f"{KEYWORDS_LIMIT} characters joined by 、",
    )
    type_code: TypeCode
    type_name: TypeText
    type_system: TypeText = Field(description="the code system of type_code")
    department: Id = Field(description="id of a department of the item's county")
    domains: list[DomainCode] = Field(min_length=1, max_length=50, description="domain codes")
    levels: list[LevelValue] = Field(min_length=1, max_length=len(Level.values))
    modes: list[ModeValue] = Field(min_length=1, max_length=len(Mode.values))
    legal_limit: Days
    legal_limit_unit: UnitValue = LimitUnit.WORKING.value
    promised_limit: Days = Field(description="not above legal_limit when both use the same unit")
    promised_limit_unit: UnitValue = LimitUnit.WORKING.value
    fee_charged: bool = False
    fee_note: LongText = Field("", description="required when fee_charged")
    guide: Guide = ""
    materials: list[MaterialIn] = Field(
        max_length=MAX_MATERIALS, description="the whole list, in order; [] for none"
    )


class ItemCreateIn(ItemFieldsIn):
    county: CountyCode = Field(description="code of the county the item belongs to")
    implementation_code: ImplementationCode = Field(
        description="unique in the county; letters and digits (stored upper-case)"
    )


class ItemUpdateIn(ItemFieldsIn):
    note: Note = Field("", description="what changed (修订说明)")


class ActiveIn(Input):
    active: bool
