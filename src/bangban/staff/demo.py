"""Demo helpers and trainings for Yiyuan, some points deliberately out of compliance so the compliance
page shows both colours. Called by `bangban demo` after the network (see network/demo.py)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from bangban.network.actions import index_users
from bangban.network.demo import DEMO_PASSWORD, Demo
from bangban.network.models import (
    SERVING_ROLES,
    Domain,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    Membership,
    Role,
    ServicePoint,
)

from . import actions
from .models import Helper, TrainingAttendance, TrainingOrganiser, TrainingSession

Kind = ServicePoint.Kind

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = "秀英桂英秀兰玉兰桂兰秀珍凤英玉珍玉梅丽娟建华建国建军志强志刚海燕海霞晓燕晓红春梅红梅明亮伟东立新文静雪梅丽丽婷婷晓东子涵宇航欣怡浩然"

#: Points kept out of compliance on purpose (by name), and how.
SHORT_STAFFED_SUBZONE = "税务帮办代办分区"  # one qualified helper of the two required
SHORT_OF_TRAININGS = {"县医疗保障局", "张家坡镇", "沂源县华联超市"}  # one training this year


def _name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(0, len(GIVEN) - 1, 2) :][:2]
    return rng.choice(SURNAMES) + (given if rng.random() < 0.7 else given[0])


def _staffing_plan(rng: random.Random, points) -> list[tuple[ServicePoint, dict]]:
    """(point, helper attributes) for each helper to create."""
    plan = []
    for point in points:
        if point.kind == Kind.DEDICATED_ZONE:
            plan += [(point, {"role": Role.POINT_LEAD})] + [(point, {})] * 2
        elif point.kind == Kind.DOMAIN_SUBZONE:
            second = {"trained": False} if point.name == SHORT_STAFFED_SUBZONE else {}
            plan += [(point, {"role": Role.POINT_LEAD}), (point, second)]
        elif point.kind in (Kind.DEPARTMENT_WINDOW, Kind.PARTNER_STATION):
            plan.append((point, {}))
        elif point.kind == Kind.TOWN_CENTRE:
            plan += [(point, {"role": Role.POINT_LEAD}), (point, {})]
        elif point.kind == Kind.VILLAGE_STATION:
            roll = rng.random()
            if roll < 0.04:
                plan.append((point, {"full_time": False}))  # only a part-timer
            elif roll < 0.07:
                plan.append((point, {"new": True}))  # started less than a year ago
            elif roll < 0.09:
                plan.append((point, {"passed": False}))  # failed the training
            elif roll < 0.10:
                plan.append((point, {"left": True}))  # the helper has left
            else:
                plan.append((point, {}))
            if rng.random() < 0.15:
                plan.append((point, {"full_time": False}))
    return plan


@transaction.atomic
def extend_demo(demo: Demo) -> list[str]:
    """Helpers at every point of the county, training organisers and this year's trainings."""
    county = demo.county
    if Helper.objects.filter(user__memberships__point__county=county).exists():
        return []
    rng = random.Random(370323)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    organisers = actions.set_up_organisers(county, by=None)
    points = list(
        ServicePoint.objects.filter(county=county, active=True)
        .exclude(kind=Kind.COUNTY_CENTRE)
        .order_by("pk")
    )
    plan = _staffing_plan(rng, points)

    # Bulk, with one password hash for all: hashing 700 passwords one by one takes minutes.
    User = get_user_model()
    demo_accounts = list(
        User.objects.filter(
            memberships__point__county=county,
            memberships__role__in=SERVING_ROLES,
            helper_profile__isnull=True,
        ).distinct()
    )
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"yy{index:04d}", first_name=_name(rng), password=password)
        for index in range(1, len(plan) + 1)
    )
    index_users(user.pk for user in users)
    Membership.objects.bulk_create(
        Membership(user=user, role=attrs.get("role", Role.HELPER), point=point)
        for user, (point, attrs) in zip(users, plan, strict=True)
    )
    domains = {d.code: d for d in Domain.objects.all()}
    helpers = []
    for user, (point, attrs) in zip(users, plan, strict=True):
        started = today - dt.timedelta(
            days=rng.randint(200, 300) if attrs.get("new") else rng.randint(400, 4000)
        )
        helpers.append(
            Helper(
                user=user,
                full_time=attrs.get("full_time", True),
                origin=rng.choice(
                    [Helper.Origin.VILLAGE_COMMITTEE, Helper.Origin.RESIDENTS_COMMITTEE]
                    if point.kind == Kind.VILLAGE_STATION
                    else [
                        Helper.Origin.WINDOW,
                        Helper.Origin.DEPARTMENT,
                        Helper.Origin.PARTY_BRANCH,
                    ]
                ),
                started_on=started,
                left_on=today - dt.timedelta(days=30) if attrs.get("left") else None,
                work_phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            )
        )
    # The demo login accounts that serve at a point get a profile too (qualified).
    for user in demo_accounts:
        membership = user.memberships.filter(point__isnull=False).select_related("point").first()
        users.append(user)
        plan.append((membership.point, {"role": membership.role}))
        helpers.append(
            Helper(
                user=user,
                origin=Helper.Origin.VILLAGE_COMMITTEE,
                started_on=today - dt.timedelta(days=1200),
                work_phone="13953300000",
            )
        )
    Helper.objects.bulk_create(helpers)
    through = Helper.domains.through
    through.objects.bulk_create(
        through(helper_id=helper.pk, domain_id=domains[point.domain.code].pk)
        for helper, (point, _attrs) in zip(helpers, plan, strict=True)
        if point.domain_id
    )

    # Trainings: two this year per organiser (one for those short on purpose), last year's too.
    attendees: dict[int, list[tuple[Helper, dict]]] = {}
    helper_of_point = list(zip(helpers, plan, strict=True))
    for organiser in organisers:
        served = set(organiser.points.values_list("pk", flat=True))
        attendees[organiser.pk] = [
            (h, attrs) for h, (point, attrs) in helper_of_point if point.pk in served
        ]
    sessions = []
    this_year = [dt.date(today.year, 3, 18), dt.date(today.year, 9, 16)]
    for organiser in organisers:
        days = [dt.date(today.year - 1, 4, 12), dt.date(today.year - 1, 10, 20)]
        short = organiser.name in SHORT_OF_TRAININGS
        days += [d for d in this_year[: 1 if short else 2] if d <= today]
        sessions += [
            TrainingSession(organiser=organiser, held_on=day, topic=_topic(organiser, day))
            for day in days
        ]
    TrainingSession.objects.bulk_create(sessions)
    attendance = []
    for session in sessions:
        for helper, attrs in attendees[session.organiser_id]:
            if attrs.get("trained") is False or session.held_on < helper.started_on:
                continue
            attendance.append(
                TrainingAttendance(session=session, helper=helper, passed=attrs.get("passed", True))
            )
    TrainingAttendance.objects.bulk_create(attendance, ignore_conflicts=True)
    equipment = _equipment(rng, today, helper_of_point)
    short = TrainingOrganiser.objects.filter(county=county).short_of_trainings(today.year).count()
    return [
        f"帮办代办员 {len(helpers)} 名（用户名 yy0001 起，密码同上），"
        f"培训组织单位 {len(organisers)} 个，培训 {len(sessions)} 场；"
        f"本年度培训不足两场的组织单位 {short} 个；设施设备 {equipment} 件。"
    ]


