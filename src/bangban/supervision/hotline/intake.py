"""Tickets and decisions from the 12345 platform into our store, by the one path every complaint
takes (`actions.receive(source="hotline", …)`), whether pulled (`pull_tickets`, the task worker's
job every few minutes) or called back (`api.hotline`). Receipt is idempotent on the ticket number:
a ticket pulled and also called back, or sent twice, is received once. The hotline centre's
extension decisions go through `actions.decide_extension(by=None)`; a decision repeated changes
nothing. Imported where used: it uses the actions, which use this package's outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from .. import actions
from ..models import Complaint, Source
from .fields import (
    Decision,
    RecordError,
    Ticket,
    UnknownCounty,
    county_of,
    parse_ticket,
    point_in,
)
from .gateway import HotlineError, gateway_for
from .outbox import enabled

logger = logging.getLogger("bangban.supervision.hotline")

STORED, HELD = "stored", "held"
PAGE = 100
PAGES = 20


class UnknownTicket(Exception):
    """A decision about a ticket we never received."""


def take_ticket(ticket: Ticket) -> tuple[str, Complaint]:
    """Receive `ticket`: ("stored", complaint) when new, ("held", complaint) when we already had
    it. Raises UnknownCounty, or SupervisionError when a rule of ours refuses a field (a phone
    we cannot read)."""
    county = county_of(ticket.county_code)
    held = Complaint.objects.filter(
        county=county, source=Source.HOTLINE, ticket_no=ticket.ticket_no
    ).first()
    if held is not None:
        return HELD, held
    complaint = actions.receive(
        county=county,
        source=Source.HOTLINE,
        ticket_no=ticket.ticket_no,
        kind=ticket.kind,
        category=ticket.category,
        title=ticket.title,
        content=ticket.content,
        received_on=ticket.received_on,
        platform_due_at=ticket.platform_due_at,
        anonymous=not (ticket.name or ticket.phone),
        name=ticket.name,
        phone=ticket.phone,
        point=point_in(county, ticket.org_code, ticket.org_name),
        by=None,
    )
    return STORED, complaint


def take_decision(decision: Decision) -> tuple[str, Complaint]:
    """Apply the hotline centre's decision: ("stored", complaint) when it changed the ticket,
    ("held", complaint) when the same decision was already recorded. Raises UnknownCounty,
    UnknownTicket, or
    SupervisionError when our table refuses it (no request pending, or a different decision
    already taken)."""
    complaint = Complaint.objects.filter(
        county=county_of(decision.county_code), source=Source.HOTLINE, ticket_no=decision.ticket_no
    ).first()
    if complaint is None:
        raise UnknownTicket(decision.ticket_no)
    with transaction.atomic():
        current = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if current.extension == ("approved" if decision.approve else "refused"):
            return HELD, current
        changed = actions.decide_extension(
            current, approve=decision.approve, by=None, note=decision.note
        )
    return STORED, changed


@dataclass
class Pull:
    stored: int = 0
    held: int = 0
    skipped: int = 0


def pull_tickets() -> Pull:
    """Take the tickets the platform holds after our cursor, page by page, the cursor moved after
    each page. A ticket we cannot read or receive is logged and passed over (an operator sees it
    in the log and in the platform's own list) so that one bad record does not stop the rest.
    Nothing when the adapter is off; the platform down changes nothing."""
    from ..models import HotlineCursor

    result = Pull()
    if not enabled():
        return result
    gateway = gateway_for()
    for _i in range(PAGES):
        cursor, _created = HotlineCursor.objects.get_or_create(name="tickets")
        try:
            page = gateway.pull_tickets(cursor.value, PAGE)
        except HotlineError as exc:
            logger.warning("Pulling 12345 tickets failed: %s", exc)
            break
        for item in page.items:
            try:
                outcome, _complaint = take_ticket(parse_ticket(item))
            except (RecordError, UnknownCounty, actions.SupervisionError) as exc:
                result.skipped += 1
                logger.error("12345 ticket %r passed over: %s", item.get("ticketNo"), exc)
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        if page.cursor == cursor.value:
            break
        HotlineCursor.objects.filter(pk=cursor.pk).update(value=page.cursor[:100])
        if len(page.items) < PAGE:
            break
    return result
