"""Where a ledger request spends its time: cProfile over a number of requests of `/cases/` (or any
ledger path) as the bench's county administrator, with the SQL time apart from the Python time.

    .venv/bin/python bench/profile_ledger.py --reuse               # on bench_cases.py's database
    .venv/bin/python bench/profile_ledger.py --cases 20000         # generate a small ledger first
    .venv/bin/python bench/profile_ledger.py --reuse --path /api/v1/cases --requests 50
    .venv/bin/python bench/profile_ledger.py --reuse --query "warning=overdue" --who town

It reuses `bench_cases.py`: its databases (SQLite in the temporary folder, or `--database-url`), its
generator (`generate_all`, as `--quick` would run it with `--cases` cases) and its accounts (`county`,
the region admin of 沂源县 370323; `town`, the admin of 鲁村镇; `province`), made here if missing.

It prints, per request (after warm-up requests that fill the caches a server keeps warm): the wall
time, the SQL time (every query timed through `connection.execute_wrapper`) and the rest, which is
Python (views, forms, templates, middleware), and the process's CPU time (less disturbed than the
wall time by other work on a shared machine; on SQLite it includes the database's work); the number
of queries and the slowest ones; then the
top functions of the profile by own time and by cumulative time. cProfile slows Python down (roughly
twice), not SQL: the timed split is measured in a separate run without the profiler.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cases  # noqa: E402
from bench_province import PASSWORD, ROOT  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (as bench_cases.py's)")
    parser.add_argument("--divisions", default=str(bench_cases.DIVISIONS))
    parser.add_argument("--reuse", action="store_true", help="profile bench_cases.py's database")
    parser.add_argument("--cases", type=int, default=20_000, help="cases to generate (no --reuse)")
    parser.add_argument("--requests", type=int, default=30, help="requests profiled and timed")
    parser.add_argument("--warm", type=int, default=3, help="requests before the measurement")
    parser.add_argument("--path", default="/cases/", help="the path requested")
    parser.add_argument("--query", default="", help="its query string, e.g. 'warning=overdue'")
    parser.add_argument("--who", default="county", choices=["county", "town", "city", "province"])
    parser.add_argument("--top", type=int, default=25, help="functions listed per ordering")
    parser.add_argument("--seed", type=int, default=20261125)
    return parser.parse_args(argv)


def setup(args):
    """Django set up on the bench database, generated first unless --reuse."""
    gen = bench_cases.parse_args(
        [
            "--quick",
            "--cases",
            str(args.cases),
            "--divisions",
            args.divisions,
            "--seed",
            str(args.seed),
        ]
        + (["--database-url", args.database_url] if args.database_url else [])
        + (["--reuse"] if args.reuse else [])
    )
    database = bench_cases.setup_database(gen)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    if not args.reuse:
        call_command("collectstatic", interactive=False, verbosity=0)
        bench_cases.generate_all(gen, timezone.localdate())
    return database


def account(who: str):
    """The bench's admin `who` (bench_cases.py's accounts, made through the real action)."""
    from django.contrib.auth import get_user_model

    from bangban.network import actions as network_actions
    from bangban.network.models import Region, Role, ServicePoint

    User = get_user_model()
    bindings = {
        "province": (Role.REGION_ADMIN, lambda: Region.objects.get(code="37")),
        "city": (Role.REGION_ADMIN, lambda: Region.objects.get(code="3703")),
        "county": (Role.REGION_ADMIN, lambda: Region.objects.get(code="370323")),
        "town": (
            Role.TOWN_ADMIN,
            lambda: ServicePoint.objects.get(kind="town_centre", region__code="370323102"),
        ),
    }
    user = User.objects.filter(username=who).first()
    if user is None:
        role, binding = bindings[who]
        user = network_actions.create_account(
            username=who, password=PASSWORD, role=role, binding=binding(), by=None
        )
    return User.objects.get(username=who)


class SqlTimer:
    """Every query's time and text, through `connection.execute_wrapper`."""

    def __init__(self):
        self.times: list[float] = []
        self.by_sql: dict[str, list[float]] = defaultdict(list)

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - start
            self.times.append(took)
            self.by_sql[sql].append(took)


def main() -> None:
    args = parse_args()
    database = setup(args)
    from django.db import connection
    from django.test import Client

    user = account(args.who)
    client = Client()
    headers = {}
    if args.path.startswith("/api/"):
        token = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        if token.status_code != 200:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            token = Client().post(
                "/api/v1/auth/token",
                {"username": user.username, "password": PASSWORD},
                content_type="application/json",
            )
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token.json()['token']}"}
    else:
        client.force_login(user)
    url = f"{args.path}?{args.query}" if args.query else args.path

    def request():
        response = client.get(url, **headers)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    for _ in range(args.warm):
        size = len(request().content)
    print(f"Database: {database}; {args.who} GET {url} ({size:,} bytes), {args.requests} requests")

    # 1. Timed without the profiler: wall, SQL and the rest (Python).
    walls, cpus, sqls, counts = [], [], [], []
    slowest: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.requests):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            start, cpu = time.perf_counter(), time.process_time()
            request()
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        sqls.append(sum(timer.times))
        counts.append(len(timer.times))
        for sql, times in timer.by_sql.items():
            slowest[sql].append(sum(times))

    def ms(values, p=None):
        if p is None:
            return f"{statistics.median(values) * 1000:7.1f}"
        return f"{bench_cases.percentile(values, p) * 1000:7.1f}"

    python = [w - s for w, s in zip(walls, sqls, strict=True)]
    print("\n                 median      p95   (ms per request)")
    print(f"  wall          {ms(walls)}  {ms(walls, 95)}")
    print(f"  CPU           {ms(cpus)}  {ms(cpus, 95)}   (this process: Python, and SQLite's work)")
    print(f"  SQL           {ms(sqls)}  {ms(sqls, 95)}   ({statistics.median(counts):.0f} queries)")
    print(f"  Python        {ms(python)}  {ms(python, 95)}")
    print("\nQueries by median time per request:")
    for sql, times in sorted(slowest.items(), key=lambda kv: -statistics.median(kv[1]))[:12]:
        text = " ".join(sql.split())
        print(f"  {statistics.median(times) * 1000:6.2f} ms  {text[:150]}")

    # 2. The same requests under cProfile.
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        request()
    profile.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(args.top)
        body = out.getvalue()
        print(f"\nTop {args.top} functions by {order} ({args.requests} requests, profiled):")
        print(body[body.find("   ncalls") :].rstrip())


if __name__ == "__main__":
    main()
