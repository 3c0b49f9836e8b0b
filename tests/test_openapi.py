"""A bounded schemathesis run over the whole OpenAPI document with all its default checks: every
operation, authenticated as the county's region administrator and without any token.

Data is generated from the schema (positive and negative), so the API must accept what its schema
allows, refuse what it forbids, document every status it answers, and never answer 500.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from bangban.network.api import digest
from bangban.network.models import ApiToken, Role
from bangban.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
#: The county administrator's run sends its own token with every case, so it generates no
#: Authorization header: schemathesis would judge a case that dropped the header as invalid although
#: the token was sent, and fail it for being accepted. The token-less run fuzzes the header.
with_token = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
with_token.config.generation.update(with_security_parameters=False)

#: Examples per operation and phase; raise it locally (BANGBAN_FUZZ_EXAMPLES=200) for a deeper run.
BOUNDED = settings(
    max_examples=int(os.environ.get("BANGBAN_FUZZ_EXAMPLES", "15")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Requests go straight to the WSGI handler, which closes the database connection after each
    one; inside the test's transaction that would close it mid-test (PostgreSQL). Django's test
    client disconnects the same handler."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def county_token(yiyuan, make_account) -> str:
    user = make_account(Role.REGION_ADMIN, yiyuan.county)
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, digest=digest(token), expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    return token


@with_token.parametrize()
@BOUNDED
def test_api_as_county_admin(case, county_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {county_token}"})


@schema.parametrize()
@BOUNDED
def test_api_without_token(case, db):
    case.call_and_validate()
