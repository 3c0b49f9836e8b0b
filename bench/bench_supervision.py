"""Supervision at province scale: complaints, 12345 tickets received a second, inspections, timed.

    .venv/bin/python bench/bench_supervision.py                     # SQLite (/tmp/bangban-bench-supervision/)
    .venv/bin/python bench/bench_supervision.py \\
        --database-url postgres://root@127.0.0.1/bangban_bench_supervision
    .venv/bin/python bench/bench_supervision.py --quick              # smoke run: 20,000 complaints
    .venv/bin/python bench/bench_supervision.py --reuse ...          # time again without regenerating

Generates what bench_feedback.py generates (bench_cases.generate_all: Shandong, its helpers, items,
`--cases` cases; then 好差评 with its rectifications), then, with the same raw bulk inserts
(bench_cases.Writer; not through the actions, which are what is timed), what supervision adds:
`--complaints` complaints and requests over the last year spread over the province's points (12345
tickets, mailbox letters, window complaints, escalated reviews, inspections' referrals; 投诉/举报 with
their rectification of subject "complaint"; 举报 and fee complaints confidential, the bureau's;
most answered, some returned, some open and some of those overdue, a few extended), and
`--inspections` submitted inspections (明查/暗访, by the bureau, a third party or a special
supervisor) against each county's default checklist, with findings and their rectifications of
subject "finding" by the point.

Then it measures, each beside a baseline of the same run:
- `supervision.actions.receive` in process (a 12345 ticket, a mailbox letter), beside one insert in
  one transaction; and the 12345 callback `POST /api/v1/hotline/callback` against gunicorn with 2
  workers (bench_feedback_server.py as settings), signed as the platform signs, sequentially,
  with the adapter switched on against a throwaway local fake of the platform
  (tests/supervision/hotline/fake_hotline.py). Baseline: `POST /bench/insert` on that server;
- through the test client in process, with their number of SQL queries, as the admin of 鲁村镇, of
  370323 (the bureau), of 3703 and of the province: the complaint list (`/supervision/complaints/`,
  its default "待我处理" and "全部"), `GET /api/v1/complaints`, the figures page
  (`/supervision/figures/`) and `GET /api/v1/supervision/figures` by point over the last full
  quarter, the inspections list, and the rectification list `/feedback/rectifications/` (ratings,
  complaints and findings). Baseline: the login page.
A page or endpoint that answers 404 is skipped with a notice. Figures are printed, never asserted.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_cases  # noqa: E402
from bench_cases import (  # noqa: E402
    Days,
    Writer,
    ledger_arguments,
    percentile,
    quick,
    start_gunicorn,
    step,
)
from bench_feedback import (  # noqa: E402
    Feedback,
    answerable_points,
    baseline_table,
    bench_users,
    load_run,
    measure,
    point_paths,
    previous_quarter,
    request,
    run_direct,
    summary,
)
from bench_province import PASSWORD, ROOT  # noqa: E402

SETTINGS = "bench_feedback_server"
#: Where complaints come from, what they are and what about.
SOURCES = (["hotline", "mailbox", "window", "rating", "inspection"], [60, 18, 14, 5, 3])
KINDS = (["consult", "help", "complaint", "report", "suggestion"], [25, 8, 42, 10, 15])
CATEGORIES = (
    ["fee", "buck", "favour", "attitude", "discipline", "phrases", "efficiency", "other"],
    [6, 20, 4, 25, 10, 5, 15, 15],
)
TITLES = ["村便民服务站不给办理", "帮办员态度不好", "办事来回跑", "窗口收取费用", "咨询社保卡办理"]
PHONES = ["13805331234", "13953360001", "15805338822", "18653317766", "13325330099"]
HOTLINE_APP_ID = "bangban-12345-bench"
HOTLINE_SECRET = "hotline-bench-secret"


def parse_args(argv=None):
    parser = ledger_arguments(__doc__, cases=200_000, seed=20261207)
    parser.add_argument("--complaints", type=int, default=200_000, help="complaints to generate")
    parser.add_argument("--inspections", type=int, default=20_000, help="inspections to generate")
    parser.add_argument("--requests", type=int, default=40, help="requests per page measurement")
    parser.add_argument("--receipts", type=int, default=300, help="sequential receipts per way")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["direct", "callback", "complaints", "figures", "inspections", "rectifications"],
        help="leave a measurement out (repeatable)",
    )
    args = parser.parse_args(argv)
    quick(args, complaints=20_000, inspections=2_000, requests=10, receipts=40)
    return args


def environment(args) -> tuple[dict, str]:
    """`bench_cases.environment` with this bench's own SQLite file and data folder and its settings
    (`bench_feedback_server`); the 12345 adapter's app id and secret are `hotline_env`'s (its URL
    is the fake's, known once it listens)."""
    return bench_cases.environment(args, "supervision", settings=SETTINGS)


def hotline_env(url: str) -> dict:
    return {
        "BANGBAN_HOTLINE_URL": url,
        "BANGBAN_HOTLINE_APP_ID": HOTLINE_APP_ID,
        "BANGBAN_HOTLINE_SECRET": HOTLINE_SECRET,
        "BANGBAN_HOTLINE_TIMEOUT": "1",
    }


# --- Supervision on top of 好差评 --------------------------------------------------------------------

RECT_COLUMNS = [
    "id",
    "subject",
    "confidential",
    "county",
    "point",
    "point_path",
    "helper",
    "level",
    "town",
    "status",
    "anonymous",
    "opened_on",
    "call_back_due",
    "due",
    "due_provisional",
    "call_record",
    "failed_calls",
    "verification",
    "outcome",
    "measures",
    "evidence",
    "reply",
    "replied_on",
    "reopened",
    "escalated_on",
    "closed_on",
    "updated_at",
]


class Supervision:
    """Complaints with their rectifications, and submitted inspections with findings and theirs,
    written through a Writer in batches."""

    def __init__(self, writer: Writer, today: dt.date, seed: int, inspector: int):
        from bench_cases import load_network

        from bangban.feedback.models import Rectification
        from bangban.kernel.masks import mask_phone
        from bangban.kernel.protection import encrypt, phone_digest
        from bangban.network.models import ServicePoint
        from bangban.supervision.models import (
            Checklist,
            ChecklistItem,
            Complaint,
            Finding,
            Inspection,
        )
        from bangban.supervision.rules import POINT_LEVELS

        self.w, self.today, self.inspector = writer, today, inspector
        self.rng = random.Random(seed)
        self.days = Days("+00:00" if writer.postgres else "")
        self.models = [Complaint, Rectification, Inspection, Finding]
        self.phones = [(encrypt(p), mask_phone(p), phone_digest(p)) for p in PHONES]
        network = load_network()
        self.helpers = network["helpers"]
        self.points = list(ServicePoint.objects.values_list("pk", "county_id", "kind"))
        self.answerable = answerable_points()
        self.paths = point_paths()
        self.level_of = {pk: POINT_LEVELS.get(kind) for pk, _, kind in self.points}
        # The items of each county's active checklist, with the levels they apply to.
        checklist_of = dict(Checklist.objects.filter(active=True).values_list("county_id", "pk"))
        self.checklist_of = checklist_of
        self.items: dict[int, list[tuple]] = {}
        for pk, checklist, text, points, deduction, cap, applies in ChecklistItem.objects.filter(
            section__checklist_id__in=checklist_of.values(), active=True
        ).values_list(
            "pk", "section__checklist_id", "text", "points", "deduction", "cap", "applies_to"
        ):
            self.items.setdefault(checklist, []).append(
                (pk, text, points, deduction, cap, set(applies))
            )
        self.t_complaint = writer.table(
            Complaint,
            [
                "id",
                "county",
                "source",
                "ticket_no",
                "kind",
                "category",
                "title",
                "content",
                "anonymous",
                "complainant_name",
                "phone_encrypted",
                "phone_masked",
                "phone_digest",
                "point",
                "point_path",
                "helper",
                "level",
                "town",
                "confidential",
                "status",
                "received_on",
                "due",
                "return_due",
                "extension",
                "extension_days",
                "extension_reason",
                "signed_on",
                "returned_on",
                "return_reason",
                "upheld",
                "answer",
                "answered_on",
                "rectification",
                "public_token",
                "created_at",
                "updated_at",
            ],
        )
        self.t_rect = writer.table(Rectification, RECT_COLUMNS)
        self.t_inspection = writer.table(
            Inspection,
            [
                "id",
                "county",
                "point",
                "point_path",
                "checklist",
                "announced",
                "by",
                "unit",
                "inspector",
                "status",
                "started_at",
                "ended_at",
                "submitted_at",
                "full_score",
                "score",
                "summary",
            ],
        )
        self.t_finding = writer.table(
            Finding,
            [
                "inspection",
                "item",
                "item_text",
                "points",
                "deduction_each",
                "cap",
                "occurrences",
                "deducted",
                "note",
                "helper",
                "rectification",
            ],
        )
        self.ids = {
            model.__name__: (
                model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            + 1
            for model in (Complaint, Rectification, Inspection)
        }
        self.counts: Counter = Counter()

    def next_id(self, name: str) -> int:
        pk = self.ids[name]
        self.ids[name] += 1
        return pk

    def working_day(self, back: int) -> dt.date:
        """A working day within `back` calendar days before today."""
        while True:
            day = self.today - dt.timedelta(days=self.rng.randint(0, back))
            if self.days.workday(day):
                return day

    def generate(self, complaints: int, inspections: int) -> None:
        for i in range(complaints):
            self.complaint(i)
            if (i + 1) % 10_000 == 0:
                self.w.flush()
        self.w.flush()
        for _ in range(inspections):
            self.inspection()
            if self.counts["inspections"] % 2_000 == 0:
                self.w.flush()
        self.w.flush()
        self.w.reset_sequences(self.models)

    def rect(self, subject, *, county, point, helper, level, town, confidential, anonymous,
             opened, due, state, closed_on=None) -> int:  # fmt: skip
        """A rectification row in `state`, answered or closed on `closed_on`."""
        pk = self.next_id("Rectification")
        days = self.days
        self.w.add(
            self.t_rect,
            (
                pk,
                subject,
                confidential,
                county,
                point,
                self.paths[point],
                helper,
                level,
                town,
                state,
                anonymous,
                days.iso(opened),
                days.iso(days.after(opened, 1)),
                days.iso(due),
                False,
                "",
                0,
                "情况属实" if state != "opened" else "",
                "fixed" if state in ("resolved", "replied", "closed") else "",
                "",
                "",
                "已整改，已答复" if state in ("replied", "closed") else "",
                days.iso(closed_on),
                False,
                days.iso(days.after(due, 1)) if state != "closed" and due < self.today else None,
                days.iso(closed_on) if state == "closed" else None,
                days.at(closed_on or opened, self.rng),
            ),
        )
        self.counts[f"rect_{subject}"] += 1
        if state != "closed":
            self.counts[f"rect_{subject}_open"] += 1
        return pk

    def complaint(self, i: int) -> None:
        from bangban.supervision.rules import is_confidential

        rng, days, today = self.rng, self.days, self.today
        pk = self.next_id("Complaint")
        point, county, kind_of_point = rng.choice(self.points)
        source = rng.choices(*SOURCES)[0]
        kind = rng.choices(*KINDS)[0]
        category = rng.choices(*CATEGORIES)[0]
        if rng.random() < 0.1 and kind not in ("complaint", "report"):
            point = None  # a request naming no point: the bureau's
        helpers = self.helpers.get(point) if point else None
        helper = rng.choice(helpers) if helpers and rng.random() < 0.6 else None
        confidential = is_confidential(kind, category)
        if confidential or point is None:
            level, town = "bureau", None
        else:
            level, town = self.answerable.get(point, ("bureau", None))
            town = town if level == "town" else None
        received = self.working_day(365)
        due, _ = days.deadline(received, 5)
        return_due, _ = days.deadline(received, 2)
        anonymous = source == "mailbox" and rng.random() < 0.3
        encrypted, masked, digest = ("", "", "") if anonymous else rng.choice(self.phones)
        extension, extension_days = "", 0
        if rng.random() < 0.03:
            extension, extension_days = "approved", rng.randint(3, 10)
            due = days.after(due, extension_days)
        # Its state today: most answered; a ticket not ours returned; the rest open, some overdue.
        state = "answered"
        r = rng.random()
        if source == "hotline" and r < 0.05:
            state = "returned"
        elif due >= today or r < 0.08:
            state = rng.choice(["received", "handling", "handling", "answered"])
        signed = days.after(received, rng.choice([0, 0, 1])) if state != "received" else None
        if signed and signed > today:
            signed = today
        answered = None
        if state == "answered":
            answered = min(
                today, days.after(received, rng.choices([2, 3, 4, 5, 6], [2, 3, 3, 3, 1])[0])
            )
        returned = days.after(received, 1) if state == "returned" else None
        if returned and returned > today:
            returned = today
        rect = None
        if kind in ("complaint", "report") and state in ("handling", "answered") and point:
            rect = self.rect(
                "complaint",
                county=county,
                point=point,
                helper=helper,
                level=level,
                town=town,
                confidential=confidential,
                anonymous=anonymous,
                opened=signed,
                due=max(due, signed),
                state="closed" if state == "answered" else rng.choice(["opened", "verified"]),
                closed_on=answered,
            )
        upheld = None if state != "answered" else rng.random() < 0.4
        ticket = f"SD12345-{received:%Y%m%d}-{pk:07d}" if source == "hotline" else ""
        self.w.add(
            self.t_complaint,
            (
                pk,
                county,
                source,
                ticket,
                kind,
                category,
                rng.choice(TITLES),
                "群众反映在服务点办事时遇到的问题，请核实处理。",
                anonymous,
                "" if anonymous else "王女士",
                encrypted,
                masked,
                digest,
                point,
                self.paths.get(point, ""),
                helper,
                level,
                town,
                confidential,
                state,
                days.iso(received),
                days.iso(due),
                days.iso(return_due),
                extension,
                extension_days,
                "需协调多个部门" if extension else "",
                days.iso(signed),
                days.iso(returned),
                "非本单位职责" if returned else "",
                upheld,
                "经核实已处理，已答复诉求人" if answered else "",
                days.iso(answered),
                rect,
                secrets.token_urlsafe(32),
                days.at(received, rng),
                days.at(answered or signed or received, rng),
            ),
        )
        self.counts["complaints"] += 1
        self.counts[f"state_{state}"] += 1
        if confidential:
            self.counts["confidential"] += 1
        if state in ("received", "handling") and due < today:
            self.counts["overdue"] += 1

    def inspection(self) -> None:
        rng, days, today = self.rng, self.days, self.today
        point, county, _ = rng.choice(self.points)
        checklist = self.checklist_of.get(county)
        level = self.level_of.get(point)
        items = [it for it in self.items.get(checklist, ()) if level in it[5]]
        if not items:
            self.counts["inspections_skipped"] += 1
            return
        pk = self.next_id("Inspection")
        started = self.working_day(365)
        full = sum(it[2] for it in items)
        by = rng.choices(["bureau", "third_party", "special"], [60, 25, 15])[0]
        deducted_total = 0
        answer_level, town = self.answerable.get(point, ("bureau", None))
        helpers = self.helpers.get(point) or [None]
        for item_pk, text, points, deduction, cap, _ in rng.sample(
            items, min(len(items), rng.choice([0, 1, 1, 2, 3, 4]))
        ):
            occurrences = rng.randint(1, 3)
            deducted = min(deduction * occurrences, cap)
            deducted_total += deducted
            closed = days.after(started, rng.randint(3, 10))
            state = "closed" if closed <= today else rng.choice(["opened", "rectifying"])
            due, _ = days.deadline(started, 5)
            rect = self.rect(
                "finding",
                county=county,
                point=point,
                helper=None,
                level="point",
                town=town if answer_level == "town" else None,
                confidential=False,
                anonymous=True,
                opened=started,
                due=due,
                state=state,
                closed_on=closed if state == "closed" else None,
            )
            self.w.add(
                self.t_finding,
                (
                    pk,
                    item_pk,
                    text,
                    str(points),
                    str(deduction),
                    str(cap),
                    occurrences,
                    str(deducted),
                    "现场发现问题",
                    rng.choice(helpers),
                    rect,
                ),
            )
            self.counts["findings"] += 1
        at = days.at(started, rng)
        self.w.add(
            self.t_inspection,
            (
                pk,
                county,
                point,
                self.paths[point],
                checklist,
                rng.random() < 0.4,
                by,
                {"bureau": "督查科", "third_party": "第三方评估机构", "special": ""}[by],
                self.inspector,
                "submitted",
                at,
                at,
                at,
                str(full),
                str(max(full - deducted_total, 0)),
                "总体规范，个别问题当场指出",
            ),
        )
        self.counts["inspections"] += 1


def inspector_account() -> int:
    """The inspector of the generated inspections: a supervisor of the province (real action)."""
    from django.contrib.auth import get_user_model

    from bangban.network import actions as network_actions
    from bangban.network.models import Region, Role

    User = get_user_model()
    user = User.objects.filter(username="sv-inspector").first()
    if user is None:
        user = network_actions.create_account(
            username="sv-inspector",
            password=PASSWORD,
            role=Role.SUPERVISOR,
            binding=Region.objects.get(code="37"),
            by=None,
        )
    return user.pk


def default_checklists() -> None:
    """Every county's default checklist (the network signal gives one to a county made later than
    the migration; the bench imports the network after it)."""
    from bangban.network.models import Region
    from bangban.supervision.actions.checklists import give_default_checklist
    from bangban.supervision.models import Checklist

    have = set(Checklist.objects.values_list("county_id", flat=True))
    for county in Region.objects.filter(level=Region.Level.COUNTY).exclude(pk__in=have):
        give_default_checklist(county)


# --- Measurements ----------------------------------------------------------------------------------


def ticket(county_code: str, n: int, today: dt.date) -> dict:
    """A 12345 ticket as the platform dispatches it (the fake's field names), about a point."""
    return {
        "type": "ticket",
        "ticketNo": f"SD12345-BENCH-{today:%Y%m%d}-{n:06d}-{secrets.token_hex(3)}",
        "dispatchTime": f"{today:%Y-%m-%d} 09:30:00",
        "appealType": "03",
        "problemType": "0102",
        "title": "村便民服务站不给办理",
        "content": "到村里便民服务站办社保卡挂失，工作人员说不归他们管。",
        "citizenName": "王女士",
        "citizenPhone": "13805331234",
        "areaCode": county_code,
    }


def bench_direct(args, today) -> list[dict]:
    """`actions.receive` in process (a 12345 ticket with a point, a mailbox letter), beside one
    insert in one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bangban.network.models import Region, ServicePoint
    from bangban.supervision import actions

    print(f"\nReceipts in process, {args.receipts} each (sequential):")

    def insert(i):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_baseline (at, body) VALUES (%s, %s)",
                [timezone.now().isoformat(), str(i)],
            )

    county = Region.objects.get(code="370323")
    points = list(ServicePoint.objects.filter(county=county, kind="village_station")[:200])
    rng = random.Random(args.seed)
    stamp = secrets.token_hex(3)

    def hotline(i):
        actions.receive(
            county=county,
            source="hotline",
            ticket_no=f"SD12345-DIRECT-{stamp}-{i:06d}",
            kind=rng.choice(["complaint", "consult", "help", "report"]),
            category=rng.choice(["buck", "attitude", "fee"]),
            title="村便民服务站不给办理",
            content="到村里便民服务站办社保卡挂失，工作人员说不归他们管。",
            received_on=today,
            name="王女士",
            phone="13805331234",
            point=rng.choice(points),
            by=None,
        )

    def mailbox(i):
        actions.receive(
            county=county,
            source="mailbox",
            kind="report",
            category="fee",
            title="办事被收费",
            content="在村服务站办理时被收取二十元手续费。",
            anonymous=True,
            point=rng.choice(points),
            by=None,
        )

    return [
        run_direct("baseline: one insert in one transaction", insert, args.receipts),
        run_direct("actions.receive, a 12345 ticket (with its point)", hotline, args.receipts),
        run_direct("actions.receive, an anonymous mailbox 举报 (fee)", mailbox, args.receipts),
    ]


def bench_callback(args, env, today) -> list[dict]:
    """The signed 12345 callback against gunicorn, sequentially, beside `POST /bench/insert`; the
    adapter on, speaking to a throwaway fake of the platform."""
    sys.path.insert(0, str(ROOT))
    from tests.supervision.hotline.fake_hotline import FakeHotline

    rows = []
    with FakeHotline(app_id=HOTLINE_APP_ID, secret=HOTLINE_SECRET) as fake:
        process, port = start_gunicorn({**env, **hotline_env(fake.url)})
        print(f"\n12345 callback against gunicorn (2 workers), port {port}, sequential:")
        base = f"http://127.0.0.1:{port}"
        try:
            load_run(lambda rng: (request(port, "GET", "/login/")[0] == 200, ""), 1, 0, 4)

            def baseline(rng):
                status, data = request(port, "POST", "/bench/insert", {"n": rng.random()})
                return status == 201, f"HTTP {status} {data[:200]!r}"

            counter = iter(range(10**9))

            def callback(rng):
                status, answer = fake.call_back(base, ticket("370323", next(counter), today))
                return status == 200 and answer.get("code") == "0", f"HTTP {status} {answer}"

            def repeat(rng):
                status, answer = fake.call_back(base, held)
                ok = status == 200 and answer.get("data", {}).get("result") == "held"
                return ok, f"HTTP {status} {answer}"

            held = ticket("370323", 999_999, today)
            fake.call_back(base, held)
            for label, work in (
                ("baseline: POST /bench/insert (one insert)", baseline),
                ("POST /api/v1/hotline/callback, a new ticket (signed)", callback),
                ("POST /api/v1/hotline/callback, the same ticket again", repeat),
            ):
                latencies, rate, failures = load_run(work, 1, 0, args.receipts)
                row = {
                    "label": label,
                    "median": statistics.median(latencies),
                    "p95": percentile(latencies, 0.95),
                    "rate": rate,
                }
                rows.append(row)
                print(
                    f"  {label:<58} median {row['median']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
                    f"{rate:6.0f}/s  ({len(latencies)} requests, {len(failures)} failed)",
                    flush=True,
                )
                for detail in failures[:3]:
                    print(f"    failed: {detail}")
        finally:
            process.terminate()
            process.wait(timeout=30)
    return rows


def bench_reads(args, users: dict, today: dt.date) -> list[dict]:
    from django.test import Client

    n = args.requests
    clients, tokens = {}, {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        tokens[name] = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}
    print(f"\nResponse times over {n} requests each (Django test client, in process):")
    anonymous = Client()
    rows = [measure("baseline: login page (anonymous)", lambda: anonymous.get("/login/"), n)]
    who_all = ("town", "county", "city", "province")

    def each(label, fn):
        for who in who_all:
            rows.append(measure(f"{label}, {who}", lambda who=who: fn(who), n))

    if "complaints" not in args.skip:
        each(
            "HTML /supervision/complaints/ (待我处理)",
            lambda who: clients[who].get("/supervision/complaints/"),
        )
        each(
            "HTML /supervision/complaints/?show=all (全部)",
            lambda who: clients[who].get("/supervision/complaints/", {"show": "all"}),
        )
        each(
            "API GET /complaints",
            lambda who: clients[who].get("/api/v1/complaints", **tokens[who]),
        )
    if "figures" not in args.skip:
        start, end = previous_quarter(today)
        print(f"  (figures over {start} – {end}, by point)")
        query = {
            "period": "custom",
            "from": start.isoformat(),
            "to": end.isoformat(),
            "by": "point",
        }
        each(
            "HTML /supervision/figures/ by point",
            lambda who: clients[who].get("/supervision/figures/", query),
        )
        each(
            "API GET /supervision/figures by point",
            lambda who: clients[who].get(
                "/api/v1/supervision/figures",
                {k: v for k, v in query.items() if k != "period"},
                **tokens[who],
            ),
        )
    if "inspections" not in args.skip:
        each(
            "HTML /supervision/inspections/",
            lambda who: clients[who].get("/supervision/inspections/"),
        )
    if "rectifications" not in args.skip:
        each(
            "HTML /feedback/rectifications/ (three subjects)",
            lambda who: clients[who].get("/feedback/rectifications/"),
        )
    return [r for r in rows if r is not None]


# --- Main ------------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    database = bench_cases.setup_database(args, environment(args))
    env, _ = environment(args)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from bench_cases import generate_all
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from bangban.feedback.models import Rectification
    from bangban.supervision.models import Complaint, Finding, Inspection

    today = timezone.localdate()
    print(f"Database: {database}; today {today}")
    total = time.perf_counter()
    call_command("migrate", verbosity=0)  # also brings a reused database up to date
    if not args.reuse:
        call_command("collectstatic", interactive=False, verbosity=0)
        generate_all(args, today)
        with step("好差评: occasions, ratings, rectifications (bench_feedback.Feedback)") as _:
            Feedback(Writer(), today, args.seed).generate()
        default_checklists()
        supervision = Supervision(Writer(), today, args.seed, inspector_account())
        with step(
            f"supervision: {args.complaints:,} complaints, {args.inspections:,} inspections"
        ) as t:
            supervision.generate(args.complaints, args.inspections)
        with step("ANALYZE") as _, connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        c = supervision.counts
        print(
            f"Generated in {time.perf_counter() - total:.0f} s (supervision alone "
            f"{t.seconds:.0f} s): {c['complaints']:,} complaints ("
            + ", ".join(
                f"{s} {c['state_' + s]:,}" for s in ("received", "handling", "answered", "returned")
            )
            + f"; confidential {c['confidential']:,}; open and overdue {c['overdue']:,}), "
            f"{c['inspections']:,} inspections with {c['findings']:,} findings; rectifications: "
            f"complaints {c['rect_complaint']:,} (open {c['rect_complaint_open']:,}), findings "
            f"{c['rect_finding']:,} (open {c['rect_finding_open']:,})"
        )
    baseline_table()
    subjects = dict(Rectification.objects.values_list("subject").annotate(n=Count("pk")).order_by())
    print(
        f"Complaints {Complaint.objects.count():,} (open {Complaint.objects.open().count():,}), "
        f"inspections {Inspection.objects.count():,}, findings {Finding.objects.count():,}, "
        f"rectifications by subject {subjects}"
    )
    users = bench_users()
    write_rows = []
    if "direct" not in args.skip:
        write_rows += bench_direct(args, today)
    connection.close()
    if "callback" not in args.skip:
        write_rows += bench_callback(args, env, today)
    connection.close()
    rows = bench_reads(args, users, today)
    summary(database, write_rows, rows)


if __name__ == "__main__":
    main()
