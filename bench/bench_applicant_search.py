"""The ledger's `q` by an applicant's name alone, on a ledger bench_cases.py built.

    .venv/bin/python bench/bench_applicant_search.py /tmp/bangban-bench-cases/bench.sqlite3
    .venv/bin/python bench/bench_applicant_search.py postgres://root@127.0.0.1/bangban_bench_cases

Reuses the database (nothing is written) and times what a ledger answer pays for `q` — the count
and the first 50 ids in the ledger's order — for a county (370323) and for the province, three
ways one after the other in each round, so that all see the same load: `start`, the filter before
decision 0070 (`number LIKE 'X%' OR name LIKE 'X%'`, which finds a name by its start only);
`contains`, the plain substring test the filter now means (`number LIKE 'X%' OR name LIKE
'%X%'`); `grams`, `LedgerFilter` as it is (the candidates from `ApplicantGram`, the exact test on
them). `contains` and `grams` must find the same cases. The queries: a common surname, a full
name of the county's latest cases and its given name, a word of enterprises' names; median and
p95 over `--requests` rounds, and a primary-key fetch as this run's baseline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cases import elapsed_ms, median_p95, open_database  # noqa: E402

ORDER = ("-registered_on", "-sequence", "-pk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="a PostgreSQL URL or a SQLite file bench_cases.py built")
    parser.add_argument("--requests", type=int, default=21, help="rounds per query")
    parser.add_argument("queries", nargs="*", help="instead of the default ones")
    args = parser.parse_intermixed_args()
    open_database(args.database)
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from bangban.cases.ledger import LedgerFilter
    from bangban.cases.models import Case
    from bangban.network.models import Region

    county = Region.objects.get(code="370323")
    today = timezone.localdate()
    queries = args.queries
    if not queries:
        names = Case.objects.filter(county=county, applicant__kind="person").values_list(
            "applicant__name", flat=True
        )
        full = next(n for n in names.order_by("-pk")[:100] if len(n) == 3)
        queries = ["王", full, full[1:], "合作社"]

    def start(cases, text):
        return cases.filter(Q(number__startswith=text) | Q(applicant__name__startswith=text))

    def contains(cases, text):
        return cases.filter(Q(number__startswith=text) | Q(applicant__name__contains=text))

    forms = {text: LedgerFilter({"q": text}) for text in queries}
    assert all(form.is_valid() for form in forms.values())

    def grams(cases, text):  # the form validated beforehand: only the query is timed
        return forms[text].apply(cases, today)

    ways = {"start": start, "contains": contains, "grams": grams}

    def alone(way, cases, text):
        found = way(cases, text).order_by(*ORDER)
        return found.count(), list(found.values_list("pk", flat=True)[:50])

    n = args.requests
    cases = Case.objects.all()
    base = [
        elapsed_ms(lambda: list(cases.filter(pk=1000).values_list("pk", flat=True)))
        for _ in range(n)
    ]
    print(f"{connection.vendor}, {cases.count():,} cases, median / p95 over {n} rounds;")
    print(f"  baseline: a primary-key fetch {median_p95(base)}")
    for scope, scoped in (
        ("county 370323", Case.objects.filter(county=county)),
        ("province", Case.objects.all()),
    ):
        for text in queries:
            found = {name: alone(way, scoped, text) for name, way in ways.items()}  # warms up
            if found["contains"] != found["grams"]:
                raise SystemExit(f"{scope} {text}: the substring test and the grams differ")
            times: dict[str, list[float]] = {name: [] for name in ways}
            for _ in range(n):
                for name, way in ways.items():
                    times[name].append(elapsed_ms(lambda w=way, s=scoped, t=text: alone(w, s, t)))
            line = "   ".join(f"{name} {median_p95(t)}" for name, t in times.items())
            counts = f"{found['start'][0]:>6,} → {found['grams'][0]:>6,} cases"
            print(f"  {scope:<14} {text:<8} {counts}   {line}")


if __name__ == "__main__":
    main()
