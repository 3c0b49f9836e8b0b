"""The case ledger at province scale: 1,000,000 cases of all of Shandong over two years, timed.

    .venv/bin/python bench/bench_cases.py                       # SQLite (/tmp/bangban-bench-cases/)
    .venv/bin/python bench/bench_cases.py \\
        --database-url postgres://root@127.0.0.1/bangban_bench_cases
    .venv/bin/python bench/bench_cases.py --quick                # a small smoke run (20,000 cases)
    .venv/bin/python bench/bench_cases.py --reuse ...            # time again without regenerating

Imports all of Shandong's divisions (as bench_province.py does), its helpers (bench_compliance.py's
generator: a dedicated zone per county, ~70,000 helpers with trainings), a few dozen items per county
through the catalog's bulk import (bench_catalog.py's real items), then writes the ledger with raw bulk
inserts (COPY on PostgreSQL, executemany on SQLite; no action per case): applicants (about 70 % of
cases come from a returning applicant of the county; ID numbers real-shaped, encrypted and digested
like the actions do), and `--cases` cases from 2025-01-01 to today, numbered per county and day as
`CaseCounter` would have numbered them (the counters written too), with their materials checklists,
3–6 events each, one-time notices, authorisations of 代办 cases and transfers (most accepted, some
declined, a few pending). About 90 % of the cases are completed (a few % late), some withdrawn or
refused, the recent ones open, some of those overdue.

Then it measures, with a trivial page as this run's baseline:
- registration through `POST /api/v1/cases` against gunicorn with 2 workers on a free port
  (production settings, DEBUG off): sequentially, then with 2 and with 8 concurrent clients
  (threads, http.client), each client a qualified helper of its own station in its own county,
  70 % returning applicants: median, p95 and registrations a second;
- `GET /api/v1/cases` with common filters and `GET /api/v1/cases/{number}`, and the HTML ledger
  `/cases/` with the same filters and a case page, through Django's test client: median, p95 and the
  number of SQL queries;
- the Excel export of about 100,000 rows (`cases.spreadsheets.write_ledger_export`) in a child
  process: its time and its peak memory (RSS).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_province import DIVISIONS, PASSWORD, ROOT, timed  # noqa: E402

BATCH = 10_000
START = dt.date(2025, 1, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉凤建国志强明华丽娟海燕军伟红霞文杰春梅淑珍国庆德胜永刚宏伟丽萍晓东学军玉兰凤英振华长青"
COMPANY = ["农业专业合作社", "股份经济合作社", "家庭农场", "商贸有限公司", "建材有限公司"]


def ledger_arguments(description: str, *, cases: int, seed: int) -> argparse.ArgumentParser:
    """A parser with the arguments of the ledger's generation (`generate_all`) and of its database
    (`setup_database`), which every bench built on the ledger takes; each adds its own."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to (re)create")
    parser.add_argument("--divisions", default=str(DIVISIONS), help="folder of the NBS CSV files")
    parser.add_argument("--cases", type=int, default=cases, help="cases to generate")
    parser.add_argument("--items", type=int, default=40, help="service items per county")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of an earlier run; time only"
    )
    return parser


def quick(args, **limits: float) -> None:
    """With `--quick`, each number at most its limit: the ledger's (20,000 cases, 12 items a
    county) and the bench's own."""
    if args.quick:
        for name, limit in {"cases": 20_000, "items": 12, **limits}.items():
            setattr(args, name, min(getattr(args, name), limit))


