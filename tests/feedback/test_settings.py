"""What a county sets for its ratings: its reasons, saved as versions (a rating keeps its version's
labels), and its settings; by the county's region admin or one above it, read by its supervisors
and town admins, not seen by another county. Every county starts with the default reasons: those
that exist through the data migration, a new one through `feedback.on_network`."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry

from bangban.feedback.actions import FeedbackError, rate_occasion, save_reason_set
from bangban.feedback.models import Channel, FeedbackPolicy, Reason, ReasonSet
from bangban.feedback.reasons import (
    ReasonData,
    current_reason_set,
    read_default_reasons,
    reason_labels,
)
from bangban.feedback.rules import policy_for
from bangban.network.models import Region, Role
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
)
from tests.divisions import import_dong_e as dong_e
from tests.feedback.occasions import Api, occasion_of
from tests.pages import page_text as text

pytestmark = pytest.mark.django_db

REASONS = [
    {"code": "attitude", "label": "服务态度差", "polarity": "bad", "position": 1},
    {"code": "warm", "label": "热情周到", "polarity": "good", "position": 2},
    {"code": "other", "label": "其他", "polarity": "any", "position": 3},
]


@pytest.fixture
def admin(make_account, yiyuan):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


# --- The defaults ------------------------------------------------------------------------------


def test_a_new_county_gets_the_default_reasons_from_its_network(client):
    assert not Region.objects.filter(code="371524").exists()
    county = dong_e()
    first = current_reason_set(county.pk)
    assert first is not None and first.version == 1
    labels = {r.label: r.polarity for r in first.reasons.all()}
    assert labels["推诿扯皮"] == "bad" and labels["一次办成"] == "good"
    assert len(labels) == len(read_default_reasons())
    dong_e()  # imported again: still the one version
    assert ReasonSet.objects.filter(county=county).count() == 1


def test_the_data_migration_gives_the_counties_without_reasons_their_first_set(yiyuan):
    ReasonSet.objects.filter(county=yiyuan.county).delete()
    migration = import_module("bangban.feedback.migrations.0002_default_reasons")
    migration.give_default_reasons(apps, None)
    first = current_reason_set(yiyuan.county.pk)
    assert first.version == 1
    assert [r.code for r in first.reasons.order_by("position")] == [
        r.code for r in read_default_reasons()
    ]
    migration.give_default_reasons(apps, None)  # again: nothing more
    assert ReasonSet.objects.filter(county=yiyuan.county).count() == 1


# --- Versions ----------------------------------------------------------------------------------


def test_a_new_version_leaves_the_old_ratings_their_labels(client, admin, register, yiyuan):  # noqa: F811
    occasion = occasion_of(register())
    before = current_reason_set(yiyuan.county.pk)
    old = rate_occasion(occasion, level=2, channel=Channel.QR, reasons=["attitude"])
    assert old.reason_set == before

    response = Api(client, admin).post("/rating-settings/370323/reasons", {"reasons": REASONS})
    assert response.status_code == 201, response.content
    assert response.json()["version"] == before.version + 1
    assert current_reason_set(yiyuan.county.pk).version == before.version + 1

    assert reason_labels(old) == ["态度不好"]  # the old version's words, not 服务态度差
    assert Reason.objects.filter(set=before).count() == len(read_default_reasons())
    assert LogEntry.objects.filter(user=admin, object_repr__contains="v").exists()

    versions = Api(client, admin).get("/rating-settings/370323/reasons").json()
    assert [v["version"] for v in versions["items"]] == [before.version + 1, before.version]


def test_the_reasons_are_checked(client, admin, yiyuan):
    api = Api(client, admin)
    same = [
        {"code": r.code, "label": r.label, "polarity": r.polarity, "position": r.position}
        for r in read_default_reasons()
    ]
    unchanged = api.post("/rating-settings/370323/reasons", {"reasons": same})
    assert unchanged.status_code == 409
    twice = api.post("/rating-settings/370323/reasons", {"reasons": [REASONS[0], REASONS[0]]})
    assert twice.status_code == 409 and "重复" in twice.json()["detail"][0]["msg"]
    too_many = [{**REASONS[0], "code": f"r{n}"} for n in range(31)]
    assert api.post("/rating-settings/370323/reasons", {"reasons": too_many}).status_code == 422
    long = [{**REASONS[0], "label": "长" * 41}]
    assert api.post("/rating-settings/370323/reasons", {"reasons": long}).status_code == 422
    not_slug = [{**REASONS[0], "code": "态度"}]
    assert api.post("/rating-settings/370323/reasons", {"reasons": not_slug}).status_code == 422
    with pytest.raises(FeedbackError):
        save_reason_set(yiyuan.county, reasons=[ReasonData("a b", "x", "bad", 1)], by=admin)
    assert ReasonSet.objects.filter(county=yiyuan.county).count() == 1


# --- Who --------------------------------------------------------------------------------------


def test_settings_by_role(client, admin, make_account, yiyuan):
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    supervisor = make_account(Role.SUPERVISOR, yiyuan.county)
    city_admin = make_account(Role.REGION_ADMIN, yiyuan.county.parent)
    other_admin = make_account(Role.REGION_ADMIN, dong_e())
    helper_ = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    body = {"reasons": REASONS}
    for reader in (town_admin, supervisor):
        api = Api(client, reader)
        seen = api.get("/rating-settings/370323")
        assert seen.status_code == 200 and seen.json()["may_change"] is False
        assert api.post("/rating-settings/370323/reasons", body).status_code == 403
        policy = {"count_basic_as_good": True, "rectification_days": 10}
        assert api.put("/rating-settings/370323/policy", policy).status_code == 403
    for stranger in (other_admin, helper_):
        api = Api(client, stranger)
        assert api.get("/rating-settings/370323").status_code == 404
        assert api.post("/rating-settings/370323/reasons", body).status_code == 404
    assert ReasonSet.objects.filter(county=yiyuan.county).count() == 1
    assert Api(client, city_admin).post("/rating-settings/370323/reasons", body).status_code == 201


def test_the_page_by_role(client, admin, make_account, yiyuan):
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    other_admin = make_account(Role.REGION_ADMIN, dong_e())
    client.force_login(town_admin)
    page = text(client.get("/feedback/settings/370323/"))
    assert "态度不好" in page and "保存为新版本" not in page
    assert client.post("/feedback/settings/370323/reasons/", {}).status_code == 404
    assert client.post("/feedback/settings/370323/policy/", {}).status_code == 404
    client.force_login(other_admin)
    assert client.get("/feedback/settings/370323/").status_code == 404
    assert client.get("/feedback/settings/").status_code == 302  # to its own county


def test_the_page_saves_a_version_and_the_settings(client, admin, yiyuan):
    client.force_login(admin)
    page = text(client.get("/feedback/settings/370323/"))
    assert "保存为新版本" in page
    rows = {"reasons-TOTAL_FORMS": "3", "reasons-INITIAL_FORMS": "0"}
    for n, reason in enumerate(REASONS):
        rows.update({f"reasons-{n}-{key}": value for key, value in reason.items()})
    response = client.post("/feedback/settings/370323/reasons/", rows)
    assert response.status_code == 302, text(response)
    assert [r.label for r in current_reason_set(yiyuan.county.pk).reasons.all()] == [
        "服务态度差",
        "热情周到",
        "其他",
    ]
    rows["reasons-1-code"] = "attitude"
    page = text(client.post("/feedback/settings/370323/reasons/", rows))
    assert "代码“attitude”重复" in page

    policy = {"count_basic_as_good": "on", "rectification_days": "61"}
    page = text(client.post("/feedback/settings/370323/policy/", policy))
    assert not FeedbackPolicy.objects.filter(county=yiyuan.county).exists()
    policy["rectification_days"] = "10"
    assert client.post("/feedback/settings/370323/policy/", policy).status_code == 302
    saved = policy_for(yiyuan.county.pk)
    assert saved.count_basic_as_good and saved.rectification_days == 10
    assert LogEntry.objects.filter(user=admin, object_id=str(saved.pk)).exists()


def test_the_api_changes_the_settings(client, admin, yiyuan):
    api = Api(client, admin)
    wrong = api.put(
        "/rating-settings/370323/policy", {"count_basic_as_good": True, "rectification_days": 0}
    )
    assert wrong.status_code == 422
    response = api.put(
        "/rating-settings/370323/policy", {"count_basic_as_good": True, "rectification_days": 7}
    )
    assert response.status_code == 200
    assert response.json()["policy"] == {"count_basic_as_good": True, "rectification_days": 7}
    assert policy_for(yiyuan.county.pk).rectification_days == 7
