"""Import of the National Bureau of Statistics division codes (统计用区划代码) and the service tree.

Reads the CSV files of `shared/data/divisions/` (UTF-8 with or without BOM, or GB18030 as Excel on
Chinese Windows writes them), validates every row before writing anything, then builds or updates, for
each county the town and village files cover (or only `--county`), the regions and the tree
county centre → town centre → village station. Running it again changes nothing; a newer year
renames what was renamed and marks what vanished — within the imported counties only — inactive,
never deleting it. Virtual communities (名称含“虚拟”) get a region but no station.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from django.db import transaction

from .changes import announce
from .grams import index_points
from .models import CODE_LENGTHS, Region, ServicePoint

Level = Region.Level
Kind = ServicePoint.Kind

#: The column naming each level's parent in the NBS files.
PARENT_COLUMN = {
    Level.PROVINCE: None,
    Level.CITY: "provinceCode",
    Level.COUNTY: "cityCode",
    Level.TOWN: "areaCode",
    Level.VILLAGE: "streetCode",
}

BATCH = 2000


class DivisionFileError(Exception):
    """A malformed division file. The message names the file and the line."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"文件 {Path(path).name}" + (f" 第 {line} 行" if line else "")
        super().__init__(f"{where}：{problem}")


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    parent_code: str
    line: int


@dataclass
class ImportReport:
    counties: list[str] = field(default_factory=list)
    regions_created: int = 0
    regions_renamed: int = 0
    regions_deactivated: int = 0
    regions_reactivated: int = 0
    points_created: int = 0
    points_renamed: int = 0
    points_deactivated: int = 0
    points_reactivated: int = 0
    #: region id → its name before this import, for renaming the points named after it
    renamed: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> bool:
        return any(
            getattr(self, name)
            for name in self.__dataclass_fields__
            if name.startswith(("regions_", "points_"))
        )

    def summary(self) -> str:
        return (
            f"导入 {len(self.counties)} 个县（区）："
            f"区划新增 {self.regions_created}、更名 {self.regions_renamed}、"
            f"停用 {self.regions_deactivated}、恢复 {self.regions_reactivated}；"
            f"服务点新增 {self.points_created}、更名 {self.points_renamed}、"
            f"停用 {self.points_deactivated}、恢复 {self.points_reactivated}。"
        )


# --- Reading --------------------------------------------------------------------------------------


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030. A file whose text was already read as UTF-8
    Chinese before a bad byte is a damaged UTF-8 file, not a GB18030 one: GB18030 would "read" it
    into wrong characters, so it is refused at the line of the bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # utf-8-sig counts positions after the BOM.
        utf8_at = error.start + (len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0)
    if raw.startswith(codecs.BOM_UTF8) or any(byte >= 0x80 for byte in raw[:utf8_at]):
        raise DivisionFileError(path, raw.count(b"\n", 0, utf8_at) + 1, _UNREADABLE)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as error:
        raise DivisionFileError(path, raw.count(b"\n", 0, error.start) + 1, _UNREADABLE) from error


_UNREADABLE = "无法识别的文字编码（应为 UTF-8 或 GB18030），或文件已损坏。"


