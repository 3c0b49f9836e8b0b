"""The division importer: `import_divisions`, its files, and `bangban import-divisions`.

The test database already holds Yiyuan (370323). Fresh imports go to a made-up county 370399 of
淄博市 or to real Jinan districts written inline, so they never collide with it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bangban.network.divisions import (
    DivisionFileError,
    import_divisions,
    read_rows,
    village_short_name,
    yiyuan_files,
)
from bangban.network.models import Region, ServicePoint

Kind = ServicePoint.Kind
Level = Region.Level

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "divisions"

COUNTIES = "code,name,cityCode,provinceCode"
TOWNS = "code,name,areaCode,provinceCode,cityCode"
VILLAGES = "code,name,streetCode,provinceCode,cityCode,areaCode"

TEST_COUNTY = "370399"


def county_row(code: str, name: str) -> str:
    return f'{code},"{name}",{code[:4]},{code[:2]}'


def town_row(code: str, name: str) -> str:
    return f'{code},"{name}",{code[:6]},{code[:2]},{code[:4]}'


def village_row(code: str, name: str) -> str:
    return f'{code},"{name}",{code[:9]},{code[:2]},{code[:4]},{code[:6]}'


def write(path: Path, header: str, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\n".join([header, *rows, ""]).encode(encoding))
    return path


def files(
    folder: Path,
    counties: list[str],
    towns: list[str],
    villages: list[str],
    encoding: str = "utf-8",
) -> dict[str, Path]:
    """Write the three files into `folder` (created) and return import_divisions' arguments."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "counties": write(folder / "counties.csv", COUNTIES, counties, encoding),
        "towns": write(folder / "towns.csv", TOWNS, towns, encoding),
        "villages": write(folder / "villages.csv", VILLAGES, villages, encoding),
    }


#: Year one of the made-up county: two towns, four villages.
YEAR_ONE = {
    "counties": [county_row(TEST_COUNTY, "测试县")],
    "towns": [town_row("370399001", "东城街道"), town_row("370399101", "西河镇")],
    "villages": [
        village_row("370399001001", "东关社区居民委员会"),
        village_row("370399001002", "北关社区居民委员会"),
        village_row("370399001003", "南关社区居民委员会"),
        village_row("370399101201", "王庄村委会"),
    ],
}

#: The next year: 东关 and 北关 renamed, 南关 gone, 西河镇 gone with 王庄; no other county listed.
YEAR_TWO = {
    "counties": [county_row(TEST_COUNTY, "测试县")],
    "towns": [town_row("370399001", "东城街道")],
    "villages": [
        village_row("370399001001", "东门社区居民委员会"),
        village_row("370399001002", "北苑社区居民委员会"),
    ],
}


def year(tmp_path: Path, data: dict[str, list[str]], name: str) -> dict[str, Path]:
    return files(tmp_path / name, data["counties"], data["towns"], data["villages"])


def point_of(code: str) -> ServicePoint:
    return ServicePoint.objects.get(
        region__code=code, kind__in=[Kind.TOWN_CENTRE, Kind.VILLAGE_STATION]
    )


def totals() -> tuple[int, int, int, int]:
    return (
        Region.objects.count(),
        Region.objects.filter(active=True).count(),
        ServicePoint.objects.count(),
        ServicePoint.objects.filter(active=True).count(),
    )


def yiyuan_state() -> tuple[list, list]:
    regions = list(
        Region.objects.filter(code__startswith="370323")
        .order_by("code")
        .values_list("code", "name", "active", "parent_id", "is_virtual")
    )
    points = list(
        ServicePoint.objects.filter(county__code="370323")
        .order_by("pk")
        .values_list("pk", "name", "active", "parent_id", "updated_at")
    )
    return regions, points


