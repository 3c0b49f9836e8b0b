"""A checklist as the actions take it (`SectionData` of `ItemData`), and the default inspection checklist (督查评分表) every county starts with, read from
`data/default_checklist.csv`: Yiyuan's own rules written as items (附件3 工作规范 — the area and its
signs, equipment and 便民 items, dress, service language, attitude, the discipline 八不; the
实施方案's ledger and 好差评; 附件4's training and supervision), each quoting the rule it checks,
100 points in all. `actions.give_default_checklist` saves it; the data migration reads the same file."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .models import PointLevel

DEFAULT_CHECKLIST = Path(__file__).resolve().parent / "data" / "default_checklist.csv"
#: The name the default checklist is saved under.
DEFAULT_NAME = "帮办代办服务点督查评分表"


@dataclass
class ItemData:
    text: str
    points: Decimal | str | int
    deduction: Decimal | str | int
    cap: Decimal | str | int
    method: str
    photo_required: bool = False
    applies_to: list[str] = field(default_factory=lambda: list(PointLevel.values))


@dataclass
class SectionData:
    title: str
    items: list[ItemData]


def sections_of(checklist) -> list[SectionData]:
    """A saved checklist's active items as the actions take them (what an edit starts from)."""
    sections = []
    for section in checklist.sections.prefetch_related("items"):
        items = [
            ItemData(
                text=item.text,
                points=item.points,
                deduction=item.deduction,
                cap=item.cap,
                method=item.method,
                photo_required=item.photo_required,
                applies_to=list(item.applies_to),
            )
            for item in section.items.all()
            if item.active
        ]
        if items:
            sections.append(SectionData(title=section.title, items=items))
    return sections


def read_default_checklist(path: Path = DEFAULT_CHECKLIST) -> list[SectionData]:
    """The file's rows as sections in the order they first appear, each with its items in order."""
    sections: dict[str, SectionData] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            title = row["section"].strip()
            section = sections.setdefault(title, SectionData(title=title, items=[]))
            section.items.append(
                ItemData(
                    text=row["text"].strip(),
                    points=row["points"].strip(),
                    deduction=row["deduction"].strip(),
                    cap=row["cap"].strip(),
                    method=row["method"].strip(),
                    photo_required=row["photo_required"].strip().lower() == "true",
                    applies_to=[v.strip() for v in row["applies_to"].split("|") if v.strip()],
                )
            )
    return list(sections.values())
