"""Cases as the API answers them: a ledger row (`case_summary`) and a whole case (`case_detail`),
document numbers and phones always masked."""

from __future__ import annotations

from django.utils import timezone

from bangban.network.models import ServicePoint

from ..ledger import Row
from ..models import Case, ReadingDay, attach_names, clock_of, warning_of
from ..workflow import State

# --- Rendering -------------------------------------------------------------------------------------


def user_ref(u) -> dict | None:
    if u is None:
        return None
    return {"id": u.pk, "name": u.get_full_name() or u.username}


def point_ref(p: ServicePoint | None) -> dict | None:
    return None if p is None else {"id": p.pk, "name": p.name}


def case_summary(case: Case | Row, day: ReadingDay) -> dict:
    """What a ledger row shows (a `ledger.Row`, or a case read with `Case.objects.for_list()`), its acceptance day and
    deadlines as they stand `day` (`clock_of`: a case due for deemed acceptance shows the deadlines
    it has by law, before anyone has recorded them)."""
    a = case.applicant
    clock = clock_of(case, day.cutoff)
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(State(case.status).label),
        "kind": case.kind,
        "mode": case.mode,
        "channel": case.channel,
        "item": {"id": case.item_id, "name": case.revision.name, "revision": case.revision.number},
        "applicant": {"kind": a.kind, "name": a.name, "number_masked": a.number_masked},
        "contact_phone_masked": case.contact_phone_masked,
        "elderly": case.elderly,
        "disabled": case.disabled,
        "registering_point": point_ref(case.registering_point),
        "handling_point": point_ref(case.handling_point),
        "responsible": user_ref(case.responsible),
        "handling_helper": user_ref(case.handling_helper),
        "registered_on": case.registered_on,
        "received_on": case.received_on,
        "accepted_on": clock.accepted_on,
        "acceptance_deemed": clock.acceptance_deemed,
        "promised_deadline": clock.promised_deadline,
        "promised_provisional": clock.promised_provisional,
        "legal_deadline": clock.legal_deadline,
        "legal_provisional": clock.legal_provisional,
        "suspended_on": case.suspended_on,
        "completed_on": case.completed_on,
        "warning": warning_of(case.status, clock.promised_deadline, day.on, day.near_until) or None,
        "on_time": (
            case.completed_on <= case.promised_deadline
            if case.status == State.COMPLETED and case.promised_deadline
            else None
        ),
    }


def refusal_detail(case: Case) -> dict | None:
    """Who decided a refusal (不予受理) and its document number (文号); null for any other case."""
    if case.refusal_department_id is None:
        return None
    department = case.refusal_department
    return {
        "department": {"id": department.pk, "name": department.name},
        "document_number": case.refusal_document_number,
    }


def authorisation_detail(case: Case) -> dict | None:
    try:
        a = case.authorisation
    except Case.authorisation.RelatedObjectDoesNotExist:
        return None
    return {
        "principal": a.principal,
        "scope": a.scope,
        "authorised_on": a.authorised_on,
        "valid_until": a.valid_until,
        "has_scan": bool(a.scan),
    }


def applicant_detail(a) -> dict:
    """The applicant as a case's answer shows them: masked, never the full number or phone."""
    return {
        "kind": a.kind,
        "name": a.name,
        "number_masked": a.number_masked,
        "document_type": a.document_type,
        "phone_masked": a.phone_masked,
        "disabled": a.disabled,
        "needs": a.needs,
        "legal_representative": a.legal_representative,
        "contact_name": a.contact_name,
    }


def line_detail(line) -> dict:
    """One line of a case's checklist (with its material read along)."""
    return {
        "id": line.pk,
        "material": line.material_id,
        "position": line.position,
        "name": line.material.name,
        "necessity": line.material.necessity,
        "status": line.status,
        "note": line.note,
        "deferred_until": line.deferred_until,
        "received_on": line.received_on,
    }


def detail_cases():
    """Cases with what the answer shows beside them in the same row: the applicant, the item as it
    stood (without its guide text or the applicant's encrypted columns) and the authorisation.
    Points and people are read by id afterwards (`case_detail`): joining them too (ten tables) cost
    PostgreSQL more planning than the rest of the answer."""
    return Case.objects.select_related(
        "applicant", "revision", "authorisation", "refusal_department"
    ).defer(
        "revision__guide",
        "applicant__number_encrypted",
        "applicant__birth_on_encrypted",
        "applicant__phone_encrypted",
        "contact_phone_encrypted",
    )


def case_detail(number: str, case: Case | None = None) -> dict:
    """The case page's data: the row, the applicant (masked), the checklist, the authorisation,
    the notices and the transfers. `case`: the case read through `detail_cases()` already (else it
    is read by number). Six queries whatever the case holds: the case, its transfers, the points
    and the people they name (by id, names only: no password hash), its checklist, its notices."""
    if case is None:
        case = detail_cases().get(number=number)
    transfers = list(case.transfers.order_by("sent_at", "pk"))
    attach_names(case, transfers)
    out = case_summary(case, ReadingDay.of(timezone.localdate()))
    out["applicant"] = applicant_detail(case.applicant)
    out.update(
        registered_at=case.registered_at,
        entered_by=user_ref(case.entered_by),
        closed_at=case.closed_at,
        refusal=refusal_detail(case),
        materials=[
            line_detail(line)
            for line in case.materials.select_related("material").order_by("position")
        ],
        authorisation=authorisation_detail(case),
        notices=[
            {
                "number": n.number,
                "issued_on": n.issued_on,
                "supply_by": n.supply_by,
                "repeated": n.repeated,
                "repeat_reason": n.repeat_reason,
                "within_window": n.within_window,
            }
            for n in case.notices.order_by("issued_at", "pk")
        ],
        transfers=[
            {
                "id": t.pk,
                "from_point": point_ref(t.from_point),
                "to_point": point_ref(t.to_point),
                "to_helper": user_ref(t.to_helper),
                "direction": t.direction,
                "reason": t.reason,
                "sent_on": t.sent_on,
                "status": t.status,
                "answered_on": t.answered_on,
                "decline_reason": t.decline_reason,
                "suggested_point": point_ref(t.suggested_point),
                "escalated": t.escalated_at is not None,
            }
            for t in transfers
        ],
    )
    return out