@pytest.fixture
def yiyuan_paths() -> dict[str, Path]:
    """Yiyuan's real files: the shared copies with china-counties.csv, else the packaged ones."""
    if SHARED.is_dir():
        return {
            "counties": SHARED / "china-counties.csv",
            "towns": SHARED / "yiyuan-370323-towns.csv",
            "villages": SHARED / "yiyuan-370323-villages.csv",
        }
    packaged = yiyuan_files()
    return {"counties": packaged.counties, "towns": packaged.towns, "villages": packaged.villages}


def recoded_yiyuan(tmp_path: Path, yiyuan_paths: dict[str, Path]) -> dict[str, Path]:
    """Yiyuan's real towns and villages moved to the made-up county 370399."""
    folder = tmp_path / "recoded"
    folder.mkdir()
    result = {
        "counties": write(folder / "counties.csv", COUNTIES, [county_row(TEST_COUNTY, "测试县")])
    }
    for kind in ("towns", "villages"):
        text = yiyuan_paths[kind].read_text(encoding="utf-8-sig")
        result[kind] = folder / f"{kind}.csv"
        result[kind].write_text(text.replace("370323", TEST_COUNTY), encoding="utf-8")
    return result


# --- Yiyuan's real files ------------------------------------------------------------------------


def test_yiyuan_files_give_12_towns_468_villages_and_their_stations(yiyuan, yiyuan_paths):
    import_divisions(**yiyuan_paths)

    county = Region.objects.get(code="370323")
    towns = Region.objects.filter(level=Level.TOWN, parent=county, active=True)
    villages = Region.objects.filter(level=Level.VILLAGE, parent__parent=county, active=True)
    points = ServicePoint.objects.filter(county=county, active=True)
    assert (towns.count(), villages.count()) == (12, 468)
    assert points.filter(kind=Kind.TOWN_CENTRE).count() == 12
    assert points.filter(kind=Kind.VILLAGE_STATION).count() == 468

    centre = points.get(kind=Kind.COUNTY_CENTRE)
    assert centre.name == "沂源县政务服务中心"
    assert centre.region == county
    town_centres = {p.region_id: p for p in points.filter(kind=Kind.TOWN_CENTRE)}
    assert {p.parent_id for p in town_centres.values()} == {centre.pk}
    assert town_centres[Region.objects.get(name="鲁村镇").pk].name == "鲁村镇便民服务中心"
    for station in points.filter(kind=Kind.VILLAGE_STATION).select_related("region"):
        assert station.parent_id == town_centres[station.region.parent_id].pk
    assert ServicePoint.objects.get(region__code="370323001001").name == "历山社区便民服务站"


def test_yiyuan_files_into_an_empty_county_create_the_whole_tree(db, tmp_path, yiyuan_paths):
    before_regions, before_points = Region.objects.count(), ServicePoint.objects.count()

    report = import_divisions(**recoded_yiyuan(tmp_path, yiyuan_paths))

    assert report.counties == [TEST_COUNTY]
    assert (report.regions_created, report.points_created) == (1 + 12 + 468, 1 + 12 + 468)
    assert Region.objects.count() == before_regions + 481
    assert ServicePoint.objects.count() == before_points + 481
    centre = ServicePoint.objects.get(kind=Kind.COUNTY_CENTRE, county__code=TEST_COUNTY)
    assert centre.name == "测试县政务服务中心"
    luncun = ServicePoint.objects.get(kind=Kind.TOWN_CENTRE, region__code=f"{TEST_COUNTY}102")
    assert (luncun.name, luncun.parent_id) == ("鲁村镇便民服务中心", centre.pk)
    stations = ServicePoint.objects.filter(kind=Kind.VILLAGE_STATION, county__code=TEST_COUNTY)
    assert stations.count() == 468
    assert not stations.exclude(ancestry__startswith=centre.subtree_prefix).exists()
    for station in stations.select_related("parent__region", "region"):
        assert station.parent.kind == Kind.TOWN_CENTRE
        assert station.parent.region_id == station.region.parent_id


