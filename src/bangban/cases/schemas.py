"""Pydantic schemas of the cases JSON API (see docs/api.md, 办件, and decision 0016).

Request bodies use the names of `cases.actions` (`ApplicantData`, `Registration`, the keyword
arguments of each action), so a ledger rule (`CaseError`, 409) is located at the very field sent
(`["body", "applicant", "number"]`, `["body", "items", 0, "reason"]`). Answers never carry a full
document number or phone: only `number_masked`, `phone_masked`, `contact_phone_masked`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field

from bangban.catalog.schemas import ModeValue
from bangban.kernel.api import MAX_LIMIT, MAX_OFFSET
from bangban.kernel.schemas import DATE_2000_2100, Answer, Day, Id, Input, PersonalDay, text

from .identifiers import DocumentType
from .ledger import SORTS, SPECIAL, WARNINGS
from .models import Applicant, Case, CaseMaterial, NoticeLine, Transfer
from .workflow import State

StateValue = Literal[tuple(State.values)]  # type: ignore[valid-type]
KindValue = Literal[tuple(Case.Kind.values)]  # type: ignore[valid-type]
ChannelValue = Literal[tuple(Case.Channel.values)]  # type: ignore[valid-type]
ApplicantKind = Literal[tuple(Applicant.Kind.values)]  # type: ignore[valid-type]
DocumentTypeValue = Literal[(*DocumentType.values, "credit_code")]  # type: ignore[valid-type]
MaterialStatus = Literal[tuple(CaseMaterial.Status.values)]  # type: ignore[valid-type]
NoticeReason = Literal[tuple(NoticeLine.Reason.values)]  # type: ignore[valid-type]
TransferStatus = Literal[tuple(Transfer.Status.values)]  # type: ignore[valid-type]
TransferDirection = Literal[tuple(Transfer.Direction.values)]  # type: ignore[valid-type]
WarningValue = Literal[tuple(value for value, _ in WARNINGS)]  # type: ignore[valid-type]
SpecialValue = Literal[tuple(value for value, _ in SPECIAL)]  # type: ignore[valid-type]
SortValue = Literal[tuple(SORTS)]  # type: ignore[valid-type]

#: `370323-20261125-0042` (docs/domain.md "Case numbers").
CASE_NUMBER = r"^[0-9]{6}-[0-9]{8}-[0-9]{4,9}$"
#: A scan's file name: no path, one of the kinds the authorisation accepts.
SCAN_NAME = r"^[^\x00-\x1f\x7f/\\]*\.([Pp][Dd][Ff]|[Jj][Pp][Ee]?[Gg]|[Pp][Nn][Gg])$"
#: Standard base64 (RFC 4648 §4), padded.
BASE64 = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
#: A scan sent in JSON: 1.5 MB decoded (2,000,000 base64 characters) keeps the whole body under
#: Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB); a larger scan is attached on the case's page.
MAX_SCAN_BASE64 = 2_000_000

Name = text(100, 1)
Number = text(40, 1)
Phone = text(30)
Reason = text(200, 1)
Note = text(200)
MAX_LINES = 100


# --- Answers ---------------------------------------------------------------------------------------


class UserRef(Answer):
    id: int
    name: str = Field(description="the person's full name (or the username when none is set)")


class PointRef(Answer):
    id: int
    name: str


class ItemRef(Answer):
    id: int
    name: str = Field(description="the item's name in the case's revision")
    revision: int = Field(description="the revision the applicant was told (its number)")


class ApplicantSummaryOut(Answer):
    kind: ApplicantKind
    name: str
    number_masked: str = Field(description="the document number masked (a credit code in full)")


class ApplicantOut(ApplicantSummaryOut):
    document_type: DocumentTypeValue
    phone_masked: str
    disabled: bool
    needs: str
    legal_representative: str
    contact_name: str


class CaseSummaryOut(Answer):
    number: str
    status: StateValue
    status_label: str
    kind: KindValue
    mode: ModeValue
    channel: ChannelValue
    item: ItemRef
    applicant: ApplicantSummaryOut
    contact_phone_masked: str = Field(description="where progress messages go, masked")
    elderly: bool
    disabled: bool
    registering_point: PointRef
    handling_point: PointRef
    responsible: UserRef = Field(description="the first responsible helper (首问负责人)")
    handling_helper: UserRef | None
    registered_on: date
    received_on: date
    accepted_on: date | None
    acceptance_deemed: bool
    promised_deadline: date | None
    promised_provisional: bool
    legal_deadline: date | None
    legal_provisional: bool
    suspended_on: date | None
    completed_on: date | None
    warning: WarningValue | None = Field(
        description="near_deadline (黄牌) or overdue (红牌) today, for an open case"
    )
    on_time: bool | None = Field(description="completed by the promised deadline; null until then")


class CaseListOut(Answer):
    items: list[CaseSummaryOut]
    limit: int
    offset: int
    next_offset: int | None = Field(description="the offset of the next page; null on the last")


class MaterialLineOut(Answer):
    id: int = Field(description="the checklist line (used by notice and materials-received)")
    material: int = Field(description="the catalog material of the case's revision")
    position: int
    name: str
    necessity: Literal["required", "optional", "deferrable"]
    status: MaterialStatus
    note: str
    deferred_until: date | None = Field(description="容缺后补: the day it is to be supplied by")
    received_on: date | None = Field(description="the day it was received (已收取)")


class AuthorisationOut(Answer):
    principal: str
    scope: str
    authorised_on: date
    valid_until: date | None
    has_scan: bool


class NoticeOut(Answer):
    number: str
    issued_on: date
    supply_by: date
    repeated: bool
    repeat_reason: str
    within_window: bool


class TransferOut(Answer):
    id: int
    from_point: PointRef
    to_point: PointRef
    to_helper: UserRef | None
    direction: TransferDirection
    reason: str
    sent_on: date
    status: TransferStatus
    answered_on: date | None
    decline_reason: str
    suggested_point: PointRef | None
    escalated: bool


class DepartmentRef(Answer):
    id: int
    name: str


class RefusalOut(Answer):
    department: DepartmentRef = Field(description="the department that decided (不予受理)")
    document_number: str = Field(description="its decision's document number (文号)")


class CaseOut(CaseSummaryOut):
    applicant: ApplicantOut
    registered_at: datetime
    entered_by: UserRef
    closed_at: datetime | None
    refusal: RefusalOut | None = Field(description="a refused case only: who decided, and its 文号")
    materials: list[MaterialLineOut]
    authorisation: AuthorisationOut | None
    notices: list[NoticeOut]
    transfers: list[TransferOut]


class EventOut(Answer):
    id: int
    at: datetime
    by: UserRef | None = Field(description="null for the system (deemed acceptance, escalation)")
    action: str
    from_status: str
    to_status: str
    data: dict[str, Any] = Field(description="what the action recorded, with before/after values")


class EventListOut(Answer):
    items: list[EventOut]
    count: int


# --- Registration ----------------------------------------------------------------------------------


class ApplicantIn(Input):
    kind: ApplicantKind = "person"
    name: Name
    document_type: DocumentTypeValue | None = Field(
        None, description="default resident_id for a person, credit_code for an organisation"
    )
    number: Number = Field(
        description="the document number as typed; an organisation's unified social credit code"
    )
    phone: Phone = ""
    birth_on: PersonalDay | None = Field(
        None,
        description="YYYY-MM-DD, from 1900-01-01, not after today: only for documents that do "
        "not carry it",
    )
    disabled: bool = False
    needs: Note = Field("", description="other needs (其他需要帮助的情况)")
    legal_representative: text(50) = ""
    contact_name: text(50) = ""


class ScanIn(Input):
    filename: text(100, 5, SCAN_NAME, examples=["委托书.pdf"])
    content_base64: Annotated[
        str,
        Field(
            min_length=4,
            max_length=MAX_SCAN_BASE64,
            pattern=BASE64,
            description="the file, base64-encoded (at most 1.5 MB decoded)",
        ),
    ]


class AuthorisationIn(Input):
    principal: Name = Field(description="who authorised (委托人)")
    scope: text(500, 1) = Field(description="the matters and powers authorised")
    authorised_on: Day
    valid_until: Day | None = None
    scan: ScanIn = Field(description="the signed authorisation (PDF, JPG or PNG)")


class CaseIn(Input):
    point: Id = Field(description="the registering point (one you act at)")
    applicant: ApplicantIn
    item: Id = Field(description="a service item of the point's county, in use")
    kind: KindValue = Field(description="assisted 帮办 or proxy 代办 (needs `authorisation`)")
    authorisation: AuthorisationIn | None = None
    mode: ModeValue = Field(description="one of the item's modes")
    channel: ChannelValue = "walk_in"
    received_on: text(10, 10, DATE_2000_2100) | None = Field(
        None,
        description="YYYY-MM-DD: materials first received (from 2000-01-01, not after today); "
        "default today",
        examples=["2026-11-25"],
    )
    responsible: Id | None = Field(
        None, description="user id of the first responsible helper; default you"
    )
    contact_phone: Phone = Field("", description="for progress messages; default the applicant's")


# --- Actions ---------------------------------------------------------------------------------------


DayText = text(10, 10, DATE_2000_2100, description="YYYY-MM-DD", examples=["2026-11-25"])


class CaseSearchIn(Input):
    """`POST /cases/search`: the ledger's filter (the parameters of `GET /cases`) with a whole ID
    number or phone, sent in the body so that it is never in a URL or an access log. Strict as
    every body (`false` is no integer, `0` no date)."""

    number: text(
        50,
        1,
        description="a whole ID number (or another document's number, or a credit code) or a "
        "phone, as typed at the counter; never returned",
        examples=["370323194503121236"],
    )
    state: list[StateValue] | None = Field(
        None, max_length=len(State.values), description="cases in any of these states"
    )
    point: Id | None = Field(
        None, description="a point: cases registered or handled there or below"
    )
    helper: Id | None = Field(None, description="a user: first responsible or handling helper")
    item: Id | None = None
    kind: KindValue | None = None
    mode: ModeValue | None = None
    channel: ChannelValue | None = None
    registered_from: DayText | None = None
    registered_to: DayText | None = None
    completed_from: DayText | None = None
    completed_to: DayText | None = None
    warning: WarningValue | None = None
    special: SpecialValue | None = None
    q: text(50, description="a case number or its start, or a name") | None = None
    sort: SortValue | None = Field(
        None,
        description="default -registered (newest first), or -completed with a completion range",
    )
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class OnIn(Input):
    on: Day | None = Field(None, description="YYYY-MM-DD: the day; default today")


class HomeVisitIn(Input):
    on: Day | None = Field(None, description="YYYY-MM-DD: the day of the visit; default today")
    note: text(300, 1, description="what was done at the applicant's home")


class NoticeLineIn(Input):
    line: Id = Field(description="id of a line of the case's materials checklist")
    reason: NoticeReason
    note: Note = ""


class NoticeIn(Input):
    items: list[NoticeLineIn] = Field(min_length=1, max_length=MAX_LINES)
    supply_by: Day
    repeat_reason: Note = Field("", description="required for a second notice (重复告知)")


class MaterialStatusIn(Input):
    line: Id = Field(description="id of a line of the case's materials checklist")
    status: MaterialStatus


class MaterialsIn(Input):
    materials: list[MaterialStatusIn] = Field(min_length=1, max_length=MAX_LINES)
    deferred_until: text(10, 10, DATE_2000_2100) | None = Field(
        None,
        description="YYYY-MM-DD: for a material set to deferred (容缺后补), the day the applicant "
        "committed to supply it by (today or later)",
    )
    commitment: bool = Field(
        False, description="for a deferred material: the applicant signed the written commitment"
    )
    received_on: text(10, 10, DATE_2000_2100) | None = Field(
        None,
        description="YYYY-MM-DD: the day the materials set to received were received (not before "
        "the case's received_on, not after today); default today",
    )


class RefuseIn(Input):
    reason: text(500, 1)
    legal_basis: Note = ""
    document_number: text(50, 1) = Field(
        description="the document number (文号) of the department's decision"
    )
    department: Id | None = Field(
        None,
        description="the department that decided: one of the case's county; default the item's",
    )


class SuspendIn(OnIn):
    reason: Reason


class ExtendIn(Input):
    working_days: int = Field(ge=1, le=60)
    reason: Reason
    approver: text(50, 1)


class TransferIn(Input):
    to_point: Id
    to_helper: Id | None = Field(None, description="a user serving at to_point (optional)")
    reason: Reason


class ProgressIn(Input):
    text: text(300, 1)
    tell_applicant: bool = True


class WithdrawIn(Input):
    reason: Reason


class TransferAcceptIn(Input):
    handling_helper: Id | None = Field(
        None,
        description="who handles the case: a helper of the receiving point, qualified today; "
        "default the helper the transfer named, else you when you serve there",
    )


class DeclineIn(Input):
    reason: Reason
    suggested_point: Id | None = None
