"""Transfers (联动) of a case to another point, and the written authorisation (委托书) of a 代办 case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bangban.network.models import ServicePoint

from .cases import Case

LEVEL_OF_KIND = {
    ServicePoint.Kind.COUNTY_CENTRE: "county",
    ServicePoint.Kind.DEDICATED_ZONE: "county",
    ServicePoint.Kind.DOMAIN_SUBZONE: "county",
    ServicePoint.Kind.DEPARTMENT_WINDOW: "county",
    ServicePoint.Kind.TOWN_CENTRE: "town",
    ServicePoint.Kind.PARTNER_STATION: "town",
    ServicePoint.Kind.VILLAGE_STATION: "village",
}


class Transfer(models.Model):
    """A case passed to another point (联动): pending until the receiving point accepts it (and
    becomes the handling point) or declines it with a reason. The case keeps its state meanwhile; its
    first responsible helper never changes."""

    class Direction(models.TextChoices):
        HORIZONTAL = "horizontal", _("横向联动")
        VERTICAL = "vertical", _("纵向联动")

    class Status(models.TextChoices):
        PENDING = "pending", _("待接收")
        ACCEPTED = "accepted", _("已接收")
        DECLINED = "declined", _("已退回")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_point = models.ForeignKey(
        ServicePoint, verbose_name=_("转出服务点"), on_delete=models.PROTECT, related_name="+"
    )
    to_point = models.ForeignKey(
        ServicePoint, verbose_name=_("接收服务点"), on_delete=models.PROTECT, related_name="+"
    )
    to_helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定接收人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    direction = models.CharField(_("联动方式"), max_length=12, choices=Direction.choices)
    reason = models.CharField(_("转办原因"), max_length=200)
    sent_on = models.DateField(_("转办日期"))
    sent_at = models.DateTimeField(_("转办时间"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decline_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    suggested_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("建议转至"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    escalated_at = models.DateTimeField(_("催办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("转办")
        verbose_name_plural = _("转办")
        ordering = ["case", "sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="transfer_one_pending_per_case",
            ),
            models.CheckConstraint(
                condition=~Q(from_point=F("to_point")), name="transfer_to_another_point"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="transfer_declined_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["to_point", "status"], name="transfer_to_status")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_point_id}"


class Authorisation(models.Model):
    """The written authorisation (委托书) of a 代办 case: who authorised the helper, for what, when,
    and its signed scan. The helper acts within its scope only; the applicant stays responsible for
    the truth of the materials."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="authorisation")
    principal = models.CharField(_("委托人"), max_length=100)
    scope = models.CharField(_("委托事项和权限"), max_length=500)
    authorised_on = models.DateField(_("委托日期"))
    valid_until = models.DateField(_("委托期限"), null=True, blank=True)
    scan = models.FileField(_("委托书扫描件"), upload_to="authorisations/%Y/%m/")

    class Meta:
        verbose_name = _("委托书")
        verbose_name_plural = _("委托书")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("authorised_on")),
                name="authorisation_valid_after_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.principal}"
