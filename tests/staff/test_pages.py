"""The staff pages: helper list and page, profile edit, a point's helpers, the organisers, recording
a training with its results (and refusing a bad upload), fixed query counts on the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bangban.network.models import Role
from bangban.staff.models import Helper, TrainingOrganiser, TrainingSession

RCB = "沂源农村商业银行"
ABC = "中国农业银行沂源县支行"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


def test_helper_list_shows_qualification_with_reasons(client, yiyuan, make_helper, county_admin):
    make_helper(yiyuan.zone)
    make_helper(yiyuan.zone, trained_on=None)
    client.force_login(county_admin)
    body = text(client.get(reverse("staff:helpers")))
    assert "具备上岗资格" in body
    assert "尚未参加培训，须先培训后上岗。" in body


def test_helper_list_filters_by_point_and_town(client, yiyuan, make_helper, county_admin):
    lucun = make_helper(yiyuan.station("鲁村镇"))
    nanma = make_helper(yiyuan.station("南麻街道"))
    client.force_login(county_admin)
    by_town = text(client.get(reverse("staff:helpers"), {"town": yiyuan.town("鲁村镇").pk}))
    assert lucun.user.username in body_names(by_town, [lucun, nanma])
    assert nanma.user.username not in body_names(by_town, [lucun, nanma])
    by_point = text(client.get(reverse("staff:helpers"), {"point": yiyuan.station("南麻街道").pk}))
    assert body_names(by_point, [lucun, nanma]) == {nanma.user.username}


def body_names(body: str, helpers) -> set[str]:
    return {h.user.username for h in helpers if f'/staff/helpers/{h.pk}/"' in body}


@pytest.mark.parametrize("extra", [0, 5])
def test_helper_list_query_count_is_fixed(
    client, yiyuan, make_helper, county_admin, django_assert_num_queries, extra
):
    for _ in range(1 + extra):
        make_helper(yiyuan.station("鲁村镇"))
    client.force_login(county_admin)
    url = reverse("staff:helpers")
    client.get(url)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 3])
def test_organiser_list_query_count_is_fixed(
    client, yiyuan, organiser, county_admin, django_assert_num_queries, extra
):
    from bangban.staff import actions

    for _ in range(extra):
        actions.record_training(organiser, held_on=timezone.localdate(), topic="培训", by=None)
    client.force_login(county_admin)
    url = reverse("staff:organisers")
    client.get(url)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert f"本年度培训 {extra}/2" in text(response)


def test_partner_admin_cannot_open_another_banks_helper_or_organiser(
    client, yiyuan, make_helper, make_account
):
    theirs = make_helper(yiyuan.partner_station(ABC))
    client.force_login(make_account(Role.PARTNER_ADMIN, yiyuan.organisation(RCB)))
    assert client.get(reverse("staff:helper", args=[theirs.pk])).status_code == 404
    other = TrainingOrganiser.objects.get(organisation__name=ABC)
    assert client.get(reverse("staff:organiser", args=[other.pk])).status_code == 404
    assert client.get(reverse("staff:training_new", args=[other.pk])).status_code == 404
    assert ABC not in text(client.get(reverse("staff:organisers")))


def test_point_lead_edits_the_profile_of_a_helper_at_its_point(
    client, yiyuan, make_helper, make_account
):
    station = yiyuan.station("鲁村镇")
    helper = make_helper(station)
    client.force_login(make_account(Role.POINT_LEAD, station))
    response = client.post(
        reverse("staff:helper_edit", args=[helper.pk]),
        {
            "origin": "village_committee",
            "started_on": "2019-05-01",
            "work_phone": "0533-3240000",
            "domains": [],
        },
    )
    assert response.status_code == 302
    helper.refresh_from_db()
    assert (helper.origin, helper.full_time, helper.work_phone) == (
        "village_committee",
        False,
        "0533-3240000",
    )


def test_a_helper_cannot_edit_profiles(client, yiyuan, make_helper):
    helper = make_helper(yiyuan.station("鲁村镇"))
    client.force_login(helper.user)
    assert client.get(reverse("staff:helper", args=[helper.pk])).status_code == 200
    assert client.get(reverse("staff:helper_edit", args=[helper.pk])).status_code == 404


def test_point_page_lists_its_helpers_and_staffing(client, yiyuan, make_helper, county_admin):
    station = yiyuan.station("鲁村镇")
    make_helper(station)
    make_helper(station, trained_on=None)
    client.force_login(county_admin)
    body = text(client.get(reverse("network:point", args=[station.pk])))
    assert "合格人数 1 / 要求 1" in body
    assert "尚未参加培训" in body


def test_recording_a_training_through_the_page_makes_a_helper_qualified(
    client, yiyuan, make_helper, make_account
):
    town = yiyuan.town("鲁村镇")
    helper = make_helper(yiyuan.station("鲁村镇"), trained_on=None, started_on=dt.date(2020, 1, 1))
    novice = make_helper(yiyuan.station("鲁村镇"), trained_on=None, started_on=timezone.localdate())
    organiser = TrainingOrganiser.objects.get(town_centre=town)
    client.force_login(make_account(Role.TOWN_ADMIN, town))
    form = text(client.get(reverse("staff:training_new", args=[organiser.pk])))
    assert f'name="result_{helper.pk}"' in form
    today = timezone.localdate()
    response = client.post(
        reverse("staff:training_new", args=[organiser.pk]),
        {
            "held_on": today.isoformat(),
            "topic": "帮办代办业务培训",
            "material": SimpleUploadedFile("教材.pdf", b"%PDF-1.4 test", "application/pdf"),
            f"result_{helper.pk}": "passed",
            f"result_{novice.pk}": "passed",
        },
    )
    assert response.status_code == 302, text(response)
    assert Helper.objects.qualified(today).filter(pk=helper.pk).exists()
    assert not Helper.objects.qualified(today).filter(pk=novice.pk).exists()  # a year of work
    session = TrainingSession.objects.get(organiser=organiser)
    download = client.get(reverse("staff:training_material", args=[session.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    session.material.delete(save=False)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("virus.exe", b"MZ", "不支持该文件类型"),
        ("fake.pdf", b"PK\x03\x04 not a pdf", "文件内容与扩展名不符"),
    ],
)
def test_a_bad_upload_is_refused_and_nothing_is_written(
    client, yiyuan, make_helper, make_account, name, content, message
):
    town = yiyuan.town("鲁村镇")
    helper = make_helper(yiyuan.station("鲁村镇"), trained_on=None)
    organiser = TrainingOrganiser.objects.get(town_centre=town)
    client.force_login(make_account(Role.TOWN_ADMIN, town))
    response = client.post(
        reverse("staff:training_new", args=[organiser.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "topic": "培训",
            "material": SimpleUploadedFile(name, content),
            f"result_{helper.pk}": "passed",
        },
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not TrainingSession.objects.filter(organiser=organiser).exists()


def test_a_too_large_upload_is_refused(monkeypatch, client, yiyuan, make_account):
    from bangban.kernel import uploads

    monkeypatch.setattr(uploads, "MATERIAL_MAX_BYTES", 10)
    town = yiyuan.town("鲁村镇")
    from bangban.staff import actions

    actions.set_up_organisers(yiyuan.county, by=None)
    organiser = TrainingOrganiser.objects.get(town_centre=town)
    client.force_login(make_account(Role.TOWN_ADMIN, town))
    response = client.post(
        reverse("staff:training_new", args=[organiser.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "topic": "培训",
            "material": SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 20),
        },
    )
    assert "文件过大" in text(response)
    assert not TrainingSession.objects.filter(organiser=organiser).exists()


def test_results_can_be_corrected_on_the_page(client, yiyuan, make_helper, make_account):
    helper = make_helper(yiyuan.station("鲁村镇"), passed=False)
    session = helper.attendances.get().session
    client.force_login(make_account(Role.REGION_ADMIN, yiyuan.county))
    response = client.post(
        reverse("staff:training_results", args=[session.pk]), {f"result_{helper.pk}": "passed"}
    )
    assert response.status_code == 302
    assert helper.attendances.get().passed
