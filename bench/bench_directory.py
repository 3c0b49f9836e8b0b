"""The linkage directory's text search province-wide, the substring test on every row against the
grams (decision 0069), on the database bench_cases.py built (Shandong: 62,060 stations, ~70,000
helpers).

    .venv/bin/python bench/bench_cases.py --quick --skip registration --skip export --skip pages
    .venv/bin/python bench/bench_directory.py                      # reuses that SQLite database
    .venv/bin/python bench/bench_directory.py --database-url postgres://root@127.0.0.1/bangban_bench_dir

It reuses `bench_cases.py`'s database (`--reuse`: nothing is generated; `migrate` brings a database
built before decision 0069 up to date, and its migration 0007 fills the gram tables) and times what
the directory page pays for a text search with no place or domain — the count and the first 50
ids in the directory's order — for points and for helpers, with the search as it was before the
grams (`name__contains`, `first_name`/`last_name__contains` and "serves at a point whose name
contains", a copy below) and as `staff.directory` makes it now, one after the other in each round
so both see the same load. Both must find the same rows. Median and p95 over `--requests` rounds,
with a primary-key fetch and the directory without text as this run's baselines.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cases  # noqa: E402
from bench_cases import elapsed_ms, median_p95  # noqa: E402
from bench_province import ROOT  # noqa: E402

#: 1, 2, 3 and 4+ characters; matching many rows, some, one or none; Latin letters.
QUERIES = ["村", "王", "鑫", "社区", "建国", "沂源", "ab", "便民服", "王建国", "鲁村镇",
           "便民服务站", "鲁村镇便民服务中心", "无此名称"]  # fmt: skip


def before(on):
    """`directory.points` and `directory.helpers` before the grams (text only)."""
    from django.db.models import Exists, OuterRef, Q

    from bangban.network.models import ServicePoint
    from bangban.staff import directory
    from bangban.staff.models import Helper

    def points(text: str):
        qs = ServicePoint.objects.active()
        if text.strip():
            qs = qs.filter(name__contains=text.strip())
        return qs.order_by("county__code", "ancestry", "kind", "name", "id")

    def helpers(text: str):
        serving = directory._serving(on, user=OuterRef("user"))
        qs = Helper.objects.qualified(on=on).filter(Exists(serving))
        text = text.strip()
        if text:
            qs = qs.filter(
                Q(user__first_name__contains=text)
                | Q(user__last_name__contains=text)
                | Exists(serving.filter(point__name__contains=text))
            )
        return qs.order_by("user__first_name", "user__last_name", "id")

    return points, helpers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (as bench_cases.py's)")
    parser.add_argument("--requests", type=int, default=21, help="rounds per query")
    parser.add_argument("--divisions", help="folder of the NBS CSV files (as bench_cases.py's)")
    parser.add_argument("queries", nargs="*", default=QUERIES)
    args = parser.parse_intermixed_args()
    gen = bench_cases.parse_args(
        ["--quick", "--reuse"]
        + (["--database-url", args.database_url] if args.database_url else [])
        + (["--divisions", args.divisions] if args.divisions else [])
    )
    database = bench_cases.setup_database(gen)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bangban.network.models import PointGram, ServicePoint, UserGram
    from bangban.staff import directory

    call_command("migrate", verbosity=0)  # a database built before 0069: its grams filled
    on = timezone.localdate()
    old_points, old_helpers = before(on)
    ways = {
        "points": {
            "before": old_points,
            "now": lambda q: directory.points(directory.Filter(text=q), on=on),
        },
        "helpers": {
            "before": old_helpers,
            "now": lambda q: directory.helpers(directory.Filter(text=q), on=on),
        },
    }

    def page(qs):
        return qs.count(), list(qs.values_list("pk", flat=True)[:50])

    n = args.requests
    print(
        f"{database}: {ServicePoint.objects.count():,} points, "
        f"{PointGram.objects.count():,} point grams, {UserGram.objects.count():,} user grams"
    )
    pk = ServicePoint.objects.order_by("pk").values_list("pk", flat=True)[1000]
    base = [
        elapsed_ms(lambda: list(ServicePoint.objects.filter(pk=pk).values_list("pk")))
        for _ in range(n)
    ]
    print(
        f"{connection.vendor}, median / p95 over {n} rounds; primary-key fetch {median_p95(base, 7)}"
    )
    for what, pair in ways.items():
        everything = [elapsed_ms(lambda pair=pair: page(pair["now"](""))) for _ in range(n)]
        print(f"{what}, no text (the same query both ways): {median_p95(everything, 7)}")
        for q in args.queries:
            found = {name: page(way(q)) for name, way in pair.items()}  # also warms up
            if found["before"] != found["now"]:
                raise SystemExit(f"{what} {q}: the two searches differ")
            times: dict[str, list[float]] = {name: [] for name in pair}
            for _ in range(n):
                for name, way in pair.items():
                    times[name].append(elapsed_ms(lambda way=way, q=q: page(way(q))))
            line = "   ".join(f"{name} {median_p95(t, 7)}" for name, t in times.items())
            print(f"  {q:<10} {found['now'][0]:>7,} {what:<8} {line}", flush=True)


if __name__ == "__main__":
    main()
