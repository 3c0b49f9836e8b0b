"""The working-day calendar table: one row per year saying whether it is published, and one row per
day that differs from the Monday–Friday default (a holiday, or a make-up working day, 调休上班).

Days not stored are ordinary: Monday to Friday working, Saturday and Sunday rest. The arithmetic never
reads these tables directly: it works on the immutable value `workdays.calendar.current()` builds.
See docs/decisions/0011-working-day-calendar.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar 软件包")
        ADMIN = "admin", _("管理员录入")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    published = models.BooleanField(
        _("已发布"),
        default=False,
        help_text=_("该年度的节假日安排已知（国务院办公厅通知已发布并录入）。"),
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                name="calendar_year_in_range", condition=Q(year__gte=1900, year__lte=2999)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday default."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        MAKEUP_WORKDAY = "makeup_workday", _("调休上班")
        # The two defaults: never stored, used when describing a day that has no row.
        WEEKEND = "weekend", _("周末")
        WORKDAY = "workday", _("工作日")

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True, default="")

    class Meta:
        verbose_name = _("日历特殊日")
        verbose_name_plural = _("日历特殊日")
        ordering = ["day"]
        constraints = [
            # Only exceptional days are stored, and the flag agrees with the kind.
            models.CheckConstraint(
                name="calendar_day_kind_matches_flag",
                condition=Q(kind="holiday", is_workday=False)
                | Q(kind="makeup_workday", is_workday=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()
