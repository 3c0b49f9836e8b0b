"""好差评 at province scale: ratings submitted a second, the bad-review lists and the figures, timed.

    .venv/bin/python bench/bench_feedback.py                       # SQLite (/tmp/bangban-bench-feedback/)
    .venv/bin/python bench/bench_feedback.py \\
        --database-url postgres://root@127.0.0.1/bangban_bench_feedback
    .venv/bin/python bench/bench_feedback.py --quick                # a small smoke run (20,000 cases)
    .venv/bin/python bench/bench_feedback.py --reuse ...            # time again without regenerating

Generates the ledger of bench_cases.py (all of Shandong, its helpers, items, `--cases` cases from
2025-01-01 to today), then, with raw bulk inserts in batches (bench_cases.Writer: COPY on PostgreSQL,
executemany on SQLite; not through the actions, which are timed separately), what 好差评 adds on top:
a reason set per county; the cases' service occasions (registration always, materials handed in,
home visits, the handover of most completed cases' results: about 1.5 a case); first ratings of
about 70 % of the occasions within their 5-working-day window (about 3 % bad, 1 % the province's
default ratings), each bad review with its rectification in a state its age allows (called back,
verified, rectifying, replied, closed by a follow-up rating or at its window's end; some stuck and
escalated; a few overturned on appeal, a few appeals pending) with its timeline.

Then it measures, each beside a baseline of the same run:
- ratings a second: `feedback.actions.rate_occasion` in process; `POST /api/v1/public/ratings` and
  the public page `/pj/<token>/` (GET, the phone's last four digits, the rating: one session) against
  gunicorn with 2 workers on a free port, sequentially, then with 2 and 8 concurrent clients, each
  rating a fresh occasion of a real case (occasions of today, made for the bench). Baseline: a bare
  endpoint writing one row in one transaction (`POST /bench/insert`, bench_feedback_server.py), on
  the same server the same way, and the same insert in process;
- the bad-review list (`/feedback/rectifications/`, `GET /api/v1/rectifications`) as a town, county,
  city and province admin, and the figures (`/feedback/figures/`, `GET /api/v1/feedback/figures`)
  by point, helper and town over a quarter as a county, city and province admin, through Django's
  test client, with their number of SQL queries; beside them, the same reads on the models (the scope
  functions and aggregates), which exist before the pages do. Baseline: the login page.
A page or endpoint that answers 404 (not there yet) is skipped with a notice. Figures are printed,
never asserted.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import http.cookiejar
import itertools
import json
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass
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
from bench_province import PASSWORD, ROOT  # noqa: E402

BATCH = 10_000
SETTINGS = "bench_feedback_server"
#: Levels of a first rating (1 … 5): about 3 % bad.
LEVELS = ([1, 2, 3, 4, 5], [1.2, 1.8, 4, 18, 75])
#: How a first rating came.
CHANNELS = (["qr", "sms", "card", "device"], [58, 20, 12, 10])
#: Working days after the occasion on which it was rated (补充评价 up to the 5th).
RATED_AFTER = ([0, 1, 2, 3, 4, 5], [75, 10, 5, 4, 3, 3])
#: The county's reasons: the defaults every county is given (`feedback/data/default_reasons.csv`),
#: so that the generated ratings and the measured ones use the codes of its current version.
with (ROOT / "src/bangban/feedback/data/default_reasons.csv").open(encoding="utf-8") as _file:
    REASONS = [(row["code"], row["label"], row["polarity"]) for row in csv.DictReader(_file)]
GOOD_REASONS = [code for code, _, polarity in REASONS if polarity == "good"]
BAD_REASONS = [code for code, _, polarity in REASONS if polarity == "bad"]
COMMENTS_GOOD = ["", "", "", "服务很好，谢谢", "帮办员很耐心", "不用跑腿，方便"]
COMMENTS_BAD = ["", "等了很久没人管", "材料说了好几次才说清楚", "态度不好", "让我跑了三趟"]


def parse_args(argv=None):
    parser = ledger_arguments(__doc__, cases=1_000_000, seed=20261207)
    parser.add_argument("--requests", type=int, default=40, help="requests per page measurement")
    parser.add_argument("--ratings", type=int, default=300, help="sequential ratings per channel")
    parser.add_argument("--seconds", type=float, default=20, help="length of a throughput run")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["direct", "api", "page", "lists", "figures"],
        help="leave a measurement out (repeatable)",
    )
    args = parser.parse_args(argv)
    quick(args, requests=10, ratings=40, seconds=3)
    return args


#: One client address makes every rating: the public limits (per client, per case) are the
#: production defaults' business, not what this bench measures.
UNLIMITED = {
    "BANGBAN_CASE_LOOKUP_RATE": "1000000/m",
    "BANGBAN_CASE_CODE_FAILURE_RATE": "1000000/m",
    "BANGBAN_RATING_VIEW_RATE": "1000000/m",
    "BANGBAN_RATING_RATE": "1000000/m",
}


def environment(args) -> tuple[dict, str]:
    """`bench_cases.environment` with this bench's own SQLite file and data folder, its settings
    (`bench_feedback_server`) and no public limits."""
    return bench_cases.environment(args, "feedback", settings=SETTINGS, extra=UNLIMITED)


# --- 好差评 on top of the ledger --------------------------------------------------------------------


def point_paths() -> dict[int, str]:
    """Per point: its tree path (`ServicePoint.subtree_prefix`), which the rows it scopes keep
    (`point_path`, decision 0066)."""
    from bangban.network.models import ServicePoint

    return {
        pk: f"{ancestry}{pk}/"
        for pk, ancestry in ServicePoint.objects.values_list("pk", "ancestry")
    }


def answerable_points() -> dict[int, tuple[str, int | None]]:
    """Per point: who takes its bad reviews, ("bureau", None) or ("town", the town centre's id), as
    `feedback.rules.answerable` says for one point, for all of them at once."""
    from bangban.feedback.rules import BUREAU_KINDS
    from bangban.network.models import ServicePoint

    rows = list(ServicePoint.objects.values_list("pk", "kind", "ancestry"))
    towns = {pk for pk, kind, _ in rows if kind == ServicePoint.Kind.TOWN_CENTRE}
    out = {}
    for pk, kind, ancestry in rows:
        if kind in BUREAU_KINDS:
            out[pk] = ("bureau", None)
        elif kind == ServicePoint.Kind.TOWN_CENTRE:
            out[pk] = ("town", pk)
        else:
            up = [int(p) for p in ancestry.strip("/").split("/") if p]
            town = next((p for p in reversed(up) if p in towns), None)
            out[pk] = ("town", town) if town is not None else ("bureau", None)
    return out


def reason_sets() -> dict[int, tuple[int, list[str], list[str]]]:
    """A reason set (version 1) per county, with REASONS: {county: (set id, good, bad codes)}."""
    from bangban.feedback.models import Reason, ReasonSet
    from bangban.network.models import Region

    counties = list(Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", flat=True))
    have = set(ReasonSet.objects.values_list("county_id", flat=True))
    ReasonSet.objects.bulk_create(
        [ReasonSet(county_id=c, version=1) for c in counties if c not in have]
    )
    sets = dict(ReasonSet.objects.filter(version=1).values_list("county_id", "pk"))
    if not Reason.objects.exists():
        Reason.objects.bulk_create(
            Reason(set_id=s, code=code, label=label, polarity=polarity, position=i)
            for s in sets.values()
            for i, (code, label, polarity) in enumerate(REASONS)
        )
    good = [c for c, _, p in REASONS if p != "bad"]
    bad = [c for c, _, p in REASONS if p != "good"]
    return {county: (pk, good, bad) for county, pk in sets.items()}


class Feedback:
    """Occasions, ratings, rectifications with their timelines and appeals for the ledger's cases,
    read back in batches by id and written through a Writer."""

    def __init__(self, writer: Writer, today: dt.date, seed: int):
        from bangban.cases.models import Occasion
        from bangban.feedback.models import Appeal, Rating, Rectification, RectificationEvent

        self.w = writer
        self.today = today
        self.rng = random.Random(seed)
        self.days = Days("+00:00" if writer.postgres else "")
        self.models = [Occasion, Rating, Rectification, RectificationEvent, Appeal]
        self.t_occasion = writer.table(
            Occasion, ["id", "case", "sequence", "kind", "on", "at", "point", "helper"]
        )
        self.t_rating = writer.table(
            Rating,
            [
                "id",
                "occasion",
                "assess",
                "case",
                "county",
                "point",
                "point_path",
                "helper",
                "level",
                "reason_set",
                "reasons",
                "comment",
                "channel",
                "province_default",
                "anonymous",
                "rater_phone_digest",
                "flagged",
                "entered_by",
                "card_scan",
                "device",
                "rated_at",
                "rated_on",
                "overturned",
                "overturned_at",
            ],
        )
        self.t_rect = writer.table(
            Rectification,
            [
                "id",
                "rating",
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
                "called_back_at",
                "call_record",
                "failed_calls",
                "is_true",
                "is_reasonable",
                "is_malicious",
                "verification",
                "outcome",
                "measures",
                "evidence",
                "reply",
                "replied_on",
                "follow_up_due",
                "follow_up",
                "reopened",
                "escalated_on",
                "closed_on",
                "updated_at",
            ],
        )
        self.t_event = writer.table(
            RectificationEvent,
            ["rectification", "action", "from_status", "to_status", "by", "at", "data"],
        )
        self.t_appeal = writer.table(
            Appeal,
            [
                "rating",
                "reason",
                "evidence",
                "filed_by",
                "filed_at",
                "decision",
                "decision_note",
                "decided_by",
                "decided_at",
            ],
        )
        self.ids = {
            model.__name__: (
                model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            + 1
            for model in (Occasion, Rating, Rectification)
        }
        self.answerable = answerable_points()
        self.paths = point_paths()
        self.reasons = reason_sets()
        self.counts: Counter = Counter()

    def next_id(self, name: str) -> int:
        pk = self.ids[name]
        self.ids[name] += 1
        return pk

    def generate(self) -> None:
        """Every case's occasions and their ratings, 10,000 cases a batch (keyset on the id)."""
        from bangban.cases.models import Case

        last = 0
        started = time.perf_counter()
        reported = 0
        columns = (
            "pk",
            "county_id",
            "registered_on",
            "accepted_on",
            "completed_on",
            "status",
            "registering_point_id",
            "handling_point_id",
            "responsible_id",
            "handling_helper_id",
            "contact_phone_digest",
        )
        while True:
            rows = list(
                Case.objects.filter(pk__gt=last).order_by("pk").values_list(*columns)[:BATCH]
            )
            if not rows:
                break
            for row in rows:
                self.case(*row)
            last = rows[-1][0]
            self.w.flush()
            if self.counts["cases"] >= reported + 100_000:
                reported = self.counts["cases"]
                rate = reported / (time.perf_counter() - started)
                print(f"    {reported:,} cases, {rate:,.0f} a second", flush=True)
        self.w.flush()
        self.w.reset_sequences(self.models)

    def case(
        self,
        pk,
        county,
        registered,
        accepted,
        completed,
        status,
        reg_point,
        point,
        responsible,
        helper,
        digest,
    ) -> None:
        rng, today = self.rng, self.today
        occasions = [("register", registered, reg_point, responsible)]
        if accepted is not None and rng.random() < 0.1:
            occasions.append(("materials", max(accepted, registered), point, helper))
        if rng.random() < 0.06:
            end = completed or today
            span = max(0, (end - registered).days)
            occasions.append(
                ("home_visit", registered + dt.timedelta(days=rng.randint(0, span)), point, helper)
            )
        if status == "completed" and rng.random() < 0.35:
            occasions.append(("handover", completed, point, helper))
        occasions.sort(key=lambda o: o[1])
        for sequence, (kind, on, at_point, by) in enumerate(occasions, start=1):
            occasion = self.next_id("Occasion")
            self.w.add(
                self.t_occasion,
                (
                    occasion,
                    pk,
                    sequence,
                    kind,
                    self.days.iso(on),
                    self.days.at(on, rng),
                    at_point,
                    by,
                ),
            )
            self.counts["occasions"] += 1
            if rng.random() < 0.7:
                self.rating(occasion, pk, county, on, at_point, by, digest)
        self.counts["cases"] += 1

    def rating(self, occasion, case, county, on, point, helper, digest) -> None:
        rng, days = self.rng, self.days
        rated_on = days.after(on, rng.choices(*RATED_AFTER)[0])
        if rated_on > self.today:
            self.counts["not_yet_rated"] += 1
            return
        set_id, good, bad = self.reasons[county]
        pk = self.next_id("Rating")
        default = rng.random() < 0.01
        level = 5 if default else rng.choices(*LEVELS)[0]
        channel = "province" if default else rng.choices(*CHANNELS)[0]
        is_bad = level <= 2
        reasons = (
            []
            if default or rng.random() < 0.4
            else rng.sample(bad if is_bad else good, rng.randint(1, 2))
        )
        if level == 3:
            reasons = []
        comment = "" if default else rng.choice(COMMENTS_BAD if is_bad else COMMENTS_GOOD)
        anonymous = rng.random() < 0.1
        rated_at = days.at(rated_on, rng)
        overturned = (
            is_bad and not default and (self.today - rated_on).days > 15 and rng.random() < 0.05
        )
        overturned_on = days.after(rated_on, rng.randint(3, 8)) if overturned else None
        if overturned_on is not None and overturned_on > self.today:
            overturned, overturned_on = False, None
        self.w.add(
            self.t_rating,
            (
                pk,
                occasion,
                1,
                case,
                county,
                point,
                self.paths[point],
                helper,
                level,
                set_id if reasons else None,
                json.dumps(reasons),
                comment,
                channel,
                default,
                anonymous,
                "" if channel in ("card", "device", "province") else digest,
                False,
                None,
                f"rating-cards/{rated_on:%Y/%m}/bench-{pk}.jpg" if channel == "card" else "",
                None,
                rated_at,
                days.iso(rated_on),
                overturned,
                days.at(overturned_on, rng) if overturned else None,
            ),
        )
        self.counts["ratings"] += 1
        self.counts[f"level_{level}"] += 1
        if default:
            self.counts["province_default"] += 1
        elif is_bad:
            self.rectification(
                pk, occasion, case, county, point, helper, rated_on, anonymous, overturned_on, level
            )

    def rectification(
        self, rating, occasion, case, county, point, helper, opened, anonymous, overturned_on, level
    ) -> None:
        """The bad review's rectification, as far as its age allows (a few stuck, then escalated)."""
        rng, days, today = self.rng, self.days, self.today
        pk = self.next_id("Rectification")
        answer_level, town = self.answerable.get(point, ("bureau", None))
        due, provisional = days.deadline(opened, 5)
        call_back_due = days.after(opened, 1)
        stuck_after = (
            rng.choice(["opened", "called_back", "verified", "rectifying"])
            if rng.random() < 0.04 and overturned_on is None
            else None
        )
        events = [("open", "", "opened", opened)]
        state = "opened"
        fields: dict = {}

        def advance(action, to, on) -> bool:
            nonlocal state
            if on > today or state == stuck_after:
                return False
            events.append((action, state, to, on))
            state = to
            return True

        ok = True
        if not anonymous:
            on = days.after(opened, rng.choice([0, 0, 1]))
            ok = advance("call_back", "called_back", on)
            if ok:
                fields["called_back_at"] = days.at(on, rng)
                fields["call_record"] = "已电话联系评价人，了解情况"
        verified = days.after(opened, rng.choice([1, 1, 2]))
        if ok and overturned_on is not None:
            advance("verify", "verified", min(verified, overturned_on))
            events.append(("overturn", state, "overturned", overturned_on))
            state = "overturned"
            fields.update(is_true=False, is_malicious=True, verification="评价人未办理该事项")
            self.counts["overturned"] += 1
            self.w.add(
                self.t_appeal,
                (
                    rating,
                    "该评价与实际服务不符",
                    "",
                    helper,
                    days.at(days.after(opened, 1), rng),
                    "overturned",
                    "经核实为恶意差评，撤销",
                    None,
                    days.at(overturned_on, rng),
                ),
            )
            ok = False
        elif ok:
            ok = advance("verify", "verified", verified)
            if ok:
                fields.update(
                    is_true=True,
                    is_reasonable=rng.random() < 0.8,
                    is_malicious=False,
                    verification="情况属实",
                )
        if ok:
            outcome = rng.choices(["fixed", "rectify", "explained"], [50, 30, 20])[0]
            fields["outcome"] = outcome
            resolved = days.after(verified, rng.randint(0, 1))
            if outcome == "rectify":
                fields["measures"] = "加强窗口人员培训，落实一次性告知"
                ok = advance("rectify", "rectifying", resolved)
                resolved = days.after(resolved, rng.randint(1, 4))
                ok = ok and advance("finish", "resolved", resolved)
            else:
                ok = advance("fix" if outcome == "fixed" else "explain", "resolved", resolved)
            if ok:
                replied = days.after(resolved, rng.choice([0, 1]))
                ok = advance("reply", "replied", replied)
                if ok:
                    fields.update(
                        reply="您反映的问题已整改，感谢监督", replied_on=days.iso(replied)
                    )
                    follow_up_due = days.after(replied, 5)
                    fields["follow_up_due"] = days.iso(follow_up_due)
                    if rng.random() < 0.55:
                        follow_on = days.after(replied, rng.randint(0, 4))
                        if follow_on <= today:
                            follow = self.follow_up(
                                occasion, case, county, point, helper, follow_on
                            )
                            fields["follow_up"] = follow
                            advance("satisfied", "closed", follow_on)
                    elif days.after(follow_up_due, 1) <= today:
                        advance("close", "closed", days.after(follow_up_due, 1))
                    if state == "closed":
                        fields["closed_on"] = days.iso(events[-1][3])
        open_states = {"opened", "called_back", "verified", "rectifying", "resolved"}
        if state in open_states and due < today and days.after(due, 1) <= today:
            escalated = days.after(due, 1)
            events.append(("escalate", state, state, escalated))
            fields["escalated_on"] = days.iso(escalated)
            self.counts["escalated"] += 1
        if state in open_states | {"replied"} and rng.random() < 0.05 and helper is not None:
            self.w.add(
                self.t_appeal,
                (
                    rating,
                    "评价人所述情况与事实不符",
                    "",
                    helper,
                    days.at(min(today, days.after(opened, 1)), rng),
                    "pending",
                    "",
                    None,
                    None,
                ),
            )
            self.counts["appeals_pending"] += 1
        self.w.add(
            self.t_rect,
            (
                pk,
                rating,
                "rating",
                False,
                county,
                point,
                self.paths[point],
                helper,
                answer_level,
                town if answer_level == "town" else None,
                state,
                anonymous,
                days.iso(opened),
                days.iso(call_back_due),
                days.iso(due),
                provisional,
                fields.get("called_back_at"),
                fields.get("call_record", ""),
                0,
                fields.get("is_true"),
                fields.get("is_reasonable"),
                fields.get("is_malicious"),
                fields.get("verification", ""),
                fields.get("outcome", ""),
                fields.get("measures", ""),
                "",
                fields.get("reply", ""),
                fields.get("replied_on"),
                fields.get("follow_up_due"),
                fields.get("follow_up"),
                False,
                fields.get("escalated_on"),
                fields.get("closed_on"),
                days.at(events[-1][3], rng),
            ),
        )
        for action, before, after, on in events:
            data = {"rating": rating} if action == "open" else {}
            self.w.add(
                self.t_event,
                (pk, action, before, after, None, days.at(on, rng), json.dumps(data)),
            )
        self.counts["rectifications"] += 1
        self.counts[f"rect_{state}"] += 1

    def follow_up(self, occasion, case, county, point, helper, on) -> int:
        """The follow-up rating (追评) of a replied rectification: satisfied."""
        rng = self.rng
        pk = self.next_id("Rating")
        self.w.add(
            self.t_rating,
            (
                pk,
                occasion,
                2,
                case,
                county,
                point,
                self.paths[point],
                helper,
                rng.choice([4, 5, 5]),
                None,
                "[]",
                "",
                "sms",
                False,
                False,
                "",
                False,
                None,
                "",
                None,
                self.days.at(on, rng),
                self.days.iso(on),
                False,
                None,
            ),
        )
        self.counts["follow_ups"] += 1
        return pk


# --- Occasions to rate in the bench ----------------------------------------------------------------


@dataclass
class Target:
    occasion: int
    token: str
    last4: str
    digest: str


class Targets:
    """Fresh occasions of today on real cases (帮办, not 代办: the applicant's own phone), handed out
    one at a time to the bench's clients (thread-safe)."""

    def __init__(self, targets: list[Target]):
        self.targets = targets
        self.index = itertools.count()
        self.used: list[int] = []

    def take(self) -> Target | None:
        i = next(self.index)
        return self.targets[i] if i < len(self.targets) else None

    def taken(self) -> list[int]:
        """The occasion ids handed out so far (peeking at the counter moves it: only at the end)."""
        n = min(next(self.index), len(self.targets))
        return [t.occasion for t in self.targets[:n]]


def make_targets(n: int, today: dt.date) -> Targets:
    """`n` occasions dated today (a home visit or a handover), one per case, on the most recent
    帮办 cases, each with its case's token and the last four digits of its applicant's phone."""
    from django.db.models import Max

    from bangban.cases.models import Applicant, Case, Occasion
    from bangban.kernel.protection import decrypt

    # Recent cases not rated by an earlier run today, one per applicant: the rules flag a third
    # rating from one phone within 30 minutes (疑似刷评), which real raters seldom give.
    recent = (
        Case.objects.filter(kind="assisted", applicant__kind="person")
        .exclude(occasions__on=today)
        .order_by("-pk")
        .values_list(
            "pk", "public_token", "applicant_id", "handling_point_id", "handling_helper_id"
        )[: n * 8]
    )
    cases, seen = [], set()
    for row in recent:
        if row[2] not in seen:
            seen.add(row[2])
            cases.append(row)
    random.Random(n).shuffle(cases)
    cases = cases[:n]
    if len(cases) < n:
        print(f"    only {len(cases):,} recent cases of distinct applicants to rate")
    ids = [c[0] for c in cases]
    last_seq: dict[int, int] = {}
    for i in range(0, len(ids), 5000):
        last_seq.update(
            Occasion.objects.filter(case_id__in=ids[i : i + 5000])
            .values_list("case_id")
            .annotate(m=Max("sequence"))
            .order_by()
        )
    phones = {}
    applicant_ids = list({c[2] for c in cases})
    for i in range(0, len(applicant_ids), 5000):
        for pk, encrypted, digest in Applicant.objects.filter(
            pk__in=applicant_ids[i : i + 5000]
        ).values_list("pk", "phone_encrypted", "phone_digest"):
            phones[pk] = (decrypt(encrypted), digest)
    writer = Writer()
    days = Days("+00:00" if writer.postgres else "")
    table = writer.table(
        Occasion, ["id", "case", "sequence", "kind", "on", "at", "point", "helper"]
    )
    first = (Occasion.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    out = []
    rng = random.Random(n + 1)
    for i, (case, token, applicant, point, helper) in enumerate(cases):
        pk = first + i
        writer.add(
            table,
            (
                pk,
                case,
                last_seq.get(case, 0) + 1,
                rng.choice(["home_visit", "handover"]),
                days.iso(today),
                days.at(today, rng),
                point,
                helper,
            ),
        )
        phone, digest = phones[applicant]
        out.append(Target(pk, token, phone[-4:], digest))
    writer.flush()
    writer.reset_sequences([Occasion])
    return Targets(out)


def pick(rng: random.Random) -> tuple[int, list[str]]:
    """A level and its reasons, as the generated ratings have them."""
    level = rng.choices(*LEVELS)[0]
    if level <= 2:
        return level, [rng.choice(BAD_REASONS)]
    return level, ([] if level == 3 or rng.random() < 0.4 else [rng.choice(GOOD_REASONS)])


# --- The two ways in: isolated here so that they follow the page and the API as merged ------------


def api_body(target: Target, level: int, reasons: list[str]) -> dict:
    """The body of `POST /api/v1/public/ratings` for one first rating."""
    return {
        "token": target.token,
        "phone_last4": target.last4,
        "occasion": target.occasion,
        "level": level,
        "reasons": reasons,
        "comment": "",
        "anonymous": False,
        "follow_up": False,
    }


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _open(opener, url: str, form: dict | None = None) -> tuple[int, str]:
    data = None if form is None else urllib.parse.urlencode(form, doseq=True).encode()
    try:
        with opener.open(url, data, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def rate_through_page(port: int, target: Target, level: int, reasons: list[str]) -> tuple[int, str]:
    """One rating through the public page, as a phone does it in one session (its cookies kept,
    redirects followed): open `/pj/<token>/`, give the phone's last four digits, rate the occasion.
    The form's field names are here and only here."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"http://127.0.0.1:{port}/pj/{target.token}/"
    status, html = _open(opener, url)
    if status != 200:
        return status, html
    csrf = CSRF.search(html)
    status, html = _open(
        opener,
        url,
        {
            "csrfmiddlewaretoken": csrf.group(1) if csrf else "",
            "step": "code",
            "code": target.last4,
        },
    )
    if status != 200:
        return status, html
    csrf = CSRF.search(html)
    form = {
        "csrfmiddlewaretoken": csrf.group(1) if csrf else "",
        "step": "rate",
        "occasion": target.occasion,
        "level": level,
        "reasons": reasons,
        "comment": "",
    }
    return _open(opener, url, form)


# --- Against gunicorn ------------------------------------------------------------------------------


def request(port: int, method: str, path: str, body=None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    conn.request(method, path, data, {"Content-Type": "application/json"} if data else {})
    response = conn.getresponse()
    out = response.read()
    conn.close()
    return response.status, out


def load_run(work, clients: int, seconds: float, count: int | None):
    """`clients` threads calling `work(rng)` for `seconds` (or `count` calls in all): (latencies in
    ms, calls a second, failures). `work` returns (ok, detail), or None when it has nothing left."""
    latencies: list[float] = []
    failures: list = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    remaining = itertools.count()

    def thread(index: int):
        rng = random.Random(index)
        mine = []
        while True:
            if count is not None:
                if next(remaining) >= count:
                    break
            elif time.perf_counter() >= stop_at:
                break
            start = time.perf_counter()
            out = work(rng)
            if out is None:
                break
            mine.append((time.perf_counter() - start) * 1000)
            ok, detail = out
            if not ok:
                with lock:
                    failures.append(detail)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return latencies, len(latencies) / elapsed if elapsed else 0.0, failures


def throughput(label: str, work, args, warm: bool = True) -> list[dict]:
    """Sequential (`--ratings` calls), then 2 and 8 clients for `--seconds`: a row each."""
    rows = []
    if warm:
        load_run(work, 1, 0, 4)  # warm up both workers
    for clients, count in ((1, args.ratings), (2, None), (8, None)):
        latencies, rate, failures = load_run(work, clients, args.seconds, count)
        name = (
            f"{label}, sequential"
            if clients == 1
            else f"{label}, {clients} clients ({args.seconds:.0f} s)"
        )
        if not latencies:
            print(f"  {name:<58} nothing left to rate")
            continue
        row = {
            "label": name,
            "median": statistics.median(latencies),
            "p95": percentile(latencies, 0.95),
            "rate": rate,
            "n": len(latencies),
            "failures": len(failures),
        }
        rows.append(row)
        print(
            f"  {name:<58} median {row['median']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
            f"{rate:6.0f}/s  ({row['n']} requests, {len(failures)} failed)",
            flush=True,
        )
        for detail in failures[:3]:
            print(f"    failed: {detail}")
    return rows


def bench_server(args, env, targets: Targets) -> list[dict]:
    from bangban.feedback.models import Rating

    process, port = start_gunicorn(env)
    rows = []
    print(f"\nRatings against gunicorn (2 workers), port {port}:")
    try:

        def baseline(rng):
            status, data = request(port, "POST", "/bench/insert", {"n": rng.random()})
            return status == 201, f"HTTP {status} {data[:200]!r}"

        rows += throughput("baseline: POST /bench/insert (one insert)", baseline, args)

        probe = targets.targets[-1]
        if "api" not in args.skip:
            status, _ = request(port, "POST", "/api/v1/public/ratings", {})
            if status == 404:
                print("  API POST /api/v1/public/ratings: skipped, it answers 404 (not merged yet)")
            else:

                def api(rng):
                    target = targets.take()
                    if target is None:
                        return None
                    level, reasons = pick(rng)
                    status, data = request(
                        port, "POST", "/api/v1/public/ratings", api_body(target, level, reasons)
                    )
                    return status in (200, 201), f"HTTP {status} {data[:300]!r}"

                rows += throughput("API POST /api/v1/public/ratings", api, args)
        if "page" not in args.skip:
            status, _ = request(port, "GET", f"/pj/{probe.token}/")
            if status == 404:
                print("  public page /pj/<token>/: skipped, it answers 404 (not merged yet)")
            else:

                def page(rng):
                    target = targets.take()
                    if target is None:
                        return None
                    level, reasons = pick(rng)
                    status, html = rate_through_page(port, target, level, reasons)
                    return status == 200, f"HTTP {status} {html[:300]!r}"

                rows += throughput("public page GET + last4 + rating (one session)", page, args)
        used = targets.taken()
        written = Rating.objects.filter(occasion_id__in=used).count() if used else 0
        print(f"  occasions handed out {len(used):,}; ratings written for them {written:,}")
    finally:
        process.terminate()
        process.wait(timeout=30)
    return rows


# --- In process -----------------------------------------------------------------------------------


def baseline_table() -> None:
    """The bare endpoint's table (bench_feedback_server.BASELINE_TABLE)."""
    from django.db import connection

    kind = (
        "BIGSERIAL PRIMARY KEY"
        if connection.vendor == "postgresql"
        else ("INTEGER PRIMARY KEY AUTOINCREMENT")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS bench_baseline (id {kind}, at TEXT, body TEXT)")


def run_direct(label: str, fn, n: int) -> dict:
    """`fn(i)` n times in process, timed, with the fewest and most queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, counts = [], []
    for i in range(n):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn(i)
            times.append((time.perf_counter() - start) * 1000)
        counts.append(len(ctx.captured_queries))
    low, high = min(counts), max(counts)
    queries = str(low) if low == high else f"{low}–{high}"
    row = {
        "label": label,
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "rate": n / (sum(times) / 1000),
        "queries": queries,
    }
    print(
        f"  {label:<58} median {row['median']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
        f"{row['rate']:6.0f}/s  {queries:>5} queries",
        flush=True,
    )
    return row


def bench_direct(args, targets: Targets) -> list[dict]:
    """`rate_occasion` in process, beside one insert in one transaction."""
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from bangban.cases.models import Case, Occasion
    from bangban.feedback.actions import rate_occasion
    from bangban.feedback.errors import FeedbackError
    from bangban.feedback.rules import why_phone_may_not_rate

    print(f"\nRatings in process, {args.ratings} each (sequential):")

    def insert(i):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_baseline (at, body) VALUES (%s, %s)",
                [timezone.now().isoformat(), str(i)],
            )

    client = Client()
    client.post("/bench/insert")  # a new test client loads every middleware on its first request
    rows = [
        run_direct("baseline: one insert in one transaction", insert, args.ratings),
        run_direct(
            "baseline: POST /bench/insert (test client)",
            lambda i: client.post("/bench/insert"),
            args.ratings,
        ),
    ]
    rng = random.Random(args.seed)
    picked = [(targets.take(), *pick(rng)) for _ in range(args.ratings)]
    bad = sum(1 for _, level, _ in picked if level <= 2)
    refused = []

    def rate(i):
        target, level, reasons = picked[i]
        try:
            rate_occasion(
                Occasion(pk=target.occasion),
                level=level,
                channel="qr",
                reasons=reasons,
                rater_phone_digest=target.digest,
            )
        except FeedbackError as error:
            refused.append(error)

    if None in (p[0] for p in picked):
        print("  rate_occasion: not enough occasions to rate")
        return rows
    cases = {
        c.public_token: c
        for c in Case.objects.select_related("applicant").filter(
            public_token__in=[t.token for t, _, _ in picked]
        )
    }

    def check(i):
        target = picked[i][0]
        problem = why_phone_may_not_rate(cases[target.token], target.last4)
        if problem:
            refused.append(problem)

    rows.append(
        run_direct("rules.why_phone_may_not_rate (before each public rating)", check, args.ratings)
    )
    rows.append(run_direct(f"feedback.actions.rate_occasion ({bad} bad)", rate, args.ratings))
    if refused:
        print(f"    refused {len(refused)}: {refused[0]}")
    return rows


def measure(label: str, fn, n: int) -> dict | None:
    """Like bench_province.timed, but a page that answers 404 (not there yet) or fails is skipped
    with a notice instead of ending the run. `fn` returns a response, or None (a read on models)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = fn()
    status = getattr(first, "status_code", 200)
    if status != 200:
        why = "not merged yet" if status == 404 else "fails"
        print(f"  {label:<58} skipped: HTTP {status} ({why})")
        return None
    times, queries = [], None
    for i in range(n):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        if i == 0:
            queries = len(ctx.captured_queries)
    row = {
        "label": label,
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": queries,
    }
    print(
        f"  {label:<58} median {row['median']:7.1f} ms   p95 {row['p95']:7.1f} ms   "
        f"{queries:>3} queries",
        flush=True,
    )
    return row


def previous_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


def model_list(user):
    """The open bad reviews `user` sees, the first 50 by deadline, and their number: the list's
    reads on the models."""
    from bangban.feedback.scope import rectifications_for

    qs = rectifications_for(user).open()
    list(qs.select_related("point", "town", "helper").order_by("due", "pk")[:50])
    qs.count()


def model_figures(user, start, end, by: str):
    """The figures' reads on the models: per point or helper, ratings (all, counted, good, bad),
    their rectifications' progress, and the occasions served (for 未评价率)."""
    from django.db.models import Count, Q

    from bangban.cases.models import Occasion
    from bangban.feedback.models import BAD
    from bangban.feedback.scope import ratings_for, rectifications_for
    from bangban.network import access

    key = {"point": "point_id", "helper": "helper_id", "town": "point__parent_id"}[by]
    counted = Q(province_default=False, overturned=False)
    list(
        ratings_for(user)
        .filter(assess=1, rated_on__gte=start, rated_on__lte=end)
        .values(key)
        .annotate(
            n=Count("pk"),
            counted=Count("pk", filter=counted),
            good=Count("pk", filter=counted & Q(level__gte=4)),
            bad=Count("pk", filter=counted & Q(level__in=BAD)),
            self_service=Count("pk", filter=counted & Q(channel__in=["qr", "sms", "device"])),
        )
        .order_by()
    )
    list(
        rectifications_for(user)
        .filter(opened_on__gte=start, opened_on__lte=end)
        .values(key)
        .annotate(
            n=Count("pk"),
            closed=Count("pk", filter=Q(status="closed")),
            called=Count("pk", filter=Q(anonymous=False, called_back_at__isnull=False)),
            named=Count("pk", filter=Q(anonymous=False)),
        )
        .order_by()
    )
    list(
        Occasion.objects.filter(
            point_id__in=access.points_for(user, "view").values("pk"), on__gte=start, on__lte=end
        )
        .values(key)
        .annotate(n=Count("pk"))
        .order_by()
    )


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
    if "lists" not in args.skip:
        for who in ("town", "county", "city", "province"):
            rows.append(
                measure(
                    f"model: open rectifications, 50 + count, {who}",
                    lambda who=who: model_list(users[who]),
                    n,
                )
            )
        for who in ("town", "county", "city", "province"):
            rows.append(
                measure(
                    f"HTML /feedback/rectifications/, {who}",
                    lambda who=who: clients[who].get("/feedback/rectifications/"),
                    n,
                )
            )
        for who in ("town", "county", "city", "province"):
            rows.append(
                measure(
                    f"API GET /rectifications, {who}",
                    lambda who=who: clients[who].get("/api/v1/rectifications", **tokens[who]),
                    n,
                )
            )
    if "figures" not in args.skip:
        start, end = previous_quarter(today)
        print(f"  (figures over {start} – {end})")
        query = {"from": start.isoformat(), "to": end.isoformat()}
        for by in ("point", "helper", "town"):
            for who in ("county", "city", "province"):
                rows.append(
                    measure(
                        f"model: figures by {by}, {who}",
                        lambda who=who, by=by: model_figures(users[who], start, end, by),
                        n,
                    )
                )
        for by in ("point", "helper", "town"):
            for who in ("county", "city", "province"):
                rows.append(
                    measure(
                        f"HTML /feedback/figures/ by {by}, {who}",
                        lambda who=who, by=by: clients[who].get(
                            "/feedback/figures/", {**query, "by": by}
                        ),
                        n,
                    )
                )
        for by in ("point", "helper", "town"):
            for who in ("county", "city", "province"):
                rows.append(
                    measure(
                        f"API GET /feedback/figures by {by}, {who}",
                        lambda who=who, by=by: clients[who].get(
                            "/api/v1/feedback/figures", {**query, "by": by}, **tokens[who]
                        ),
                        n,
                    )
                )
    return [r for r in rows if r is not None]


# --- Main ------------------------------------------------------------------------------------------


def bench_users() -> dict:
    """A town (鲁村镇), county (370323), city (3703) and province admin, made through the real
    action once."""
    from django.contrib.auth import get_user_model

    from bangban.network import actions as network_actions
    from bangban.network.models import Region, Role, ServicePoint

    User = get_user_model()
    names = {"town": "fb-town", "county": "fb-county", "city": "fb-city", "province": "fb-province"}
    if not User.objects.filter(username="fb-town").exists():
        lucun = ServicePoint.objects.get(kind="town_centre", region__code="370323102")
        for who, role, binding in (
            ("town", Role.TOWN_ADMIN, lucun),
            ("county", Role.REGION_ADMIN, Region.objects.get(code="370323")),
            ("city", Role.REGION_ADMIN, Region.objects.get(code="3703")),
            ("province", Role.REGION_ADMIN, Region.objects.get(code="37")),
        ):
            network_actions.create_account(
                username=names[who], password=PASSWORD, role=role, binding=binding, by=None
            )
    return {who: User.objects.get(username=name) for who, name in names.items()}


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
    from django.utils import timezone

    from bangban.cases.models import Case, Occasion
    from bangban.feedback.models import Rating, Rectification

    today = timezone.localdate()
    print(f"Database: {database}; today {today}")
    total = time.perf_counter()
    call_command("migrate", verbosity=0)  # also brings a reused database up to date
    if not args.reuse:
        call_command("collectstatic", interactive=False, verbosity=0)
        generate_all(args, today)
        writer = Writer()
        feedback = Feedback(writer, today, args.seed)
        with step("好差评: occasions, ratings, rectifications (bulk)") as t:
            feedback.generate()
        with step("ANALYZE") as _, connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        c = feedback.counts
        bad = c["level_1"] + c["level_2"]
        print(
            f"Generated in {time.perf_counter() - total:.0f} s (好差评 alone {t.seconds:.0f} s): "
            f"{c['cases']:,} cases, {c['occasions']:,} occasions ({c['occasions'] / c['cases']:.2f} "
            f"a case), {c['ratings']:,} first ratings ({c['ratings'] / c['occasions']:.0%} of "
            f"occasions; {bad:,} bad = {bad / c['ratings']:.1%}; {c['province_default']:,} province "
            f"defaults), {c['follow_ups']:,} follow-ups; {c['rectifications']:,} rectifications: "
            + ", ".join(
                f"{s} {c['rect_' + s]:,}"
                for s in (
                    "opened",
                    "called_back",
                    "verified",
                    "rectifying",
                    "resolved",
                    "replied",
                    "closed",
                    "overturned",
                )
            )
            + f"; escalated {c['escalated']:,}, appeals pending {c['appeals_pending']:,}"
        )
    baseline_table()
    print(
        f"Cases {Case.objects.count():,}, occasions {Occasion.objects.count():,}, ratings "
        f"{Rating.objects.count():,}, rectifications {Rectification.objects.count():,} "
        f"(open {Rectification.objects.open().count():,})"
    )
    users = bench_users()
    rating_rows = []
    wanted = 0
    if "direct" not in args.skip:
        wanted += args.ratings
    for channel in ("api", "page"):
        if channel not in args.skip:
            # sequential, then 2 and 8 clients for --seconds each at up to ~150 a second
            wanted += args.ratings + int(300 * args.seconds) + 10
    if wanted:
        with step(f"{wanted:,} occasions of today to rate") as _:
            targets = make_targets(wanted, today)
        if "direct" not in args.skip:
            rating_rows += bench_direct(args, targets)
        connection.close()
        if "api" not in args.skip or "page" not in args.skip:
            rating_rows += bench_server(args, env, targets)
    connection.close()
    rows = bench_reads(args, users, today)
    summary(database, rating_rows, rows)


def summary(database, rating_rows, rows) -> None:
    print(f"\nSummary ({database}), median / p95:")
    for r in rating_rows:
        queries = f" {r['queries']} |" if r.get("queries") is not None else ""
        print(
            f"  | {r['label']} |{queries} {r['median']:.1f} / {r['p95']:.1f} ms, {r['rate']:.0f}/s |"
        )
    for r in rows:
        print(f"  | {r['label']} | {r['queries']} | {r['median']:.1f} / {r['p95']:.1f} ms |")
    # The number of queries of one page across scopes (a fixed number whatever the scope?).
    families = defaultdict(list)
    for r in rows:
        family, _, who = r["label"].rpartition(", ")
        if who in ("town", "county", "city", "province"):
            families[family].append(f"{who} {r['queries']}")
    if families:
        print("\nQueries per request by scope:")
        for family, counts in families.items():
            same = len({c.split()[-1] for c in counts}) == 1
            print(f"  {family}: {', '.join(counts)}{'' if same else '  (varies)'}")


if __name__ == "__main__":
    main()