def test_running_twice_changes_nothing(yiyuan, tmp_path, yiyuan_paths):
    paths = recoded_yiyuan(tmp_path, yiyuan_paths)
    import_divisions(**paths)
    before, stamps = totals(), dict(ServicePoint.objects.values_list("pk", "updated_at"))
    yiyuan_before = yiyuan_state()

    report = import_divisions(**paths)
    again = import_divisions(**yiyuan_paths)

    assert not report.changed
    assert not again.changed
    assert totals() == before
    assert dict(ServicePoint.objects.values_list("pk", "updated_at")) == stamps
    assert yiyuan_state() == yiyuan_before


def test_packaged_yiyuan_files_are_the_shared_ones():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not here")
    packaged = yiyuan_files()
    for kind, level in (("towns", Level.TOWN), ("villages", Level.VILLAGE)):
        shared = read_rows(SHARED / f"yiyuan-370323-{kind}.csv", level)
        assert read_rows(getattr(packaged, kind), level) == shared
    assert len(read_rows(packaged.villages, Level.VILLAGE)) == 468


# --- Choosing the counties ----------------------------------------------------------------------

JINAN = {
    "counties": [county_row("370102", "历下区"), county_row("370103", "市中区")],
    "towns": [
        town_row("370102001", "解放路街道"),
        town_row("370102002", "千佛山街道"),
        town_row("370103002", "大观园街道"),
    ],
    "villages": [
        village_row("370102001002", "解放桥社区居民委员会"),
        village_row("370102002002", "佛山苑社区居民委员会"),
        village_row("370103002001", "纬一路社区居民委员会"),
        village_row("370103002003", "睦和苑社区居民委员会"),
    ],
}


def test_county_option_limits_the_import_to_that_county(db, tmp_path):
    paths = year(tmp_path, JINAN, "jinan")
    paths["cities"] = write(tmp_path / "cities.csv", "code,name,provinceCode", ['3701,"济南市",37'])

    report = import_divisions(**paths, county="370103")

    assert report.counties == ["370103"]
    assert not Region.objects.filter(code__startswith="370102").exists()
    assert not ServicePoint.objects.filter(county__code="370102").exists()
    county = Region.objects.get(code="370103")
    assert county.parent.name == "济南市"
    assert sorted(
        Region.objects.filter(code__startswith="370103").values_list("code", flat=True)
    ) == [
        "370103",
        "370103002",
        "370103002001",
        "370103002003",
    ]
    names = set(ServicePoint.objects.filter(county=county).values_list("name", flat=True))
    assert names == {
        "市中区政务服务中心",
        "大观园街道便民服务中心",
        "纬一路社区便民服务站",
        "睦和苑社区便民服务站",
    }


def test_without_county_option_every_county_the_towns_cover_is_imported(db, tmp_path):
    report = import_divisions(**year(tmp_path, JINAN, "jinan"))

    assert report.counties == ["370102", "370103"]
    assert (
        ServicePoint.objects.filter(county__code="370102", kind=Kind.VILLAGE_STATION).count() == 2
    )
    assert (
        ServicePoint.objects.filter(county__code="370103", kind=Kind.VILLAGE_STATION).count() == 2
    )


# --- A newer year ---------------------------------------------------------------------------------


def test_newer_year_renames_a_village_and_its_station(db, tmp_path):
    import_divisions(**year(tmp_path, YEAR_ONE, "one"))
    assert point_of("370399001001").name == "东关社区便民服务站"

    report = import_divisions(**year(tmp_path, YEAR_TWO, "two"))

    assert Region.objects.get(code="370399001001").name == "东门社区居民委员会"
    assert point_of("370399001001").name == "东门社区便民服务站"
    assert report.regions_renamed == 2
    assert point_of("370399001002").name == "北苑社区便民服务站"
    assert report.points_renamed == 2


