"""Helpers (帮办代办员), their qualification to serve (上岗资格), and training (业务培训).

Where a helper serves is not stored here: it comes from their memberships (network.Membership,
docs/architecture.md "Who acts where"). The profile says who they are; `qualified(on=…)` says whether they
may serve on a day (docs/domain.md "Definitions": active, at least one year of acceptance work, a training
passed).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangban.kernel.models import optional_link
from bangban.network.models import (
    Department,
    Domain,
    PartnerOrganisation,
    Region,
    ServicePoint,
    county_link,
)


def anniversary(day: dt.date) -> dt.date:
    """The same date one year later; 29 February counts as 28 February (docs/domain.md)."""
    if day.month == 2 and day.day == 29:
        return dt.date(day.year + 1, 2, 28)
    return day.replace(year=day.year + 1)


def experience_cutoff(on: dt.date) -> dt.date:
    """The latest start date whose first anniversary falls on or before `on`: a helper who started
    acceptance work on or before this day has a year of experience on `on`."""
    if on.month == 2 and on.day == 29:
        return dt.date(on.year - 1, 2, 28)
    if on.month == 2 and on.day == 28:
        try:
            return dt.date(on.year - 1, 2, 29)  # started on a leap day: counts as 28 February
        except ValueError:
            pass
    return on.replace(year=on.year - 1)


def qualified_condition(on: dt.date, via: str = "") -> Q:
    """The rule of qualification on `on` (先培训后上岗) as one filter: active, a year of acceptance
    work, and at least one training passed on or before that day. On Helper itself (`via` empty), or
    on a model that reaches a helper through `via` (a membership: "user__helper_profile"), so a
    per-point count joins the few profiles it needs instead of testing every helper."""
    field = f"{via}__" if via else ""
    passed = TrainingAttendance.objects.filter(
        helper=OuterRef(via or "pk"), passed=True, session__held_on__lte=on
    )
    return (
        (Q(**{f"{field}left_on__isnull": True}) | Q(**{f"{field}left_on__gt": on}))
        & Q(**{f"{field}started_on__lte": experience_cutoff(on)})
        & Q(Exists(passed))
    )


class HelperQuerySet(models.QuerySet):
    def active(self, on: dt.date):
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=on))

    def qualified(self, on: dt.date):
        """Qualified to serve on `on` (docs/domain.md "Definitions"; see `qualified_condition`)."""
        return self.filter(qualified_condition(on))


class Helper(models.Model):
    """The helper profile of a user account (帮办代办员)."""

    class Origin(models.TextChoices):
        WINDOW = "window", _("前台窗口")
        DEPARTMENT = "department", _("部门单位")
        PARTY_BRANCH = "party_branch", _("党支部")
        YOUTH_LEAGUE = "youth_league", _("共青团")
        TRADE_UNION = "trade_union", _("工会")
        WOMENS_FEDERATION = "womens_federation", _("妇联")
        VILLAGE_COMMITTEE = "village_committee", _("村民委员会")
        RESIDENTS_COMMITTEE = "residents_committee", _("居民委员会")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="helper_profile",
    )
    full_time = models.BooleanField(_("专职"), default=True)
    origin = models.CharField(_("人员来源"), max_length=32, choices=Origin.choices)
    started_on = models.DateField(_("开始从事受理工作日期"))
    left_on = models.DateField(_("离岗日期"), null=True, blank=True)
    work_phone = models.CharField(_("工作电话"), max_length=40, blank=True, db_index=True)
    domains = models.ManyToManyField(
        Domain, verbose_name=_("负责领域"), blank=True, related_name="helpers"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HelperQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮办代办员")
        verbose_name_plural = _("帮办代办员")
        constraints = [
            models.CheckConstraint(
                name="helper_leaves_after_starting",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("started_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


#: Trainings each organiser must hold in a year (the seed's 三(四); docs/domain.md "Staff").
TRAININGS_PER_YEAR = 2


class TrainingOrganiserQuerySet(models.QuerySet):
    def with_trainings(self, year: int):
        """Each organiser with `trainings` = the sessions it held in `year`."""
        return self.annotate(
            trainings=models.Count("sessions", filter=Q(sessions__held_on__year=year))
        )

    def short_of_trainings(self, year: int):
        """Organisers that held fewer than the required trainings in `year`."""
        return self.with_trainings(year).filter(trainings__lt=TRAININGS_PER_YEAR)

    def with_point_count(self):
        """Each organiser with `point_count` = the points it trains for (a sub-query, so it adds
        no join to `with_trainings`' count)."""
        counted = (
            TrainingOrganiser.points.through.objects.filter(trainingorganiser_id=OuterRef("pk"))
            .order_by()
            .values("trainingorganiser_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            point_count=Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)
        )


class TrainingOrganiser(models.Model):
    """Who runs trainings (the seed's annex 4): the county bureau (for the dedicated zone and the
    enterprise, investment and comprehensive sub-zones), each department (its sub-zone or window),
    each town (its centre and villages) and each partner organisation (its stations)."""

    class Kind(models.TextChoices):
        COUNTY_BUREAU = "county_bureau", _("县行政审批服务局")
        DEPARTMENT = "department", _("进驻部门")
        TOWN = "town", _("镇（街道）")
        PARTNER = "partner", _("合作单位")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    county = county_link(related_name="+")
    department = optional_link(
        Department, _("部门"), related_name="training_organiser", one_to_one=True
    )
    town_centre = optional_link(
        ServicePoint,
        _("镇（街道）便民服务中心"),
        related_name="training_organiser",
        one_to_one=True,
    )
    organisation = optional_link(
        PartnerOrganisation, _("合作单位"), related_name="training_organiser", one_to_one=True
    )
    # What it trains for: the rule's points (`actions.rule_bindings`) with the administrators'
    # corrections applied, kept by `actions.sync_organisers` whenever the network changes.
    points = models.ManyToManyField(
        ServicePoint, verbose_name=_("负责培训的服务点"), blank=True, related_name="trainers"
    )
    # Follows its department, organisation or town centre (taken out of service or back); an
    # inactive organiser keeps its trainings and its points' history.
    active = models.BooleanField(_("在用"), default=True)
    # The name follows the department's, organisation's or town's until an administrator gives the
    # organiser a name of its own (`rename_organiser`).
    name_follows = models.BooleanField(_("名称随所属单位变化"), default=True)

    objects = TrainingOrganiserQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训组织单位")
        verbose_name_plural = _("培训组织单位")
        ordering = ["county__code", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="organiser_binding_matches_kind",
                condition=(
                    Q(
                        kind="county_bureau",
                        department__isnull=True,
                        town_centre__isnull=True,
                        organisation__isnull=True,
                    )
                    | Q(
                        kind="department",
                        department__isnull=False,
                        town_centre__isnull=True,
                        organisation__isnull=True,
                    )
                    | Q(
                        kind="town",
                        department__isnull=True,
                        town_centre__isnull=False,
                        organisation__isnull=True,
                    )
                    | Q(
                        kind="partner",
                        department__isnull=True,
                        town_centre__isnull=True,
                        organisation__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["county"],
                condition=Q(kind="county_bureau"),
                name="organiser_one_bureau_per_county",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def binding_id(self) -> int | None:
        """The id of what it organises for (None for the county bureau)."""
        return self.department_id or self.town_centre_id or self.organisation_id

    @property
    def organises_for(self) -> str:
        """What it trains for, in words (select the binding with the organiser)."""
        if self.kind == self.Kind.COUNTY_BUREAU:
            return gettext("本县帮办代办专区及企业开办、投资项目审批、综合受理分区")
        if self.kind == self.Kind.DEPARTMENT:
            return gettext("%(name)s的帮办代办分区或窗口") % {"name": self.department.name}
        if self.kind == self.Kind.TOWN:
            return gettext("%(name)s及所辖村（社区）便民服务站") % {"name": self.town_centre.name}
        return gettext("%(name)s的合作网点") % {"name": self.organisation.name}


class CoverageCorrection(models.Model):
    """An administrator's correction to the points an organiser trains for: a point added to what
    the rule gives it, or a point of the rule taken away. Kept apart from the coverage itself
    (`TrainingOrganiser.points`), so that every automatic recomputation applies it again
    (docs/decisions/0026-organiser-coverage.md)."""

    class Change(models.TextChoices):
        ADDED = "added", _("管理员增加")
        REMOVED = "removed", _("管理员移除")

    organiser = models.ForeignKey(
        TrainingOrganiser,
        verbose_name=_("培训组织单位"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("服务点"), on_delete=models.PROTECT, related_name="+"
    )
    change = models.CharField(_("更正"), max_length=16, choices=Change.choices)
    note = models.CharField(_("更正说明"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更正人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训范围更正")
        verbose_name_plural = _("培训范围更正")
        ordering = ["organiser", "point"]
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "point"], name="coverage_correction_once_per_point"
            ),
            models.CheckConstraint(
                name="coverage_correction_change_known",
                condition=Q(change__in=["added", "removed"]),
            ),
        ]
        indexes = [models.Index(fields=["point"], name="coverage_correction_point_idx")]

    def __str__(self) -> str:
        return f"{self.organiser} · {self.get_change_display()} · {self.point}"


class TrainingSessionQuerySet(models.QuerySet):
    def in_year(self, year: int):
        return self.filter(held_on__year=year)


class TrainingSession(models.Model):
    """One training held by an organiser, with its teaching material and who attended."""

    organiser = models.ForeignKey(
        TrainingOrganiser,
        verbose_name=_("组织单位"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    held_on = models.DateField(_("培训日期"))
    topic = models.CharField(_("培训内容"), max_length=200)
    material = models.FileField(_("培训教材"), upload_to="training/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-held_on", "id"]
        indexes = [models.Index(fields=["organiser", "held_on"], name="session_organiser_day_idx")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"


class TrainingAttendance(models.Model):
    """A helper at a training, and whether they passed (合格)."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("培训"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    helper = models.ForeignKey(
        Helper, verbose_name=_("帮办代办员"), on_delete=models.PROTECT, related_name="attendances"
    )
    passed = models.BooleanField(_("考核合格"), default=False)

    class Meta:
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")
        constraints = [
            models.UniqueConstraint(fields=["session", "helper"], name="attendance_once_each"),
        ]
        indexes = [models.Index(fields=["helper", "passed"], name="attendance_helper_passed_idx")]

    def __str__(self) -> str:
        return f"{self.helper} · {self.session}"


# --- The compliance page's summary rows (docs/decisions/0063-compliance-summary.md) ---------------


class ComplianceCounty(models.Model):
    """A county's generation of the facts the compliance rules read: every write that changes one
    (a membership at a point, a helper's profile, a training or its results, coverage, equipment,
    signage, a point) adds one, in the write's transaction (`compliance_summary.changed`). The
    county's summary rows are exact while they are of today and of the current generation."""

    county = models.OneToOneField(
        Region,
        verbose_name=_("县"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    generation = models.PositiveBigIntegerField(_("变更代数"), default=0)
    computed_generation = models.PositiveBigIntegerField(_("汇总时代数"), null=True, blank=True)
    computed_on = models.DateField(_("汇总日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("达标汇总状态")
        verbose_name_plural = _("达标汇总状态")

    def __str__(self) -> str:
        return f"{self.county_id} · {self.generation}"


class ComplianceSummary(models.Model):
    """One county's assessed points summed per group of the drill-down (`network.drill`): its
    county-level points (`town_level` false) and, per town, its town-level points: how many, and
    how many fail each rule on the county's `ComplianceCounty.computed_on`."""

    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.CASCADE, related_name="+"
    )
    town_level = models.BooleanField(_("镇级服务点"))
    town_code = models.CharField(_("镇（街道）代码"), max_length=12, blank=True)
    points = models.PositiveIntegerField(_("服务点数"))
    staffing_failing = models.PositiveIntegerField(_("人员配备未达标"))
    qualified_failing = models.PositiveIntegerField(_("上岗资格未达标"))
    training_failing = models.PositiveIntegerField(_("年度培训未达标"))
    equipment_failing = models.PositiveIntegerField(_("设施设备未达标"))
    signage_failing = models.PositiveIntegerField(_("统一标识未达标"))

    class Meta:
        verbose_name = _("达标汇总")
        verbose_name_plural = _("达标汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "town_level", "town_code"], name="compliance_summary_group_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.town_code}"
