"""Demo data of supervision for Yiyuan, written through the real actions: the county's default
inspection checklist (if the network's change did not give it already), and three complaints and
requests received through `actions.receive` — a 12345 投诉 about a village station of 鲁村镇, signed
for by the town's administrator (the demo account `lucun_admin`), which opens its rectification; a
建议 through the director's mailbox; a 求助 at the window of the dedicated zone. And two inspections
through the inspection actions: the county supervisor's (the demo account `supervisor`) unannounced
visit to the rural bank's partner station, submitted with one finding (its rectification open for
the station's lead), and the special supervisor's (`tejian`, made with the network's demo accounts)
announced visit to the village station, still a draft. Called by `bangban demo` after the other
apps' demo data (network/management/commands/demo.py); run again, it adds nothing (the 12345 ticket
number and each inspector's inspection are its marks)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from bangban.network.demo import Demo
from bangban.network.models import Membership, Role, ServicePoint

from .actions import (
    give_default_checklist,
    receive,
    record_finding,
    sign,
    start_inspection,
    submit_inspection,
)
from .actions.inspections import applicable_items
from .models import Category, Checklist, Complaint, Inspection, Kind, Source
from .workflow import Step

#: The demo ticket's number (12345 ticket numbers are unique per county).
TICKET = "ZB-DEMO-0001"


def _village_station(county) -> tuple[ServicePoint | None, object]:
    """鲁村镇's first village station (the demo accounts' station) and its helper, if any."""
    station = (
        ServicePoint.objects.filter(
            county=county, kind=ServicePoint.Kind.VILLAGE_STATION, parent__region__name="鲁村镇"
        )
        .order_by("pk")
        .first()
    )
    if station is None:
        return None, None
    helper = (
        Membership.objects.filter(point=station, role=Role.HELPER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return station, helper.user if helper else None


def _receive_all(county, station, helper, today: dt.date) -> Complaint:
    zone = ServicePoint.objects.filter(county=county, kind=ServicePoint.Kind.DEDICATED_ZONE).first()
    hotline = receive(
        county=county,
        source=Source.HOTLINE,
        ticket_no=TICKET,
        kind=Kind.COMPLAINT,
        category=Category.BUCK,
        title="村便民服务站不给帮办社保卡挂失",
        content="到村便民服务站办理社保卡挂失，工作人员说不归他们管，让去镇上办。",
        name="王女士",
        phone="13805331234",
        point=station,
        helper=helper,
        received_on=today,
    )
    receive(
        county=county,
        source=Source.MAILBOX,
        kind=Kind.SUGGESTION,
        category=Category.EFFICIENCY,
        title="建议在帮办代办专区增加周末预约服务",
        content="上班族工作日没时间，建议专区周六上午可以预约办理。",
        name="李先生",
        phone="13805335678",
        received_on=today,
    )
    receive(
        county=county,
        source=Source.WINDOW,
        kind=Kind.HELP,
        category=Category.OTHER,
        title="老人不会网上申报养老待遇认证",
        content="家中老人行动不便，不会用手机做养老待遇认证，请求帮办代办员上门帮助。",
        name="张大爷",
        phone="13805339012",
        point=zone,
        received_on=today,
    )
    return hotline


#: The partner station the supervisor visits: the rural bank's (the demo account `bank_admin`'s).
BANK = "沂源农村商业银行"


def _user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _inspect_bank(county, checklist: Checklist, supervisor) -> bool:
    """The supervisor's unannounced visit to the bank's partner station an hour ago, submitted with
    one finding on the first item that applies there and needs no photo."""
    bank = (
        ServicePoint.objects.filter(county=county, organisation__name=BANK).order_by("pk").first()
    )
    if bank is None:
        return False
    item = next((i for i in applicable_items(checklist, bank) if not i.photo_required), None)
    if item is None:
        return False
    now = timezone.now()
    inspection = start_inspection(
        bank,
        checklist=checklist,
        announced=False,
        by=supervisor,
        by_kind=Inspection.By.BUREAU,
        started_at=now - dt.timedelta(hours=1),
    )
    record_finding(
        inspection, item=item, occurrences=1, note="暗访时发现该项不符合要求。", by=supervisor
    )
    submit_inspection(
        inspection,
        summary="网点整体运行正常，发现问题 1 处，请网点负责人限期整改。",
        ended_at=now - dt.timedelta(minutes=20),
        by=supervisor,
    )
    return True


def _inspections(county) -> list[str]:
    """The two demo inspections, each once (its inspector's only inspection in the county)."""
    checklist = Checklist.objects.filter(county=county, active=True).order_by("pk").first()
    if checklist is None:
        return []
    lines = []
    supervisor, special = _user("supervisor"), _user("tejian")
    ours = Inspection.objects.filter(county=county)
    if (
        supervisor is not None
        and not ours.filter(inspector=supervisor).exists()
        and _inspect_bank(county, checklist, supervisor)
    ):
        lines.append("明查暗访：县监督员暗访农商银行合作网点 1 次（已提交，1 个问题待整改）。")
    station, _helper = _village_station(county)
    if special is not None and station is not None and not ours.filter(inspector=special).exists():
        start_inspection(station, checklist=checklist, announced=True, by=special)
        lines.append("明查暗访：特邀监督员 tejian 明查鲁村镇村便民服务站 1 次（草稿）。")
    return lines


def _complaints(county) -> list[str]:
    if Complaint.objects.filter(county=county, source=Source.HOTLINE, ticket_no=TICKET).exists():
        return []
    station, helper = _village_station(county)
    if station is None:
        return []
    hotline = _receive_all(county, station, helper, timezone.localdate())
    town_admin = _user("lucun_admin")
    if town_admin is not None and hotline.status == Step.RECEIVED:
        sign(hotline, by=town_admin)
    return ["诉求：12345 投诉 1 件（鲁村镇已签收）、局长信箱建议 1 件、窗口求助 1 件。"]


def extend_demo(demo: Demo) -> list[str]:
    county = demo.county
    lines = []
    if give_default_checklist(county, by=None) is not None:
        lines.append("督查评分表：帮办代办服务点督查评分表（默认，100 分）。")
    return lines + _complaints(county) + _inspections(county)
