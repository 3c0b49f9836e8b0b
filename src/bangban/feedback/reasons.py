"""The county's reason tags as they are read: the current version, a rating's reasons in the words of
the version it was given under, and the default set a new county starts with
(`data/default_reasons.csv`). The writes are `actions.settings` (`save_reason_set`,
`give_default_reasons`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .models import Rating, Reason, ReasonSet

DEFAULT_REASONS = Path(__file__).parent / "data" / "default_reasons.csv"


@dataclass(frozen=True)
class ReasonData:
    """One reason of a set being saved: its code (a slug), label (≤ 40), polarity, order."""

    code: str
    label: str
    polarity: str
    position: int = 0


def read_default_reasons(path: Path = DEFAULT_REASONS) -> list[ReasonData]:
    """The reasons every county starts with, in their order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            ReasonData(
                code=row["code"].strip(),
                label=row["label"].strip(),
                polarity=row["polarity"].strip(),
                position=int(row["position"]),
            )
            for row in csv.DictReader(handle)
        ]


def current_reason_set(county_id: int) -> ReasonSet | None:
    """The county's newest version, or None before it has any."""
    return ReasonSet.objects.filter(county_id=county_id).order_by("-version").first()


def reasons_of(reason_set: ReasonSet | None) -> list[Reason]:
    return [] if reason_set is None else list(reason_set.reasons.order_by("position", "code"))


def reason_labels(rating: Rating) -> list[str]:
    """The labels of `rating`'s reasons in the version it was given under (a later version may have
    renamed or dropped them); a code no longer known is shown as itself."""
    if not rating.reasons:
        return []
    labels = dict(
        Reason.objects.filter(set_id=rating.reason_set_id, code__in=rating.reasons).values_list(
            "code", "label"
        )
    )
    return [labels.get(code, code) for code in rating.reasons]