def parse_args(argv=None):
    parser = ledger_arguments(__doc__, cases=1_000_000, seed=20261125)
    parser.add_argument("--requests", type=int, default=60, help="requests per page measurement")
    parser.add_argument("--registrations", type=int, default=300, help="sequential registrations")
    parser.add_argument("--seconds", type=float, default=20, help="length of a throughput run")
    parser.add_argument("--export-rows", type=int, default=100_000, help="rows of the export")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["registration", "pages", "export"],
        help="leave a measurement out (repeatable)",
    )
    parser.add_argument("--export-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick(args, requests=10, registrations=40, seconds=3, export_rows=5_000)
    return args


def environment(
    args, bench: str = "cases", *, settings: str = "bangban.settings", extra: dict | None = None
) -> tuple[dict, str]:
    """The settings' environment (for this process and gunicorn) and the database's name: the
    bench's own SQLite file and data folder (/tmp/bangban-bench-`bench`, so that two benches never
    meet), `settings` as the settings module, and a bench's `extra` variables."""
    sqlite = Path(tempfile.gettempdir()) / f"bangban-bench-{bench}" / "bench.sqlite3"
    data = Path(tempfile.gettempdir()) / f"bangban-bench-{bench}-data"
    env = {
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": "bench-only-secret-key",
        "BANGBAN_HTTPS": "0",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "BANGBAN_AXES_ENABLED": "0",
        **(extra or {}),
        "BANGBAN_DATA_DIR": str(data),
        "STATIC_ROOT": str(data / "static"),
        "MEDIA_ROOT": str(data / "media"),
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        return env, f"PostgreSQL ({args.database_url.rpartition('/')[2]})"
    env["BANGBAN_SQLITE_PATH"] = str(sqlite)
    return env, f"SQLite ({sqlite})"


def setup_database(args, settings: tuple[dict, str] | None = None) -> str:
    """Sets this process's environment (`settings`: a bench's `environment`, bench_cases's by
    default) and, unless `--reuse`, empties the data folder and makes the database anew."""
    env, database = settings or environment(args)
    os.environ.update(env)
    if not args.database_url:
        os.environ.pop("DATABASE_URL", None)
    if args.reuse:
        return database
    shutil.rmtree(env["BANGBAN_DATA_DIR"], ignore_errors=True)
    if args.database_url:
        import psycopg

        base, _, name = args.database_url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        folder = Path(env["BANGBAN_SQLITE_PATH"]).parent
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    return database


def step(label: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.start
            print(f"  {label}: {self.seconds:.1f} s", flush=True)

    return Timer()


# --- Raw bulk inserts ------------------------------------------------------------------------------


class Writer:
    """Rows appended per table and written in bulk: COPY on PostgreSQL, executemany on SQLite.
    Values are given as the database reads them in text: dates and datetimes as ISO strings (a
    datetime in UTC, with its offset on PostgreSQL), JSON as a string, booleans as bool."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.tables: dict[str, tuple[str, list[str]]] = {}
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.written: Counter = Counter()

    def table(self, model, fields: list[str]) -> str:
        meta = model._meta
        columns = [meta.get_field(name).column for name in fields]
        self.tables[meta.db_table] = (meta.db_table, columns)
        return meta.db_table

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        from django.db import transaction

        with transaction.atomic(), self.connection.cursor() as cursor:
            for table, rows in self.rows.items():
                if not rows:
                    continue
                _, columns = self.tables[table]
                names = ", ".join(self.connection.ops.quote_name(c) for c in columns)
                if self.postgres:
                    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(columns))
                    self.connection.connection.executemany(
                        f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                        rows,
                    )
                self.written[table] += len(rows)
                rows.clear()

    def reset_sequences(self, models) -> None:
        from django.core.management.color import no_style

        if not self.postgres:
            return  # SQLite's AUTOINCREMENT follows the largest id inserted
        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


# --- The ledger ------------------------------------------------------------------------------------


class Days:
    """ISO strings, working days and deadlines, cached (the calendar engine, asked once per day)."""

    def __init__(self, tz_suffix: str):
        from bangban.workdays import calendar

        self.calendar = calendar
        self.suffix = tz_suffix
        self._iso: dict = {}
        self._deadline: dict = {}
        self._workday: dict = {}

    def iso(self, day: dt.date | None):
        if day is None:
            return None
        out = self._iso.get(day)
        if out is None:
            out = self._iso[day] = day.isoformat()
        return out

    def at(self, day: dt.date, rng: random.Random, hour_from: int = 1, hour_to: int = 8) -> str:
        """A moment of the working hours (08:30–17:00 in Shanghai) of `day`, in UTC."""
        seconds = rng.randint(hour_from * 3600 + 1800, hour_to * 3600 + 3599)
        return (
            f"{self.iso(day)} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            f".{rng.randint(0, 999_999):06d}{self.suffix}"
        )

    def workday(self, day: dt.date) -> bool:
        out = self._workday.get(day)
        if out is None:
            out = self._workday[day] = self.calendar.is_workday(day)
        return out

    def deadline(self, start: dt.date, n: int, unit: str = "working"):
        key = (start, n, unit)
        out = self._deadline.get(key)
        if out is None:
            d = self.calendar.deadline(start, n, unit)
            out = self._deadline[key] = (d.date, d.provisional)
        return out

    def after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (n ≥ 1), or `day` itself for n = 0."""
        return day if n <= 0 else self.deadline(day, n)[0]


def load_network() -> dict:
    """Per county: its code, points by kind, and the helpers serving at each point."""
    from bangban.network.models import Membership, Region, Role, ServicePoint

    codes = dict(Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", "code"))
    helpers: dict[int, list[int]] = defaultdict(list)
    for user_id, point_id in Membership.objects.filter(role=Role.HELPER).values_list(
        "user_id", "point_id"
    ):
        helpers[point_id].append(user_id)
    counties: dict[int, dict] = {}
    kind_of, parent_of, path_of = {}, {}, {}
    for pk, kind, parent, county, ancestry in ServicePoint.objects.values_list(
        "pk", "kind", "parent_id", "county_id", "ancestry"
    ):
        kind_of[pk], parent_of[pk], path_of[pk] = kind, parent, f"{ancestry}{pk}/"
        c = counties.setdefault(county, {"code": codes[county], "by_kind": defaultdict(list)})
        if helpers.get(pk):
            c["by_kind"][kind].append(pk)
    return {
        "counties": counties,
        "helpers": helpers,
        "kind": kind_of,
        "parent": parent_of,
        "path": path_of,  # the scope columns' paths (decision 0061)
    }


def load_items() -> dict[int, list[dict]]:
    """Per county: its active items with their current revision, limits, modes and materials."""
    from bangban.catalog.models import Material, Mode, ServiceItem

    materials: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for revision, pk, position, necessity in (
        Material.objects.filter(revision__item__active=True)
        .order_by("revision", "position")
        .values_list("revision_id", "pk", "position", "necessity")
    ):
        materials[revision].append((pk, position, necessity))
    out: dict[int, list[dict]] = defaultdict(list)
    for item in ServiceItem.objects.filter(active=True).select_related("current").order_by("pk"):
        r = item.current
        modes = [m for m in Mode.values if getattr(r, f"mode_{m}", False)]
        out[item.county_id].append(
            {
                "id": item.pk,
                "revision": r.pk,
                "department": r.department_id,
                "number": r.number,
                "name": r.name,
                "promised": (r.promised_limit, r.promised_limit_unit),
                "legal": (r.legal_limit, r.legal_limit_unit),
                "modes": modes or ["on_site"],
                "materials": materials[r.pk],
            }
        )
    return out


class Ledger:
    """Generates the applicants and cases of every county, day by day, into a Writer."""

    def __init__(self, writer: Writer, network: dict, items: dict, today: dt.date, seed: int):
        from bangban.cases import identifiers
        from bangban.cases.models import (
            Applicant,
            ApplicantGram,
            Authorisation,
            Case,
            CaseCounter,
            CaseEvent,
            CaseMaterial,
            Notice,
            NoticeLine,
            Transfer,
            applicant_grams,
        )
        from bangban.kernel import protection

        self.identifiers, self.protection = identifiers, protection
        self.applicant_grams = applicant_grams
        self.w = writer
        self.net = network
        self.items = items
        self.today = today
        self.rng = random.Random(seed)
        self.days = Days("+00:00" if writer.postgres else "")
        self.models = [
            Applicant,
            Case,
            CaseCounter,
            CaseMaterial,
            CaseEvent,
            Notice,
            NoticeLine,
            Transfer,
            Authorisation,
        ]
        self.t_applicant = writer.table(
            Applicant,
            [
                "id",
                "kind",
                "name",
                "document_type",
                "number_encrypted",
                "number_masked",
                "credit_code",
                "lookup_digest",
                "birth_on_encrypted",
                "sex",
                "phone_encrypted",
                "phone_masked",
                "phone_digest",
                "disabled",
                "needs",
                "dishonest",
                "legal_representative",
                "contact_name",
                "created_at",
                "updated_at",
            ],
        )
        #: The grams of each applicant's name (decision 0070), written beside the applicant.
        self.t_gram = writer.table(ApplicantGram, ["applicant", "gram"])
        self.t_case = writer.table(
            Case,
            [
                "id",
                "number",
                "county",
                "registered_on",
                "sequence",
                "registered_at",
                "applicant",
                "contact_phone_encrypted",
                "contact_phone_masked",
                "contact_phone_digest",
                "elderly",
                "disabled",
                "item",
                "revision",
                "kind",
                "mode",
                "channel",
                "registering_point",
                "handling_point",
                "registering_path",
                "handling_path",
                "offered_path",
                "entered_by",
                "responsible",
                "handling_helper",
                "status",
                "received_on",
                "accepted_on",
                "acceptance_deemed",
                "promised_deadline",
                "promised_provisional",
                "legal_deadline",
                "legal_provisional",
                "suspended_on",
                "completed_on",
                "closed_at",
                "public_token",
                "original_number",
                "deemed_deadline",
                "refusal_department",
                "refusal_document_number",
            ],
        )
        self.t_counter = writer.table(CaseCounter, ["county", "day", "series", "last"])
        self.t_material = writer.table(
            CaseMaterial, ["id", "case", "material", "position", "status", "note", "received_on"]
        )
        self.t_event = writer.table(
            CaseEvent, ["case", "at", "by", "action", "from_status", "to_status", "data"]
        )
        self.t_notice = writer.table(
            Notice,
            [
                "id",
                "case",
                "number",
                "issued_on",
                "issued_at",
                "issued_by",
                "supply_by",
                "repeated",
                "repeat_reason",
                "within_window",
            ],
        )
        self.t_line = writer.table(NoticeLine, ["notice", "line", "reason", "note"])
        self.t_transfer = writer.table(
            Transfer,
            [
                "case",
                "from_point",
                "to_point",
                "to_helper",
                "direction",
                "reason",
                "sent_on",
                "sent_at",
                "sent_by",
                "status",
                "answered_on",
                "answered_by",
                "decline_reason",
                "suggested_point",
                "escalated_at",
            ],
        )
        self.t_authorisation = writer.table(
            Authorisation,
            ["case", "principal", "scope", "authorised_on", "valid_until", "scan"],
        )
        self.ids = {
            "applicant": (
                Applicant.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            + 1,
            "case": (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1,
            "material": (
                CaseMaterial.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            + 1,
            "notice": (Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
            + 1,
        }
        #: Per county: (applicant id, birth date or None, the phone's stored columns, disabled) of
        #: its applicants so far (a case's contact phone is its applicant's: the same columns).
        self.pool: dict[int, list[tuple]] = defaultdict(list)
        #: A sample of real document numbers per county, for returning applicants of the bench.
        self.numbers: dict[int, list[str]] = defaultdict(list)
        self.serial: Counter = Counter()
        self.counts = Counter()
        #: The last notice number per (county, day): a notice may be issued days after the case.
        self.notice_seq: Counter = Counter()
        self.zone_of: dict[int, int | None] = {}

    # Applicants ------------------------------------------------------------------------------

    def applicant(self, county: int, day: dt.date) -> tuple:
        rng = self.rng
        pool = self.pool[county]
        if pool and rng.random() < 0.7:
            self.counts["returning"] += 1
            return rng.choice(pool)
        pk = self.ids["applicant"]
        self.ids["applicant"] += 1
        code = self.net["counties"][county]["code"]
        stamp = self.days.at(day, rng)
        plain = f"1{rng.choice('35789')}{rng.randint(0, 999_999_999):09d}"
        phone = (
            self.protection.encrypt(plain),
            self.identifiers.mask_phone(plain),
            self.protection.phone_digest(plain),
        )
        if rng.random() < 0.05:  # an enterprise or a village collective (N…)
            body = f"{rng.choice(['91', '93', 'N2'])}{code}{rng.randint(0, 10**8 - 1):08d}"
            number = self.identifiers.normalise_credit_code(_credit_code(body))
            name = f"{code}{rng.choice(SURNAMES)}{rng.choice(SURNAMES)}{rng.choice(COMPANY)}"
            self.w.add(
                self.t_applicant,
                (
                    pk,
                    "organisation",
                    name,
                    "credit_code",
                    "",
                    number,
                    number,
                    self.protection.lookup_digest("credit_code", number),
                    "",
                    "",
                    *phone,
                    False,
                    "",
                    False,
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    rng.choice(SURNAMES) + rng.choice(GIVEN),
                    stamp,
                    stamp,
                ),
            )
            self.grams(pk, name)
            row = (pk, None, phone, False)
        else:
            born = dt.date(rng.randint(1936, 2006), rng.randint(1, 12), rng.randint(1, 28))
            self.serial[code, born] += 1
            sequence = self.serial[code, born]
            body = f"{code}{born:%Y%m%d}{sequence % 1000:03d}"
            number = body + self.identifiers.resident_id_check_character(body)
            sex = "male" if int(body[-1]) % 2 else "female"
            disabled = rng.random() < 0.03
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            self.w.add(
                self.t_applicant,
                (
                    pk,
                    "person",
                    name,
                    "resident_id",
                    self.protection.encrypt(number),
                    self.identifiers.mask_id(number),
                    "",
                    self.protection.lookup_digest("resident_id", number),
                    self.protection.encrypt(born.isoformat()),
                    sex,
                    *phone,
                    disabled,
                    "行动不便" if disabled else "",
                    False,
                    "",
                    "",
                    stamp,
                    stamp,
                ),
            )
            self.grams(pk, name)
            row = (pk, born, phone, disabled)
            if len(self.numbers[county]) < 200:
                self.numbers[county].append((number, name))
        pool.append(row)
        self.counts["applicants"] += 1
        return row

    def grams(self, pk: int, name: str) -> None:
        for gram in sorted(self.applicant_grams(name)):
            self.w.add(self.t_gram, (pk, gram))
        self.counts["applicant_grams"] += 1

    # Cases -----------------------------------------------------------------------------------

    def event(self, case, day, by, action, before, after, data, rng, hours=(1, 8)):
        self.w.add(
            self.t_event,
            (
                case,
                self.days.at(day, rng, *hours),
                by,
                action,
                before,
                after,
                json.dumps(data, ensure_ascii=False),
            ),
        )
        self.counts["events"] += 1

    def point_for(self, county: dict, rng) -> int:
        by_kind = county["by_kind"]
        r = rng.random()
        for kind, share in (("village_station", 0.6), ("town_centre", 0.85), ("dedicated_zone", 1)):
            if r < share and by_kind.get(kind):
                return rng.choice(by_kind[kind])
        return rng.choice(by_kind.get("village_station") or by_kind["town_centre"])

    def case(self, county_id: int, day: dt.date, sequence: int) -> None:
        rng, days, today = self.rng, self.days, self.today
        county = self.net["counties"][county_id]
        helpers = self.net["helpers"]
        code = county["code"]
        pk = self.ids["case"]
        self.ids["case"] += 1
        number = f"{code}-{day:%Y%m%d}-{sequence:04d}"
        item = rng.choice(self.items[county_id])
        point = self.point_for(county, rng)
        helper = rng.choice(helpers[point])
        applicant, born, phone, disabled = self.applicant(county_id, day)
        received = day if rng.random() < 0.95 else day - dt.timedelta(days=rng.randint(1, 2))
        kind = "proxy" if rng.random() < 0.2 else "assisted"
        mode = "on_site" if "on_site" in item["modes"] and rng.random() < 0.6 else None
        mode = mode or rng.choice(item["modes"])
        channel = rng.choices(
            ["walk_in", "phone", "online", "hotline_12345", "home_visit_request"],
            [70, 10, 8, 6, 6],
        )[0]
        elderly = bool(born and self.identifiers.is_elderly(born, day))
        registered_at = days.at(day, rng)
        # The story: notice? accepted when? completed, late, withdrawn, refused, stuck, transferred?
        status, accepted, completed, suspended, closed_day = "registered", None, None, None, None
        deemed = False
        notice_day = materials_day = None
        if rng.random() < 0.12:
            notice_day = days.after(received, rng.choice([0, 0, 1]))
            materials_day = days.after(notice_day, rng.randint(1, 6))
        outcome = rng.random()
        refused = outcome < 0.025
        withdrawn = 0.025 <= outcome < 0.055
        late = 0.055 <= outcome < 0.095
        stuck = 0.095 <= outcome < 0.097
        events = [("register", day, helper, "", "registered")]
        if notice_day is not None and notice_day <= today:
            status = "awaiting_materials"
            events.append(("notice", notice_day, helper, "registered", status))
        if refused:
            refuse_day = days.after(received, rng.randint(0, 2))
            if refuse_day <= today:
                events.append(("refuse", refuse_day, helper, status, "refused"))
                status, closed_day = "refused", refuse_day
        else:
            if materials_day is not None:
                accept_day = materials_day
                if materials_day <= today:
                    events.append(("materials_received", materials_day, helper, status, status))
            else:
                accept_day = days.after(received, 0 if rng.random() < 0.8 else 1)
            if accept_day <= today:
                accepted = accept_day
                events.append(("accept", accept_day, helper, status, "in_progress"))
                status = "in_progress"
        promised = legal = None
        promised_provisional = legal_provisional = False
        if accepted is not None:
            promised, promised_provisional = days.deadline(accepted, *item["promised"])
            legal, legal_provisional = days.deadline(accepted, *item["legal"])
        handling_point, handling_helper = point, helper
        offered_path = ""
        transfer = None
        if status != "refused" and rng.random() < 0.08:
            transfer = self.transfer(pk, point, helper, accepted or received, rng)
            if transfer is not None:
                to_point, to_helper, sent_on, answered_on, answer = transfer
                if sent_on <= today:
                    events.append(("transfer", sent_on, helper, status, status))
                    if answer and answered_on <= today:
                        events.append(
                            (f"{answer}_transfer", answered_on, to_helper, status, status)
                        )
                        if answer == "accept":
                            handling_point, handling_helper = to_point, to_helper
                if answer is None:  # still pending: on offer to the receiving point
                    offered_path = self.net["path"][to_point]
        if accepted is not None:
            if withdrawn:
                withdraw_day = accepted + dt.timedelta(days=rng.randint(0, 4))
                if withdraw_day <= today:
                    events.append(("withdraw", withdraw_day, helper, status, "withdrawn"))
                    status, closed_day = "withdrawn", withdraw_day
            elif not stuck:
                if late:
                    completed = days.after(promised, rng.randint(1, 8))
                else:
                    span = max(0, (promised - accepted).days)
                    completed = accepted + dt.timedelta(
                        days=min(span, int(rng.random() ** 2 * span) + rng.randint(0, 1))
                    )
                if completed > today:
                    completed = None
            if rng.random() < 0.3:
                progress_day = accepted + dt.timedelta(days=rng.randint(0, 3))
                if progress_day <= (completed or today):
                    events.append(("progress", progress_day, handling_helper, status, status))
            if completed is not None:
                events.append(("complete", completed, handling_helper, status, "completed"))
                status, closed_day = "completed", completed
            elif status == "in_progress" and rng.random() < 0.04:
                suspended = min(today, accepted + dt.timedelta(days=1))
                events.append(("suspend", suspended, handling_helper, status, "suspended"))
                status = "suspended"
        elif withdrawn and status != "refused" and rng.random() < 0.5:
            events.append(("withdraw", today, helper, status, "withdrawn"))
            status, closed_day = "withdrawn", today
        # Closed cases have at least 3 events (register … closing), padded with progress notes.
        while status in ("completed", "withdrawn", "refused") and len(events) < 3:
            events.insert(1, ("progress", day, helper, events[0][4], events[0][4]))
        self.counts[status] += 1
        is_open = status in ("registered", "awaiting_materials", "in_progress", "suspended")
        if is_open and promised is not None and promised < today:
            self.counts["overdue"] += 1
        # Still awaiting acceptance without a notice: the deadline it gets when deemed accepted.
        deemed_deadline = None
        if status == "registered" and accepted is None:
            deemed_deadline = days.deadline(received, *item["promised"])[0]
        w = self.w
        w.add(
            self.t_case,
            (
                pk,
                number,
                county_id,
                days.iso(day),
                sequence,
                registered_at,
                applicant,
                *phone,
                elderly,
                disabled,
                item["id"],
                item["revision"],
                kind,
                mode,
                channel,
                point,
                handling_point,
                self.net["path"][point],
                self.net["path"][handling_point],
                offered_path,
                helper,
                helper,
                handling_helper,
                status,
                days.iso(received),
                days.iso(accepted),
                deemed,
                days.iso(promised),
                promised_provisional,
                days.iso(legal),
                legal_provisional,
                days.iso(suspended),
                days.iso(completed),
                days.at(closed_day, rng, 8, 9) if closed_day else None,
                secrets.token_urlsafe(32),
                "",
                days.iso(deemed_deadline),
                item["department"] if status == "refused" else None,
                f"不受字〔{day.year}〕{sequence}号" if status == "refused" else "",
            ),
        )
        if kind == "proxy":
            w.add(
                self.t_authorisation,
                (
                    pk,
                    rng.choice(SURNAMES) + rng.choice(GIVEN),
                    f"代为办理“{item['name']}”，代为提交、领取材料",
                    days.iso(received),
                    None,
                    f"authorisations/{day:%Y/%m}/bench-{pk}.pdf",
                ),
            )
        # The checklist: received once accepted; the first missing while awaiting materials.
        line_ids = []
        for index, (material, position, _necessity) in enumerate(item["materials"]):
            line = self.ids["material"]
            self.ids["material"] += 1
            line_ids.append(line)
            if status == "registered":
                line_status = "pending"
            elif status == "refused" or (status == "awaiting_materials" and index == 0):
                line_status = "missing"
            else:
                line_status = "received"
            received_on = (materials_day or accepted) if line_status == "received" else None
            w.add(
                self.t_material,
                (line, pk, material, position, line_status, "", days.iso(received_on)),
            )
        self.counts["materials"] += len(line_ids)
        for action, on, by, before, after in events:
            data: dict = {}
            if action == "register":
                data = {"item": item["id"], "revision": item["number"], "point": point}
            elif action == "accept":
                data = {
                    "before": {"accepted_on": None, "promised_deadline": None, "status": before},
                    "after": {
                        "accepted_on": days.iso(accepted),
                        "promised_deadline": days.iso(promised),
                        "status": after,
                    },
                }
            elif action == "complete":
                data = {
                    "before": {"completed_on": None, "status": before},
                    "after": {"completed_on": days.iso(completed), "status": after},
                }
            elif action == "notice":
                self.notice_seq[county_id, on] += 1
                n_pk = self.ids["notice"]
                self.ids["notice"] += 1
                n_number = f"{code}-{on:%Y%m%d}-N{self.notice_seq[county_id, on]:04d}"
                data = {"notice": n_number}
                w.add(
                    self.t_notice,
                    (
                        n_pk,
                        pk,
                        n_number,
                        days.iso(on),
                        days.at(on, rng),
                        by,
                        days.iso(days.after(on, 5)),
                        False,
                        "",
                        True,
                    ),
                )
                if line_ids:
                    w.add(self.t_line, (n_pk, line_ids[0], "missing", ""))
                self.counts["notices"] += 1
            elif action in ("withdraw", "refuse"):
                data = {"reason": "申请人主动撤回" if action == "withdraw" else "不符合受理条件"}
            elif action == "progress":
                data = {"text": "已联系相关部门，正在办理", "told": True}
            elif action == "transfer" and transfer is not None:
                data = {
                    "to_point": transfer[0],
                    "direction": "vertical",
                    "reason": "需上级窗口办理",
                }
            hour = min(8, 1 + len(data) % 2 + events.index((action, on, by, before, after)))
            self.event(pk, on, by, action, before, after, data, rng, (hour, hour))
        self.counts["cases"] += 1

    def transfer(self, case: int, point: int, helper: int, on: dt.date, rng):
        """A transfer up the tree (a station to its town centre or the county zone, a town centre
        to the zone): accepted mostly, some declined, a few still pending when recent."""
        parent_of, kind_of, helpers = self.net["parent"], self.net["kind"], self.net["helpers"]
        up = []
        p = parent_of.get(point)
        while p is not None:
            if kind_of[p] != "county_centre" and helpers.get(p):
                up.append(p)
            p = parent_of.get(p)
        zone = self.zone_of.get(point)
        if zone and helpers.get(zone) and zone not in up and zone != point:
            up.append(zone)
        if not up:
            return None
        to_point = rng.choice(up)
        to_helper = rng.choice(helpers[to_point])
        sent_on = on
        answered_on = self.days.after(sent_on, rng.choice([0, 0, 1]))
        r = rng.random()
        answer = "accept" if r < 0.9 else "decline"
        pending = (self.today - sent_on).days <= 1 and r > 0.5
        sent_at = self.days.at(sent_on, self.rng)
        status, answered = "pending", None
        if not pending and answered_on <= self.today:
            status, answered = ("accepted" if answer == "accept" else "declined"), answered_on
        else:
            answer = None
        self.w.add(
            self.t_transfer,
            (
                case,
                point,
                to_point,
                None,
                "vertical",
                "需上级窗口办理",
                self.days.iso(sent_on),
                sent_at,
                helper,
                status,
                self.days.iso(answered),
                to_helper if answered else None,
                "不属于本点受理范围" if status == "declined" else "",
                None,
                None,
            ),
        )
        self.counts[f"transfers_{status}"] += 1
        return to_point, to_helper, sent_on, answered_on, answer

    def generate(self, n: int) -> None:
        """`n` cases from START to today: per county in proportion to its points, working days
        busier than rest days; numbered per county and day in order, with the counters."""
        from bangban.network.models import ServicePoint

        rng = self.rng
        zones = dict(
            ServicePoint.objects.filter(kind="dedicated_zone").values_list("county_id", "pk")
        )
        for county_id, county in self.net["counties"].items():
            for points in county["by_kind"].values():
                for p in points:
                    self.zone_of[p] = zones.get(county_id)
        counties = [
            c
            for c in self.net["counties"]
            if self.items.get(c) and any(self.net["counties"][c]["by_kind"].values())
        ]
        county_weight = [
            sum(len(v) for v in self.net["counties"][c]["by_kind"].values()) for c in counties
        ]
        all_days = [START + dt.timedelta(days=i) for i in range((self.today - START).days + 1)]
        day_weight = [1.0 if self.days.workday(d) else 0.08 for d in all_days]
        per_day = Counter(rng.choices(range(len(all_days)), day_weight, k=n))
        done = reported = 0
        started = time.perf_counter()
        for di, day in enumerate(all_days):
            k = per_day.get(di, 0)
            if not k:
                continue
            per_county = Counter(rng.choices(range(len(counties)), county_weight, k=k))
            for ci in sorted(per_county):
                county_id = counties[ci]
                for sequence in range(1, per_county[ci] + 1):
                    self.case(county_id, day, sequence)
                self.w.add(self.t_counter, (county_id, self.days.iso(day), "case", per_county[ci]))
            done += k
            if len(self.w.rows[self.t_case]) >= BATCH:
                self.w.flush()
                if done >= reported + 100_000:
                    reported = done
                    rate = done / (time.perf_counter() - started)
                    print(f"    {done:,} cases (to {day}), {rate:,.0f} a second", flush=True)
        for (county_id, on), last in self.notice_seq.items():
            self.w.add(self.t_counter, (county_id, self.days.iso(on), "notice", last))
        self.w.flush()
        self.w.reset_sequences(self.models)


def _credit_code(body: str) -> str:
    from bangban.catalog.demo import credit_code

    return credit_code(body)


# --- Registration against gunicorn -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    env: dict, app: str = "bangban.wsgi", *, ready: str | None = "/login/"
) -> tuple[subprocess.Popen, int]:
    """gunicorn serving `app` as the benches serve it (2 sync workers; `env` names the settings)
    on a free port, once `ready` answers 200 (None: once anything answers; the bare stack has no
    page). The bench folder is on its path: the benches' own settings and the bare stack."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            app,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{BENCH}"},
        cwd=str(ROOT),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", ready or "/")
            status = conn.getresponse().status
            if ready is None or status == 200:
                return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def post(port: int, path: str, body: dict, token: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request("POST", path, json.dumps(body, ensure_ascii=False).encode(), headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def percentile(times: list[float], p: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, max(0, int(round(p * len(times))) - 1))]


def open_database(database: str) -> None:
    """Set Django up on a database an earlier bench built: a PostgreSQL URL, or a SQLite file (the
    search benches' one argument)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    if database.startswith("postgres"):
        os.environ["DATABASE_URL"] = database
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["BANGBAN_SQLITE_PATH"] = database
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def elapsed_ms(fn) -> float:
    """The wall time of one call of `fn`, in milliseconds."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def median_p95(times: list[float], width: int = 6) -> str:
    """`times` (ms) as "median / p95 ms", each `width` characters wide."""
    return f"{statistics.median(times):{width}.1f} / {percentile(times, 0.95):{width}.1f} ms"


class Registrar:
    """A client of the registration API: a qualified helper at their station, with the county's
    items and a sample of its applicants (70 % returning)."""

    def __init__(self, token, point, items, numbers, rng, start_serial):
        self.token, self.point, self.items, self.numbers = token, point, items, numbers
        self.rng = rng
        self.serial = start_serial

    def body(self, code: str) -> dict:
        from bangban.cases.identifiers import resident_id_check_character

        rng = self.rng
        item = rng.choice(self.items)
        if self.numbers and rng.random() < 0.7:
            number, name = rng.choice(self.numbers)
        else:
            self.serial += 1
            born = f"{rng.randint(1936, 2006)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            body = f"{code}{born}{self.serial % 1000:03d}"
            number, name = body + resident_id_check_character(body), "测试申请人"
            self.numbers.append((number, name))
        return {
            "point": self.point,
            "applicant": {"name": name, "number": number, "phone": "13805331234"},
            "item": item["id"],
            "kind": "assisted",
            "mode": item["modes"][0],
            "channel": "walk_in",
        }


def registration_run(port, registrars, codes, clients: int, seconds: float, count: int | None):
    """`clients` threads registering for `seconds` (or `count` requests in all, sequentially when one
    client): (latencies in ms, registrations a second, failures)."""
    latencies: list[float] = []
    failures: list = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    remaining = itertools.count()

    def work(index: int):
        registrar, code = registrars[index], codes[index]
        mine = []
        while True:
            if count is not None:
                if next(remaining) >= count:
                    break
            elif time.perf_counter() >= stop_at:
                break
            body = registrar.body(code)
            start = time.perf_counter()
            status, data = post(port, "/api/v1/cases", body, registrar.token)
            mine.append((time.perf_counter() - start) * 1000)
            if status != 201:
                with lock:
                    failures.append((status, data[:300]))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return latencies, len(latencies) / elapsed, failures


def bench_registration(args, env, users, items, numbers, codes_of) -> list[dict]:
    process, port = start_gunicorn(env)
    rows = []
    try:
        tokens = {}
        for user, _point, _county in users:
            status, data = post(
                port, "/api/v1/auth/token", {"username": user.username, "password": PASSWORD}
            )
            if status != 200:
                raise SystemExit(f"token for {user.username}: HTTP {status} {data[:200]}")
            tokens[user.pk] = json.loads(data)["token"]
        registrars = [
            Registrar(
                tokens[user.pk],
                point,
                items[county],
                list(numbers[county]),
                random.Random(args.seed + i),
                500 + 37 * i,
            )
            for i, (user, point, county) in enumerate(users)
        ]
        codes = [codes_of[county] for _, _, county in users]
        # Baseline of the server: the login page, sequentially.
        base = []
        for _ in range(args.requests):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start = time.perf_counter()
            conn.request("GET", "/login/")
            conn.getresponse().read()
            base.append((time.perf_counter() - start) * 1000)
            conn.close()
        rows.append(
            {
                "label": "baseline: GET /login/ (gunicorn, sequential)",
                "median": statistics.median(base),
                "p95": percentile(base, 0.95),
                "rate": len(base) / (sum(base) / 1000),
            }
        )
        registration_run(port, registrars, codes, 1, 0, 10)  # warm up both workers
        print(f"\nRegistration, POST /api/v1/cases against gunicorn (2 workers), port {port}:")
        for clients, count in ((1, args.registrations), (2, None), (8, None)):
            latencies, rate, failures = registration_run(
                port, registrars, codes, clients, args.seconds, count
            )
            label = (
                "registration, sequential (1 client)"
                if clients == 1
                else f"registration, {clients} concurrent clients ({args.seconds:.0f} s)"
            )
            row = {
                "label": label,
                "median": statistics.median(latencies),
                "p95": percentile(latencies, 0.95),
                "rate": rate,
                "n": len(latencies),
                "failures": len(failures),
            }
            rows.append(row)
            print(
                f"  {label:<50} median {row['median']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
                f"{rate:6.0f}/s  ({row['n']} requests, {len(failures)} failed)",
                flush=True,
            )
            for status, data in failures[:3]:
                print(f"    failed: HTTP {status} {data!r}")
        print(
            f"  {rows[0]['label']:<50} median {rows[0]['median']:6.1f} ms  "
            f"p95 {rows[0]['p95']:6.1f} ms"
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
    return rows


# --- The export in a child process -----------------------------------------------------------------


def high_water_kb() -> int:
    """This process's peak resident set (VmHWM), in kB. Not getrusage's ru_maxrss: Linux keeps that
    across fork and exec, so a child would report its parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def export_child(user_id: str, query: str, path: str) -> None:
    """In the child: the export, then its figures as one JSON line."""
    import resource

    import django

    sys.path.insert(0, str(ROOT / "src"))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.http import QueryDict

    from bangban.cases.ledger import LedgerFilter
    from bangban.cases.spreadsheets import write_ledger_export

    user = get_user_model().objects.get(pk=int(user_id))
    form = LedgerFilter(QueryDict(query))
    assert form.is_valid(), form.errors
    before = high_water_kb()
    start = time.perf_counter()
    rows = write_ledger_export(user, form, path)
    seconds = time.perf_counter() - start
    peak = high_water_kb()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "rss_before_kb": before,
                "peak_kb": peak,
                "bytes": os.path.getsize(path),
                "cpu_s": cpu.ru_utime + cpu.ru_stime,
            }
        )
    )


def bench_export(args, user, query: str) -> dict:
    folder = tempfile.mkdtemp(prefix="bangban-bench-export-")
    path = os.path.join(folder, "ledger.xlsx")
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--export-child", str(user.pk), query, path]
        + (["--database-url", args.database_url] if args.database_url else []),
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    wall = time.perf_counter() - start
    shutil.rmtree(folder, ignore_errors=True)
    if out.returncode != 0:
        raise SystemExit(f"export failed:\n{out.stderr[-3000:]}")
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["wall"] = wall
    return figures


# --- Main ------------------------------------------------------------------------------------------


def generate_all(args, today) -> dict:
    from bench_catalog import generate_catalog
    from bench_compliance import generate as generate_helpers
    from django.db import connection

    from bangban.network.divisions import import_divisions

    figures = {}
    folder = Path(args.divisions)
    with step("import of Shandong's divisions") as t:
        import_divisions(
            counties=folder / "shandong-37-counties.csv",
            towns=folder / "shandong-37-towns.csv",
            villages=folder / "shandong-37-villages.csv",
            cities=folder / "shandong-37-cities.csv",
            provinces=folder / "china-provinces.csv",
        )
    figures["divisions_s"] = t.seconds
    with step("zones, helpers and trainings (bench_compliance.generate)") as t:
        generate_helpers(70_000, random.Random(args.seed), today)
    figures["helpers_s"] = t.seconds
    with step(f"catalog: {args.items} items per county (bench_catalog.generate_catalog)") as t:
        generate_catalog(args.items)
    figures["catalog_s"] = t.seconds
    network = load_network()
    items = load_items()
    writer = Writer()
    ledger = Ledger(writer, network, items, today, args.seed)
    with step(f"ledger: {args.cases:,} cases with applicants, checklists and events") as t:
        ledger.generate(args.cases)
    figures["ledger_s"] = t.seconds
    with step("completion tallies, counted from the cases (decision 0067)"):
        from bangban.cases.models import Case, CompletionTally, counted_from_cases

        CompletionTally.objects.bulk_create(counted_from_cases(Case.objects.all()), batch_size=5000)
    # VACUUM too on PostgreSQL: a bulk load leaves the visibility map empty, and index-only scans
    # (the ledger's order index carries the county and the completion day) would then read the
    # table after all, as they would not once autovacuum has been by in a deployment.
    vacuum = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    with step(vacuum) as t, connection.cursor() as cursor:
        cursor.execute(vacuum)
    figures["analyze_s"] = t.seconds
    figures["counts"] = dict(ledger.counts)
    figures["written"] = dict(writer.written)
    return figures


def bench_helpers(today, n: int = 8) -> list[tuple]:
    """n qualified helpers (the generated ones, given a password), each at a station of its own
    county with its county's items; Yiyuan's first. [(user, point id, county id)]"""
    from bangban.network.models import Membership, Role
    from bangban.staff.models import Helper

    counties = list(
        Membership.objects.filter(role=Role.HELPER, point__kind="village_station")
        .values_list("point__county__code", flat=True)
        .distinct()
        .order_by("point__county__code")
    )
    chosen = ["370323"] + [c for c in counties if c != "370323"][:: max(1, len(counties) // n)]
    out = []
    for code in chosen[:n]:
        helper = (
            Helper.objects.qualified(on=today)
            .filter(
                user__memberships__role=Role.HELPER,
                user__memberships__point__kind="village_station",
                user__memberships__point__county__code=code,
            )
            .select_related("user")
            .order_by("pk")
            .first()
        )
        membership = Membership.objects.get(user=helper.user, role=Role.HELPER)
        helper.user.set_password(PASSWORD)
        helper.user.save(update_fields=["password"])
        out.append((helper.user, membership.point_id, membership.point.county_id))
    return out


def main() -> None:
    args = parse_args()
    if args.export_child:
        env, _ = environment(args)
        os.environ.update(env)
        if not args.database_url:
            os.environ.pop("DATABASE_URL", None)
        export_child(*args.export_child)
        return
    database = setup_database(args)
    env, _ = environment(args)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, F
    from django.test import Client
    from django.utils import timezone

    from bangban.cases.models import Case, CaseCounter, Transfer
    from bangban.network import actions as network_actions
    from bangban.network.models import Region, Role, ServicePoint

    print(f"Database: {database}; today {timezone.localdate()}")
    today = timezone.localdate()
    total = time.perf_counter()
    call_command("migrate", verbosity=0)  # also brings a reused database up to date
    if not args.reuse:
        call_command("collectstatic", interactive=False, verbosity=0)
        figures = generate_all(args, today)
        c = figures["counts"]
        print(
            f"Generated in {time.perf_counter() - total:.0f} s (ledger alone "
            f"{figures['ledger_s']:.0f} s): {c['cases']:,} cases, {c['applicants']:,} applicants "
            f"({c['returning'] / c['cases']:.0%} of cases by a returning one), "
            f"{c['materials']:,} checklist lines, {c['events']:,} events, {c['notices']:,} notices; "
            f"completed {c['completed']:,}, withdrawn {c['withdrawn']:,}, refused {c['refused']:,}, "
            f"open {c['registered'] + c['awaiting_materials'] + c['in_progress'] + c['suspended']:,}"
            f" (overdue {c['overdue']:,}); transfers accepted {c['transfers_accepted']:,}, "
            f"declined {c['transfers_declined']:,}, pending {c['transfers_pending']:,}"
        )
    items = load_items()
    codes_of = dict(Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", "code"))
    yiyuan = Region.objects.get(code="370323")
    lucun = ServicePoint.objects.get(kind="town_centre", region__code="370323102")
    late = Case.objects.filter(county=yiyuan, completed_on__gt=F("promised_deadline"))
    print(
        f"Cases: {Case.objects.count():,}; Yiyuan {Case.objects.filter(county=yiyuan).count():,} "
        f"(late {late.count():,}); counters {CaseCounter.objects.count():,}"
    )

    # Users: the bench's admins (made through the real action), helpers with a password.
    User = get_user_model()
    for username, role, binding in (
        ("province", Role.REGION_ADMIN, Region.objects.get(code="37")),
        ("city", Role.REGION_ADMIN, yiyuan.parent),
        ("county", Role.REGION_ADMIN, yiyuan),
        ("town", Role.TOWN_ADMIN, lucun),
    ):
        if not User.objects.filter(username=username).exists():
            network_actions.create_account(
                username=username, password=PASSWORD, role=role, binding=binding, by=None
            )
    province, city, county, town = (
        User.objects.get(username=u) for u in ("province", "city", "county", "town")
    )
    registrars = bench_helpers(today)
    # "A helper's own": the responsible helper of the most cases of a 鲁村镇 station.
    own = (
        Case.objects.filter(registering_point__parent=lucun)
        .values("responsible")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    helper = User.objects.get(pk=own["responsible"])
    helper.set_password(PASSWORD)
    helper.save(update_fields=["password"])

    # The applicants' numbers of the bench counties (returning applicants of the registrations).
    numbers = sample_numbers([county_id for _, _, county_id in registrars])

    reg_rows = []
    if "registration" not in args.skip:
        reg_rows = bench_registration(args, env, registrars, items, numbers, codes_of)
    connection.close()

    clients, tokens = {}, {}
    for name, user in (
        ("province", province),
        ("city", city),
        ("county", county),
        ("town", town),
        ("helper", helper),
    ):
        clients[name] = Client()
        clients[name].force_login(user)
        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        tokens[name] = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}
    n = args.requests
    c, h = clients["county"], clients["helper"]
    quarter = {"state": "completed", "registered_from": "2026-04-01", "registered_to": "2026-06-30"}
    completed_q3 = {"completed_from": "2026-07-01", "completed_to": "2026-09-30"}
    filters = [
        ("county admin, whole county 370323", "county", {}),
        ("town admin, 鲁村镇", "town", {}),
        ("helper, own cases", "helper", {"helper": helper.pk}),
        ("county admin, overdue", "county", {"warning": "overdue"}),
        ("county admin, completed in 2026 Q2", "county", quarter),
        ("county admin, page 2 of the county", "county", {"offset": 50}),
        ("city admin, 淄博市 3703", "city", {}),
        ("province admin, Shandong", "province", {}),
        ("province admin, completed in 2026 Q3", "province", completed_q3),
        ("county admin, completed in 2026 Q3", "county", completed_q3),
        # `q` by name (decision 0070): a common surname, a full name, a given name.
        *(
            (f"{who} admin, q={text} ({what})", who, {"q": text})
            for who in ("county", "province")
            for text, what in ((SURNAMES[0], "a surname"), *names_to_find(yiyuan))
        ),
    ]
    case = (
        Transfer.objects.filter(case__county=yiyuan, status="accepted")
        .select_related("case")
        .order_by("-pk")
        .first()
        .case
    )
    print(f"\nResponse times over {n} requests each (Django test client, in process):")
    # One client for the baseline: a new test client loads every middleware again (WhiteNoise
    # scans the static files), ~45 ms that a server pays once.
    anonymous = Client()
    rows = [timed("baseline: login page (anonymous)", lambda: anonymous.get("/login/"), n)]
    if "pages" in args.skip:
        filters = []
    for label, who, query in filters:
        rows.append(
            timed(
                f"API GET /cases: {label}",
                lambda who=who, query=query: clients[who].get(
                    "/api/v1/cases", query, **tokens[who]
                ),
                n,
            )
        )
    if filters:
        rows.append(
            timed(
                "API GET /cases/{number} (a transferred case)",
                lambda: c.get(f"/api/v1/cases/{case.number}", **tokens["county"]),
                n,
            )
        )
    for label, who, query in filters:
        if "offset" in query:
            query = {"page": 2}
        rows.append(
            timed(
                f"HTML /cases/: {label}",
                lambda who=who, query=query: clients[who].get("/cases/", query),
                n,
            )
        )
    if filters:
        rows.append(
            timed(
                "HTML /cases/<number>/ (county admin)",
                lambda: c.get(f"/cases/{case.number}/"),
                n,
            )
        )
        mine = own_case(helper)
        rows.append(
            timed("HTML /cases/<number>/ (helper, own case)", lambda: h.get(f"/cases/{mine}/"), n)
        )

    # The export: a filter of about `--export-rows` rows for the province admin.
    export = None
    if "export" not in args.skip:
        start_day = export_start(args.export_rows, dt.date(2026, 6, 30))
        query = f"registered_from={start_day}&registered_to=2026-06-30"
        connection.close()
        export = bench_export(args, province, query)
        print(
            f"\nExcel export, province admin, {query}: {export['rows']:,} rows in "
            f"{export['seconds']:.1f} s (child wall {export['wall']:.1f} s, "
            f"{export['bytes'] / 1e6:.1f} MB file); peak RSS {export['peak_kb'] / 1024:.0f} MB "
            f"({export['rss_before_kb'] / 1024:.0f} MB before the export)"
        )
    summary(database, rows, reg_rows, export)


def names_to_find(county) -> list[tuple[str, str]]:
    """A full name (3 characters) of an applicant of the county's latest cases, and its given name:
    the bench's `q` searches by name."""
    from bangban.cases.models import Case

    names = Case.objects.filter(county=county, applicant__kind="person").values_list(
        "applicant__name", flat=True
    )
    full = next(n for n in names.order_by("-pk")[:100] if len(n) == 3)
    return [(full, "a full name"), (full[1:], "a given name")]


def own_case(helper):
    from bangban.cases.models import Case

    return Case.objects.filter(responsible=helper).order_by("-pk").first()


def sample_numbers(county_ids) -> dict[int, list]:
    """Document numbers of applicants of those counties, decrypted (as the generator made them)."""
    from bangban.cases.models import Applicant, Case
    from bangban.kernel.protection import decrypt

    out = {}
    for county_id in county_ids:
        ids = (
            Case.objects.filter(county_id=county_id, applicant__kind="person")
            .values_list("applicant_id", flat=True)
            .order_by("-pk")[:200]
        )
        out[county_id] = [
            (decrypt(a.number_encrypted), a.name)
            for a in Applicant.objects.filter(pk__in=list(ids))
        ]
    return out


def export_start(rows: int, end: dt.date) -> dt.date:
    """The first day of a registration range ending on `end` that holds about `rows` cases."""
    from django.db.models import Sum

    from bangban.cases.models import CaseCounter

    per_day = dict(
        CaseCounter.objects.filter(series="case", day__lte=end)
        .values_list("day")
        .annotate(n=Sum("last"))
        .order_by("-day")
    )
    total = 0
    for day in sorted(per_day, reverse=True):
        total += per_day[day]
        if total >= rows:
            return day
    return START


def summary(database, rows, reg_rows, export) -> None:
    print(f"\nSummary ({database}), median / p95:")
    for r in reg_rows:
        extra = f", {r['rate']:.0f}/s" if "rate" in r else ""
        print(f"  | {r['label']} | {r['median']:.1f} / {r['p95']:.1f} ms{extra} |")
    for r in rows:
        print(f"  | {r['label']} | {r['queries']} | {r['median']:.1f} / {r['p95']:.1f} ms |")
    if export:
        print(
            f"  | Excel export, {export['rows']:,} rows | {export['seconds']:.1f} s, "
            f"peak {export['peak_kb'] / 1024:.0f} MB |"
        )


if __name__ == "__main__":
    main()
