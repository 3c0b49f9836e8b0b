"""The Yiyuan demo: the real division data, the county centre's zones and windows, partner stations,
hours, and one account per role. Built through the importer and the actions, like real data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module

from django.contrib.auth import get_user_model
from django.db import transaction

from . import actions
from .actions import STANDARD_WEEK, Period
from .divisions import import_divisions, yiyuan_files
from .models import (
    Department,
    Domain,
    Membership,
    OpeningHours,
    PartnerOrganisation,
    Region,
    Role,
    ServicePoint,
)

Kind = ServicePoint.Kind
YIYUAN = "370323"
DEMO_PASSWORD = "Bangban-demo-2026"  # noqa: S105 - printed for the demo, refused in production

#: The domain of each sub-zone and the department that staffs it.
SUBZONES = [
    ("enterprise_startup", "县行政审批服务局"),
    ("investment_projects", "县行政审批服务局"),
    ("comprehensive_acceptance", "县行政审批服务局"),
    ("human_resources_social_security", "县人力资源和社会保障局"),
    ("medical_insurance", "县医疗保障局"),
    ("public_security", "县公安局"),
    ("tax", "国家税务总局沂源县税务局"),
    ("housing_provident_fund", "淄博市住房公积金管理中心沂源分中心"),
    ("marriage_registration", "县民政局"),
    ("justice", "县司法局"),
]

#: Departments in the centre without a sub-zone of their own: one window each.
WINDOWS = ["县自然资源局", "县住房和城乡建设局", "县不动产登记中心", "县残疾人联合会"]

PARTNERS = [
    ("中国农业银行沂源县支行", PartnerOrganisation.PartnerType.BANK),
    ("沂源农村商业银行", PartnerOrganisation.PartnerType.BANK),
    ("中国邮政集团有限公司沂源县分公司", PartnerOrganisation.PartnerType.POST),
    ("沂源县华联超市", PartnerOrganisation.PartnerType.SUPERMARKET),
    ("中国联通沂源县分公司", PartnerOrganisation.PartnerType.TELECOM),
]

#: (organisation, town, station name, address)
PARTNER_STATIONS = [
    (
        "中国农业银行沂源县支行",
        "南麻街道",
        "农行沂源支行营业部帮办代办服务站",
        "南麻街道胜利路 12 号",
    ),
    ("沂源农村商业银行", "鲁村镇", "沂源农商银行鲁村支行帮办代办服务站", "鲁村镇鲁村大街 56 号"),
    ("沂源农村商业银行", "东里镇", "沂源农商银行东里支行帮办代办服务站", "东里镇东里大街 8 号"),
    (
        "中国邮政集团有限公司沂源县分公司",
        "历山街道",
        "历山邮政支局帮办代办服务站",
        "历山街道鲁山路 3 号",
    ),
    (
        "中国邮政集团有限公司沂源县分公司",
        "悦庄镇",
        "悦庄邮政所帮办代办服务站",
        "悦庄镇悦新路 21 号",
    ),
    ("沂源县华联超市", "南麻街道", "华联超市城区店帮办代办服务站", "南麻街道振兴路 88 号"),
    ("中国联通沂源县分公司", "历山街道", "联通营业厅帮办代办服务站", "历山街道瑞阳路 15 号"),
]

SATURDAY_APPOINTMENTS = [Period(6, dt.time(9), dt.time(12), OpeningHours.Kind.APPOINTMENT)]
EXTENDED_EVENINGS = [
    Period(day, dt.time(17, 30), dt.time(19), OpeningHours.Kind.EXTENDED) for day in range(1, 6)
]
OFF_PEAK_NOONS = [
    Period(day, dt.time(12), dt.time(13, 30), OpeningHours.Kind.OFF_PEAK) for day in range(1, 6)
]


@dataclass
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass
class Demo:
    county: Region
    centre: ServicePoint
    logins: list[DemoLogin] = field(default_factory=list)


def is_loaded() -> bool:
    return (
        ServicePoint.objects.filter(kind=Kind.DEDICATED_ZONE, county__code=YIYUAN).exists()
        and get_user_model().objects.filter(username="county_admin").exists()
    )


def seed_domains() -> None:
    """The ten sub-zone domains, as the migration seeds them (again after a test database flush)."""
    seed = import_module("bangban.network.migrations.0002_seed_domains")
    for position, (code, name) in enumerate(seed.DOMAINS, start=1):
        Domain.objects.update_or_create(code=code, defaults={"name": name, "position": position})


@transaction.atomic
def build_yiyuan(*, accounts: bool = True) -> Demo:
    seed_domains()
    files = yiyuan_files()
    import_divisions(
        counties=files.counties,
        towns=files.towns,
        villages=files.villages,
        cities=files.cities,
        provinces=files.provinces,
    )
    county = Region.objects.get(code=YIYUAN)
    centre = ServicePoint.objects.get(kind=Kind.COUNTY_CENTRE, county=county)
    actions.update_point(
        centre,
        by=None,
        address="沂源县城瑞阳路与振兴路交叉口东北角",
        phone="0533-3241234",
        signage_in_place=True,
    )
    departments = {
        name: Department.objects.get_or_create(county=county, name=name)[0]
        for name in {d for _, d in SUBZONES} | set(WINDOWS)
    }
    existing = set(centre.children.values_list("name", flat=True))

    def child(kind, name, **extra):
        if name in existing:
            return ServicePoint.objects.get(parent=centre, name=name)
        return actions.create_point(centre, kind=kind, name=name, by=None, **extra)

    zone = child(
        Kind.DEDICATED_ZONE,
        "帮办代办专区",
        address="县政务服务中心一楼大厅东侧",
        phone="0533-3241200",
        signage_in_place=True,
    )
    county_points = [centre, zone]
    for number, (code, department) in enumerate(SUBZONES, start=1):
        domain = Domain.objects.get(code=code)
        county_points.append(
            child(
                Kind.DOMAIN_SUBZONE,
                f"{domain.name}帮办代办分区",
                domain=domain,
                department=departments[department],
                address=f"县政务服务中心{2 if number > 5 else 1}楼",
                phone=f"0533-32412{number:02d}",
                signage_in_place=number != 7,  # one sub-zone still lacks its sign
            )
        )
    for number, department in enumerate(WINDOWS, start=31):
        county_points.append(
            child(
                Kind.DEPARTMENT_WINDOW,
                f"{department}窗口",
                department=departments[department],
                address="县政务服务中心三楼",
                phone=f"0533-32412{number}",
                signage_in_place=True,
            )
        )

    organisations = {
        name: PartnerOrganisation.objects.get_or_create(
            county=county, name=name, defaults={"partner_type": kind}
        )[0]
        for name, kind in PARTNERS
    }
    town_centres = {
        p.region.name: p
        for p in ServicePoint.objects.filter(kind=Kind.TOWN_CENTRE, county=county).select_related(
            "region"
        )
    }
    for number, centre_of_town in enumerate(town_centres.values(), start=1):
        if not centre_of_town.phone:
            actions.update_point(
                centre_of_town,
                by=None,
                phone=f"0533-32{number:02d}5678",
                address=f"{centre_of_town.region.name}政府驻地",
                signage_in_place=number % 5 != 0,
            )
    partner_points = []
    for number, (organisation, town, name, address) in enumerate(PARTNER_STATIONS, start=1):
        parent = town_centres[town]
        station = ServicePoint.objects.filter(parent=parent, name=name).first()
        if station is None:
            station = actions.create_point(
                parent,
                kind=Kind.PARTNER_STATION,
                name=name,
                organisation=organisations[organisation],
                address=address,
                phone=f"0533-31{number:02d}0000",
                signage_in_place=True,
                by=None,
            )
        partner_points.append(station)

    for point in county_points:
        if not point.hours.exists():
            extra = SATURDAY_APPOINTMENTS + EXTENDED_EVENINGS if point.pk == zone.pk else []
            actions.set_opening_hours(point, STANDARD_WEEK + extra, by=None)
    for point in [*town_centres.values(), *partner_points]:
        if not point.hours.exists():
            actions.set_opening_hours(point, STANDARD_WEEK + OFF_PEAK_NOONS, by=None)
    _village_hours(county)
    _village_signage(county)

    demo = Demo(county=county, centre=centre)
    if accounts:
        demo.logins = _accounts(county, centre, departments, organisations, town_centres)
    return demo


def _village_hours(county: Region) -> None:
    """Village stations open on weekday mornings and afternoons (bulk: 468 stations × 10 periods)."""
    stations = ServicePoint.objects.filter(
        kind=Kind.VILLAGE_STATION, county=county, hours__isnull=True
    ).values_list("pk", flat=True)
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(
                point_id=pk,
                weekday=p.weekday,
                opens_at=p.opens_at,
                closes_at=p.closes_at,
                kind=p.kind,
            )
            for pk in stations
            for p in STANDARD_WEEK
        ],
        batch_size=2000,
    )


def _village_signage(county: Region) -> None:
    """Most village stations have put up the unified sign; every twentieth has not yet."""
    stations = ServicePoint.objects.filter(kind=Kind.VILLAGE_STATION, county=county).order_by("pk")
    ids = list(stations.values_list("pk", flat=True))
    ServicePoint.objects.filter(pk__in=[pk for i, pk in enumerate(ids) if i % 20 != 7]).update(
        signage_in_place=True
    )


#: The demo's accounts, one per role and one for the dedicated zone and a sub-zone:
#: (username, full name, role). Printed by `bangban demo` and listed in the README.
DEMO_ACCOUNTS = [
    ("county_admin", "县行政审批服务局管理员", Role.REGION_ADMIN),
    ("supervisor", "县监督员", Role.SUPERVISOR),
    ("medical_admin", "县医疗保障局管理员", Role.DEPARTMENT_ADMIN),
    ("zone_lead", "帮办代办专区负责人", Role.POINT_LEAD),
    ("subzone_lead", "医保帮办代办分区负责人", Role.POINT_LEAD),
    ("lucun_admin", "鲁村镇管理员", Role.TOWN_ADMIN),
    ("bank_admin", "农商银行管理员", Role.PARTNER_ADMIN),
    ("station_lead", "村站负责人", Role.POINT_LEAD),
    ("helper", "村站帮办代办员", Role.HELPER),
    ("tejian", "特邀监督员", Role.SPECIAL_SUPERVISOR),
]


def _accounts(county, centre, departments, organisations, town_centres) -> list[DemoLogin]:
    User = get_user_model()
    lucun = town_centres["鲁村镇"]
    village = ServicePoint.objects.filter(parent=lucun, kind=Kind.VILLAGE_STATION).order_by("pk")[0]
    bindings = {
        "county_admin": county,
        "supervisor": county,
        "medical_admin": departments["县医疗保障局"],
        "zone_lead": ServicePoint.objects.get(parent=centre, kind=Kind.DEDICATED_ZONE),
        "subzone_lead": ServicePoint.objects.get(
            parent=centre, kind=Kind.DOMAIN_SUBZONE, domain__code="medical_insurance"
        ),
        "lucun_admin": lucun,
        "bank_admin": organisations["沂源农村商业银行"],
        "station_lead": village,
        "helper": village,
        "tejian": county,
    }
    if not User.objects.filter(username="admin").exists():
        admin = User.objects.create_superuser(
            "admin", password=DEMO_PASSWORD, first_name="系统运维"
        )
        actions.index_users([admin.pk])
    for username, full_name, role in DEMO_ACCOUNTS:
        if not User.objects.filter(username=username).exists():
            actions.create_account(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                binding=bindings[username],
                full_name=full_name,
                by=None,
            )
    return demo_logins()


def demo_logins() -> list[DemoLogin]:
    """The demo's logins as they stand in the database, in the order of DEMO_ACCOUNTS (printed again
    by `bangban demo --once` when the demo is already loaded)."""
    logins = []
    if get_user_model().objects.filter(username="admin", is_superuser=True).exists():
        logins.append(DemoLogin("admin", "superuser", "全部（Django 管理后台）"))
    memberships = {
        m.user.username: m
        for m in Membership.objects.filter(
            user__username__in=[username for username, _name, _role in DEMO_ACCOUNTS]
        ).select_related("user", "region", "point", "department", "organisation")
    }
    for username, _name, _role in DEMO_ACCOUNTS:
        membership = memberships.get(username)
        if membership is not None:
            logins.append(DemoLogin(username, membership.role, str(membership.binding)))
    return logins
