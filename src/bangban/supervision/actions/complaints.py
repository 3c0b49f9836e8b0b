"""A complaint or request from receipt to answer, step by step through the table
`supervision.workflow.COMPLAINT`: received (`receive`, the one path for every source — the hotline
adapter, the director's mailbox, a window, the API), linked, signed for (a 投诉/举报's rectification
opened then), returned, its extension asked for and decided, answered or turned into a case. Each
step is one transaction on the locked row, checked against the table and written with its one
timeline event; a 12345 ticket's step is owed to the platform through the outbox in the same
transaction (`hotline.outbox.queue`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.cases import identifiers
from bangban.cases.models import Case
from bangban.feedback import actions as feedback
from bangban.feedback.models import Rectification
from bangban.kernel import protection
from bangban.kernel.masks import mask_phone
from bangban.network.models import Region, ServicePoint
from bangban.network.paths import path_of

from ..events import Kind as EventKind
from ..events import record
from ..hotline.outbox import queue
from ..models import RECTIFIED_KINDS, Category, Complaint, Kind, Source, new_public_token
from ..rules import (
    EXTENSION_MAX,
    answer_due,
    extended_due,
    handler_of,
    is_confidential,
    return_due,
)
from ..workflow import Step
from .core import SupervisionError, _apply, _check, _locked, _raise, _text
from .texts import tell_answered

__all__ = [
    "answer",
    "decide_extension",
    "link",
    "receive",
    "request_extension",
    "return_ticket",
    "sign",
    "to_case",
]


def _choice(errors: dict, field: str, value, choices, message: str) -> str:
    if value not in choices.values:
        errors[field] = message
    return value


def _in_county(errors: dict, county: Region, point, helper, case) -> None:
    if point is not None and point.county_id != county.pk:
        errors["point"] = _("该服务点不属于本县。")
    if case is not None and case.county_id != county.pk:
        errors["case"] = _("该办件不属于本县。")
    if point is not None and helper is not None:
        from bangban.network.models import Membership

        if not Membership.objects.filter(user=helper, point=point).exists():
            errors["helper"] = _("该人员不在所选服务点工作。")


def receive(
    *,
    county: Region,
    source: str,
    kind: str,
    title: str,
    content: str,
    category: str = Category.OTHER,
    received_on: dt.date | None = None,
    ticket_no: str = "",
    platform_due_at: dt.datetime | None = None,
    anonymous: bool = False,
    name: str = "",
    phone: str = "",
    point: ServicePoint | None = None,
    helper=None,
    case: Case | None = None,
    rating=None,
    by=None,
) -> Complaint:
    """A complaint or request received: routed to its handler (`rules.handler_of`; a 举报 or fee
    complaint to the bureau, confidential), its limits counted from `received_on` (the dispatch
    day; the platform's due time wins). A 12345 ticket already received (same county and ticket
    number) is returned as it is, nothing written: receipt is idempotent. A bad review escalated
    (`rating`) is about its point, person and case: those not given are the rating's, and others
    are refused. Raises SupervisionError naming each bad field, nothing written."""
    today = timezone.localdate()
    errors: dict = {}
    _choice(errors, "source", source, Source, _("请选择诉求来源。"))
    _choice(errors, "kind", kind, Kind, _("请选择诉求类型：咨询、求助、投诉、举报或建议。"))
    _choice(errors, "category", category, Category, _("请选择问题类别。"))
    title = _text(errors, "title", title, 100, _("请填写标题。"))
    content = _text(errors, "content", content, 4000, _("请填写诉求内容。"))
    ticket_no = (ticket_no or "").strip()
    if source == Source.HOTLINE:
        if not ticket_no:
            errors["ticket_no"] = _("12345 工单须有工单编号。")
        elif len(ticket_no) > 64 or not ticket_no.replace("-", "").isalnum():
            errors["ticket_no"] = _("工单编号只能含字母、数字和连字符，不超过 64 位。")
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = _("受理日期不能晚于今天。")
    name = _text(errors, "name", name, 50, None)
    phone = (phone or "").strip()
    if anonymous:
        name, phone = "", ""
    normalised = ""
    if phone:
        try:
            normalised = identifiers.normalise_phone(phone)
        except identifiers.IdentifierError:
            errors["phone"] = _("请填写正确的手机号码或固定电话。")
    if rating is not None:
        # A bad review escalated is about its point, person and case; a body naming others is
        # not that review's complaint.
        point, case = point or rating.point, case or rating.case
        helper = helper or rating.helper
        if (point.pk, case.pk) != (rating.point_id, rating.case_id) or (
            rating.helper_id is not None and helper.pk != rating.helper_id
        ):
            errors["rating"] = _("该评价不是对所填服务点、人员或办件的评价。")
    elif source == Source.RATING:
        errors["rating"] = _("差评转办须关联评价。")
    _in_county(errors, county, point, helper, case)
    _raise(errors)
    confidential = is_confidential(kind, category)
    level, town = handler_of(point, confidential=confidential)
    with transaction.atomic():
        if source == Source.HOTLINE:
            found = (
                Complaint.objects.select_for_update()
                .filter(county=county, source=Source.HOTLINE, ticket_no=ticket_no)
                .first()
            )
            if found is not None:
                return found
        complaint = Complaint.objects.create(
            county=county,
            source=source,
            ticket_no=ticket_no if source == Source.HOTLINE else "",
            kind=kind,
            category=category,
            title=title,
            content=content,
            anonymous=anonymous,
            complainant_name=name,
            phone_encrypted=protection.encrypt(normalised) if normalised else "",
            phone_masked=mask_phone(normalised) if normalised else "",
            phone_digest=protection.phone_digest(normalised) if normalised else "",
            point=point,
            point_path=path_of(point),
            helper=helper,
            case=case,
            rating=rating,
            level=level,
            town=town,
            confidential=confidential,
            status=Step.RECEIVED,
            received_on=received_on,
            platform_due_at=platform_due_at,
            due=answer_due(received_on, platform_due_at),
            return_due=return_due(received_on),
            public_token=new_public_token(),
            created_by=by,
        )
        record(complaint, EventKind.RECEIVE, by=by, from_status="", data={"source": source})
    return complaint


def link(complaint: Complaint, *, by, point=None, helper=None, case=None) -> Complaint:
    """关联: the case, point and person a complaint is about (each kept when not given). While it
    is not yet signed for, its handler follows the point (`rules.handler_of`)."""
    with transaction.atomic():
        complaint = _locked(complaint)
        _check(complaint, "link", by)
        point = point if point is not None else complaint.point
        helper = helper if helper is not None else complaint.helper
        case = case if case is not None else complaint.case
        if case is not None and point is None:
            point = case.handling_point
        errors: dict = {}
        _in_county(errors, complaint.county, point, helper, case)
        if complaint.rectification_id is not None and point != complaint.point:
            errors["point"] = _("已开始整改，不能再更改被投诉的服务点。")
        _raise(errors)
        changes: dict = {"point": point, "helper": helper, "case": case}
        if point != complaint.point:
            changes["point_path"] = path_of(point)
        if complaint.status == Step.RECEIVED:
            level, town = handler_of(point, confidential=complaint.confidential)
            changes.update(level=level, town=town)
        data = {
            "point": getattr(point, "pk", None),
            "helper": getattr(helper, "pk", None),
            "case": getattr(case, "number", None),
        }
        return _apply(complaint, "link", by, changes, data)


def sign(complaint: Complaint, *, by) -> Complaint:
    """签收: the handler takes it on. A 投诉/举报's rectification is opened now, by the same handler,
    due by the complaint's answer day; the person accused never handles it."""
    today = timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        _check(complaint, "sign", by)
        changes: dict = {"signed_on": today}
        if complaint.kind in RECTIFIED_KINDS and complaint.rectification_id is None:
            point = ServicePoint.objects.get(pk=complaint.point_id)
            changes["rectification"] = feedback.open_for(
                Rectification.Subject.COMPLAINT,
                point=point,
                helper_id=complaint.helper_id,
                level=complaint.level,
                town=complaint.town,
                anonymous=complaint.anonymous or not complaint.phone_encrypted,
                opened_on=today,
                confidential=complaint.confidential,
                due=max(complaint.due, today),
                data={"complaint": complaint.pk},
            )
        queue(complaint, "sign", {"signedOn": today.isoformat()})
        return _apply(complaint, "sign", by, changes, {})