#: What each kind of point keeps: (equipment kind code, quantity).
KIT = {
    Kind.DEDICATED_ZONE: [
        ("desk_chair", 6),
        ("computer", 4),
        ("document_camera", 3),
        ("printer", 2),
        ("copier", 1),
        ("self_service_terminal", 3),
        ("reading_glasses", 6),
        ("pens", 20),
        ("glue", 4),
        ("ink_pad", 3),
    ],
    Kind.DOMAIN_SUBZONE: [
        ("desk_chair", 3),
        ("computer", 2),
        ("document_camera", 1),
        ("printer", 1),
    ],
    Kind.DEPARTMENT_WINDOW: [("desk_chair", 2), ("computer", 1), ("printer", 1)],
    Kind.TOWN_CENTRE: [
        ("desk_chair", 4),
        ("computer", 2),
        ("document_camera", 1),
        ("printer", 1),
        ("self_service_terminal", 1),
        ("reading_glasses", 3),
        ("pens", 10),
    ],
    Kind.VILLAGE_STATION: [
        ("desk_chair", 2),
        ("computer", 1),
        ("printer", 1),
        ("reading_glasses", 2),
        ("pens", 5),
        ("ink_pad", 1),
    ],
    Kind.PARTNER_STATION: [("desk_chair", 2), ("computer", 1), ("self_service_terminal", 1)],
}


def _equipment(rng: random.Random, today: dt.date, helper_of_point) -> int:
    """Equipment at every point, looked after by a helper there and checked this quarter — but a
    few stations' checks are overdue and a few printers are faulty."""
    kinds = {k.code: k for k in EquipmentKind.objects.all()}
    keeper: dict[int, object] = {}
    for helper, (point, _attrs) in helper_of_point:
        keeper.setdefault(point.pk, (point, helper.user))
    items, checks = [], []
    for point, user in keeper.values():
        overdue = point.kind == Kind.VILLAGE_STATION and rng.random() < 0.05
        for code, quantity in KIT.get(point.kind, []):
            kind = kinds[code]
            item = Equipment(
                point=point,
                kind=kind,
                quantity=quantity,
                responsible=user,
                added_on=today - dt.timedelta(days=400),
            )
            faulty = code == "printer" and rng.random() < 0.03
            if faulty:
                item.state = Equipment.State.FAULTY
            items.append(item)
            days_ago = (
                kind.check_interval_days + rng.randint(10, 60) if overdue else rng.randint(3, 60)
            )
            checks.append(
                EquipmentCheck(
                    equipment=item,
                    checked_on=today - dt.timedelta(days=days_ago),
                    checked_by=user,
                    result=EquipmentCheck.Result.FAULTY if faulty else EquipmentCheck.Result.OK,
                    fault="卡纸，送修中" if faulty else "",
                )
            )
    Equipment.objects.bulk_create(items)
    for check in checks:
        check.equipment_id = check.equipment.pk
    EquipmentCheck.objects.bulk_create(checks)
    return len(items)


TOPICS = [
    "帮办代办服务规范与文明用语",
    "一次性告知与首问负责制",
    "网上办、掌上办操作指导",
    "重点事项办理流程",
]


def _topic(organiser: TrainingOrganiser, day: dt.date) -> str:
    return f"{organiser.name}{day.year}年第{1 if day.month < 7 else 2}期：{TOPICS[(day.month + organiser.pk) % len(TOPICS)]}"