def read_rows(path: Path | str, level: str) -> list[Row]:
    """Every row of one NBS file for `level`, validated on its own (code shape, parent prefix)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DivisionFileError(path, None, f"无法读取文件（{error.strerror}）。") from error
    text = _decode(path, raw)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    parent_column = PARENT_COLUMN[level]
    needed = ["code", "name"] + ([parent_column] if parent_column else [])
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DivisionFileError(
            path, 1, f"缺少列 {'、'.join(missing)}（表头应含 {','.join(needed)}）。"
        )
    length = CODE_LENGTHS[level]
    label = Level(level).label
    rows: list[Row] = []
    seen: set[str] = set()
    try:
        for record in reader:
            line = reader.line_num
            if not any(
                (value or "").strip() for value in record.values() if isinstance(value, str)
            ):
                continue  # a blank line
            code = (record.get("code") or "").strip()
            name = (record.get("name") or "").strip()
            parent = (record.get(parent_column) or "").strip() if parent_column else ""
            if not (code.isascii() and code.isdigit() and len(code) == length):
                raise DivisionFileError(path, line, f"{label}代码“{code}”不是 {length} 位数字。")
            if code in seen:
                raise DivisionFileError(path, line, f"代码 {code} 重复出现。")
            if not name:
                raise DivisionFileError(path, line, f"代码 {code} 缺少名称。")
            if len(name) > 100:
                raise DivisionFileError(path, line, f"代码 {code} 的名称超过 100 个字。")
            if parent_column and not code.startswith(parent):
                raise DivisionFileError(
                    path, line, f"代码 {code} 与其上级代码“{parent}”不符（应以上级代码开头）。"
                )
            if parent_column and not (parent.isdigit() and len(parent) == CODE_LENGTHS[_up(level)]):
                raise DivisionFileError(path, line, f"上级代码“{parent}”格式不正确。")
            seen.add(code)
            rows.append(Row(code, name, parent, line))
    except csv.Error as error:
        raise DivisionFileError(path, reader.line_num, f"CSV 格式错误（{error}）。") from error
    return rows


def _up(level: str) -> str:
    order = list(CODE_LENGTHS)
    return order[order.index(level) - 1]


# --- Names of the points the import creates ---------------------------------------------------------


def village_short_name(name: str) -> str:
    """'解放桥社区居民委员会' → '解放桥社区', '王庄村委会' → '王庄村', '历山居委会' → '历山社区'."""
    for suffix, kept in (
        ("社区居民委员会", "社区"),
        ("社区居委会", "社区"),
        ("居民委员会", "社区"),
        ("居委会", "社区"),
        ("村民委员会", "村"),
        ("村委会", "村"),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.endswith(kept) else stem + kept
    return name


def point_name(kind: str, region_name: str) -> str:
    if kind == Kind.COUNTY_CENTRE:
        return f"{region_name}政务服务中心"
    if kind == Kind.TOWN_CENTRE:
        return f"{region_name}便民服务中心"
    return f"{village_short_name(region_name)}便民服务站"


POINT_KIND = {Level.COUNTY: Kind.COUNTY_CENTRE, Level.TOWN: Kind.TOWN_CENTRE}


# --- Importing ------------------------------------------------------------------------------------


@dataclass
class DivisionFiles:
    counties: Path
    towns: Path
    villages: Path
    cities: Path | None = None
    provinces: Path | None = None


def yiyuan_files() -> DivisionFiles:
    """Yiyuan County's division files, shipped inside the package."""
    data = resources.files("bangban.network") / "data"
    name = "yiyuan-370323-{}.csv"
    return DivisionFiles(
        counties=Path(str(data / name.format("counties"))),
        towns=Path(str(data / name.format("towns"))),
        villages=Path(str(data / name.format("villages"))),
        cities=Path(str(data / name.format("cities"))),
        provinces=Path(str(data / name.format("provinces"))),
    )


def import_divisions(
    *,
    counties: Path | str,
    towns: Path | str,
    villages: Path | str,
    cities: Path | str | None = None,
    provinces: Path | str | None = None,
    county: str | None = None,
) -> ImportReport:
    """Validate the files completely, then write everything in one transaction."""
    county_rows = read_rows(counties, Level.COUNTY)
    town_rows = read_rows(towns, Level.TOWN)
    village_rows = read_rows(villages, Level.VILLAGE)
    city_rows = read_rows(cities, Level.CITY) if cities else []
    province_rows = read_rows(provinces, Level.PROVINCE) if provinces else []

    counties_by_code = {row.code: row for row in county_rows}
    towns_by_code = {row.code: row for row in town_rows}
    for row in town_rows:
        if row.parent_code not in counties_by_code:
            raise DivisionFileError(
                towns, row.line, f"上级县（区）代码 {row.parent_code} 未在县级文件中。"
            )
    for row in village_rows:
        if row.parent_code not in towns_by_code:
            raise DivisionFileError(
                villages, row.line, f"上级镇（街道）代码 {row.parent_code} 未在镇级文件中。"
            )

    covered = sorted({row.parent_code for row in town_rows})
    if county is not None:
        if county not in counties_by_code:
            raise DivisionFileError(counties, None, f"县级文件中没有代码为 {county} 的县（区）。")
        if county not in covered:
            raise DivisionFileError(towns, None, f"镇级文件中没有县（区）{county} 的镇（街道）。")
        covered = [county]
    if not covered:
        raise DivisionFileError(towns, None, "镇级文件中没有任何镇（街道）。")

    towns_of: dict[str, list[Row]] = defaultdict(list)
    for row in town_rows:
        towns_of[row.parent_code].append(row)
    villages_of: dict[str, list[Row]] = defaultdict(list)
    for row in village_rows:
        villages_of[row.parent_code[:6]].append(row)

    report = ImportReport(counties=covered)
    with transaction.atomic():
        above = _import_above(
            [counties_by_code[code] for code in covered], city_rows, province_rows, report
        )
        for code in covered:
            _import_county(counties_by_code[code], towns_of[code], villages_of[code], above, report)
    return report


