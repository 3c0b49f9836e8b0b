"""Registration (`POST /api/v1/cases`) against gunicorn, beside a bare stack doing the same writes.

    .venv/bin/python bench/bench_register.py --quick                      # SQLite, 20,000 cases
    .venv/bin/python bench/bench_register.py --quick --database-url postgres://root@127.0.0.1/bangban_bench_register
    .venv/bin/python bench/bench_register.py --reuse ...                  # time again, same database
    .venv/bin/python bench/bench_register.py --prepare-only ...           # build the database, stop

Builds the ledger as `bench_cases.py` does (`bench_cases.generate_all`; `--quick`: 20,000 cases, 12
items a county) in its own SQLite file and data folder (so it never meets a `bench_cases.py` run),
then serves, one after the other, with the same gunicorn settings (2 sync workers, DEBUG off):

- Bangban (`bangban.wsgi`), `POST /api/v1/cases`;
- the bare stack (`bench/bare_stack/`: Django + django-ninja, no middleware but CommonMiddleware,
  one endpoint `POST /bare/cases`) that runs the same statements in one transaction: the token's
  look-up, the idempotency row (claimed, then its answer), the day's counter, the applicant (found
  by its digest, or inserted, with the same `bangban.kernel.protection` calls), the rating card's
  check, the case, its checklist, its event and its first service occasion.

The load is `wrk` (Debian: `apt-get install -y wrk`) with `bench/register.lua`: one wrk thread per
connection, each a qualified helper of a station of its own county (8 counties, Yiyuan first, as in
`bench_cases.py`), with its token and 200 prepared bodies (70 % returning applicants), a fresh
`Idempotency-Key` per request. 2 and 8 connections for `--seconds`, the bare stack and Bangban
interleaved; requests a second, median, p95 and p99 (wrk's latency histogram), non-201 answers,
and where a request's time went in the two workers (Linux's /proc/PID/schedstat): on a core, waiting
for one (run queue: the machine's other work, the database's backends, wrk), and the rest (blocked on
the database or the disk, or between requests). Figures are printed, never asserted.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_cases  # noqa: E402
from bench_province import PASSWORD, ROOT  # noqa: E402

LUA = HERE / "register.lua"
BODIES = 200


def parse_args(argv=None):
    parser = bench_cases.ledger_arguments(__doc__, cases=1_000_000, seed=20261125)
    parser.add_argument("--seconds", type=int, default=10, help="length of a wrk run")
    parser.add_argument(
        "--connections", type=int, action="append", help="wrk connections (default 2 and 8)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="bare/Bangban pairs per setting")
    parser.add_argument("--prepare-only", action="store_true", help="build the database and stop")
    parser.add_argument(
        "--only", choices=["bare", "bangban"], help="serve one of the two stacks only"
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="instead: N registrations in process (test client) under cProfile, and one's SQL",
    )
    parser.add_argument(
        "--profile-path", default="/api/v1/cases", help="with --profile: the endpoint to profile"
    )
    args = parser.parse_args(argv)
    args.connections = args.connections or [2, 8]
    bench_cases.quick(args)
    return args


def environment(args) -> tuple[dict, str]:
    """`bench_cases.environment` with this bench's own SQLite file and data folder, DEBUG off even
    when the shell exports DEBUG=1 for `bangban` commands (the servers inherit the environment)."""
    return bench_cases.environment(args, "register", extra={"DEBUG": "0"})


# --- Servers and wrk -------------------------------------------------------------------------------


def registrars_file(registrars: list[dict], path: Path) -> None:
    """The clients as a Lua table (wrk's LuaJIT has no JSON): a token and prepared bodies each."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["return {"]
    for r in registrars:
        bodies = ", ".join(quoted(b) for b in r["bodies"])
        lines.append(f"  {{token = {quoted(r['token'])}, bodies = {{{bodies}}}}},")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def worker_times(master: int) -> tuple[int, int]:
    """Nanoseconds gunicorn's workers (the children of `master`) spent on a core and waiting in the
    run queue for one, since they started (/proc/PID/schedstat; (0, 0) where there is none)."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        times = [Path(f"/proc/{pid}/schedstat").read_text().split() for pid in children]
    except OSError:
        return 0, 0
    return sum(int(t[0]) for t in times), sum(int(t[1]) for t in times)


def run_wrk(
    port: int, path: str, connections: int, seconds: int, data: Path, master: int | None = None
) -> dict:
    """wrk with `register.lua`, one thread per connection: requests a second, median / p95 / p99
    in ms, requests and non-201 answers; with gunicorn's `master` pid, the workers' time a request
    on a core, waiting for one, and the rest of the time it held a worker (ms)."""
    before = worker_times(master) if master else (0, 0)
    command = [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}{path}",
        "--",
        str(data),
        uuid.uuid4().hex[:12],
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = re.search(r"^RESULT (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$", out, re.MULTILINE)
    if result is None:
        raise SystemExit(f"wrk said:\n{out}")
    requests, failed, p50, p95, p99, seconds_ = (float(x) for x in result.groups())
    after = worker_times(master) if master else (0, 0)
    errors = re.search(r"Socket errors: (.*)", out)
    sample = re.search(r"^FAILED (.*)$", out, re.MULTILINE)
    n = max(requests, 1)
    # A sync worker serves one request at a time: with at least as many connections as workers
    # (2), each worker is held the whole run; with fewer, one worker per connection.
    held = min(connections, 2) * seconds_ * 1000 / n
    on_core, run_queue = ((b - a) / 1e6 / n for a, b in zip(before, after, strict=True))
    return {
        "on_core": on_core,
        "run_queue": run_queue,
        "rest": held - on_core - run_queue,
        "rate": requests / seconds_,
        "median": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "n": int(requests),
        "failed": int(failed),
        "socket_errors": errors.group(1) if errors else "",
        "sample": sample.group(1)[:300] if sample else "",
    }


# --- The clients -----------------------------------------------------------------------------------


def prepare_registrars(args, today) -> list[dict]:
    """8 qualified helpers with a token each (through the API's own token endpoint, in process)
    and `BODIES` registration bodies each, of their county's items and applicants."""
    from django.test import Client

    from bangban.network.models import Region

    items = bench_cases.load_items()
    codes_of = dict(Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", "code"))
    helpers = bench_cases.bench_helpers(today)
    numbers = bench_cases.sample_numbers([county for _, _, county in helpers])
    out = []
    for i, (user, point, county) in enumerate(helpers):
        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        if response.status_code != 200:
            raise SystemExit(f"token for {user.username}: {response.status_code}")
        registrar = bench_cases.Registrar(
            response.json()["token"],
            point,
            items[county],
            list(numbers[county]),
            random.Random(args.seed + i),
            500 + 37 * i,
        )
        bodies = [
            json.dumps(registrar.body(codes_of[county]), ensure_ascii=False) for _n in range(BODIES)
        ]
        out.append({"token": registrar.token, "bodies": bodies, "county": county})
    return out


def profile(args, registrars: list[dict]) -> None:
    """`--profile N`: the SQL of one registration, then N registrations through the test client
    (in process, the first registrar, a fresh Idempotency-Key each) under cProfile: the time a
    registration costs in Python and the functions it goes to (by own time and by cumulative time)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    me = registrars[0]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {me['token']}"}
    bodies = iter(itertools.cycle(me["bodies"]))

    def register():
        response = client.post(
            args.profile_path,
            next(bodies),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            **headers,
        )
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code} {response.content[:300]!r}")

    for _n in range(20):
        register()  # warm up: imports, translations, prepared statements
    with CaptureQueriesContext(connection) as queries:
        register()
    print(f"One registration, {len(queries)} statements:")
    for query in queries:
        print(f"  {query['time']}s  {query['sql'][:160]}")
    began, cpu = time.perf_counter(), time.process_time()
    for _n in range(args.profile):
        register()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(
        f"\n{args.profile} registrations in process: {seconds / args.profile * 1000:.1f} ms each, "
        f"{cpu / args.profile * 1000:.1f} ms of CPU (no profiler)"
    )
    profiler = cProfile.Profile(time.process_time)  # CPU: what two workers run out of
    began = time.perf_counter()
    profiler.enable()
    for _n in range(args.profile):
        register()
    profiler.disable()
    seconds = time.perf_counter() - began
    print(f"under cProfile: {seconds / args.profile * 1000:.1f} ms each")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    stats.print_stats("bangban|ninja|pydantic", 60)


STACKS = {
    "bare": (
        "bare stack, POST /bare/cases",
        "bare_stack.wsgi",
        "bare_stack.settings",
        "/bare/cases",
    ),
    "bangban": ("Bangban, POST /api/v1/cases", "bangban.wsgi", "bangban.settings", "/api/v1/cases"),
}


def main() -> None:
    args = parse_args()
    database = bench_cases.setup_database(args, environment(args))
    env, _ = environment(args)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bangban.cases.models import Case

    today = timezone.localdate()
    print(f"Database: {database}; today {today}", flush=True)
    call_command("migrate", verbosity=0)
    if not args.reuse:
        call_command("collectstatic", interactive=False, verbosity=0)
        began = time.perf_counter()
        bench_cases.generate_all(args, today)
        print(f"Generated in {time.perf_counter() - began:.0f} s", flush=True)
    if args.prepare_only:
        return
    registrars = prepare_registrars(args, today)
    if args.profile:
        profile(args, registrars)
        return
    before = Case.objects.count()
    connection.close()
    data = Path(env["BANGBAN_DATA_DIR"]) / "registrars.lua"
    registrars_file(registrars, data)

    rows = []
    stacks = [args.only] if args.only else ["bare", "bangban"]
    servers = {}
    try:
        for name in stacks:
            label, app, settings, path = STACKS[name]
            # Ready once anything answers: the bare stack has no page to ask for.
            stack_env = {**env, "DJANGO_SETTINGS_MODULE": settings}
            servers[name] = bench_cases.start_gunicorn(stack_env, app, ready=None)
            port = servers[name][1]
            run_wrk(port, path, 2, 2, data)  # warm up both workers
        print(f"\nRegistration against gunicorn (2 workers), wrk, {args.seconds} s a run:")
        for connections in args.connections:
            for _round in range(args.rounds):
                for name in stacks:
                    label, _app, _settings, path = STACKS[name]
                    process, port = servers[name]
                    r = run_wrk(port, path, connections, args.seconds, data, process.pid)
                    r.update(label=f"{label}, {connections} connections", stack=name)
                    r["connections"] = connections
                    rows.append(r)
                    print(
                        f"  {r['label']:<46} {r['rate']:6.0f}/s  median {r['median']:5.1f} ms  "
                        f"p95 {r['p95']:5.1f} ms  p99 {r['p99']:5.1f} ms  ({r['n']} requests, "
                        f"{r['failed']} not 201{', ' + r['socket_errors'] if r['socket_errors'] else ''})",
                        flush=True,
                    )
                    if r["on_core"]:
                        print(
                            f"    a request in a worker: {r['on_core']:5.1f} ms on a core, "
                            f"{r['run_queue']:5.1f} ms waiting for one, {r['rest']:5.1f} ms "
                            "the rest (the database, the disk, between requests)"
                        )
                    if r["sample"]:
                        print(f"    e.g. {r['sample']}")
    finally:
        for process, _port in servers.values():
            process.terminate()
            process.wait(timeout=30)
    connection.connect()
    print(f"\nCases written during the runs: {Case.objects.count() - before:,}")
    print(f"\nSummary ({database}): Bangban against the bare stack, requests a second")
    for connections in args.connections:
        mine = [r for r in rows if r["connections"] == connections]
        bare = [r["rate"] for r in mine if r["stack"] == "bare"]
        ours = [r["rate"] for r in mine if r["stack"] == "bangban"]
        if bare and ours:
            b, o = sum(bare) / len(bare), sum(ours) / len(ours)
            print(f"  {connections} connections: bare {b:.0f}/s, Bangban {o:.0f}/s: {o / b:.0%}")


if __name__ == "__main__":
    main()
