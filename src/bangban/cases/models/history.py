"""A case's immutable records: its events (the timeline and audits read them) and each showing of an
applicant's full ID number or authorisation scan. Nothing updates or deletes them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import Case


class CaseEvent(models.Model):
    """An immutable record of one action on a case: who, when, what, the state before and after, and
    what changed. The timeline and audits read from it; nothing updates or deletes it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class IdentityView(models.Model):
    """One showing of an applicant's full ID number (docs/domain.md "Full ID numbers") or of the signed
    authorisation scan of a 代办 case (which carries the same): who saw what, when, on which case.
    Written by `actions.reveal_number` and `actions.authorisation_scan` only; never updated or
    deleted."""

    class What(models.TextChoices):
        NUMBER = "number", _("完整证件号码")
        SCAN = "authorisation_scan", _("委托书扫描件")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="identity_views")
    what = models.CharField(_("查看内容"), max_length=20, choices=What, default=What.NUMBER)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("查看时间"), auto_now_add=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("证件号码查看记录")
        verbose_name_plural = _("证件号码查看记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.viewer_id} {self.at:%Y-%m-%d %H:%M}"
