"""Migration cases 0011 brings existing rows along: cases written before it (here: written now, then
the migration undone and done again) get their deemed deadline, their materials the day the events
say they were received, and their refusals the item's department as the decider."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from bangban.cases import actions
from bangban.cases.actions import NoticeItem
from bangban.cases.models import Case, CaseMaterial

pytestmark = pytest.mark.django_db(transaction=True)

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
BEFORE = "0010_protect_birth_dates_and_phones"


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=CST), tick=False)


def test_existing_rows_are_brought_along(yiyuan_committed, register, helper, make_item):
    item = make_item(promised_limit=10, legal_limit=20)
    with at(D(2026, 11, 2)):
        waiting = register(item=item, received_on=D(2026, 11, 2))
        noticed = register(item=item, received_on=D(2026, 11, 2))
        actions.issue_notice(
            noticed,
            items=[NoticeItem(noticed.materials.order_by("position").first().pk, "missing")],
            supply_by=D(2026, 11, 20),
            by=helper,
        )
        refused = register(item=item, received_on=D(2026, 11, 2))
        actions.refuse_case(refused, by=helper, reason="不属于受理范围", document_number="x")
    with at(D(2026, 11, 5)):
        statuses = {line.material_id: "received" for line in noticed.materials.all()}
        actions.set_material_status(
            noticed, statuses=statuses, by=helper, received_on=D(2026, 11, 3)
        )

    call_command("migrate", "cases", BEFORE, verbosity=0)
    # Forward for every app: going back also unapplied the apps after the ledger (feedback).
    call_command("migrate", verbosity=0)

    assert Case.objects.get(pk=waiting.pk).deemed_deadline == D(2026, 11, 16)
    assert Case.objects.get(pk=noticed.pk).deemed_deadline is None  # noticed in time
    # The day of the event that set them received (the day typed then was not kept before).
    days = set(CaseMaterial.objects.filter(case=noticed).values_list("received_on", flat=True))
    assert days == {D(2026, 11, 5)}
    assert not CaseMaterial.objects.filter(case=waiting, received_on__isnull=False).exists()
    refused = Case.objects.get(pk=refused.pk)
    assert refused.refusal_department_id == item.current.department_id
    assert refused.refusal_document_number == ""
    assert refused.deemed_deadline is None