def return_ticket(complaint: Complaint, *, reason: str, by) -> Complaint:
    """退回: a ticket that is not ours goes back to the hotline within 2 working days, with why."""
    today = timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        _check(complaint, "return", by)
        errors: dict = {}
        reason = _text(errors, "reason", reason, 500, _("请填写退回理由（为何不属于本单位办理）。"))
        _raise(errors)
        queue(complaint, "return", {"reason": reason, "returnedOn": today.isoformat()})
        changes = {"returned_on": today, "return_reason": reason}
        return _apply(complaint, "return", by, changes, {"reason": reason})


def request_extension(complaint: Complaint, *, days: int, reason: str, by) -> Complaint:
    """申请延期: once, at most 10 working days more, with the reason; the hotline centre (or, for
    the others, the bureau) decides."""
    with transaction.atomic():
        complaint = _locked(complaint)
        _check(complaint, "request_extension", by)
        errors: dict = {}
        reason = _text(errors, "reason", reason, 500, _("请填写延期理由。"))
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= EXTENSION_MAX:
            errors["days"] = _("延期须为 1 至 %(n)d 个工作日。") % {"n": EXTENSION_MAX}
        _raise(errors)
        queue(complaint, "extension", {"days": days, "reason": reason})
        changes = {"extension": "requested", "extension_days": days, "extension_reason": reason}
        return _apply(complaint, "request_extension", by, changes, {"days": days, "reason": reason})


