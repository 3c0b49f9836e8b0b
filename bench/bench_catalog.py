"""The service-item catalog at province scale: ~45,000 items of 151 counties, pages and API timed.

    .venv/bin/python bench/bench_catalog.py                       # SQLite in a temporary file
    .venv/bin/python bench/bench_catalog.py \\
        --database-url postgres://root@127.0.0.1/bangban_bench_catalog2

Imports all of Shandong's divisions (as bench_province.py does), adds 12 departments per county (the
demo catalog's, named after the county), then, per county, ~300 items through the real bulk import
(`catalog.actions.import_items`): the 63 items of Yiyuan's demo catalog (`catalog/data/*.csv`, read
by the catalog's own reader, `catalog.spreadsheets.read_files`: real names, departments, domains, limits and materials) in up to five handling variants each (the base item
and 变更 / 补办 / 注销 / 延续), some dropped per county, so names repeat across counties as in reality;
modes and levels vary per county, 3–5 materials each, 2 % out of use, and 5 % revised once more
(PostgreSQL's tables are then vacuumed and analyzed, as autovacuum would in service). Then
it times, through Django's test client (in process), the catalog's list page (page 1 and 200, searches,
filters), an item's page and its printable notice list, the public item page, the items API and the
Excel export, as a province admin, a county admin (370323) and a village helper (a station of 370323):
median and p95 over `--requests` requests, with the number of SQL queries of each, and the login page
as this run's baseline. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_province import (  # noqa: E402
    DIVISIONS,
    PASSWORD,
    ROOT,
    bench_users,
    setup_database,
    timed,
)

#: Handling variants (业务办理项) of an item: the base item first.
VARIANTS = ["", "（变更）", "（补办）", "（注销）", "（延续）"]
#: Materials added to an item whose list is shorter than the drawn length (names not repeated).
EXTRA_MATERIALS = [
    ("户口簿", "certificate", "government", 1, 1),
    ("近期免冠彩色照片", "other", "applicant", 0, 2),
    ("承诺书", "form", "applicant", 1, 0),
    ("其他相关证明材料", "other", "applicant", 0, 1),
    ("授权委托书", "form", "applicant", 1, 0),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to (re)create")
    parser.add_argument("--divisions", default=str(DIVISIONS), help="folder of the NBS CSV files")
    parser.add_argument("--requests", type=int, default=40, help="requests per measurement")
    parser.add_argument("--items", type=int, default=300, help="items per county (at most 315)")
    parser.add_argument("--exports", type=int, default=5, help="runs of the Excel export")
    return parser.parse_args()


def import_shandong(folder: Path) -> None:
    from bangban.network.divisions import import_divisions

    import_divisions(
        counties=folder / "shandong-37-counties.csv",
        towns=folder / "shandong-37-towns.csv",
        villages=folder / "shandong-37-villages.csv",
        cities=folder / "shandong-37-cities.csv",
        provinces=folder / "china-provinces.csv",
    )


def department_name(demo_name: str, county, city) -> str:
    """The demo's department as the county would name it (县医疗保障局 → 张店区医疗保障局)."""
    if demo_name.startswith("国家税务总局"):
        return f"国家税务总局{county.name}税务局"
    if "住房公积金" in demo_name:
        return f"{city.name}住房公积金管理中心{county.name}分中心"
    return county.name + demo_name.removeprefix("县")


def demo_items() -> list[tuple[dict, list]]:
    """The demo catalog's items as the catalog's reader parses its files: (the item's fields, its
    materials as `MaterialData`), in the files' order."""
    from dataclasses import fields

    from bangban.catalog import demo, spreadsheets
    from bangban.catalog.actions import MaterialData
    from bangban.catalog.sheets import plain_sheets

    sheets = plain_sheets()
    found, problems = spreadsheets.read_files(demo.FILES, sheets)
    if problems:
        raise SystemExit("\n".join(str(problem) for problem in problems))
    items, materials = (found[sheet.title] for sheet in sheets)
    names = {f.name for f in fields(MaterialData)}
    by_item: dict[str, list] = {}
    for _number, record in sorted(materials, key=lambda m: m[1]["position"]):
        data = MaterialData(**{k: v for k, v in record.items() if k in names})
        by_item.setdefault(record["implementation_code"], []).append(data)
    return [(record, by_item.get(record["implementation_code"], [])) for _n, record in items]


def create_departments(counties, specs) -> dict[int, dict[str, object]]:
    """The 12 departments of the demo catalog in every county, in bulk: {county pk: {demo name:
    Department}}."""
    from bangban.network.models import Department

    names = sorted({spec["department"] for spec, _materials in specs})
    Department.objects.bulk_create(
        [
            Department(county=county, name=department_name(name, county, county.parent))
            for county in counties
            for name in names
        ],
        batch_size=2000,
    )
    by_name = {(d.county_id, d.name): d for d in Department.objects.all()}
    return {
        county.pk: {
            name: by_name[county.pk, department_name(name, county, county.parent)] for name in names
        }
        for county in counties
    }