def _upsert(
    code: str, name: str, level: str, parent: Region | None, report: ImportReport
) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        report.regions_created += 1
        return Region.objects.create(code=code, name=name, level=level, parent=parent)
    changed = []
    if region.name != name:
        report.renamed[region.pk] = region.name
        region.name = name
        report.regions_renamed += 1
        changed.append("name")
    if parent is not None and region.parent_id != parent.pk:
        region.parent = parent
        changed.append("parent")
    if not region.active:
        region.active = True
        report.regions_reactivated += 1
        changed.append("active")
    if changed:
        region.save(update_fields=changed)
    return region


def _import_above(
    county_rows: list[Row], city_rows: list[Row], province_rows: list[Row], report: ImportReport
) -> dict[str, Region]:
    """Provinces and cities named in their files that hold an imported county, then the counties."""
    provinces = {row.code: row for row in province_rows}
    cities = {row.code: row for row in city_rows}
    regions: dict[str, Region] = {}
    for row in county_rows:
        city_code, province_code = row.parent_code, row.code[:2]
        if province_code not in regions and province_code in provinces:
            regions[province_code] = _upsert(
                province_code, provinces[province_code].name, Level.PROVINCE, None, report
            )
        province = regions.get(province_code) or Region.objects.filter(code=province_code).first()
        if city_code not in regions and city_code in cities:
            regions[city_code] = _upsert(
                city_code, cities[city_code].name, Level.CITY, province, report
            )
        city = regions.get(city_code) or Region.objects.filter(code=city_code).first()
        regions[row.code] = _upsert(row.code, row.name, Level.COUNTY, city, report)
    return regions


def _import_county(
    county_row: Row,
    town_rows: list[Row],
    village_rows: list[Row],
    above: dict[str, Region],
    report: ImportReport,
) -> None:
    county = above[county_row.code]
    low, high = county.code_range
    existing = {
        r.code: r
        for r in Region.objects.filter(
            code__gt=low, code__lt=high, level__in=[Level.TOWN, Level.VILLAGE]
        )
    }
    renamed = report.renamed
    towns = _sync_level(Level.TOWN, town_rows, existing, {county.code: county}, renamed, report)
    villages = _sync_level(Level.VILLAGE, village_rows, existing, towns, renamed, report)
    listed = set(towns) | set(villages)
    vanished = [r for code, r in existing.items() if code not in listed and r.active]
    for region in vanished:
        region.active = False
    Region.objects.bulk_update(vanished, ["active"], batch_size=BATCH)
    report.regions_deactivated += len(vanished)
    _sync_points(county, towns, villages, renamed, report)
    announce(county, by=None, points=None)


def _sync_level(
    level: str,
    rows: list[Row],
    existing: dict[str, Region],
    parents: dict[str, Region],
    renamed: dict[int, str],
    report: ImportReport,
) -> dict[str, Region]:
    result: dict[str, Region] = {}
    new: list[Region] = []
    changed: list[Region] = []
    for row in rows:
        parent = parents[row.parent_code]
        virtual = "虚拟" in row.name
        region = existing.get(row.code)
        if region is None:
            region = Region(
                code=row.code, name=row.name, level=level, parent=parent, is_virtual=virtual
            )
            new.append(region)
        else:
            dirty = False
            if region.name != row.name:
                renamed[region.pk] = region.name
                region.name, region.is_virtual = row.name, virtual
                report.regions_renamed += 1
                dirty = True
            if not region.active:
                region.active = True
                report.regions_reactivated += 1
                dirty = True
            if region.parent_id != parent.pk:
                region.parent = parent
                dirty = True
            if dirty:
                changed.append(region)
        result[row.code] = region
    Region.objects.bulk_create(new, batch_size=BATCH)
    Region.objects.bulk_update(
        changed, ["name", "is_virtual", "active", "parent"], batch_size=BATCH
    )
    report.regions_created += len(new)
    return result


