"""Pydantic schemas of the network's JSON API (`/api/v1/`): tokens, points, regions, departments and
partner organisations, accounts, equipment.

They are built on the kernel's bases (`bangban.kernel.schemas`: `Input`, `text()`, `day()`, `Id`,
the one error shape `ErrorOut`), strict as decision 0032 says. Enum values are the models'
snake_case choices.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from bangban.kernel.schemas import (
    Day,
    Id,
    Input,
    text,
)

from .models import (
    Equipment,
    EquipmentCheck,
    OpeningHours,
    PartnerOrganisation,
    Region,
    Role,
    ServicePoint,
)

# --- Strings ---------------------------------------------------------------------------------------

#: A division code at one of the five levels (2, 4, 6, 9 or 12 digits).
REGION_CODE = r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$"
#: Django's username characters (letters, digits, @ . + - _), letters including Chinese.
USERNAME = r"^[\w.@+-]+$"
#: A county's division code (6 digits).
COUNTY_CODE = r"^[0-9]{6}$"
#: A province, city or county code: a filter on the counties at or below it.
COUNTIES_CODE = r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$"
#: A time of day, 24-hour clock.
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

RegionCode = text(12, 2, REGION_CODE, examples=["370323"])
PointKind = Literal[tuple(ServicePoint.Kind.values)]  # type: ignore[valid-type]
RegionLevel = Literal[tuple(Region.Level.values)]  # type: ignore[valid-type]
HoursKind = Literal[tuple(OpeningHours.Kind.values)]  # type: ignore[valid-type]
PointName = text(100, 1)
Address = text(200)
Phone = text(40)
RegionName = text(100, 1)
DomainCode = text(40, 1, r"^[-a-zA-Z0-9_]+$")
Username = text(150, 1, USERNAME)
Password = text(128, 1)
FullName = text(150)


# --- Auth ------------------------------------------------------------------------------------------


class TokenIn(Input):
    username: Username
    password: Password


class TokenOut(Schema):
    token: str
    expires_at: datetime


# --- Points ----------------------------------------------------------------------------------------


class PointOut(Schema):
    id: int
    kind: PointKind
    name: str
    parent: int | None = Field(description="id of the parent point; null for a county centre")
    region: str = Field(description="division code of the region the point is in")
    region_name: str
    county: str = Field(description="division code of the point's county")
    domain: str | None = Field(description="domain code (sub-zones only)")
    department: int | None
    organisation: int | None
    address: str
    phone: str
    signage_in_place: bool
    active: bool
    updated_at: datetime


class PeriodSchema(Schema):
    weekday: int = Field(ge=1, le=7, description="1 = Monday … 7 = Sunday")
    opens_at: str = Field(pattern=HHMM, examples=["09:00"])
    closes_at: str = Field(pattern=HHMM, examples=["17:30"])
    kind: HoursKind = "regular"


class PeriodIn(PeriodSchema, Input):
    pass


class PointDetailOut(PointOut):
    hours: list[PeriodSchema]


class PointListOut(Schema):
    items: list[PointOut]
    count: int


class PointCreateIn(Input):
    kind: PointKind
    name: PointName
    parent: Id | None = Field(None, description="parent point id; omitted only for a county centre")
    region: RegionCode | None = Field(
        None, description="division code; a town's 12-digit form (…000) is accepted"
    )
    domain: DomainCode | None = None
    department: Id | None = None
    organisation: Id | None = None
    address: Address = ""
    phone: Phone = ""
    signage_in_place: bool = False


class PointUpdateIn(Input):
    """Only the fields sent are changed. `domain`, `department`, `organisation` may be null."""

    name: PointName = None  # type: ignore[assignment]
    address: Address = None  # type: ignore[assignment]
    phone: Phone = None  # type: ignore[assignment]
    signage_in_place: bool = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]
    parent: Id = None  # type: ignore[assignment]
    region: RegionCode = None  # type: ignore[assignment]
    domain: DomainCode | None = None
    department: Id | None = None
    organisation: Id | None = None


class HoursIn(Input):
    hours: list[PeriodIn] = Field(max_length=70)


# --- Regions ---------------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: RegionLevel
    parent: str | None
    active: bool
    is_virtual: bool


class RegionListOut(Schema):
    items: list[RegionOut]
    count: int


class RegionCreateIn(Input):
    parent: RegionCode = Field(description="code of the region above")
    code: RegionCode
    name: RegionName


class RegionUpdateIn(Input):
    name: RegionName = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]


# --- Departments and partner organisations ----------------------------------------------------------

CountyCode = text(6, 6, COUNTY_CODE, examples=["370323"])
UnitName = text(100, 1)
PartnerType = Literal[tuple(PartnerOrganisation.PartnerType.values)]  # type: ignore[valid-type]


class DepartmentOut(Schema):
    id: int
    county: str = Field(description="division code of the department's county")
    name: str
    active: bool = Field(description="false: deactivated, takes no new windows, sub-zones or items")
    windows: int = Field(description="department windows bound to it (whatever their state)")
    subzones: int = Field(description="domain sub-zones bound to it (whatever their state)")


class DepartmentListOut(Schema):
    items: list[DepartmentOut]
    count: int


class DepartmentCreateIn(Input):
    county: CountyCode = Field(description="county code")
    name: UnitName


class DepartmentUpdateIn(Input):
    """Only the fields sent are changed."""

    name: UnitName = None  # type: ignore[assignment]
    active: bool = Field(None, description="false deactivates, true reactivates")  # type: ignore[assignment]


class OrganisationOut(Schema):
    id: int
    county: str = Field(description="division code of the organisation's county")
    name: str
    partner_type: PartnerType
    active: bool = Field(description="false: deactivated, takes no new partner stations")
    stations: int = Field(description="partner stations bound to it (whatever their state)")


class OrganisationListOut(Schema):
    items: list[OrganisationOut]
    count: int


class OrganisationCreateIn(Input):
    county: CountyCode = Field(description="county code")
    name: UnitName
    partner_type: PartnerType


class OrganisationUpdateIn(Input):
    """Only the fields sent are changed."""

    name: UnitName = None  # type: ignore[assignment]
    partner_type: PartnerType = None  # type: ignore[assignment]
    active: bool = Field(None, description="false deactivates, true reactivates")  # type: ignore[assignment]


# --- Accounts --------------------------------------------------------------------------------------


class _AccountBase(Input):
    username: Username
    password: Password
    full_name: FullName = ""


class RegionAccountIn(_AccountBase):
    role: Literal["region_admin", "supervisor", "special_supervisor"]
    region: RegionCode = Field(description="a province, city or county code")


class PointAccountIn(_AccountBase):
    role: Literal["town_admin", "point_lead", "helper"]
    point: Id = Field(description="point id (a town centre for town_admin)")


class DepartmentAccountIn(_AccountBase):
    role: Literal["department_admin"]
    department: Id


class OrganisationAccountIn(_AccountBase):
    role: Literal["partner_admin"]
    organisation: Id


AccountIn = Annotated[
    RegionAccountIn | PointAccountIn | DepartmentAccountIn | OrganisationAccountIn,
    Field(discriminator="role"),
]

AccountRole = Literal[tuple(Role.values)]  # type: ignore[valid-type]


class AccountOut(Schema):
    id: int
    username: str
    full_name: str
    role: AccountRole
    region: str | None
    point: int | None
    department: int | None
    organisation: int | None


# --- Equipment -------------------------------------------------------------------------------------

EquipmentState = Literal[tuple(Equipment.State.values)]  # type: ignore[valid-type]
CheckResult = Literal[tuple(EquipmentCheck.Result.values)]  # type: ignore[valid-type]
KindCode = text(40, 1, r"^[-a-zA-Z0-9_]+$", examples=["document_camera"])
Quantity = Annotated[int, Field(ge=1, le=100_000)]
Note = text(200)
Fault = text(500)


class EquipmentOut(Schema):
    id: int
    point: int
    kind: str = Field(description="equipment kind code, e.g. document_camera")
    kind_name: str
    is_convenience: bool
    quantity: int
    state: EquipmentState
    responsible: int | None = Field(description="user id of the person responsible")
    responsible_name: str | None
    note: str
    added_on: date
    check_interval_days: int
    last_checked_on: date | None
    next_check_on: date = Field(description="last check (or date added) plus the kind's interval")
    overdue: bool = Field(description="the periodic check is overdue today (never when retired)")


class EquipmentListOut(Schema):
    items: list[EquipmentOut]
    count: int


class EquipmentCreateIn(Input):
    kind: KindCode
    quantity: Quantity = 1
    state: EquipmentState = "working"
    responsible: Id | None = Field(
        None, description="user id; someone with a membership at the point or above"
    )
    note: Note = ""


class EquipmentUpdateIn(Input):
    """Only the fields sent are changed. `responsible` may be null."""

    kind: KindCode = None  # type: ignore[assignment]
    quantity: Quantity = None  # type: ignore[assignment]
    state: EquipmentState = None  # type: ignore[assignment]
    responsible: Id | None = None
    note: Note = None  # type: ignore[assignment]


class EquipmentCheckOut(Schema):
    id: int
    equipment: int
    checked_on: date
    checked_by: int
    checked_by_name: str
    result: CheckResult
    fault: str
    created_at: datetime


class EquipmentCheckListOut(Schema):
    items: list[EquipmentCheckOut]
    count: int


class EquipmentCheckIn(Input):
    checked_on: Day = Field(
        description="YYYY-MM-DD: not before the equipment was added, not later than today; "
        "a faulty result needs `fault`"
    )
    result: CheckResult
    fault: Fault = ""