def decide_extension(complaint: Complaint, *, approve: bool, by, note: str = "") -> Complaint:
    """批准延期 / 不予延期: by the hotline centre (`by` None, through the adapter) for a 12345 ticket,
    by the bureau for the others. Approved, the answer's due day moves on by the days asked (and
    the rectification's with it)."""
    with transaction.atomic():
        complaint = _locked(complaint)
        action = "approve_extension" if approve else "refuse_extension"
        _check(complaint, action, by)
        errors: dict = {}
        note = _text(errors, "note", note, 500, None)
        _raise(errors)
        changes: dict = {"extension": "approved" if approve else "refused"}
        if approve:
            changes["due"] = extended_due(complaint.due, complaint.extension_days)
            if complaint.rectification_id is not None:
                Rectification.objects.filter(
                    pk=complaint.rectification_id, due__lt=changes["due"]
                ).update(due=changes["due"], due_provisional=False)
        data = {"note": note, **({"due": changes["due"].isoformat()} if approve else {})}
        return _apply(complaint, action, by, changes, data)


def to_case(complaint: Complaint, *, case: Case, by) -> Complaint:
    """A 求助 that became a case: answered on the day the case was registered (a named mailbox or
    window complainant is texted the answer, `texts.tell_answered`)."""
    with transaction.atomic():
        complaint = _locked(complaint)
        _check(complaint, "to_case", by)
        errors: dict = {}
        if case.county_id != complaint.county_id:
            errors["case"] = _("该办件不属于本县。")
        elif case.registered_on < complaint.received_on:
            errors["case"] = _("该办件登记于诉求受理之前，不是由本诉求转来的。")
        _raise(errors)
        text = _("已为您登记帮办事项，办件编号 %(number)s。") % {"number": case.number}
        queue(
            complaint,
            "answer",
            {"answer": text, "answeredOn": case.registered_on.isoformat(), "caseNo": case.number},
        )
        changes = {"case": case, "answer": text, "answered_on": case.registered_on}
        texted = tell_answered(complaint, text)
        return _apply(complaint, "to_case", by, changes, {"case": case.number, "texted": texted})


def answer(complaint: Complaint, *, text: str, by, upheld: bool | None = None) -> Complaint:
    """答复: the answer to the complainant (for a 12345 ticket, to the platform). A 投诉/举报 is
    answered once its rectification is resolved, which the answer closes (one transaction); its
    `upheld` is the rectification's verification (情况属实). A named mailbox or window complainant
    is texted the answer with the query link (`texts.tell_answered`)."""
    today = timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint)
        _check(complaint, "answer", by)
        errors: dict = {}
        text = _text(errors, "text", text, 2000, _("请填写答复内容。"))
        if upheld is not None and not isinstance(upheld, bool):
            errors["upheld"] = _("请选择“是”或“否”。")
        _raise(errors)
        changes: dict = {"answer": text, "answered_on": today}
        if complaint.rectification_id is not None:
            rect = feedback.close_answered(complaint.rectification, text=text, by=by)
            upheld = rect.is_true
        changes["upheld"] = upheld
        queue(complaint, "answer", {"answer": text, "answeredOn": today.isoformat()})
        texted = tell_answered(complaint, text)
        data = {"text": text, "upheld": upheld, "texted": texted}
        return _apply(complaint, "answer", by, changes, data)


def reveal_phone(complaint: Complaint, *, by, address: str | None = None) -> str:
    """The complainant's phone, for one who handles the complaint now, logged on its timeline."""
    from ..workflow import COMPLAINT

    with transaction.atomic():
        complaint = _locked(complaint)
        if not COMPLAINT.relations(complaint, by).any_of(["handler"]):
            raise SupervisionError({"by": _("您不能查看该诉求人的电话。")})
        if not complaint.phone_encrypted:
            raise SupervisionError({"phone": _("诉求人没有留下电话。")})
        phone = protection.decrypt_or_blank(complaint.phone_encrypted)
        record(
            complaint,
            EventKind.REVEAL_PHONE,
            by=by,
            from_status=complaint.status,
            data={"address": address or ""},
        )
    return phone
