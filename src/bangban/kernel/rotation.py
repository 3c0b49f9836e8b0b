"""Changing the data key: every encrypted column re-encrypted with the current key and every digest
recomputed with it (`bangban rotate-data-key`; README "Changing the data key"; decision 0030).

Each app that stores protected data says which columns in a module `protected.py` holding
`PROTECTED`, a list of `ProtectedColumns`; they are found by that name in INSTALLED_APPS order, the
way `bangban demo` finds each app's demo data, so the kernel imports no app.

The work goes by primary key in batches, each batch in its own transaction with its rows locked
(PostgreSQL): an interrupted run keeps what it committed and the next run goes on. A value already
encrypted with the current key and a digest already right are left alone, so running it again
changes nothing. Before writing anything, every row is read once: if any value cannot be decrypted
with any configured key, nothing is written and the rows are counted by model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import models, transaction

from . import protection

BATCH_SIZE = 500


@dataclass(frozen=True)
class ProtectedColumns:
    """The protected columns of one model (`"cases.Applicant"`).

    `encrypted`: text columns holding `protection.encrypt` output, or "" for none. `digests`: the
    digest columns, with `compute(row, clear)` giving their values from the row (its `reads` columns
    loaded) and the decrypted values by encrypted column name."""

    model: str
    encrypted: tuple[str, ...]
    digests: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    compute: Callable[[models.Model, dict[str, str]], dict[str, str]] | None = None

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def columns(self) -> list[str]:
        return ["pk", *self.encrypted, *self.digests, *self.reads]


@dataclass
class Outcome:
    """What a rotation found and did on one model: rows read, rows written (re-encrypted values and
    recomputed digests), values re-encrypted, digests recomputed."""

    model: str
    rows: int = 0
    changed_rows: int = 0
    reencrypted: int = 0
    redigested: int = 0
    unreadable: list[int] = field(default_factory=list)


def protected_columns() -> list[ProtectedColumns]:
    """Every app's `protected.PROTECTED`, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.protected"
        if config.name.startswith("bangban.") and find_spec(name):
            found.extend(getattr(import_module(name), "PROTECTED", []))
    return found


def _batches(spec: ProtectedColumns, batch_size: int) -> Iterator[list]:
    """The model's rows with the spec's columns, batch by batch in primary key order."""
    model = spec.model_class
    last = None
    while True:
        rows = model.objects.order_by("pk").only(*spec.columns[1:])
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _clear(row, spec: ProtectedColumns) -> tuple[dict[str, str], list[str]]:
    """(the decrypted values, the encrypted columns not on the current key) of a row; raises
    UnreadableNumber."""
    clear, stale = {}, []
    for name in spec.encrypted:
        token = getattr(row, name)
        if not token:
            clear[name] = ""
            continue
        clear[name], current = protection.open_token(token)
        if not current:
            stale.append(name)
    return clear, stale


def unreadable_rows(specs: list[ProtectedColumns] | None = None, batch_size: int = BATCH_SIZE):
    """{model: [primary keys]} of the rows holding a value that no configured key decrypts."""
    found: dict[str, list[int]] = {}
    for spec in specs if specs is not None else protected_columns():
        for batch in _batches(spec, batch_size):
            for row in batch:
                try:
                    _clear(row, spec)
                except protection.UnreadableNumber:
                    found.setdefault(spec.model, []).append(row.pk)
    return found


def rotate(spec: ProtectedColumns, batch_size: int = BATCH_SIZE, dry_run: bool = False) -> Outcome:
    """Re-encrypt the model's values that are not on the current key and recompute its digests that
    differ, batch by batch, each in a transaction with its rows locked. `dry_run`: count only. Rows
    that cannot be decrypted are left as they are and listed (`unreadable_rows` first refuses them)."""
    outcome = Outcome(spec.model)
    model = spec.model_class
    last = None
    while True:
        with transaction.atomic():
            rows = model.objects.select_for_update().order_by("pk").only(*spec.columns[1:])
            if last is not None:
                rows = rows.filter(pk__gt=last)
            batch = list(rows[:batch_size])
            if not batch:
                return outcome
            last = batch[-1].pk
            changed, fields = [], set()
            for row in batch:
                outcome.rows += 1
                try:
                    clear, stale = _clear(row, spec)
                except protection.UnreadableNumber:
                    outcome.unreadable.append(row.pk)
                    continue
                names = []
                for name in stale:
                    setattr(row, name, protection.encrypt(clear[name]))
                    names.append(name)
                outcome.reencrypted += len(stale)
                digests = spec.compute(row, clear) if spec.compute else {}
                for name, value in digests.items():
                    if getattr(row, name) != value:
                        setattr(row, name, value)
                        names.append(name)
                        outcome.redigested += 1
                if names:
                    changed.append(row)
                    fields.update(names)
            outcome.changed_rows += len(changed)
            if changed and not dry_run:
                model.objects.bulk_update(changed, sorted(fields))


def rotate_all(batch_size: int = BATCH_SIZE, dry_run: bool = False, on_model=None) -> list[Outcome]:
    """`rotate` over every app's protected columns; `on_model(outcome)` after each model."""
    outcomes = []
    for spec in protected_columns():
        outcome = rotate(spec, batch_size, dry_run)
        outcomes.append(outcome)
        if on_model is not None:
            on_model(outcome)
    return outcomes
