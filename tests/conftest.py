"""Shared fixtures: Yiyuan's real network, loaded once per test session, and accounts per role."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from django.utils import translation

from bangban.network import actions
from bangban.network.demo import build_yiyuan
from bangban.network.models import (
    Department,
    PartnerOrganisation,
    Region,
    ServicePoint,
)

Kind = ServicePoint.Kind
PASSWORD = "Secure-pass-123"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Yiyuan's network (no demo accounts) is in the test database before any test runs.

    Tests inside a transaction see it and roll their changes back. Transactional tests (the browser
    tests, run last by pytest-django) flush the database afterwards; they use `yiyuan_committed`."""
    with django_db_blocker.unblock():
        build_yiyuan(accounts=False)


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in English leaves English active in this thread; each test starts in Chinese."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


class Yiyuan:
    """Handles on the Yiyuan network, looked up by their Chinese names."""

    @property
    def county(self) -> Region:
        return Region.objects.get(code="370323")

    @property
    def centre(self) -> ServicePoint:
        return ServicePoint.objects.get(kind=Kind.COUNTY_CENTRE, county__code="370323")

    @property
    def zone(self) -> ServicePoint:
        return ServicePoint.objects.get(kind=Kind.DEDICATED_ZONE, county__code="370323")

    def subzone(self, domain_code: str) -> ServicePoint:
        return ServicePoint.objects.get(kind=Kind.DOMAIN_SUBZONE, domain__code=domain_code)

    def town(self, name: str) -> ServicePoint:
        """The town centre of the town (or street) called `name`, e.g. 鲁村镇."""
        return ServicePoint.objects.get(kind=Kind.TOWN_CENTRE, region__name=name)

    def station(self, town: str, index: int = 0) -> ServicePoint:
        """A village station of `town` (the first by default)."""
        return ServicePoint.objects.filter(
            kind=Kind.VILLAGE_STATION, region__parent__name=town
        ).order_by("pk")[index]

    def department(self, name: str) -> Department:
        return Department.objects.get(name=name)

    def organisation(self, name: str) -> PartnerOrganisation:
        return PartnerOrganisation.objects.get(name=name)

    def partner_station(self, organisation: str) -> ServicePoint:
        return ServicePoint.objects.filter(organisation__name=organisation).order_by("pk")[0]


@pytest.fixture
def yiyuan(db) -> Yiyuan:
    return Yiyuan()


@pytest.fixture
def yiyuan_committed(transactional_db) -> Yiyuan:
    """For transactional tests (live server): make sure the network is there after a flush."""
    if not ServicePoint.objects.filter(kind=Kind.DEDICATED_ZONE).exists():
        build_yiyuan(accounts=False)
    return Yiyuan()


_usernames = itertools.count(1)


@pytest.fixture
def make_account(db):
    """make_account(role, binding, username=None, password=PASSWORD) → a user with one membership."""

    def make(role: str, binding, username: str | None = None, password: str = PASSWORD):
        return actions.create_account(
            # "special_supervisor-23" is too like the password for Django's similarity check.
            username=username or f"{role.replace('supervisor', 'sv')}-{next(_usernames)}",
            password=password,
            role=role,
            binding=binding,
            full_name="测试用户",
            by=None,
        )

    return make
