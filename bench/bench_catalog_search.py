"""The province-wide item search alone, per query length, on a catalog bench_catalog.py built.

    .venv/bin/python bench/bench_catalog_search.py /tmp/bangban-bench-XXXX/bench.sqlite3
    .venv/bin/python bench/bench_catalog_search.py postgres://root@127.0.0.1/bangban_bench_catalog2

Reuses the database (nothing is written; building it takes minutes, and 20 on a loaded machine)
and times what the list page pays for a search — its count and its first 50 ids, ordered — for
the queries of bench_catalog.py, with the search as decision 0062's first round made it (the
grams counted with `GROUP BY … HAVING`, every bigram of the query, the ASCII tests joined by OR;
a copy below) and as `ServiceItemQuerySet.search` makes it now, one after the other in each
round, so both see the same load. Both must find the same items. Median and p95 over
`--requests` rounds, and a primary-key fetch as this run's baseline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cases import elapsed_ms, median_p95, open_database  # noqa: E402

QUERIES = ["证", "低保", "医保", "身份证", "养老保险参保", "db", "11370323"]


def first_round(items, text: str):
    """`ServiceItemQuerySet.search` as of decision 0062's first round (province-wide only)."""
    from django.db.models import Count, Exists, OuterRef, Q

    from bangban.catalog.models import ItemGram, ItemRevision, ServiceItem, _starts_with
    from bangban.kernel.search import _words, grams_suffice

    text = text.strip()
    wanted: set[str] = set()
    for word in _words(text):
        wanted.update([word] if len(word) == 1 else (word[i : i + 2] for i in range(len(word) - 1)))
    rows = ItemGram.objects.filter(gram__in=sorted(wanted)).values("item_id")
    if len(wanted) > 1:
        rows = rows.annotate(found=Count("*")).filter(found=len(wanted)).values("item_id")
    candidates = Q(pk__in=rows)
    if grams_suffice(text):
        return items.filter(candidates)
    said = Q(current__search_text__contains=text.lower())
    if text.isascii() and text.replace("-", "").isalnum():
        upper = text.upper()
        revisions = ItemRevision.objects.filter(_starts_with("basic_code", upper))
        return items.filter(
            Q(pk__in=ServiceItem.objects.filter(_starts_with("implementation_code", upper)))
            | Q(current__in=revisions)
            | Q(pk__in=ServiceItem.objects.filter(candidates, said).values("pk"))
        )
    domains = ItemRevision.domains.through.objects.filter(
        itemrevision_id=OuterRef("current_id"), domain__name__contains=text
    )
    return items.filter(candidates).filter(
        said | Q(current__department__name__contains=text) | Q(Exists(domains))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="a PostgreSQL URL or a SQLite file bench_catalog.py built")
    parser.add_argument("--requests", type=int, default=21, help="rounds per query")
    parser.add_argument("queries", nargs="*", default=QUERIES)
    args = parser.parse_intermixed_args()
    open_database(args.database)
    from django.db import connection

    from bangban.catalog.models import ServiceItem

    items = ServiceItem.objects.all()
    ways = {"first round": lambda q: first_round(items, q), "now": lambda q: items.search(q)}

    def alone(way, q):
        found = way(q).order_by("pk")
        return found.count(), list(found.values_list("pk", flat=True)[:50])

    n = args.requests
    base = [
        elapsed_ms(lambda: list(items.filter(pk=1000).values_list("pk", flat=True)))
        for _ in range(n)
    ]
    print(
        f"{connection.vendor}, median / p95 over {n} rounds; primary-key fetch {median_p95(base)}"
    )
    for q in args.queries:
        found = {name: alone(way, q) for name, way in ways.items()}  # also warms up
        if len(set(map(repr, found.values()))) != 1:
            raise SystemExit(f"{q}: the two searches differ")
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(n):
            for name, way in ways.items():
                times[name].append(elapsed_ms(lambda way=way, q=q: alone(way, q)))
        line = "   ".join(f"{name} {median_p95(t)}" for name, t in times.items())
        print(f"  {q:<10} {found['now'][0]:>7,} items   {line}")


if __name__ == "__main__":
    main()
