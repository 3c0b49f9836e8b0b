"""What the inspection tests share: a small checklist of Yiyuan saved through `save_checklist`, a
photo as a phone uploads it, and `inspect(...)` — an inspection started through the action.

Import the fixtures into a test module (`from tests.supervision.inspecting import checklist, …`)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bangban.supervision import actions
from bangban.supervision.actions import ItemData, SectionData
from bangban.supervision.models import ChecklistItem

ALL = ["county", "town", "village", "partner"]
#: The smallest files that begin like a JPEG and a PNG.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name: str = "现场.jpg", content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def checklist(people):
    """门头标识 10 (2 each, at most 5, photo required, everywhere), 合作网点标识 5 (partner only),
    工作着装 10 (3 each, at most 6), 服务台账 20 (5 each, at most 20, not partner): 40 points at a
    village station, 25 at a partner station."""
    return actions.save_checklist(
        people.county,
        name="测试评分表",
        sections=[
            SectionData(
                "标识标牌",
                [
                    ItemData("门头标识规范", 10, 2, 5, "look", photo_required=True, applies_to=ALL),
                    ItemData("合作网点专区标识", 5, 1, 3, "look", applies_to=["partner"]),
                ],
            ),
            SectionData(
                "服务规范",
                [
                    ItemData("工作人员统一着装", 10, 3, 6, "mystery", applies_to=ALL),
                    ItemData(
                        "帮办代办台账完整",
                        20,
                        5,
                        20,
                        "records",
                        applies_to=["county", "town", "village"],
                    ),
                ],
            ),
        ],
        by=people.bureau,
    )


@pytest.fixture
def checklist_item(checklist):
    """checklist_item(text) → the checklist's item of that text."""

    def find(text: str) -> ChecklistItem:
        return ChecklistItem.objects.get(section__checklist=checklist, text=text)

    return find


@pytest.fixture
def inspect(people, checklist):
    """inspect(**changes) → an unannounced inspection of the station by the supervisor."""

    def start(**changes):
        fields = {
            "checklist": checklist,
            "announced": False,
            "by": people.supervisor,
            "by_kind": "bureau",
        }
        point = changes.pop("point", people.station)
        fields.update(changes)
        return actions.start_inspection(point, **fields)

    return start