def county_entries(county, departments, specs, n_items: int, rng: random.Random) -> list:
    """About `n_items` items of one county: the demo's items in their handling variants."""
    from bangban.catalog import demo
    from bangban.catalog.actions import ImportedItem, ItemData, MaterialData
    from bangban.catalog.models import Level, Mode

    candidates = [(spec, v) for spec in specs for v in range(len(VARIANTS))]
    keep = sorted(rng.sample(range(len(candidates)), min(n_items, len(candidates))))
    entries = []
    for index in keep:
        (spec, spec_materials), variant = candidates[index]
        department = departments[spec["department"]]
        body = demo.CREDIT_BODIES[spec["department"]]
        # The department's credit code carries the county's area code (characters 3–8).
        credit = demo.credit_code(body[:2] + county.code + body[8:])
        suffix = int(spec["implementation_code"][-3:])
        code = f"{credit}{spec['basic_code']}{(suffix - 1) * 10 + variant + 1:03d}"
        modes = set(spec["modes"])
        if rng.random() < 0.3:
            modes.add(Mode.APPOINTMENT)
        if rng.random() < 0.15:
            modes.add(Mode.HOME_VISIT)
        if len(modes) > 1 and rng.random() < 0.1:
            modes.discard(Mode.ONLINE)
        levels = set(spec["levels"])
        if rng.random() < 0.2:
            levels.add(Level.TOWN)
        if Level.TOWN in levels and rng.random() < 0.15:
            levels.add(Level.VILLAGE)
        length = rng.randint(3, 5)
        materials = list(spec_materials[:length])
        names = {material.name for material in materials}
        for name, kind, source, originals, copies in EXTRA_MATERIALS:
            if len(materials) >= length:
                break
            if name not in names:
                materials.append(
                    MaterialData(
                        name=name, kind=kind, source=source, originals=originals, copies=copies
                    )
                )
        entries.append(
            ImportedItem(
                county=county,
                implementation_code=code,
                data=ItemData(
                    basic_code=spec["basic_code"],
                    version=spec["version"],
                    name=spec["name"] + VARIANTS[variant],
                    type_code=spec["type_code"],
                    type_name=spec["type_name"],
                    type_system=spec["type_system"],
                    department=department,
                    domains=frozenset(spec["domains"]),
                    levels=frozenset(levels),
                    modes=frozenset(modes),
                    legal_limit=spec["legal_limit"],
                    legal_limit_unit=spec["legal_limit_unit"],
                    promised_limit=spec["promised_limit"],
                    promised_limit_unit=spec["promised_limit_unit"],
                    fee_charged=spec["fee_charged"],
                    fee_note=spec["fee_note"],
                    guide=spec["guide"].replace("沂源县", county.name),
                    keywords=tuple(spec.get("keywords") or ()),
                ),
                materials=materials,
                active=rng.random() >= 0.02,
            )
        )
    return entries


def generate_catalog(n_items: int) -> dict:
    """Departments and items of every county of Shandong; returns counts and timings."""
    from dataclasses import replace

    from bangban.catalog.actions import import_items
    from bangban.catalog.models import ItemRevision
    from bangban.network.models import Region

    start = time.perf_counter()
    counties = list(
        Region.objects.filter(level=Region.Level.COUNTY, code__startswith="37")
        .select_related("parent")
        .order_by("code")
    )
    specs = demo_items()
    departments = create_departments(counties, specs)
    made_departments = time.perf_counter() - start
    rng = random.Random(37)  # the same catalog every run
    revised = []
    for county in counties:
        entries = county_entries(county, departments[county.pk], specs, n_items, rng)
        import_items(entries, by=None, source=ItemRevision.Source.DEMO)
        revised += [
            replace(
                e, data=replace(e.data, guide=e.data.guide + "\n（2026 年 3 月更新办理流程。）")
            )
            for e in entries
            if rng.random() < 0.05
        ]
    first = time.perf_counter() - start - made_departments
    start = time.perf_counter()
    for at in range(0, len(revised), 2000):
        import_items(revised[at : at + 2000], by=None, source=ItemRevision.Source.IMPORT)
    return {
        "counties": len(counties),
        "departments_s": made_departments,
        "items_s": first,
        "revised": len(revised),
        "revised_s": time.perf_counter() - start,
    }


