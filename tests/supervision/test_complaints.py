"""A complaint from receipt to answer through the actions: where it goes (the town, or the bureau
for a confidential one), what the accused may not do, how a 投诉's rectification and its answer are
one, a 求助 turned into a case, and bad input refused with nothing written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bangban.feedback import actions as feedback
from bangban.feedback.models import Rectification
from bangban.network.accounts import grant_membership
from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.actions import SupervisionError
from bangban.supervision.models import Category, Complaint, ComplaintEvent, Kind, Source
from bangban.supervision.scope import complaints_for
from bangban.supervision.workflow import Step

pytestmark = pytest.mark.django_db


def _resolve(rect, by, *, true=True):
    feedback.record_call(rect, reached=True, record="已联系诉求人", by=by)
    feedback.verify(
        rect, is_true=true, is_reasonable=true, is_malicious=False, note="调查属实", by=by
    )
    return feedback.fix(rect, measures="当面致歉并现场办理", by=by)


def test_a_ticket_about_a_village_station_goes_to_its_town(people, complain):
    complaint = complain()
    assert (complaint.level, complaint.town, complaint.confidential) == ("town", people.town, False)
    assert complaint.status == Step.RECEIVED
    assert complaint.phone_masked == "138****1234"
    assert "13805331234" not in complaint.phone_encrypted
    assert complaints_for(people.town_admin).filter(pk=complaint.pk).exists()
    assert not complaints_for(people.other_town_admin).filter(pk=complaint.pk).exists()


def test_receipt_of_a_ticket_is_idempotent_on_its_number(people, complain):
    first = complain(ticket_no="ZB2026120700001")
    again = complain(ticket_no="ZB2026120700001", title="另一个标题")
    assert again.pk == first.pk
    assert Complaint.objects.count() == 1
    assert ComplaintEvent.objects.filter(complaint=first).count() == 1


@pytest.mark.parametrize(
    ("kind", "category"), [(Kind.COMPLAINT, Category.FEE), (Kind.REPORT, Category.ATTITUDE)]
)
def test_a_fee_complaint_or_a_report_goes_to_the_bureau_never_the_accused(
    people, complain, kind, category
):
    complaint = complain(kind=kind, category=category)
    assert (complaint.level, complaint.town, complaint.confidential) == ("bureau", None, True)
    for user in (people.helper, people.lead, people.town_admin):
        assert not complaints_for(user).filter(pk=complaint.pk).exists()
        with pytest.raises(SupervisionError):
            actions.sign(complaint, by=user)
    complaint = actions.sign(complaint, by=people.bureau)
    rect = complaint.rectification
    assert (rect.level, rect.confidential, rect.subject) == ("bureau", True, "complaint")
    from bangban.feedback.scope import rectifications_for

    for user in (people.helper, people.lead, people.town_admin):
        assert not rectifications_for(user).filter(pk=rect.pk).exists()
    assert rectifications_for(people.bureau).filter(pk=rect.pk).exists()


def test_the_accused_never_handles_it_whatever_memberships_they_hold(people, complain):
    grant_membership(people.helper, role=Role.TOWN_ADMIN, binding=people.town, by=None)
    grant_membership(people.helper, role=Role.REGION_ADMIN, binding=people.county, by=None)
    accused = type(people.helper).objects.get(pk=people.helper.pk)
    complaint = complain()
    with pytest.raises(SupervisionError) as refused:
        actions.sign(complaint, by=accused)
    assert "by" in refused.value.errors
    complaint = actions.sign(complaint, by=people.town_admin)
    with pytest.raises(Exception):  # noqa: B017 - the rectification's own refusal
        feedback.record_call(complaint.rectification, reached=True, record="我自己", by=accused)


def test_a_complaint_is_answered_once_its_rectification_is_resolved(people, complain):
    complaint = actions.sign(complain(), by=people.town_admin)
    with pytest.raises(SupervisionError) as early:
        actions.answer(complaint, text="已处理", by=people.town_admin)
    assert "text" in early.value.errors
    _resolve(complaint.rectification, people.town_admin)
    complaint = actions.answer(complaint, text="已批评教育并当面致歉", by=people.town_admin)
    assert complaint.status == Step.ANSWERED
    assert complaint.upheld is True
    assert complaint.answered_on == timezone.localdate()
    rect = Rectification.objects.get(pk=complaint.rectification_id)
    assert rect.status == "closed"
    assert rect.reply == "已批评教育并当面致歉"


def test_a_complaints_rectification_cannot_be_replied_to_from_feedback(people, complain):
    complaint = actions.sign(complain(), by=people.town_admin)
    rect = _resolve(complaint.rectification, people.town_admin)
    with pytest.raises(Exception) as refused:  # noqa: B017
        feedback.reply(rect, text="答复", by=people.town_admin)
    assert "投诉" in str(refused.value)


def test_a_request_for_help_becomes_a_case(people, complain, register):
    complaint = complain(kind=Kind.HELP, category=Category.OTHER, helper=None)
    complaint = actions.sign(complaint, by=people.town_admin)
    assert complaint.rectification_id is None
    case = register()
    complaint = actions.to_case(complaint, case=case, by=people.town_admin)
    assert complaint.status == Step.ANSWERED
    assert complaint.answered_on == case.registered_on
    assert complaint.case == case


def test_a_consultation_is_answered_directly(people, complain):
    complaint = complain(kind=Kind.CONSULT, category=Category.OTHER)
    complaint = actions.sign(complaint, by=people.bureau)
    complaint = actions.answer(complaint, text="已电话告知办理流程", by=people.bureau)
    assert (complaint.status, complaint.upheld) == (Step.ANSWERED, None)


def test_a_complaint_without_a_point_is_the_bureaus_until_linked(people, complain):
    complaint = complain(point=None, helper=None)
    assert (complaint.level, complaint.town) == ("bureau", None)
    with pytest.raises(SupervisionError) as refused:
        actions.sign(complaint, by=people.bureau)
    assert "point" in refused.value.errors
    complaint = actions.link(complaint, point=people.station, by=people.bureau)
    assert (complaint.level, complaint.town) == ("town", people.town)
    complaint = actions.sign(complaint, by=people.town_admin)
    assert complaint.rectification.point_id == people.station.pk


def test_extension_of_a_window_complaint_is_the_bureaus_to_decide(people, complain):
    complaint = actions.sign(complain(source=Source.WINDOW, ticket_no=""), by=people.town_admin)
    due = complaint.due
    complaint = actions.request_extension(
        complaint, days=5, reason="需要调取监控", by=people.town_admin
    )
    with pytest.raises(SupervisionError):
        actions.decide_extension(complaint, approve=True, by=people.town_admin)
    complaint = actions.decide_extension(complaint, approve=True, by=people.bureau)
    assert complaint.extension == "approved" and complaint.due > due
    with pytest.raises(SupervisionError) as again:
        actions.request_extension(complaint, days=2, reason="再延", by=people.town_admin)
    assert "days" in again.value.errors


def test_bad_input_names_each_field_and_writes_nothing(people):
    with pytest.raises(SupervisionError) as refused:
        actions.receive(
            county=people.county,
            source=Source.HOTLINE,
            ticket_no="",
            kind="gossip",
            category="nope",
            title=" ",
            content="",
            phone="12",
            received_on=timezone.localdate().replace(year=timezone.localdate().year + 1),
        )
    assert set(refused.value.errors) >= {
        "ticket_no",
        "kind",
        "category",
        "title",
        "content",
        "phone",
        "received_on",
    }
    assert not Complaint.objects.exists()


def test_a_point_of_another_county_is_refused(people, complain):
    from bangban.network import actions as network_actions
    from bangban.network.models import Region, ServicePoint

    county = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=people.county.parent
    )
    elsewhere = network_actions.create_point(
        None,
        kind=ServicePoint.Kind.COUNTY_CENTRE,
        name="高青县政务服务中心",
        region=county,
        by=None,
    )
    with pytest.raises(SupervisionError) as refused:
        complain(point=elsewhere, helper=None)
    assert "point" in refused.value.errors
    assert not Complaint.objects.exists()


def test_the_phone_is_revealed_to_the_handler_only_and_logged(people, complain):
    complaint = complain()
    with pytest.raises(SupervisionError):
        actions.reveal_phone(complaint, by=people.helper)
    assert actions.reveal_phone(complaint, by=people.town_admin, address="10.0.0.1") == (
        "13805331234"
    )
    event = ComplaintEvent.objects.filter(complaint=complaint, action="reveal_phone").get()
    assert event.by == people.town_admin and event.data == {"address": "10.0.0.1"}
