"""Fixtures of the network tests: a second county that the demo does not know."""

from __future__ import annotations

from pathlib import Path

import pytest

from bangban.network.divisions import import_divisions
from bangban.network.models import Region, ServicePoint

Kind = ServicePoint.Kind

LINQU = "370724"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([*lines, ""]), encoding="utf-8")
    return path


class Linqu:
    """临朐县 (370724, 潍坊市): one street with one community, imported from its own small NBS files,
    so a county that is not Yiyuan, with its centre, a town centre and a station."""

    @property
    def county(self) -> Region:
        return Region.objects.get(code=LINQU)

    @property
    def centre(self) -> ServicePoint:
        return ServicePoint.objects.get(kind=Kind.COUNTY_CENTRE, county__code=LINQU)

    @property
    def town(self) -> ServicePoint:
        return ServicePoint.objects.get(kind=Kind.TOWN_CENTRE, county__code=LINQU)


@pytest.fixture
def linqu(db, tmp_path) -> Linqu:
    folder = tmp_path / "linqu"
    folder.mkdir()
    import_divisions(
        provinces=_write(folder / "provinces.csv", ["code,name", '37,"山东省"']),
        cities=_write(folder / "cities.csv", ["code,name,provinceCode", '3707,"潍坊市",37']),
        counties=_write(
            folder / "counties.csv",
            ["code,name,cityCode,provinceCode", f'{LINQU},"临朐县",3707,37'],
        ),
        towns=_write(
            folder / "towns.csv",
            ["code,name,areaCode,provinceCode,cityCode", f'{LINQU}001,"城关街道",{LINQU},37,3707'],
        ),
        villages=_write(
            folder / "villages.csv",
            [
                "code,name,streetCode,provinceCode,cityCode,areaCode",
                f'{LINQU}001001,"东关社区居民委员会",{LINQU}001,37,3707,{LINQU}',
            ],
        ),
    )
    return Linqu()
