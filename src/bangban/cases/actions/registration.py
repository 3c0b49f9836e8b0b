"""Registration (登记): a matter taken in at a point, by or for an applicant, with its item as the
item's current revision stands, its first responsible helper (首问负责人) and, for 代办, the
applicant's signed authorisation (委托书). `registration_errors` says every problem at once without
writing (decision 0039)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.catalog.models import Material, ServiceItem
from bangban.kernel.days import EARLIEST_EVENT
from bangban.kernel.statements import Param, Statement
from bangban.kernel.uploads import scan_problem
from bangban.network.models import ServicePoint

from .. import events, identifiers, notifications
from ..identifiers import IdentifierError
from ..models import Authorisation, Case, CaseMaterial, Occasion, deadline_values
from ..numbering import case_number, next_sequence, rating_cards
from ..workflow import State
from .applicants import ApplicantData, _applicant_values, _identify, phone_columns
from .core import CaseError, _not_qualified, _serve, _serves_at
from .deemed import _deem_first
from .paths import path_of


@dataclass(frozen=True)
class AuthorisationData:
    """The 委托书 of a 代办 case, as the helper records it; `scan` is the uploaded signed page."""

    principal: str
    scope: str
    authorised_on: dt.date
    scan: File | None
    valid_until: dt.date | None = None


def _authorisation_errors(data: AuthorisationData | None, today: dt.date) -> dict[str, list[str]]:
    if data is None:
        return {"authorisation": [_("代办须有申请人签署的委托书。")]}
    errors: dict[str, list[str]] = {}
    if not data.principal.strip() or len(data.principal) > 100:
        errors["authorisation.principal"] = [_("请填写委托人。")]
    if not data.scope.strip() or len(data.scope) > 500:
        errors["authorisation.scope"] = [_("请写明委托的事项和权限（不超过 500 字）。")]
    if not isinstance(data.authorised_on, dt.date) or data.authorised_on > today:
        errors["authorisation.authorised_on"] = [_("委托日期不能晚于今天。")]
    elif data.authorised_on < EARLIEST_EVENT:
        errors["authorisation.authorised_on"] = [_("委托日期不能早于 2000 年 1 月 1 日。")]
    elif data.valid_until is not None and data.valid_until < today:
        errors["authorisation.valid_until"] = [_("委托已过期。")]
    if data.scan is None:
        errors["authorisation.scan"] = [_("请上传签字的委托书扫描件。")]
    elif problem := scan_problem(data.scan):
        errors["authorisation.scan"] = [problem]
    return errors


def _registered_item(item, point: ServicePoint) -> ServiceItem | None:
    """The item of a registration if it is active and of the point's county. An item read with its
    current revision (`select_related("current")`, as the API reads it) is checked as it is; any other
    is read again with its revision."""
    if isinstance(item, ServiceItem) and ServiceItem.current.is_cached(item):
        return item if item.active and item.county_id == point.county_id else None
    return (
        ServiceItem.objects.select_related("current")
        .filter(pk=getattr(item, "pk", None), active=True, county_id=point.county_id)
        .first()
    )


def _responsible_errors(user, point: ServicePoint, today: dt.date) -> list[str]:
    """Why `user` may not be a new case's first responsible helper at `point`: they must serve there
    and be qualified."""
    if user is None or not _serves_at(user, point):
        return [_("首问负责人须是本服务点的帮办代办员。")]
    reasons = _not_qualified(user, today)
    if reasons:
        return [_("首问负责人不具备上岗资格：%(reasons)s") % {"reasons": reasons}]
    return []


#: The earliest day of receipt a case may have (the calendar's first year; the API says the same).
EARLIEST_RECEIPT = EARLIEST_EVENT


@dataclass(frozen=True)
class Registration:
    """What a helper enters to register a case."""

    applicant: ApplicantData
    item: ServiceItem
    kind: str
    mode: str
    channel: str
    received_on: dt.date
    responsible: object  # a user serving at the point; usually the helper registering
    contact_phone: str = ""
    authorisation: AuthorisationData | None = None  # required for 代办


def registration_errors(point: ServicePoint, registration: Registration) -> dict[str, list[str]]:
    """Every problem `register_case` would report for this registration, without writing anything:
    the registration form asks it when its own fields fail too, so that all its errors are shown at
    once, not in rounds."""
    return _registration_checks(point, registration, timezone.localdate())[3]


def _registration_checks(point: ServicePoint, r: Registration, today: dt.date):
    """(the applicant's values, the item, the contact phone, every problem) of a registration."""
    values, errors = _applicant_values(r.applicant, today)
    item = _registered_item(r.item, point)
    if item is None or item.current is None:
        errors["item"] = [_("事项不存在、已停用或不属于本县。")]
    if r.kind not in Case.Kind.values:
        errors["kind"] = [_("请选择帮办或代办。")]
    elif r.kind == Case.Kind.PROXY:
        errors.update(_authorisation_errors(r.authorisation, today))
    if r.channel not in Case.Channel.values:
        errors["channel"] = [_("请选择来源渠道。")]
    if item is not None and item.current is not None:
        supported = r.mode in item.current.modes
        if not supported:
            labels = "、".join(item.current.mode_labels)
            errors["mode"] = [_("该事项不支持这种服务方式，可选：%(modes)s。") % {"modes": labels}]
    if not isinstance(r.received_on, dt.date) or r.received_on > today:
        errors["received_on"] = [_("收到材料日期不能晚于今天。")]
    elif r.received_on < EARLIEST_RECEIPT:
        # The working-day calendar starts in 2000; deemed acceptance would count across centuries.
        errors["received_on"] = [_("收到材料日期不能早于 2000 年 1 月 1 日。")]
    contact = (r.contact_phone or values.get("phone") or "").strip()
    if contact and "phone" not in errors:
        try:
            contact = identifiers.normalise_phone(contact)
        except IdentifierError as error:
            errors["contact_phone"] = [error.message]
    responsible_errors = _responsible_errors(r.responsible, point, today)
    if responsible_errors:
        errors["responsible"] = responsible_errors
    return values, item, contact, errors


#: A revision's materials in their order, compiled once (decision 0071).
_MATERIALS = Statement(lambda: Material.objects.filter(revision=Param("revision")))


def register_case(point: ServicePoint, *, registration: Registration, by) -> Case:
    """Register a matter at `point` (登记). The item is told as its current revision stands today;
    the first responsible helper must serve at the point and be qualified; the deadline counts from
    acceptance, so a new case has none yet — unless its materials were received so long ago that
    the notice window has passed: it is registered deemed accepted on the day of receipt (行政许可法
    §32), with its deadlines (a second event, by the system). The case gets its rating card number
    and its first service occasion (REGISTER, today, at `point`, by the responsible helper).
    Raises CaseError naming every problem; writes nothing then."""
    today = timezone.localdate()
    values, item, contact, errors = _registration_checks(point, registration, today)
    if errors:
        raise CaseError(errors)
    r = registration

    with transaction.atomic():
        applicant = _identify(values)
        sequence = next_sequence(point.county_id, today)
        path = path_of(point)
        case = Case.objects.create(
            number=case_number(point.county.code, today, sequence),
            county_id=point.county_id,
            registered_on=today,
            sequence=sequence,
            applicant=applicant,
            **phone_columns(contact, "contact_phone"),
            elderly=bool(
                values.get("birth_on") and identifiers.is_elderly(values["birth_on"], today)
            ),
            disabled=applicant.disabled,
            item=item,
            revision=item.current,
            kind=r.kind,
            mode=r.mode,
            channel=r.channel,
            registering_point=point,
            handling_point=point,
            registering_path=path,
            handling_path=path,
            entered_by=by,
            responsible=r.responsible,
            handling_helper=r.responsible,
            status=State.REGISTERED,
            received_on=r.received_on,
            deemed_deadline=deadline_values(item.current, r.received_on)["promised_deadline"],
            public_token=secrets.token_urlsafe(32),
            rating_card=rating_cards(1)[0],
        )
        if r.kind == Case.Kind.PROXY:
            a = r.authorisation
            authorisation = Authorisation(
                case=case,
                principal=a.principal.strip(),
                scope=a.scope.strip(),
                authorised_on=a.authorised_on,
                valid_until=a.valid_until,
            )
            authorisation.scan.save(a.scan.name, a.scan, save=False)
            authorisation.save()
        # Left on the case for the caller's answer (a new case's whole checklist, ids included).
        case.registered_materials = CaseMaterial.objects.bulk_create(
            [
                CaseMaterial(case=case, material=m, position=m.position)
                for m in _MATERIALS.objects({"revision": item.current.pk})
            ]
        )
        events.record(
            case,
            events.Kind.REGISTER,
            by=by,
            from_status="",
            to_status=State.REGISTERED,
            data={"item": item.pk, "revision": item.current.number, "point": point.pk},
        )
        # The first service occasion: the matter taken in and the receipt (with the rating card's
        # number) handed over, today, by the responsible helper (decision 0048).
        _serve(
            case, Occasion.Kind.REGISTER, on=today, point=point, helper=r.responsible, first=True
        )
        case = _deem_first(case, today)
        if contact and identifiers.is_mobile(contact):
            notifications.send(
                case, contact, notifications.registered(item.current.name, case.number)
            )
    return case
