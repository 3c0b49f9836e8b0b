"""A case's materials checklist (copied from the item revision at registration) and the written
one-time notices (一次性告知书) asking for what is missing or wrong."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.catalog.models import Material

from .cases import Case


class CaseMaterial(models.Model):
    """One line of a case's materials checklist, copied from the item revision at registration."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待核验")
        RECEIVED = "received", _("已收取")
        MISSING = "missing", _("缺少")
        WRONG = "wrong", _("不符合要求")
        DEFERRED = "deferred", _("容缺后补")
        NOT_NEEDED = "not_needed", _("不需要")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("序号"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    #: 容缺后补: the day the applicant committed in writing (容缺承诺书) to supply it by.
    deferred_until = models.DateField(_("容缺补交期限"), null=True, blank=True)
    #: The day it was received (已收取): acceptance cannot be dated before the last required one.
    received_on = models.DateField(_("收取日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="case_material_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.position}"


class Notice(models.Model):
    """A written one-time notice (一次性告知书): every missing or wrong material with the reason, and
    the day to supply them by. Numbered like cases with N before the sequence. A second notice on a
    case needs a reason and counts against the point (重复告知)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices")
    number = models.CharField(_("告知书编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("告知日期"))
    issued_at = models.DateTimeField(_("告知时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("告知人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supply_by = models.DateField(_("补正期限"))
    repeated = models.BooleanField(_("重复告知"), default=False)
    repeat_reason = models.CharField(_("重复告知原因"), max_length=200, blank=True)
    within_window = models.BooleanField(_("在受理期限内告知"), default=True)

    class Meta:
        verbose_name = _("一次性告知书")
        verbose_name_plural = _("一次性告知书")
        ordering = ["case", "issued_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(repeated=False) | ~Q(repeat_reason=""),
                name="notice_repeat_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class NoticeLine(models.Model):
    """One material a notice asks for, with why."""

    class Reason(models.TextChoices):
        MISSING = "missing", _("缺少")
        WRONG = "wrong", _("不符合要求")
        INCOMPLETE = "incomplete", _("内容不完整")
        EXPIRED = "expired", _("已过有效期")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(CaseMaterial, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("告知材料")
        verbose_name_plural = _("告知材料")
        ordering = ["notice", "line__position"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.line_id}"


#: The level of each kind of point, for telling a vertical transfer from a horizontal one.
