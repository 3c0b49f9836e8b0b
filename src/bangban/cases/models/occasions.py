"""Service occasions (一次一评): each time the applicant is served in person or by a helper —
registration, materials handed in, a home visit, the handover of the result — written by the
ledger's actions beside the case's event. Each occasion may be rated once (the `feedback` app's
`Rating`); its point and helper are the ones rated and the ones answerable.

The ledger knows nothing of ratings: it records the occasions, and the `feedback` app reads them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.network.models import ServicePoint


class OccasionQuerySet(models.QuerySet):
    def on_or_after(self, day: dt.date):
        return self.filter(on__gte=day)

    def between(self, start: dt.date, end: dt.date):
        return self.filter(on__gte=start, on__lte=end)


class Occasion(models.Model):
    """One time the applicant of `case` was served: what (`kind`), when, where and by whom."""

    class Kind(models.TextChoices):
        REGISTER = "register", _("登记受理")
        MATERIALS = "materials", _("收取材料")
        HOME_VISIT = "home_visit", _("上门服务")
        HANDOVER = "handover", _("送达结果")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="occasions"
    )
    #: 1, 2, … within the case, in the order served: with the case number, the occasion's number
    #: (`number`) the provincial system knows it by.
    sequence = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("服务环节"), max_length=16, choices=Kind.choices)
    on = models.DateField(_("服务日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("服务点"), on_delete=models.PROTECT, related_name="+"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务人员"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = OccasionQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="occasion_unique_sequence"),
        ]
        indexes = [
            models.Index(fields=["point", "on"], name="occasion_point_on"),
            models.Index(fields=["on"], name="occasion_on"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The occasion's service number: the case number and the sequence (`…-0042-1`)."""
        return f"{self.case.number}-{self.sequence}"