def _sync_points(
    county: Region,
    towns: dict[str, Region],
    villages: dict[str, Region],
    renamed: dict[int, str],
    report: ImportReport,
) -> None:
    centre = ServicePoint.objects.filter(kind=Kind.COUNTY_CENTRE, county=county).first()
    if centre is None:
        centre = ServicePoint.objects.create(
            kind=Kind.COUNTY_CENTRE,
            name=point_name(Kind.COUNTY_CENTRE, county.name),
            county=county,
            region=county,
            ancestry="/",
        )
        report.points_created += 1
        index_points([centre.pk])
    elif county.pk in renamed and centre.name == point_name(Kind.COUNTY_CENTRE, renamed[county.pk]):
        centre.name = point_name(Kind.COUNTY_CENTRE, county.name)
        centre.save(update_fields=["name", "updated_at"])
        report.points_renamed += 1
        index_points([centre.pk])
    points = {
        p.region_id: p
        for p in ServicePoint.objects.filter(
            county=county, kind__in=[Kind.TOWN_CENTRE, Kind.VILLAGE_STATION]
        )
    }
    town_centres = _sync_stations(
        Kind.TOWN_CENTRE, towns.values(), points, lambda region: centre, county, renamed, report
    )
    _sync_stations(
        Kind.VILLAGE_STATION,
        (v for v in villages.values() if not v.is_virtual),
        points,
        lambda region: town_centres.get(region.parent_id),
        county,
        renamed,
        report,
    )
    # Points whose region vanished (or became virtual) go out of service; they are never deleted.
    current = {r.pk for r in towns.values() if r.active} | {
        r.pk for r in villages.values() if r.active and not r.is_virtual
    }
    gone = [p for p in points.values() if p.region_id not in current and p.active]
    for point in gone:
        point.active = False
    ServicePoint.objects.bulk_update(gone, ["active"], batch_size=BATCH)
    report.points_deactivated += len(gone)


def _sync_stations(
    kind: str,
    regions: Iterable[Region],
    points: dict[int, ServicePoint],
    parent_of,
    county: Region,
    renamed: dict[int, str],
    report: ImportReport,
) -> dict[int, ServicePoint]:
    """Create the missing point of `kind` for each region; rename and reactivate the others; write
    the grams of those created or renamed (`grams.index_points`)."""
    by_region: dict[int, ServicePoint] = {}
    new: list[ServicePoint] = []
    changed: list[ServicePoint] = []
    renamed_points: list[ServicePoint] = []
    for region in regions:
        point = points.get(region.pk)
        name = point_name(kind, region.name)
        if point is None:
            parent = parent_of(region)
            if parent is None:
                continue  # its town has no centre (an inactive town): nothing to hang it on
            point = ServicePoint(
                kind=kind,
                name=name,
                parent=parent,
                ancestry=parent.subtree_prefix,
                county=county,
                region=region,
                active=region.active,
            )
            new.append(point)
        else:
            dirty = False
            old = renamed.get(region.pk)
            if old is not None and point.name == point_name(kind, old) and point.name != name:
                point.name = name
                report.points_renamed += 1
                renamed_points.append(point)
                dirty = True
            if region.active and not point.active:
                point.active = True
                report.points_reactivated += 1
                dirty = True
            if dirty:
                changed.append(point)
        by_region[region.pk] = point
    ServicePoint.objects.bulk_create(new, batch_size=BATCH)
    ServicePoint.objects.bulk_update(changed, ["name", "active"], batch_size=BATCH)
    index_points(p.pk for p in [*new, *renamed_points])
    report.points_created += len(new)
    return by_region
