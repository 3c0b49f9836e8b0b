"""The morning warnings of complaints (`supervision.actions.deadlines.send_warnings`, run at 8:30 by
`supervision.tasks`): each yellow or red complaint texts its handlers — the town's administrators,
or the bureau's region administrators for the bureau's — once a day, recorded on its timeline; never
the person accused, never a complaint answered."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.messaging.models import Message
from bangban.supervision import actions, tasks
from bangban.supervision.actions.deadlines import send_warnings
from bangban.supervision.models import Category, Complaint
from tests.feedback.rectifying import work_phone  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date
FRIDAY = D(2026, 11, 20)
DUE = D(2026, 11, 27)  # the 5th working day after FRIDAY


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=CST), tick=False)


@pytest.fixture
def phones(people, work_phone):  # noqa: F811
    work_phone(people.town_admin, "13905330001")
    work_phone(people.bureau, "13905330002")
    work_phone(people.other_town_admin, "13905330003")
    work_phone(people.helper, "13905330004")  # the person accused


@pytest.fixture
def ticket(complain):
    def make(**changes):
        with at(FRIDAY):
            return complain(received_on=FRIDAY, **changes)

    return make


def sent_since(before: int) -> list[tuple[str, str]]:
    return list(Message.objects.order_by("pk")[before:].values_list("recipient_masked", "body"))


def test_a_yellow_complaint_texts_the_town_once_a_day(ticket, phones):
    complaint = ticket()
    assert complaint.due == DUE
    before = Message.objects.count()
    assert send_warnings(D(2026, 11, 25)) == 0  # not yet
    assert send_warnings(D(2026, 11, 26)) == 1  # the working day before the due day
    assert sent_since(before) == [
        (
            "139****0001",
            f"【帮办代办】黄牌：诉求 {complaint.number}（村代办点不给帮办）答复期限为 2026-11-27，"
            "请抓紧办理。",
        )
    ]
    assert send_warnings(D(2026, 11, 26)) == 0  # run again the same day: nothing twice
    assert send_warnings(DUE) == 1  # the due day: again
    assert send_warnings(D(2026, 11, 28)) == 1  # red
    red = sent_since(before)[-1]
    assert red[0] == "139****0001" and red[1].startswith("【帮办代办】红牌：")
    events = Complaint.objects.get(pk=complaint.pk).events.filter(action="warning")
    assert [(e.data["level"], e.data["on"], e.data["recipients"]) for e in events] == [
        ("yellow", "2026-11-26", 1),
        ("yellow", "2026-11-27", 1),
        ("red", "2026-11-28", 1),
    ]


def test_a_bureau_complaint_texts_the_bureau_never_the_town_or_the_accused(ticket, phones):
    complaint = ticket(category=Category.FEE)
    assert complaint.level == "bureau"
    before = Message.objects.count()
    assert send_warnings(D(2026, 11, 26)) == 1
    assert [phone for phone, _ in sent_since(before)] == ["139****0002"]


def test_the_person_accused_is_not_texted_even_as_a_town_admin(ticket, people, phones):
    from bangban.network.accounts import grant_membership
    from bangban.network.models import Role

    grant_membership(people.helper, role=Role.TOWN_ADMIN, binding=people.town, by=None)
    complaint = ticket()
    assert complaint.helper == people.helper
    before = Message.objects.count()
    assert send_warnings(D(2026, 11, 26)) == 1
    assert [phone for phone, _ in sent_since(before)] == ["139****0001"]


def test_an_answered_complaint_is_not_warned(ticket, people, phones):
    complaint = ticket(kind="consult")
    with at(FRIDAY):
        complaint = actions.sign(complaint, by=people.town_admin)
    with at(D(2026, 11, 26)):
        actions.answer(complaint, text="已电话解答。", by=people.town_admin)
    assert send_warnings(D(2026, 11, 30)) == 0


def test_the_morning_task_sends_them(ticket, phones):
    ticket()
    before = Message.objects.count()
    with at(D(2026, 11, 26), hour=8):
        tasks.warn_complaints.call_local()
    assert len(sent_since(before)) == 1
