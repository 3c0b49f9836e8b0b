"""A bounded schemathesis run over the whole OpenAPI document with all its default checks: every
operation, authenticated as the county's region administrator and without any token.

Data is generated from the schema (positive and negative), so the API must accept what its schema
allows, refuse what it forbids, document every status it answers, and never answer 500.

Path parameters reach real objects: each test makes one object of each kind (`real_objects`) and a
hook lets hypothesis draw every valid path parameter either as generated (mostly an unknown id, 404)
or as the real one, so the operations on an object answer more than 404. The document itself is
checked as OpenAPI 3.1 by a maintained validator.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets

import jsonschema_rs
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV31SpecValidator

from bangban.cases import actions as case_actions
from bangban.network import actions as network_actions
from bangban.network.api import digest
from bangban.network.models import (
    ApiToken,
    Department,
    EquipmentKind,
    PartnerOrganisation,
    Role,
)
from bangban.staff.models import TrainingSession
from bangban.wsgi import application
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    person,
    register,
    station,
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
#: The county administrator's run sends its own token with every case, so it generates no
#: Authorization header: schemathesis would judge a case that dropped the header as invalid although
#: the token was sent, and fail it for being accepted. The token-less run fuzzes the header.
with_token = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
with_token.config.generation.update(with_security_parameters=False)

#: Examples per operation and phase; raise it locally (BANGBAN_FUZZ_EXAMPLES=200) for a deeper run.
BOUNDED = settings(
    max_examples=int(os.environ.get("BANGBAN_FUZZ_EXAMPLES", "25")),
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


#: The real object for each path parameter, by (name, JSON type): `number` is a case's number (a
#: string) or an item's revision (an integer). Filled by `real_objects` before each test draws.
REAL: dict[tuple[str, str], object] = {}


def _real_or_generated(context, path_parameters: dict) -> st.SearchStrategy:
    """A path parameter as generated, or the real object's: only a valid value is replaced, so a
    case generated to break a path parameter still breaks it."""
    real = {}
    for parameter in context.operation.path_parameters:
        schema = parameter.definition.get("schema", {})
        key = (parameter.name, schema.get("type"))
        value = path_parameters.get(parameter.name)
        if key in REAL and jsonschema_rs.validator_for(schema).is_valid(value):
            real[parameter.name] = REAL[key]
    if not real:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


with_token.hook("flatmap_path_parameters")(_real_or_generated)


@pytest.fixture
def real_objects(yiyuan, station, helper, item, register, organiser):  # noqa: F811
    """One object of each kind in the county administrator's scope, for the path parameters."""
    county = yiyuan.county
    equipment = network_actions.add_equipment(
        station, kind=EquipmentKind.objects.order_by("pk").first(), quantity=1, by=None
    )
    case = register()
    other = yiyuan.station("鲁村镇", 1)
    transferred = register(applicant=person())
    transfer = case_actions.transfer_case(
        transferred, to_point=other, reason="申请人在邻村办理", by=helper
    )
    today = timezone.localdate()
    REAL.clear()
    REAL.update(
        {
            ("point_id", "integer"): station.pk,
            ("code", "string"): station.region.code,
            ("department_id", "integer"): Department.objects.filter(county=county)
            .order_by("pk")
            .first()
            .pk,
            ("organisation_id", "integer"): PartnerOrganisation.objects.filter(county=county)
            .order_by("pk")
            .first()
            .pk,
            ("equipment_id", "integer"): equipment.pk,
            ("year", "integer"): today.year,
            ("day", "string"): today.isoformat(),
            ("helper_id", "integer"): helper.helper_profile.pk,
            ("organiser_id", "integer"): organiser.pk,
            ("training_id", "integer"): TrainingSession.objects.filter(organiser=organiser)
            .order_by("pk")
            .first()
            .pk,
            ("item_id", "integer"): item.pk,
            ("number", "integer"): item.current.number,
            ("number", "string"): case.number,
            ("transfer_id", "integer"): transfer.pk,
        }
    )
    yield REAL
    REAL.clear()


def test_the_document_is_valid_openapi_3_1(client):
    """A maintained validator accepts the whole document (a parameter's `examples` must be a map,
    not a list, for instance)."""
    response = client.get("/api/v1/openapi.json")
    document = response.json()
    assert document["openapi"].startswith("3.1")
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in OpenAPIV31SpecValidator(document).iter_errors()
    ]
    assert errors == []


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
def test_api_as_county_admin(case, county_token, real_objects):
    case.call_and_validate(headers={"Authorization": f"Bearer {county_token}"})


@schema.parametrize()
@BOUNDED
def test_api_without_token(case, db):
    case.call_and_validate()