def test_newer_year_renames_a_county_and_its_centre(db, tmp_path):
    import_divisions(**year(tmp_path, YEAR_ONE, "one"))
    renamed = {**YEAR_ONE, "counties": [county_row(TEST_COUNTY, "新测试县")]}

    import_divisions(**year(tmp_path, renamed, "two"))

    centre = ServicePoint.objects.get(kind=Kind.COUNTY_CENTRE, county__code=TEST_COUNTY)
    assert centre.name == "新测试县政务服务中心"
    assert centre.region.name == "新测试县"


def test_newer_year_keeps_a_station_name_an_admin_changed(db, tmp_path):
    import_divisions(**year(tmp_path, YEAR_ONE, "one"))
    ServicePoint.objects.filter(pk=point_of("370399001002").pk).update(name="北关帮办代办服务站")

    import_divisions(**year(tmp_path, YEAR_TWO, "two"))

    assert Region.objects.get(code="370399001002").name == "北苑社区居民委员会"
    assert point_of("370399001002").name == "北关帮办代办服务站"


def test_newer_year_deactivates_vanished_village_and_town_with_their_stations(db, tmp_path):
    import_divisions(**year(tmp_path, YEAR_ONE, "one"))
    counts = Region.objects.count(), ServicePoint.objects.count()

    report = import_divisions(**year(tmp_path, YEAR_TWO, "two"))

    assert (Region.objects.count(), ServicePoint.objects.count()) == counts  # nothing deleted
    for code in ("370399001003", "370399101", "370399101201"):
        assert not Region.objects.get(code=code).active
        assert not point_of(code).active
    for code in ("370399001", "370399001001", "370399001002"):
        assert Region.objects.get(code=code).active
        assert point_of(code).active
    assert (report.regions_deactivated, report.points_deactivated) == (3, 3)


def test_village_reappearing_is_reactivated_with_its_station(db, tmp_path):
    import_divisions(**year(tmp_path, YEAR_ONE, "one"))
    station = point_of("370399001003")
    import_divisions(**year(tmp_path, YEAR_TWO, "two"))

    report = import_divisions(**year(tmp_path, YEAR_ONE, "three"))

    assert Region.objects.get(code="370399001003").active
    again = point_of("370399001003")
    assert (again.pk, again.active) == (station.pk, True)
    assert point_of("370399101201").active and point_of("370399101").active
    assert (report.regions_reactivated, report.points_reactivated) == (3, 3)
    assert report.regions_created == report.points_created == 0


def test_newer_year_leaves_a_county_outside_the_import_untouched(yiyuan, tmp_path):
    import_divisions(**year(tmp_path, YEAR_ONE, "one"))
    before = yiyuan_state()
    assert len(before[0]) == 1 + 12 + 468

    # Year two names only 370399: Yiyuan is in none of its files.
    import_divisions(**year(tmp_path, YEAR_TWO, "two"))

    assert yiyuan_state() == before
    assert not Region.objects.filter(code__startswith="370323", active=False).exists()


# --- Virtual communities ------------------------------------------------------------------------


def test_virtual_community_gets_a_region_but_no_station(db, tmp_path):
    paths = files(
        tmp_path,
        [county_row("370126", "商河县")],
        [town_row("370126400", "商河经济开发区")],
        [
            village_row("370126400498", "商河经济开发区虚拟社区"),
            village_row("370126400201", "王家村委会"),
        ],
    )

    import_divisions(**paths)

    virtual = Region.objects.get(code="370126400498")
    assert virtual.is_virtual and virtual.active
    assert not Region.objects.get(code="370126400201").is_virtual
    assert not ServicePoint.objects.filter(region=virtual).exists()
    assert point_of("370126400201").name == "王家村便民服务站"


# --- Encodings ----------------------------------------------------------------------------------


