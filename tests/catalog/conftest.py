"""Items built through the real actions: `item_data(yiyuan, **changes)` and `make_item`."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from bangban.catalog import actions
from bangban.catalog.actions import ItemData, MaterialData
from bangban.catalog.models import Material
from bangban.network.models import Domain

_codes = itertools.count(1)


def item_data(yiyuan, **changes) -> ItemData:
    """A plausible item of Yiyuan's 医保 sub-zone (城乡居民医保参保登记); `changes` override fields."""
    data = ItemData(
        basic_code="000172007000",
        version="3",
        name="城乡居民基本医疗保险参保登记",
        type_code="07",
        type_name="公共服务",
        type_system="山东省政务服务事项管理系统",
        department=yiyuan.department("县医疗保障局"),
        domains=frozenset({Domain.objects.get(code="medical_insurance")}),
        levels=frozenset({"county", "town", "village"}),
        modes=frozenset({"on_site", "online", "mobile"}),
        legal_limit=20,
        promised_limit=1,
        guide="符合条件的城乡居民持有效身份证件办理。",
    )
    return replace(data, **changes)


MATERIALS = [
    MaterialData(
        name="居民身份证或户口簿",
        kind=Material.Kind.CERTIFICATE,
        originals=1,
        copies=1,
        source=Material.Source.GOVERNMENT,
    ),
    MaterialData(
        name="城乡居民基本医疗保险参保登记表",
        kind=Material.Kind.FORM,
        originals=1,
        notes="窗口免费提供，可现场填写",
    ),
    MaterialData(
        name="特殊人群身份证明",
        necessity=Material.Necessity.OPTIONAL,
        copies=1,
        notes="低保、特困、重度残疾等人员提供",
    ),
]


@pytest.fixture
def make_item(yiyuan):
    """make_item(**changes, materials=MATERIALS, code=None, by=None) → a ServiceItem of Yiyuan."""

    def make(materials=MATERIALS, code=None, by=None, **changes):
        return actions.create_item(
            yiyuan.county,
            implementation_code=code or f"11370323MB0000000{next(_codes):05d}",
            data=item_data(yiyuan, **changes),
            materials=materials,
            by=by,
        )

    return make