def main() -> None:
    args = parse_args()
    database = setup_database(args)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bangban.catalog.models import ItemRevision, Material, Mode, ServiceItem
    from bangban.network import actions
    from bangban.network.models import Department, Domain, Region, Role, ServicePoint

    print(f"Database: {database}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    start = time.perf_counter()
    import_shandong(Path(args.divisions))
    print(f"Import of Shandong's divisions: {time.perf_counter() - start:.1f} s")
    made = generate_catalog(args.items)
    print(
        f"Catalog: {Department.objects.count():,} departments of {made['counties']} counties "
        f"({made['departments_s']:.1f} s); {ServiceItem.objects.count():,} items "
        f"({ServiceItem.objects.filter(active=False).count():,} out of use), "
        f"{Material.objects.count():,} materials in {made['items_s']:.1f} s; "
        f"{made['revised']:,} revised once more in {made['revised_s']:.1f} s "
        f"({ItemRevision.objects.count():,} revisions)"
    )

    if connection.vendor == "postgresql":
        # The planner's statistics and the visibility map, as autovacuum would have made them in
        # service (it may be off on a bench server): a plan made on empty statistics is not the
        # one in service, and without the visibility map of the freshly written gram table its
        # index cannot be read alone (the search read every gram's row, decision 0062).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    users = bench_users()
    yiyuan = Region.objects.get(code="370323")
    lucun = ServicePoint.objects.get(kind="town_centre", region__code="370323102")
    station = ServicePoint.objects.filter(parent=lucun, kind="village_station").order_by("pk")[0]
    users["helper"] = actions.create_account(
        username="helper", password=PASSWORD, role=Role.HELPER, binding=station, by=None
    )
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

    # An active item of Yiyuan with a second revision if there is one (its page lists them).
    item = (
        ServiceItem.objects.filter(county=yiyuan, active=True, current__number=2).first()
        or ServiceItem.objects.filter(county=yiyuan, active=True).order_by("pk").first()
    )
    medical = Domain.objects.get(code="medical_insurance")
    yiyuan_items = ServiceItem.objects.filter(county=yiyuan).count()
    n = args.requests
    p, c, h = clients["province"], clients["county"], clients["helper"]
    anonymous = Client()
    api = tokens["province"]
    print(f"\nResponse times over {n} requests each (Django test client, in process):")
    rows = [timed("baseline: login page (anonymous)", lambda: anonymous.get("/login/"), n)]
    rows += [
        timed("province admin: /catalog/ page 1", lambda: p.get("/catalog/"), n),
        timed("province admin: /catalog/ page 200", lambda: p.get("/catalog/?page=200"), n),
        timed("province admin: search 医保", lambda: p.get("/catalog/", {"q": "医保"}), n),
        timed(
            "province admin: search 养老保险参保",
            lambda: p.get("/catalog/", {"q": "养老保险参保"}),
            n,
        ),
        timed(
            "province admin: domain 医保 + mode 上门办",
            lambda: p.get("/catalog/", {"domain": medical.pk, "mode": Mode.HOME_VISIT}),
            n,
        ),
        timed(
            "province admin: search code prefix 11370323",
            lambda: p.get("/catalog/", {"q": "11370323"}),
            n,
        ),
        timed("county admin: /catalog/ (370323)", lambda: c.get("/catalog/"), n),
        timed("county admin: search 身份证", lambda: c.get("/catalog/", {"q": "身份证"}), n),
        timed("county admin: item page", lambda: c.get(f"/catalog/{item.pk}/"), n),
        timed("county admin: item print page", lambda: c.get(f"/catalog/{item.pk}/print/"), n),
        timed("village helper: search 医保", lambda: h.get("/catalog/", {"q": "医保"}), n),
        timed("public item page (anonymous)", lambda: anonymous.get(f"/p/items/{item.pk}/"), n),
        timed(
            "API items: province admin, limit=50",
            lambda: p.get("/api/v1/items", {"limit": 50}, **api),
            n,
        ),
        timed(
            "API items: province admin, q=医保",
            lambda: p.get("/api/v1/items", {"q": "医保"}, **api),
            n,
        ),
        timed("API item: one item", lambda: p.get(f"/api/v1/items/{item.pk}", **api), n),
    ]

    # The province-wide item search per query length (decision 0062): the page, the API, and the
    # search alone (the count and the first page's ids, what the list pays for the search).
    searches = [
        ("1 char", "证"),
        ("2 chars", "低保"),
        ("2 chars, a domain", "医保"),
        ("3 chars", "身份证"),
        ("4+ chars", "养老保险参保"),
        ("pinyin initials", "db"),
        ("code prefix", "11370323"),
    ]
    province_items = ServiceItem.objects.all()

    class Done:
        status_code = 200

    def search_alone(q):
        found = province_items.search(q).order_by("pk")
        found.count()
        list(found.values_list("pk", flat=True)[:50])
        return Done

    print("\nProvince-wide item search per query length:")
    for length, q in searches:
        hits = province_items.search(q).count()
        label = f"{length} {q} ({hits:,} items)"
        rows += [
            timed(f"search alone: {label}", lambda q=q: search_alone(q), n),
            timed(f"page /catalog/?q=: {label}", lambda q=q: p.get("/catalog/", {"q": q}), n),
            timed(
                f"API /api/v1/items?q=: {label}",
                lambda q=q: p.get("/api/v1/items", {"q": q}, **api),
                n,
            ),
        ]

    def export():
        response = c.get("/catalog/export.xlsx")
        if response.status_code == 200:
            b"".join(response.streaming_content)
        return response

    rows.append(timed(f"county admin: export.xlsx ({yiyuan_items} items)", export, args.exports))
    slow = [r for r in rows[1:] if r["p95"] > 100]
    if slow:
        print("\nOver 100 ms at p95: " + "; ".join(r["label"] for r in slow))
    connection.close()


if __name__ == "__main__":
    main()
