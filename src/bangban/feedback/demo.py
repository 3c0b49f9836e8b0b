"""Demo data of 好差评 for Yiyuan, written through the real actions: the county's first reasons (if
the network's change did not give them already), a rating device at the county centre's dedicated
zone (its token printed once), and a few cases registered at the zone with their occasions rated —
by the QR page's rule, on the device and on a paper card — so that the pages are not empty. Called
by `bangban demo` after the other apps' demo data (network/management/commands/demo.py)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from bangban.cases.actions import ApplicantData, Registration, register_case
from bangban.cases.errors import CaseError
from bangban.cases.identifiers import resident_id_check_character
from bangban.cases.models import Case
from bangban.catalog.models import ServiceItem
from bangban.network.demo import Demo
from bangban.network.models import Membership, Role, ServicePoint

from .actions import (
    enter_card,
    give_default_reasons,
    push_occasion,
    rate_occasion,
    rate_on_device,
    register_device,
)
from .errors import FeedbackError
from .models import Channel, RatingDevice
from .rules import rater_digest

DEVICE_NAME = "专区一号窗口评价器"
#: A one-pixel PNG: the demo card's "scan".
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201b5a4e1e80000000049454e44ae426082"
)
#: (the first 17 digits of the ID number, name, phone); the check character is computed.
APPLICANTS = [
    ("37032319500312101", "王桂兰", "13805331001"),
    ("37032319620708152", "李建国", "13805331002"),
    ("37032319781123004", "张秀英", "13805331003"),
]


def _people(zone: ServicePoint):
    """Two who serve at the zone: the one who registers and is rated, another who enters cards."""
    serving = list(
        Membership.objects.filter(point=zone, role__in=[Role.HELPER, Role.POINT_LEAD])
        .select_related("user")
        .order_by("role", "pk")
    )
    users = [m.user for m in serving if hasattr(m.user, "helper_profile")]
    return (users[0], users[1]) if len(users) >= 2 else (None, None)


def _register(zone, helper, today) -> list[Case]:
    items = ServiceItem.objects.filter(county=zone.county, active=True).select_related("current")
    cases = []
    for body, name, phone in APPLICANTS:
        number = body + resident_id_check_character(body)
        for item in items[:20]:
            try:
                registration = Registration(
                    applicant=ApplicantData(
                        kind="person",
                        name=name,
                        document_type="resident_id",
                        number=number,
                        phone=phone,
                    ),
                    item=item,
                    kind="assisted",
                    mode="on_site",
                    channel="walk_in",
                    received_on=today,
                    responsible=helper,
                )
                cases.append(register_case(zone, registration=registration, by=helper))
                break
            except CaseError:
                continue
    return cases


@transaction.atomic
def extend_demo(demo: Demo) -> list[str]:
    county = demo.county
    give_default_reasons(county, by=None)
    zone = ServicePoint.objects.filter(county=county, kind=ServicePoint.Kind.DEDICATED_ZONE).first()
    if zone is None or RatingDevice.objects.filter(point=zone, name=DEVICE_NAME).exists():
        return []
    helper, colleague = _people(zone)
    admin = (
        Membership.objects.filter(role=Role.REGION_ADMIN, region=county)
        .select_related("user")
        .first()
    )
    device, token = register_device(zone, name=DEVICE_NAME, by=admin.user if admin else None)
    lines = [f"评价器“{DEVICE_NAME}”（{zone.name}），令牌 {token}"]
    if helper is None:
        return lines
    today = timezone.localdate()
    cases = _register(zone, helper, today)
    rated = 0
    for index, case in enumerate(cases):
        occasion = case.occasions.order_by("-sequence").first()
        if occasion is None:  # the ledger writes no occasions yet
            continue
        try:
            if index == 0:
                rate_occasion(
                    occasion,
                    level=5,
                    channel=Channel.QR,
                    reasons=["warm", "done-at-once"],
                    rater_phone_digest=rater_digest(case),
                )
            elif index == 1:
                push_occasion(device, occasion=occasion, by=helper)
                rate_on_device(device, level=4, reasons=["quick"])
            elif case.rating_card and colleague is not None:
                enter_card(
                    case,
                    occasion=occasion,
                    level=2,
                    reasons=["many-trips"],
                    comment="材料没有一次说清楚，跑了两趟。",
                    scan=ContentFile(PNG, name="card.png"),
                    by=colleague,
                )
            else:
                continue
            rated += 1
        except FeedbackError:
            continue
    lines.append(f"好差评：办件 {len(cases)} 件，评价 {rated} 条（扫码、评价器、纸质评价卡）。")
    return lines
