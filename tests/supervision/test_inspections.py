"""Inspections (明查暗访) through their actions: the full score by the point's level, deductions
capped, photos required and checked, who may inspect where, who sees a draft and who a submitted
inspection, and each finding becoming a rectification the point's lead closes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bangban.feedback import actions as feedback
from bangban.feedback.errors import FeedbackError
from bangban.feedback.models import Rectification
from bangban.network.models import Region, Role
from bangban.supervision import actions
from bangban.supervision.actions import ItemData, SectionData
from bangban.supervision.errors import SupervisionError
from bangban.supervision.models import Finding, Inspection, InspectionPhoto
from bangban.supervision.rules import point_level
from bangban.supervision.scope import inspections_for, points_to_inspect
from tests.supervision.inspecting import (  # noqa: F401 - fixtures
    PNG,
    checklist,
    checklist_item,
    inspect,
    photo,
)


def _refused(call, field: str) -> str:
    with pytest.raises(SupervisionError) as caught:
        call()
    assert field in caught.value.errors, caught.value.errors
    return " ".join(caught.value.errors[field])


def test_point_levels(people):
    assert point_level(people.centre) == "county"
    assert point_level(people.town) == "town"
    assert point_level(people.station) == "village"
    assert point_level(people.partner) == "partner"


def test_the_full_score_counts_the_items_that_apply_to_the_points_level(people, inspect):  # noqa: F811
    assert inspect().full_score == Decimal("40")
    assert inspect(point=people.partner).full_score == Decimal("25")
    assert inspect(point=people.centre).full_score == Decimal("40")


def test_deductions_are_per_occurrence_up_to_the_cap(people, inspect, checklist_item):  # noqa: F811
    inspection = inspect()
    dress = checklist_item("工作人员统一着装")
    finding = actions.record_finding(
        inspection, item=dress, occurrences=1, note="一人未穿工装", by=people.supervisor
    )
    assert finding.deducted == Decimal("3")
    finding = actions.record_finding(
        inspection, item=dress, occurrences=5, note="均未穿工装", by=people.supervisor
    )
    assert finding.deducted == Decimal("6")  # capped
    assert (finding.item_text, finding.deduction_each, finding.cap) == (
        "工作人员统一着装",
        Decimal("3"),
        Decimal("6"),
    )
    assert Finding.objects.filter(inspection=inspection).count() == 1
    assert (
        actions.record_finding(inspection, item=dress, occurrences=0, note="", by=people.supervisor)
        is None
    )
    assert not Finding.objects.filter(inspection=inspection).exists()


def test_an_item_not_for_the_points_level_is_refused(people, inspect, checklist_item):  # noqa: F811
    message = _refused(
        lambda: actions.record_finding(
            inspect(),
            item=checklist_item("合作网点专区标识"),
            occurrences=1,
            note="",
            by=people.supervisor,
        ),
        "item",
    )
    assert "不适用" in message
    partner = inspect(point=people.partner)
    _refused(
        lambda: actions.record_finding(
            partner,
            item=checklist_item("帮办代办台账完整"),
            occurrences=1,
            note="",
            by=people.supervisor,
        ),
        "item",
    )


def test_only_the_inspector_writes_and_only_a_draft(people, inspect, checklist_item):  # noqa: F811
    inspection = inspect()
    dress = checklist_item("工作人员统一着装")
    with pytest.raises(SupervisionError) as caught:
        actions.record_finding(inspection, item=dress, occurrences=1, note="", by=people.bureau)
    assert caught.value.response()[0] == 403
    actions.submit_inspection(inspection, summary="", by=people.supervisor)
    assert "已提交" in _refused(
        lambda: actions.record_finding(
            inspection, item=dress, occurrences=1, note="", by=people.supervisor
        ),
        "status",
    )


def test_the_helper_must_serve_at_the_point(people, inspect, checklist_item):  # noqa: F811
    _refused(
        lambda: actions.record_finding(
            inspect(),
            item=checklist_item("工作人员统一着装"),
            occurrences=1,
            note="",
            helper=people.town_admin,
            by=people.supervisor,
        ),
        "helper",
    )


def test_a_photo_is_an_image_by_its_content_taken_during_the_visit(people, inspect):  # noqa: F811
    inspection = inspect(started_at=timezone.now() - dt.timedelta(hours=1))
    now = timezone.now()
    assert "JPG" in _refused(
        lambda: actions.add_photo(
            inspection,
            image=photo("a.jpg", b"%PDF-1.4 not an image"),
            taken_at=now,
            by=people.supervisor,
        ),
        "image",
    )
    _refused(
        lambda: actions.add_photo(
            inspection, image=photo("a.pdf", b"%PDF-1.4"), taken_at=now, by=people.supervisor
        ),
        "image",
    )
    assert "晚于现在" in _refused(
        lambda: actions.add_photo(
            inspection, image=photo(), taken_at=now + dt.timedelta(hours=1), by=people.supervisor
        ),
        "taken_at",
    )
    assert "早于" in _refused(
        lambda: actions.add_photo(
            inspection, image=photo(), taken_at=now - dt.timedelta(hours=2), by=people.supervisor
        ),
        "taken_at",
    )
    assert not InspectionPhoto.objects.exists()
    kept = actions.add_photo(
        inspection, image=photo("门头.png", PNG), taken_at=now, caption="门头", by=people.supervisor
    )
    assert kept.image.read().startswith(b"\x89PNG")
    actions.remove_photo(kept, by=people.supervisor)
    assert not InspectionPhoto.objects.exists()


def test_a_finding_on_a_photo_required_item_needs_a_photo(people, inspect, checklist_item):  # noqa: F811
    inspection = inspect()
    sign = actions.record_finding(
        inspection,
        item=checklist_item("门头标识规范"),
        occurrences=1,
        note="破损",
        by=people.supervisor,
    )
    message = _refused(
        lambda: actions.submit_inspection(inspection, summary="", by=people.supervisor), "photos"
    )
    assert "门头标识规范" in message
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DRAFT
    assert not Rectification.objects.exists()
    actions.add_photo(
        inspection, image=photo(), taken_at=timezone.now(), finding=sign, by=people.supervisor
    )
    actions.submit_inspection(inspection, summary="总体良好", by=people.supervisor)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    assert inspection.score == Decimal("38")
    assert inspection.submitted_at is not None


def test_the_score_is_the_full_score_less_the_deductions(people, inspect, checklist_item):  # noqa: F811
    inspection = inspect()
    for text, n in (("工作人员统一着装", 1), ("帮办代办台账完整", 9)):
        actions.record_finding(
            inspection, item=checklist_item(text), occurrences=n, note="", by=people.supervisor
        )
    actions.submit_inspection(inspection, summary="", by=people.supervisor)
    inspection.refresh_from_db()
    assert inspection.score == Decimal("40") - 3 - 20


def test_a_draft_is_its_inspectors_alone_and_everyones_once_submitted(people, inspect):  # noqa: F811
    inspection = inspect()
    for user in (people.lead, people.helper, people.town_admin, people.bureau, people.special):
        assert not inspections_for(user).filter(pk=inspection.pk).exists(), user
    assert inspections_for(people.supervisor).filter(pk=inspection.pk).exists()
    actions.submit_inspection(inspection, summary="", by=people.supervisor)
    for user in (people.lead, people.helper, people.town_admin, people.bureau):
        assert inspections_for(user).filter(pk=inspection.pk).exists(), user
    assert not inspections_for(people.special).filter(pk=inspection.pk).exists()
    assert not inspections_for(people.other_town_admin).filter(pk=inspection.pk).exists()


def test_each_finding_becomes_a_rectification_the_point_lead_closes(  # noqa: F811
    people,
    inspect,  # noqa: F811
    checklist_item,  # noqa: F811
):
    inspection = inspect()
    finding = actions.record_finding(
        inspection,
        item=checklist_item("工作人员统一着装"),
        occurrences=1,
        note="未穿工装",
        helper=people.helper,
        by=people.supervisor,
    )
    actions.submit_inspection(inspection, summary="", by=people.supervisor)
    finding.refresh_from_db()
    rect = finding.rectification
    assert rect is not None
    assert (rect.subject, rect.level, rect.point, rect.town) == (
        "finding",
        "point",
        people.station,
        people.town,
    )
    assert rect.helper_id == people.helper.pk and rect.anonymous
    with pytest.raises(FeedbackError):
        feedback.verify(
            rect,
            is_true=True,
            is_reasonable=True,
            is_malicious=False,
            note="属实",
            by=people.helper,
        )
    rect = feedback.verify(
        rect, is_true=True, is_reasonable=True, is_malicious=False, note="属实", by=people.lead
    )
    rect = feedback.fix(rect, measures="已统一着装", by=people.lead)
    rect = feedback.reply(rect, text="已整改", by=people.lead)
    assert rect.status == "closed"
    assert rect.closed_on == timezone.localdate()


def test_a_partner_stations_finding_has_no_town(people, inspect, checklist_item):  # noqa: F811
    inspection = inspect(point=people.partner)
    actions.record_finding(
        inspection,
        item=checklist_item("合作网点专区标识"),
        occurrences=2,
        note="",
        by=people.supervisor,
    )
    actions.submit_inspection(inspection, summary="", by=people.supervisor)
    rect = Finding.objects.get(inspection=inspection).rectification
    assert (rect.level, rect.town) == ("point", None)


def test_the_special_supervisor_inspects_their_regions_points_only(people, make_account, checklist):  # noqa: F811
    special = people.special
    assert points_to_inspect(special).filter(pk=people.station.pk).exists()
    # 高青县, a county of the same city: a supervisor bound there may not inspect Yiyuan's points.
    other = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=people.county.parent
    )
    stranger = make_account(Role.SPECIAL_SUPERVISOR, other)
    assert not points_to_inspect(stranger).filter(county=people.county).exists()
    assert "不能检查" in _refused(
        lambda: actions.start_inspection(
            people.station, checklist=checklist, announced=False, by=stranger
        ),
        "point",
    )
    mine = actions.start_inspection(
        people.station, checklist=checklist, announced=False, by_kind="bureau", by=special
    )
    assert mine.by == Inspection.By.SPECIAL
    theirs = actions.start_inspection(
        people.station, checklist=checklist, announced=True, by_kind="bureau", by=people.supervisor
    )
    actions.submit_inspection(theirs, summary="", by=people.supervisor)
    assert list(inspections_for(special)) == [mine]


def test_a_non_special_inspector_may_not_call_themselves_special(people, checklist):  # noqa: F811
    _refused(
        lambda: actions.start_inspection(
            people.station,
            checklist=checklist,
            announced=False,
            by_kind="special",
            by=people.supervisor,
        ),
        "by_kind",
    )
    _refused(
        lambda: actions.start_inspection(
            people.station, checklist=checklist, announced=False, by_kind="bureau", by=people.lead
        ),
        "point",
    )


def test_an_inactive_checklist_is_refused(people, checklist):  # noqa: F811
    off = actions.save_checklist(
        people.county,
        name="停用的评分表",
        sections=[SectionData("标识", [ItemData("门头", 10, 2, 5, "look")])],
        active=False,
        by=people.bureau,
    )
    _refused(
        lambda: actions.start_inspection(
            people.station, checklist=off, announced=False, by_kind="bureau", by=people.supervisor
        ),
        "checklist",
    )


def test_a_draft_may_be_discarded(people, inspect, checklist_item):  # noqa: F811
    inspection = inspect()
    actions.add_photo(inspection, image=photo(), taken_at=timezone.now(), by=people.supervisor)
    actions.discard_inspection(inspection, by=people.supervisor)
    assert not Inspection.objects.filter(pk=inspection.pk).exists()
    assert not InspectionPhoto.objects.exists()
