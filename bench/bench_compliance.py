"""Province-scale benchmark of the compliance page (达标情况): all of Shandong with ~70,000 helpers.

    .venv/bin/python bench/bench_compliance.py                       # SQLite in a temporary file
    .venv/bin/python bench/bench_compliance.py \\
        --database-url postgres://root@127.0.0.1/bangban_bench_compliance

Imports ../shared/data/divisions/shandong-37-*.csv (62,060 village stations, 1,853 town centres,
151 county centres) and adds a dedicated zone per county, then generates in bulk (batches of 5,000):
~70,000 helpers (accounts, profiles, memberships: most full-time and trained, some part-time, some
untrained or failed, some with under a year, some left), a training organiser per county bureau and
per town with the points it trains for, this year's and last year's sessions with attendance, one
piece of equipment at most points (a few overdue), and some points without signage. Then it times
the compliance page through Django's test client for a province admin (whole province), a county
admin (370323) and a town admin (鲁村镇), with the login page as this run's baseline: median and p95
and the number of SQL queries; then the province page with every county's summary rows stale (the
first read of a day, decision 0063). `--profile` adds one province and one county request under
cProfile with each SQL query's time. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_province import (  # noqa: E402
    DIVISIONS,
    ROOT,
    bench_users,
    setup_database,
    timed,
)

BATCH = 5_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to (re)create")
    parser.add_argument("--divisions", default=str(DIVISIONS), help="folder of the NBS CSV files")
    parser.add_argument("--requests", type=int, default=30, help="requests per measurement")
    parser.add_argument("--helpers", type=int, default=70_000, help="helpers to generate")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the province page once: its SQL queries' times and cProfile's top calls",
    )
    return parser.parse_args()


def profile(label: str, fn, top: int = 12) -> None:
    """One request of `fn` under cProfile, with each SQL query's time: where a page spends."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm up
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        profiler.enable()
        fn()
        profiler.disable()
        total = (time.perf_counter() - start) * 1000
    sql = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    print(f"\nProfile of {label}: {total:.0f} ms, of which SQL {sql:.0f} ms")
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"])):
        print(f"  {float(q['time']) * 1000:7.1f} ms  {' '.join(q['sql'].split())[:110]}")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)


