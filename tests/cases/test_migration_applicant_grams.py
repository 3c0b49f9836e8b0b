"""Migration cases 0019 fills the grams of the names already there (decision 0070): applicants
written now, the migration undone (the table dropped) and done again."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from bangban.cases.models import ApplicantGram

from .conftest import person, resident_id
from .test_applicant_search import recomputed, stored

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_migration_fills_the_grams_of_every_name(yiyuan_committed, register):
    for n, name in enumerate(["张秀英", "沂源县沂蒙山农业专业合作社", "Zhang Wei"]):
        register(applicant=person(name=name, number=resident_id(sequence=700 + n)))
    expected = recomputed()
    assert len(expected) == 3

    call_command("migrate", "cases", "0018_registered_order_covering", verbosity=0)
    # Forward for every app: going back also unapplied the apps after the ledger (feedback).
    call_command("migrate", verbosity=0)

    assert stored() == expected
    assert ApplicantGram.objects.count() == sum(map(len, expected.values()))
