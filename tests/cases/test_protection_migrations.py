"""The data migrations of decision 0030 bring a county's existing rows along: birth dates, applicants'
and cases' phones and the outbox's recipients, stored in clear before, come out encrypted (phones
masked and digested) with the clear columns gone; and back again when migrated backwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bangban.cases.models import Applicant, Case
from bangban.kernel import protection
from bangban.messaging.models import Message

from .conftest import person, resident_id

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = resident_id(born="19510623", sequence=733)
PHONE = "13905337733"
CONTACT = "13705338844"


def _mine(graph, app: str, name_end: str) -> tuple[str, str]:
    """This branch's migration of `app` whose name ends so (found by name: it may be renumbered)."""
    (node,) = [n for n in graph.nodes if n[0] == app and n[1].endswith(name_end)]
    return node


def _before(graph, node) -> tuple[str, str]:
    (parent,) = [p for p in graph.node_map[node].parents if p.key[0] == node[0]]
    return parent.key


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_existing_rows_are_encrypted_and_the_clear_columns_dropped(yiyuan_committed, register):
    case = register(applicant=person(number=NUMBER, phone=PHONE), contact_phone=CONTACT)
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    cases_node = _mine(graph, "cases", "_protect_birth_dates_and_phones")
    messaging_node = _mine(graph, "messaging", "_protect_recipients")
    before = [_before(graph, cases_node), _before(graph, messaging_node)]
    latest = graph.leaf_nodes()
    try:
        executor.migrate(before)  # backwards: the clear columns, filled from the encrypted ones
        old = MigrationExecutor(connection).loader.project_state(before).apps
        OldApplicant = old.get_model("cases", "Applicant")
        OldCase = old.get_model("cases", "Case")
        OldMessage = old.get_model("messaging", "Message")
        applicant = OldApplicant.objects.get(pk=case.applicant_id)
        assert (applicant.birth_on, applicant.phone) == (dt.date(1951, 6, 23), PHONE)
        assert OldCase.objects.get(pk=case.pk).contact_phone == CONTACT
        assert OldMessage.objects.get(reference=f"case:{case.number}").recipient == CONTACT
        # A county's rows as they stood before: in clear, a landline among them.
        OldApplicant.objects.filter(pk=case.applicant_id).update(phone="0533-3241201")
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    applicant = Applicant.objects.get(pk=case.applicant_id)
    assert applicant.birth_date() == dt.date(1951, 6, 23)
    assert applicant.decrypted_phone() == "0533-3241201"
    assert applicant.phone_masked == "0533-***1201"
    assert applicant.phone_digest == protection.phone_digest("0533-3241201")
    migrated = Case.objects.get(pk=case.pk)
    assert migrated.decrypted_contact_phone() == CONTACT
    assert migrated.contact_phone_masked == "137****8844"
    assert migrated.contact_phone_digest == protection.phone_digest(CONTACT)
    message = Message.objects.get(reference=f"case:{case.number}")
    assert message.decrypted_recipient() == CONTACT and message.recipient_masked == "137****8844"
    assert not {"birth_on", "phone"} & _columns(Applicant._meta.db_table)
    assert "contact_phone" not in _columns(Case._meta.db_table)
    assert "recipient" not in _columns(Message._meta.db_table)