def test_gb18030_file_imports_the_same_as_utf8(db, tmp_path):
    utf8 = year(tmp_path, YEAR_ONE, "utf8")
    gb = files(tmp_path / "gb", **YEAR_ONE, encoding="gb18030")
    raw = gb["villages"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GB18030, not UTF-8 by accident
    for kind, level in (
        ("counties", Level.COUNTY),
        ("towns", Level.TOWN),
        ("villages", Level.VILLAGE),
    ):
        assert read_rows(gb[kind], level) == read_rows(utf8[kind], level)

    first = import_divisions(**gb)
    assert Region.objects.get(code="370399001001").name == "东关社区居民委员会"
    assert first.regions_created == 1 + 2 + 4
    assert not import_divisions(**utf8).changed


def test_utf8_file_with_bom_imports_the_same(db, tmp_path):
    utf8 = year(tmp_path, YEAR_ONE, "utf8")
    bom = files(tmp_path / "bom", **YEAR_ONE, encoding="utf-8-sig")
    assert bom["villages"].read_bytes().startswith(b"\xef\xbb\xbf")
    for kind, level in (
        ("counties", Level.COUNTY),
        ("towns", Level.TOWN),
        ("villages", Level.VILLAGE),
    ):
        assert read_rows(bom[kind], level) == read_rows(utf8[kind], level)

    import_divisions(**bom)
    assert Region.objects.get(code="370399001001").name == "东关社区居民委员会"
    assert not import_divisions(**utf8).changed


# --- Bad files: one clear error naming the file and line, and nothing changed --------------------


def assert_rejected(paths: dict, file: str, line: int | None, *words: str, **options) -> str:
    before = totals()
    with pytest.raises(DivisionFileError) as caught:
        import_divisions(**paths, **options)
    error = caught.value
    message = str(error)
    assert Path(error.path).name == file
    assert file in message
    assert error.line == line
    if line is not None:
        assert f"第 {line} 行" in message
    for word in words:
        assert word in message
    assert totals() == before
    return message


def good(tmp_path: Path, **replace: list[str]) -> dict[str, Path]:
    """Year one's files with some replaced, so everything else would import."""
    data = {**YEAR_ONE, **replace}
    return files(tmp_path, data["counties"], data["towns"], data["villages"])


def test_undecodable_bytes_are_rejected(db, tmp_path):
    paths = good(tmp_path)
    lines = paths["villages"].read_bytes().split(b"\n")
    lines[2] = lines[2].replace("北关".encode(), b"\xff\xfe\xfd")
    raw = b"\n".join(lines)
    paths["villages"].write_bytes(raw)
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode(encoding)

    assert_rejected(paths, "villages.csv", 3, "编码")


def test_a_damaged_utf8_file_is_refused_at_the_bad_byte(db, tmp_path):
    paths = good(tmp_path)
    lines = paths["villages"].read_bytes().split(b"\n")
    lines[3] = lines[3].replace("南关".encode(), b"\x81\x40")  # a GB18030 pair, not UTF-8
    paths["villages"].write_bytes(b"\n".join(lines))

    assert_rejected(paths, "villages.csv", 4, "损坏")


def test_undecodable_bytes_in_a_gb18030_file_are_rejected(db, tmp_path):
    paths = files(tmp_path, **YEAR_ONE, encoding="gb18030")
    lines = paths["villages"].read_bytes().split(b"\n")
    lines[3] = lines[3].replace("南关".encode("gb18030"), b"\xff\xfe\xfd")
    raw = b"\n".join(lines)
    paths["villages"].write_bytes(raw)
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode(encoding)

    assert_rejected(paths, "villages.csv", 4, "编码")


def test_missing_column_is_rejected(db, tmp_path):
    paths = good(tmp_path)
    paths["towns"].write_text(
        "code,name,provinceCode,cityCode\n370399001,东城街道,37,3703\n", encoding="utf-8"
    )

    assert_rejected(paths, "towns.csv", 1, "areaCode")


def test_non_digit_code_is_rejected(db, tmp_path):
    villages = [*YEAR_ONE["villages"]]
    villages[1] = '37039900100A,"北关社区居民委员会",370399001,37,3703,370399'

    assert_rejected(good(tmp_path, villages=villages), "villages.csv", 3, "37039900100A")


def test_code_of_wrong_length_is_rejected(db, tmp_path):
    towns = [town_row("370399001", "东城街道"), '3703991010,"西河镇",370399,37,3703']

    assert_rejected(good(tmp_path, towns=towns), "towns.csv", 3, "3703991010", "9 位")


def test_village_code_not_starting_with_its_street_code_is_rejected(db, tmp_path):
    villages = [*YEAR_ONE["villages"]]
    villages[2] = '370399101003,"南关社区居民委员会",370399001,37,3703,370399'

    assert_rejected(
        good(tmp_path, villages=villages), "villages.csv", 4, "370399101003", "370399001"
    )


def test_village_of_a_town_not_in_the_towns_file_is_rejected(db, tmp_path):
    villages = [*YEAR_ONE["villages"], village_row("370399102001", "李庄村委会")]

    assert_rejected(good(tmp_path, villages=villages), "villages.csv", 6, "370399102")


def test_town_of_a_county_not_in_the_counties_file_is_rejected(db, tmp_path):
    towns = [*YEAR_ONE["towns"], town_row("370398001", "别处街道")]

    assert_rejected(good(tmp_path, towns=towns), "towns.csv", 4, "370398")


def test_duplicate_code_is_rejected(db, tmp_path):
    villages = [*YEAR_ONE["villages"], village_row("370399001002", "北关二社区居民委员会")]

    assert_rejected(good(tmp_path, villages=villages), "villages.csv", 6, "370399001002", "重复")


def test_empty_name_is_rejected(db, tmp_path):
    villages = [*YEAR_ONE["villages"]]
    villages[0] = village_row("370399001001", " ")

    assert_rejected(good(tmp_path, villages=villages), "villages.csv", 2, "370399001001", "名称")


def test_county_option_naming_a_county_not_in_the_files_is_rejected(db, tmp_path):
    assert_rejected(good(tmp_path), "counties.csv", None, "370398", county="370398")


# --- The command --------------------------------------------------------------------------------


def command_args(paths: dict[str, Path]) -> list[str]:
    return [
        "--counties",
        str(paths["counties"]),
        "--towns",
        str(paths["towns"]),
        "--villages",
        str(paths["villages"]),
    ]


def test_command_prints_the_chinese_summary(db, tmp_path):
    out = io.StringIO()

    call_command(
        "import-divisions", *command_args(good(tmp_path)), "--county", TEST_COUNTY, stdout=out
    )

    assert out.getvalue().strip() == (
        "导入 1 个县（区）：区划新增 7、更名 0、停用 0、恢复 0；服务点新增 7、更名 0、停用 0、恢复 0。"
    )


def test_command_rejects_a_bad_file_naming_file_and_line_and_changes_nothing(db, tmp_path):
    villages = [*YEAR_ONE["villages"]]
    villages[1] = '37039900100A,"北关社区居民委员会",370399001,37,3703,370399'
    before = totals()

    with pytest.raises(CommandError) as caught:
        call_command("import-divisions", *command_args(good(tmp_path, villages=villages)))

    message = str(caught.value)
    assert "villages.csv" in message
    assert "第 3 行" in message
    assert "未做任何更改" in message
    assert totals() == before


# --- Names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("解放桥社区居民委员会", "解放桥社区"),
        ("王庄村委会", "王庄村"),
        ("历山居委会", "历山社区"),
        ("东村村委会", "东村"),
        ("王庄村民委员会", "王庄村"),
        ("南麻社区居委会", "南麻社区"),
        ("商河经济开发区虚拟社区", "商河经济开发区虚拟社区"),
        ("村委会", "村委会"),
    ],
)
def test_village_short_name(name, short):
    assert village_short_name(name) == short
