"""Model building blocks any app may use (the kernel imports no domain app).

`OutboxRow` is the part of an outbox to a partner platform that the delivery loop
(`kernel.outbox`) reads and writes; each outbox adds what it owes and its key.

`optional_link` says once what most of the network's and the staff's links are: a reference that
may be empty and that protects what it points at (a department, a point, an organisation is never
deleted while something names it; it is deactivated instead).
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _

#: What `InWritten` writes into SQL as it is: a code of our own (a state, a kind).
_CODE = re.compile(r"[a-z][a-z0-9_]*")


class InWritten(Lookup):
    """`.filter(InWritten(F("status"), ("registered", …)))`: `IN` with the codes written into the
    SQL, not bound as parameters, so that a partial index whose condition names the same codes may
    serve the query — SQLite matches a partial index only against a condition written as the
    index's is, and PostgreSQL's generic plan of a prepared statement cannot prove it from
    parameters (decision 0071). Only codes of our own (lower-case letters, digits, underscores)."""

    lookup_name = "in_written"
    prepare_rhs = False

    def get_prep_lookup(self):
        codes = tuple(str(c) for c in self.rhs if isinstance(c, str))  # a TextChoices member too
        if not codes or len(codes) != len(self.rhs) or not all(map(_CODE.fullmatch, codes)):
            raise ValueError(f"InWritten takes codes of our own, not {codes!r}")
        return codes

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        written = ", ".join(f"'{code}'" for code in self.rhs)
        return f"{lhs} IN ({written})", params


def optional_link(
    to, verbose_name, *, related_name: str | None = None, one_to_one: bool = False
) -> models.ForeignKey:
    """A nullable, PROTECTed foreign key (or one-to-one link) to `to`."""
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )


class OutboxRow(models.Model):
    """What every outbox row to a partner platform has (the provincial 好差评 system's
    `feedback.ProvinceOutbox`, the 12345 hotline's `supervision.HotlineOutbox`): its payload and
    the delivery state `kernel.outbox.deliver` keeps — pending until acknowledged, retried with
    back-off, failed (and kept) after its give-up time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待推送")
        SENT = "sent", _("已推送")
        FAILED = "failed", _("推送失败")

    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    #: When retrying stops and the row is marked failed (queued + the adapter's give-up hours;
    #: moved on when an operator puts it back). Null: counted from `created_at`.
    give_up_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("推送时间"), null=True, blank=True)

    class Meta:
        abstract = True