def step(label: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            return self

        def __exit__(self, *exc):
            print(f"  {label}: {time.perf_counter() - self.start:.1f} s", flush=True)

    return Timer()


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉凤建国志强明华丽娟海燕军伟红霞文杰春梅淑珍庆德胜永刚宏萍晓东学振长青"


def helper_name(i: int) -> str:
    """The `i`-th helper's name: a common surname and one or two given characters, spread by a
    fixed rule (no random draw, so the rest of the generation is the same whatever the names)."""
    given = GIVEN[(i * 31) % len(GIVEN)]
    if i % 3:
        given += GIVEN[(i * 17 + 5) % len(GIVEN)]
    return SURNAMES[(i * 7919) % len(SURNAMES)] + given


def generate(n_helpers: int, rng: random.Random, today: dt.date) -> dict:
    """Helpers, organisers, trainings, equipment and signage for the whole province, in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models.functions import Mod

    from bangban.network.actions import index_points, index_users
    from bangban.network.models import (
        Equipment,
        EquipmentCheck,
        EquipmentKind,
        Membership,
        Role,
        ServicePoint,
    )
    from bangban.staff.models import (
        Helper,
        TrainingAttendance,
        TrainingOrganiser,
        TrainingSession,
    )

    Kind = ServicePoint.Kind
    User = get_user_model()
    year = today.year

    with step("dedicated zones (one per county)"), transaction.atomic():
        centres = list(ServicePoint.objects.filter(kind=Kind.COUNTY_CENTRE))
        ServicePoint.objects.bulk_create(
            [
                ServicePoint(
                    kind=Kind.DEDICATED_ZONE,
                    name="帮办代办专区",
                    parent=c,
                    ancestry=f"{c.ancestry}{c.pk}/",
                    county_id=c.county_id,
                    region_id=c.region_id,
                    signage_in_place=True,
                )
                for c in centres
            ],
            batch_size=BATCH,
        )
        index_points(
            ServicePoint.objects.filter(kind=Kind.DEDICATED_ZONE).values_list("pk", flat=True)
        )

    points = list(
        ServicePoint.objects.exclude(kind=Kind.COUNTY_CENTRE).values_list(
            "pk", "kind", "parent_id", "county_id"
        )
    )
    by_kind: dict[str, list] = {}
    for row in points:
        by_kind.setdefault(row[1], []).append(row)

    with step(f"{n_helpers:,} helper accounts"), transaction.atomic():
        # Places: 3 at each zone, 2 at each town centre, 1 at each station, the rest at random.
        places = [z[0] for z in by_kind[Kind.DEDICATED_ZONE] for _ in range(3)]
        places += [t[0] for t in by_kind[Kind.TOWN_CENTRE] for _ in range(2)]
        places += [s[0] for s in by_kind[Kind.VILLAGE_STATION]]
        stations = by_kind[Kind.VILLAGE_STATION]
        while len(places) < n_helpers:
            places.append(rng.choice(stations)[0])
        places = places[:n_helpers]
        User.objects.bulk_create(
            [
                User(username=f"h{i:06d}", first_name=helper_name(i), password="!")  # noqa: S106
                for i in range(n_helpers)
            ],
            batch_size=BATCH,
        )
        user_ids = list(
            User.objects.filter(username__startswith="h")
            .order_by("username")
            .values_list("pk", flat=True)
        )
        index_users(user_ids)  # the directory's grams, as create_account writes them
    with step("helper profiles and memberships"), transaction.atomic():
        profiles = []
        for uid in user_ids:
            r = rng.random()
            started = today - dt.timedelta(days=rng.randint(400, 4000))
            if r < 0.08:  # under a year of acceptance work
                started = today - dt.timedelta(days=rng.randint(10, 360))
            left = None
            if 0.08 <= r < 0.11:  # left
                left = today - dt.timedelta(days=rng.randint(1, 200))
            profiles.append(
                Helper(
                    user_id=uid,
                    full_time=rng.random() < 0.85,
                    origin="village_committee",
                    started_on=started,
                    left_on=left,
                )
            )
        Helper.objects.bulk_create(profiles, batch_size=BATCH)
        Membership.objects.bulk_create(
            [
                Membership(user_id=uid, role=Role.HELPER, point_id=pid)
                for uid, pid in zip(user_ids, places, strict=True)
            ],
            batch_size=BATCH,
        )
        helper_of = dict(Helper.objects.values_list("user_id", "pk"))

    with step("training organisers and the points they train"), transaction.atomic():
        counties = {c[3] for c in by_kind[Kind.DEDICATED_ZONE]}
        organisers = [
            TrainingOrganiser(kind="county_bureau", name="行政审批服务局", county_id=c)
            for c in counties
        ]
        organisers += [
            TrainingOrganiser(kind="town", name=f"镇{t[0]}", county_id=t[3], town_centre_id=t[0])
            for t in by_kind[Kind.TOWN_CENTRE]
        ]
        # The network's changes made some already (a county bureau's, a town's): keep those.
        TrainingOrganiser.objects.bulk_create(organisers, batch_size=BATCH, ignore_conflicts=True)
        bureau = dict(
            TrainingOrganiser.objects.filter(kind="county_bureau").values_list("county_id", "pk")
        )
        town = dict(
            TrainingOrganiser.objects.filter(kind="town").values_list("town_centre_id", "pk")
        )
        Through = TrainingOrganiser.points.through
        links = [
            Through(trainingorganiser_id=bureau[z[3]], servicepoint_id=z[0])
            for z in by_kind[Kind.DEDICATED_ZONE]
        ]
        links += [
            Through(trainingorganiser_id=town[t[0]], servicepoint_id=t[0])
            for t in by_kind[Kind.TOWN_CENTRE]
        ]
        links += [
            Through(trainingorganiser_id=town[s[2]], servicepoint_id=s[0])
            for s in by_kind[Kind.VILLAGE_STATION]
            if s[2] in town
        ]
        Through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        trainer_of = {link.servicepoint_id: link.trainingorganiser_id for link in links}

    with step("training sessions and attendance"), transaction.atomic():
        sessions = []
        for oid in list(bureau.values()) + list(town.values()):
            sessions.append(
                TrainingSession(organiser_id=oid, held_on=dt.date(year - 1, 9, 1), topic="业务培训")
            )
            # This year: most held two or more, some one, a few none.
            held = rng.choices([0, 1, 2, 3], weights=[5, 15, 50, 30])[0]
            for k in range(held):
                sessions.append(
                    TrainingSession(
                        organiser_id=oid, held_on=dt.date(year, 3 + 3 * k, 10), topic="业务培训"
                    )
                )
        TrainingSession.objects.bulk_create(sessions, batch_size=BATCH)
        last_year = dict(
            TrainingSession.objects.filter(held_on__year=year - 1).values_list("organiser_id", "pk")
        )
        attendance = []
        for uid, pid in zip(user_ids, places, strict=True):
            r = rng.random()
            if r < 0.05:  # never trained
                continue
            attendance.append(
                TrainingAttendance(
                    session_id=last_year[trainer_of[pid]],
                    helper_id=helper_of[uid],
                    passed=r >= 0.08,  # a few failed
                )
            )
        TrainingAttendance.objects.bulk_create(attendance, batch_size=BATCH)

    with step("equipment with checks, signage"), transaction.atomic():
        kind = EquipmentKind.objects.order_by("position").first()
        checker = User.objects.create_user("checker")
        equipped = [p[0] for p in points if rng.random() < 0.9]
        Equipment.objects.bulk_create(
            [
                Equipment(point_id=pid, kind=kind, added_on=dt.date(year - 1, 1, 1))
                for pid in equipped
            ],
            batch_size=BATCH,
        )
        checks = [
            EquipmentCheck(
                equipment_id=eid,
                checked_on=today - dt.timedelta(days=rng.choice([20, 40, 60, 80, 200])),
                checked_by=checker,
                result="ok",
            )
            for eid in Equipment.objects.values_list("pk", flat=True)
        ]
        EquipmentCheck.objects.bulk_create(checks, batch_size=BATCH)
        ServicePoint.objects.update(signage_in_place=True)
        ServicePoint.objects.annotate(m=Mod("id", 12)).filter(m=0).update(signage_in_place=False)

    return {"helpers": len(user_ids), "sessions": len(sessions), "equipment": len(equipped)}


def main() -> None:
    args = parse_args()
    database = setup_database(args)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bangban.network.divisions import import_divisions
    from bangban.network.models import ServicePoint

    print(f"Database: {database}")
    total = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    folder = Path(args.divisions)
    with step("import of Shandong's divisions"):
        import_divisions(
            counties=folder / "shandong-37-counties.csv",
            towns=folder / "shandong-37-towns.csv",
            villages=folder / "shandong-37-villages.csv",
            cities=folder / "shandong-37-cities.csv",
            provinces=folder / "china-provinces.csv",
        )
    today = timezone.localdate()
    figures = generate(args.helpers, random.Random(args.seed), today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Points: {ServicePoint.objects.count():,}; helpers: {figures['helpers']:,}; "
        f"sessions: {figures['sessions']:,}; equipment: {figures['equipment']:,}; "
        f"set-up {time.perf_counter() - total:.0f} s"
    )

    users = bench_users()
    lucun = ServicePoint.objects.get(kind="town_centre", region__code="370323102")
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    n = args.requests
    url = "/staff/compliance/"
    p, c, t = clients["province"], clients["county"], clients["town"]
    station = ServicePoint.objects.filter(parent=lucun, kind="village_station").first()
    print(f"\nResponse times over {n} requests each (Django test client, in process):")
    timed("baseline: login page (anonymous)", lambda: Client().get("/login/"), n)
    timed("compliance: province admin, whole province (per city)", lambda: p.get(url), n)
    timed(
        "compliance: province admin, one city 3703 (per county)",
        lambda: p.get(url, {"region": "3703"}),
        n,
    )
    timed(
        "compliance: province admin, failing staffing only",
        lambda: p.get(url, {"fail": "staffing", "region": "37"}),
        n,
    )
    timed("compliance: county admin, 370323 (points + towns)", lambda: c.get(url), n)
    timed("compliance: town admin, 鲁村镇 (stations, page 1)", lambda: t.get(url), n)
    timed(
        "compliance: county admin, a town's failing signage",
        lambda: c.get(url, {"region": "370323102", "fail": "signage"}),
        n,
    )
    timed("cause page: a village station", lambda: t.get(f"{url}points/{station.pk}/"), n)
    from bangban.staff import compliance_summary

    def stale_province():
        compliance_summary.changed(None)  # every county stale: the first read of a day
        return p.get(url)

    timed("compliance: province admin, every county stale", stale_province, max(3, n // 6))
    if args.profile:
        profile("compliance: province admin, whole province", lambda: p.get(url))
        profile("compliance: county admin, 370323", lambda: c.get(url))


if __name__ == "__main__":
    main()
