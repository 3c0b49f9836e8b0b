"""Province-scale benchmark: import all of Shandong, then time pages and endpoints.

    .venv/bin/python bench/bench_province.py                       # SQLite in a temporary file
    .venv/bin/python bench/bench_province.py --database-url postgres://root@127.0.0.1/bangban_bench

Imports ../shared/data/divisions/shandong-37-*.csv (16 cities, 151 counties, 1,853 towns,
62,074 villages → 62,060 village stations), then requests each page and endpoint through Django's
test client (in process, no network) as a province admin, a county admin and a town admin, and prints
the median and p95 response times and the number of SQL queries of each. A trivial page (the login
form) is timed in the same run as a baseline for this machine's noise. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIVISIONS = ROOT.parent / "shared" / "data" / "divisions"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to (re)create")
    parser.add_argument("--divisions", default=str(DIVISIONS), help="folder of the NBS CSV files")
    parser.add_argument("--requests", type=int, default=60, help="requests per measurement")
    return parser.parse_args()


def setup_database(args) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("BANGBAN_HTTPS", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["BANGBAN_AXES_ENABLED"] = "0"
    os.environ["STATIC_ROOT"] = tempfile.mkdtemp(prefix="bangban-bench-static-")
    if args.database_url:
        import psycopg

        base, _, name = args.database_url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = args.database_url
        return f"PostgreSQL ({name})"
    folder = tempfile.mkdtemp(prefix="bangban-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["BANGBAN_SQLITE_PATH"] = str(Path(folder) / "bench.sqlite3")
    return f"SQLite ({folder})"


PASSWORD = "Bench-pass-2026"  # noqa: S105


def bench_users() -> dict:
    """A province admin (37), a county admin (370323) and a town admin (鲁村镇), made through the
    real action."""
    from bangban.network import actions
    from bangban.network.models import Region, Role, ServicePoint

    password = PASSWORD
    lucun = ServicePoint.objects.get(kind="town_centre", region__code="370323102")
    return {
        "province": actions.create_account(
            username="province",
            password=password,
            role=Role.REGION_ADMIN,
            binding=Region.objects.get(code="37"),
            by=None,
        ),
        "county": actions.create_account(
            username="county",
            password=password,
            role=Role.REGION_ADMIN,
            binding=Region.objects.get(code="370323"),
            by=None,
        ),
        "town": actions.create_account(
            username="town", password=password, role=Role.TOWN_ADMIN, binding=lucun, by=None
        ),
    }


#: Requests before the timed ones, so that the connection is in the steady state of a server's
#: persistent one (psycopg prepares a statement on its second run, PostgreSQL weighs a generic
#: plan after five); the last of them is counted and checked.
WARM = 6


def timed(label: str, fn, n: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM - 1):
        fn()
    # The queries are counted on a request of their own: capturing them logs every statement with
    # its parameters written in, which the timed requests would pay too (a province's scope has 137
    # county ids).
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    if response.status_code != 200:
        raise SystemExit(f"{label}: HTTP {response.status_code}")
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = fn()
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    row = {"label": label, "median": statistics.median(times), "p95": p95, "queries": queries}
    print(
        f"  {label:<58} median {row['median']:7.1f} ms   p95 {p95:7.1f} ms   {queries:>3} queries"
    )
    return row


def main() -> None:
    args = parse_args()
    database = setup_database(args)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bangban.network.divisions import import_divisions
    from bangban.network.models import ServicePoint

    print(f"Database: {database}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    folder = Path(args.divisions)
    files = {
        "counties": folder / "shandong-37-counties.csv",
        "towns": folder / "shandong-37-towns.csv",
        "villages": folder / "shandong-37-villages.csv",
        "cities": folder / "shandong-37-cities.csv",
        "provinces": folder / "china-provinces.csv",
    }
    start = time.perf_counter()
    report = import_divisions(**files)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = import_divisions(**files)
    second = time.perf_counter() - start
    stations = ServicePoint.objects.filter(kind="village_station").count()
    print(f"Import of Shandong: {first:.1f} s ({report.summary()})")
    print(f"Import again (no change: {not again.changed}): {second:.1f} s")
    print(f"Village stations: {stations}; points in all: {ServicePoint.objects.count()}")

    password = PASSWORD
    users = bench_users()
    lucun = ServicePoint.objects.get(kind="town_centre", region__code="370323102")
    clients, tokens = {}, {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": password},
            content_type="application/json",
        )
        tokens[name] = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}

    county_centre = ServicePoint.objects.get(kind="county_centre", region__code="370323")
    station = ServicePoint.objects.filter(parent=lucun, kind="village_station").first()
    n = args.requests
    anonymous = Client()
    print(f"\nResponse times over {n} requests each (Django test client, in process):")
    timed("baseline: login page (anonymous)", lambda: anonymous.get("/login/"), n)
    p, c, t = clients["province"], clients["county"], clients["town"]
    timed("tree page: province admin, whole province", lambda: p.get("/"), n)
    timed("tree page: province admin, search 鲁村", lambda: p.get("/", {"q": "鲁村"}), n)
    timed("tree page: county admin, county 370323", lambda: c.get("/"), n)
    timed(
        "tree page: town admin, 鲁村镇 (its stations)",
        lambda: t.get(f"/points/{lucun.pk}/"),
        n,
    )
    timed("point page: county centre", lambda: c.get(f"/points/{county_centre.pk}/"), n)
    timed("point page: village station", lambda: t.get(f"/points/{station.pk}/"), n)
    timed("chart page: county centre", lambda: c.get(f"/points/{county_centre.pk}/chart/"), n)
    timed("chart SVG: county centre", lambda: c.get(f"/points/{county_centre.pk}/chart.svg"), n)
    timed(
        "API points: one county (region=370323), first 50",
        lambda: p.get("/api/v1/points", {"region": "370323"}, **tokens["province"]),
        n,
    )
    timed(
        "API points: whole province, first 50",
        lambda: p.get("/api/v1/points", **tokens["province"]),
        n,
    )
    timed(
        "API points: whole province, offset 60000",
        lambda: p.get("/api/v1/points", {"offset": 60000}, **tokens["province"]),
        n,
    )
    timed(
        "API points: town admin, 鲁村镇",
        lambda: t.get("/api/v1/points", **tokens["town"]),
        n,
    )
    timed(
        "API point detail: village station",
        lambda: t.get(f"/api/v1/points/{station.pk}", **tokens["town"]),
        n,
    )
    timed(
        "API regions: whole province, first 50",
        lambda: p.get("/api/v1/regions", **tokens["province"]),
        n,
    )


if __name__ == "__main__":
    main()
