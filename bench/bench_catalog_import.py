"""Excel import of the item catalog: 5,000 items with 3 materials each, first import and re-import.

    .venv/bin/python bench/bench_catalog_import.py                       # SQLite in a temporary file
    .venv/bin/python bench/bench_catalog_import.py \\
        --database-url postgres://root@127.0.0.1/bangban_bench_catalog

Builds Yiyuan's network, writes one workbook (sheets 事项 and 材料, as the template lays them out)
of `--items` items with `--materials` materials each, and then, as the county admin, times
`catalog.spreadsheets.import_catalog` on it: the first import (every item created; the catalog is
emptied between repetitions), the re-import of the same file (nothing changes, no revision), an
import where every 10th item changed (one new revision each), and the export of the whole catalog
through the page. Reading the workbook alone is timed too, to show what the import adds to it.
Medians over `--repeat` runs; figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_province import PASSWORD, ROOT, setup_database  # noqa: E402

ITEM_HEADERS = ["实施编码", "基本编码", "版本号", "事项名称", "事项类型代码", "事项类型",
                "类型代码体系", "实施部门", "所属领域", "办理层级", "办理方式", "法定时限",
                "法定时限单位", "承诺时限", "承诺时限单位", "是否收费", "收费标准及依据",
                "办事指南", "是否在用", "所属县"]  # fmt: skip
MATERIAL_HEADERS = ["实施编码", "序号", "材料名称", "材料类型", "材料形式", "必要性", "来源渠道",
                    "原件份数", "复印件份数", "受理标准", "备注"]  # fmt: skip
DEPARTMENTS = ["县医疗保障局", "县人力资源和社会保障局", "县公安局", "县民政局", "县司法局"]
DOMAINS = ["医保", "人社", "公安", "婚姻登记", "司法"]
MODES = ["网上办、现场办", "掌上办、网上办、现场办", "现场办、预约办、上门办", "现场办"]
KINDS = ["证照", "表格", "其他"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to (re)create")
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--materials", type=int, default=3, help="materials per item")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    return parser.parse_args()


def workbook(n_items: int, n_materials: int, *, changed_every: int = 0) -> bytes:
    """The file: plausible, varied items; with `changed_every`, every such item's promised limit
    and its first material's notes differ."""
    import xlsxwriter

    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"constant_memory": True, "in_memory": True})
    items = book.add_worksheet("事项")
    materials = book.add_worksheet("材料")
    items.write_row(0, 0, ITEM_HEADERS)
    materials.write_row(0, 0, MATERIAL_HEADERS)
    row = 0
    for i in range(1, n_items + 1):
        code = f"11370323MB{i:011d}"
        changed = bool(changed_every) and i % changed_every == 0
        k = i % len(DEPARTMENTS)
        fee = i % 17 == 0
        items.write_row(
            i,
            0,
            [
                code,
                f"{i % 1000:06d}{i % 997:06d}",
                str(1 + i % 4),
                f"{DOMAINS[k]}事项第{i}号（办理登记）",
                f"{i % 20:02d}",
                "行政许可" if i % 3 == 0 else "公共服务",
                "山东省政务服务事项管理系统",
                DEPARTMENTS[k],
                DOMAINS[k] if i % 4 else f"{DOMAINS[k]}、综合受理",
                "县级分区、窗口、镇（街道）便民服务中心" if i % 2 else "县级分区、窗口",
                MODES[i % len(MODES)],
                20,
                "工作日" if i % 9 else "自然日",
                (3 if changed else 5) if i % 5 else 0,
                "工作日",
                "是" if fee else "否",
                "按物价部门核定标准收取" if fee else "",
                f"申请人持有效身份证件及相关材料到{DEPARTMENTS[k]}窗口办理。\n可网上预约。",
                "否" if i % 50 == 0 else "是",
                "370323",
            ],
        )
        for position in range(1, n_materials + 1):
            row += 1
            materials.write_row(
                row,
                0,
                [
                    code,
                    position,
                    ["居民身份证", "申请表", "户口簿", "委托书", "证明材料"][position % 5]
                    + (f"（{position}）" if position > 5 else ""),
                    KINDS[position % 3],
                    "纸质",
                    "容缺后补" if position == 3 else "必要",
                    "申请人自备",
                    1,
                    position % 3,
                    "原件核验后退回",
                    "代办时需委托书" if changed and position == 1 else "",
                ],
            )
    book.close()
    return stream.getvalue()


def timed(label: str, run, repeat: int, before=None) -> float:
    times = []
    result = None
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    spread = " ".join(f"{t:.2f}" for t in times)
    print(f"  {label:<52} median {median:6.2f} s   (runs: {spread})", flush=True)
    return result


def main() -> None:
    args = parse_args()
    database = setup_database(args)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bangban.catalog.models import ItemRevision, Material, ServiceItem
    from bangban.catalog.spreadsheets import catalog_sheets, import_catalog
    from bangban.network import actions
    from bangban.network.demo import build_yiyuan
    from bangban.network.models import Region, Role
    from bangban.staff.spreadsheets import read_sheets

    print(f"Database: {database}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    build_yiyuan(accounts=False)
    admin = actions.create_account(
        username="county",
        password=PASSWORD,
        role=Role.REGION_ADMIN,
        binding=Region.objects.get(code="370323"),
        by=None,
    )
    n, m = args.items, args.materials
    start = time.perf_counter()
    first_file = workbook(n, m)
    edit_file = workbook(n, m, changed_every=10)
    print(
        f"Workbook: {n:,} items, {n * m:,} materials, {len(first_file) / 1e6:.1f} MB "
        f"(written in {(time.perf_counter() - start) / 2:.1f} s)"
    )

    def empty_catalog():
        ServiceItem.objects.update(current=None)
        ItemRevision.objects.all().delete()
        ServiceItem.objects.all().delete()

    def run(data: bytes):
        def go():
            result = import_catalog(io.BytesIO(data), by=admin)
            if not result.ok:
                raise SystemExit("\n".join(str(p) for p in result.problems[:20]))
            return result

        return go

    sheets = catalog_sheets(admin)
    print(f"\nMedians over {args.repeat} runs:")
    timed(
        "reading the workbook only (both sheets)",
        lambda: read_sheets(io.BytesIO(first_file), sheets),
        args.repeat,
    )
    result = timed("first import (creates every item)", run(first_file), args.repeat, empty_catalog)
    print(f"    created {len(result.created):,}; revisions {ItemRevision.objects.count():,}; "
          f"materials {Material.objects.count():,}")  # fmt: skip
    result = timed("re-import of the same file (no change)", run(first_file), args.repeat)
    print(f"    unchanged {result.unchanged:,}; revisions {ItemRevision.objects.count():,}")

    def reset_to_first():
        empty_catalog()
        run(first_file)()

    result = timed(
        "import with every 10th item changed", run(edit_file), args.repeat, reset_to_first
    )
    print(f"    revised {len(result.revised):,}; unchanged {result.unchanged:,}; "
          f"revisions {ItemRevision.objects.count():,}")  # fmt: skip
    client = Client()
    client.force_login(admin)

    def export():
        response = client.get("/catalog/export.xlsx")
        if response.status_code != 200:
            raise SystemExit(f"export: HTTP {response.status_code}")
        return b"".join(response.streaming_content)

    exported = timed("export of the whole catalog (page)", export, args.repeat)
    result = timed("re-import of the exported file (no change)", run(exported), args.repeat)
    print(f"    unchanged {result.unchanged:,}; revisions {ItemRevision.objects.count():,}")
    connection.close()


if __name__ == "__main__":
    main()
