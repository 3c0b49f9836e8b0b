"""Equipment and signage (设施设备) of the service points: the kinds of equipment a point keeps, the
equipment itself and its periodic checks. Part of the network's models (`network.models` imports
them from here, so `bangban.network.models.Equipment` is where everyone finds them); this module
imports nothing of `models`, so the two never import each other.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AddDays(models.Func):
    """A date plus a whole number of days, computed in the database (SQLite and PostgreSQL)."""

    output_field = models.DateField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
            **extra,
        )


def _count_subquery(equipment):
    """Per point (OuterRef), how many rows of `equipment` it has; 0 when none."""
    counted = (
        equipment.filter(point=models.OuterRef("pk"))
        .order_by()
        .values("point")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)


class EquipmentKind(models.Model):
    """A kind of equipment a point keeps (办公桌椅, 高拍仪, 老花镜 …) and how often it is checked."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    is_convenience = models.BooleanField(_("便民用品"), default=False)
    check_interval_days = models.PositiveSmallIntegerField(
        _("检查周期（天）"), default=91, help_text=_("默认 91 天，即每季度一次。")
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("设备类型")
        verbose_name_plural = _("设备类型")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                name="equipment_kind_interval_positive", condition=Q(check_interval_days__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EquipmentQuerySet(models.QuerySet):
    def in_use(self):
        """Equipment not retired."""
        return self.exclude(state=Equipment.State.RETIRED)

    def with_check_dates(self):
        """Annotate `last_checked_on` (the latest check, or None) and `next_check_on` (the latest
        check, or the date added when never checked, plus the kind's interval)."""
        latest = (
            EquipmentCheck.objects.filter(equipment=models.OuterRef("pk"))
            .order_by("-checked_on", "-pk")
            .values("checked_on")[:1]
        )
        return self.annotate(
            last_checked_on=models.Subquery(latest, output_field=models.DateField())
        ).annotate(
            next_check_on=AddDays(
                Coalesce("last_checked_on", "added_on"), "kind__check_interval_days"
            )
        )

    def check_overdue(self, on):
        """Equipment in use whose periodic check is overdue on the date `on`: the last check (or,
        never checked, the date it was added) lies more than the kind's interval before `on`."""
        return self.in_use().with_check_dates().filter(next_check_on__lt=on)


class Equipment(models.Model):
    """Equipment of one kind at a point, with its quantity, state and the person responsible."""

    class State(models.TextChoices):
        WORKING = "working", _("正常")
        FAULTY = "faulty", _("故障")
        RETIRED = "retired", _("已报废")

    point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("服务点"),
        on_delete=models.PROTECT,
        related_name="equipment",
    )
    kind = models.ForeignKey(
        EquipmentKind, verbose_name=_("设备类型"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.WORKING)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    added_on = models.DateField(_("登记日期"), default=timezone.localdate)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EquipmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("设施设备")
        verbose_name_plural = _("设施设备")
        ordering = ["point", "kind__position", "id"]
        indexes = [models.Index(fields=["point", "state"], name="equipment_point_state_idx")]
        constraints = [
            models.CheckConstraint(
                name="equipment_quantity_positive", condition=Q(quantity__gte=1)
            ),
            models.CheckConstraint(
                name="equipment_state_known",
                condition=Q(state__in=["working", "faulty", "retired"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} × {self.quantity}"


class EquipmentCheck(models.Model):
    """One periodic check of a piece of equipment: when, by whom, the result and the fault found."""

    class Result(models.TextChoices):
        OK = "ok", _("正常")
        FAULTY = "faulty", _("故障")

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("设施设备"), on_delete=models.CASCADE, related_name="checks"
    )
    checked_on = models.DateField(_("检查日期"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("检查结果"), max_length=16, choices=Result.choices)
    fault = models.CharField(_("故障情况"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("设备检查")
        verbose_name_plural = _("设备检查")
        ordering = ["-checked_on", "-id"]
        indexes = [
            models.Index(fields=["equipment", "-checked_on"], name="equipment_check_latest_idx")
        ]
        constraints = [
            models.CheckConstraint(
                name="equipment_check_result_known", condition=Q(result__in=["ok", "faulty"])
            ),
            models.CheckConstraint(
                name="equipment_check_fault_described",
                condition=~Q(result="faulty") | ~Q(fault=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.equipment} · {self.checked_on:%Y-%m-%d} · {self.get_result_display()}"
