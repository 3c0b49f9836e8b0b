"""Network changes that overlap, on SQLite and on PostgreSQL: the county's organisers are written one
change at a time (`actions._lock_county`), so two stations added at once for a partner organisation
that has no organiser yet (made without an announcement) give it one organiser training both."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import transaction

from bangban.network import actions as network
from bangban.network.models import PartnerOrganisation, ServicePoint
from bangban.staff import actions
from bangban.staff.models import TrainingOrganiser
from tests.cases.test_concurrency import file_database, run_together  # noqa: F401

#: How long a thread waits at the starting line for the other: on SQLite the second one cannot get
#: there (its transaction waits for the first's), so the first goes on alone after this.
MEET = 3

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_stations_of_a_new_organisation_added_at_once_give_it_one_organiser(
    file_database,  # noqa: F811 - the fixture imported above
    monkeypatch,
):
    county = file_database.county
    bank = PartnerOrganisation.objects.create(
        county=county, name="中国建设银行沂源支行", partner_type="bank"
    )
    towns = [file_database.town("鲁村镇"), file_database.town("东里镇")]
    start = threading.Barrier(2, timeout=MEET)
    lock = actions._lock_county

    def meet_then_lock(county_id):
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait()
        lock(county_id)

    monkeypatch.setattr(actions, "_lock_county", meet_then_lock)

    def add_station(town):
        with transaction.atomic():
            return network.create_point(
                town,
                kind=ServicePoint.Kind.PARTNER_STATION,
                name=f"建行{town.region.name}帮办代办服务站",
                organisation=bank,
                by=None,
            ).pk

    results = run_together(add_station, [(town,) for town in towns])
    assert not [r for r in results if isinstance(r, Exception)], results
    organiser = TrainingOrganiser.objects.get(organisation=bank)
    assert set(organiser.points.values_list("pk", flat=True)) == set(results)
