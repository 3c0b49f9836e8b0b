"""Registering a case (登记): numbers, the item as told that day, the applicant kept safe, the rules."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from bangban.cases.actions import CaseError
from bangban.cases.models import Applicant, Case, CaseEvent
from bangban.cases.workflow import State
from bangban.catalog import actions as catalog_actions
from bangban.kernel import protection
from bangban.messaging.models import Message

from .conftest import person, resident_id

SHANGHAI_MORNING = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@time_machine.travel(SHANGHAI_MORNING, tick=False)
def test_numbers_run_per_county_and_day_from_0001(register):
    first = register()
    second = register()
    assert first.number == "370323-20261125-0001"
    assert second.number == "370323-20261125-0002"


def test_numbers_start_again_the_next_day(register):
    with time_machine.travel(SHANGHAI_MORNING, tick=False):
        register()
    with time_machine.travel(SHANGHAI_MORNING + dt.timedelta(days=1), tick=False):
        case = register()
    assert case.number == "370323-20261126-0001"


def test_a_new_case_points_to_the_revision_told_that_day(register, item, yiyuan):
    from tests.catalog.conftest import MATERIALS, item_data

    case = register()
    catalog_actions.revise_item(
        item, data=item_data(yiyuan, promised_limit=5), materials=MATERIALS, by=None
    )
    case.refresh_from_db()
    assert case.revision.number == 1
    assert [m.material.name for m in case.materials.order_by("position")] == [
        m.name for m in MATERIALS
    ]


def test_a_new_case_is_registered_with_its_helper_responsible_and_no_deadline(register, helper):
    case = register()
    assert case.status == State.REGISTERED
    assert case.responsible == helper and case.handling_helper == helper
    assert case.handling_point == case.registering_point
    assert case.accepted_on is None and case.promised_deadline is None


def test_the_id_number_is_stored_encrypted_and_shown_masked(register):
    number = resident_id(sequence=123)
    case = register(applicant=person(number=number))
    applicant = case.applicant
    assert applicant.number_masked == number[:6] + "********" + number[-4:]
    assert number not in applicant.number_encrypted
    assert protection.decrypt(applicant.number_encrypted) == number
    assert applicant.birth_date() == dt.date(1945, 3, 12) and applicant.sex == "male"
    assert "1945" not in applicant.birth_on_encrypted


def test_a_returning_applicant_is_found_again_and_brought_up_to_date(register):
    number = resident_id(sequence=124)
    first = register(applicant=person(number=number, phone="13805331234"))
    second = register(applicant=person(number=number.lower(), phone="13905339876"))
    assert first.applicant_id == second.applicant_id
    applicant = Applicant.objects.get(pk=first.applicant_id)
    assert applicant.decrypted_phone() == "13905339876"
    assert applicant.phone_masked == "139****9876"
    assert applicant.phone_digest == protection.phone_digest("13905339876")


def test_an_old_15_digit_number_is_the_same_person(register):
    number = resident_id(sequence=125)
    first = register(applicant=person(number=number))
    old = number[:6] + number[8:17]
    second = register(applicant=person(number=old))
    assert first.applicant_id == second.applicant_id


def test_an_applicant_of_60_or_more_is_flagged_elderly(register):
    assert register(applicant=person(number=resident_id(born="19450312"))).elderly
    assert not register(applicant=person(number=resident_id(born="19900101"))).elderly


def test_an_enterprise_is_registered_by_its_credit_code(register):
    from bangban.cases.identifiers import credit_code_check_character

    body = "N2370323MA3C4D5E6"  # a village collective economic organisation: begins with N
    code = body + credit_code_check_character(body)
    case = register(
        applicant=person(
            kind="organisation",
            name="沂源县鲁村镇某村股份经济合作社",
            document_type="credit_code",
            number=code.lower(),
            legal_representative="王建国",
        )
    )
    assert case.applicant.credit_code == code
    assert case.applicant.number_encrypted == ""


def test_registration_appends_one_event_and_queues_a_message(register):
    case = register()
    events = list(CaseEvent.objects.filter(case=case))
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("register", "", State.REGISTERED)
    ]
    message = Message.objects.get(reference=f"case:{case.number}")
    assert message.decrypted_recipient() == "13805331234" and case.number in message.body
    assert message.recipient_masked == "138****1234"


def test_no_message_without_a_mobile(register):
    case = register(applicant=person(phone="0533-3241201"))
    assert not Message.objects.filter(reference=f"case:{case.number}").exists()


def _refused(register, **changes) -> dict:
    with pytest.raises(CaseError) as error:
        register(**changes)
    assert Case.objects.count() == 0 and Applicant.objects.count() == 0
    assert not Message.objects.exists()
    return error.value.errors


def test_a_wrong_check_character_is_refused_naming_the_number(register):
    number = resident_id(sequence=126)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    errors = _refused(register, applicant=person(number=wrong))
    assert list(errors) == ["number"]
    assert "校验" in errors["number"][0]


def test_a_bad_phone_is_refused(register):
    assert list(_refused(register, applicant=person(phone="12345"))) == ["phone"]


def test_a_way_of_serving_the_item_does_not_support_is_refused(register):
    errors = _refused(register, mode="home_visit")
    assert list(errors) == ["mode"]
    assert "现场办" in errors["mode"][0]


def test_an_item_of_another_county_or_out_of_use_is_refused(register, item):
    catalog_actions.set_item_active(item, active=False, by=None)
    assert list(_refused(register)) == ["item"]


def test_an_unqualified_responsible_helper_is_refused(register, make_helper, station):
    novice = make_helper(station, started_on=timezone.localdate() - dt.timedelta(days=30)).user
    errors = _refused(register, responsible=novice)
    assert list(errors) == ["responsible"]
    assert "上岗资格" in errors["responsible"][0]


def test_a_responsible_helper_of_another_point_is_refused(register, make_helper, yiyuan):
    elsewhere = make_helper(yiyuan.station("南麻街道")).user
    assert list(_refused(register, responsible=elsewhere)) == ["responsible"]


def test_materials_received_in_the_future_are_refused(register):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert list(_refused(register, received_on=tomorrow)) == ["received_on"]


def test_materials_received_before_the_calendar_begins_are_refused(register):
    errors = _refused(register, received_on=dt.date(1999, 12, 31))
    assert errors == {"received_on": ["收到材料日期不能早于 2000 年 1 月 1 日。"]}


def test_every_problem_is_named_at_once(register):
    errors = _refused(
        register,
        applicant=person(number="370323", phone="1"),
        mode="home_visit",
        channel="pigeon",
        kind="magic",
    )
    assert set(errors) == {"number", "phone", "mode", "channel", "kind"}


def _authorisation(**changes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bangban.cases.actions import AuthorisationData

    values = {
        "principal": "张秀英",
        "scope": "代为办理城乡居民医保参保登记，代为提交、领取材料",
        "authorised_on": timezone.localdate(),
        "scan": SimpleUploadedFile("weituoshu.pdf", b"%PDF-1.4 signed", "application/pdf"),
    }
    values.update(changes)
    return AuthorisationData(**values)


def test_a_proxy_case_keeps_its_signed_authorisation(register):
    case = register(kind="proxy", authorisation=_authorisation())
    assert case.authorisation.principal == "张秀英"
    assert case.authorisation.scan.read() == b"%PDF-1.4 signed"


def test_a_proxy_case_without_an_authorisation_is_refused(register):
    assert list(_refused(register, kind="proxy")) == ["authorisation"]


def test_an_authorisation_needs_its_scope_its_scan_and_no_future_date(register):
    errors = _refused(
        register,
        kind="proxy",
        authorisation=_authorisation(
            scope=" ", scan=None, authorised_on=timezone.localdate() + dt.timedelta(days=1)
        ),
    )
    assert set(errors) == {
        "authorisation.scope",
        "authorisation.scan",
        "authorisation.authorised_on",
    }
