"""好差评: what is rated (the ledger's `cases.Occasion`), the ratings, the county's reasons and
settings, the rectification of a bad review with its timeline, appeals, the hall rating devices and
the outbox to the provincial system (docs/domain.md "Evaluation and supervision").

Every write goes through `feedback.actions`; `Rectification.status` only through the table in
`feedback.workflow`. Dates are local dates; datetimes end in `_at`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.cases.models import Case, Occasion
from bangban.kernel.models import OutboxRow
from bangban.network.models import Region, ServicePoint

from .workflow import Step


class Level(models.IntegerChoices):
    """Five levels in the provincial interfaces' order (1 worst … 5 best); GB/T 39046-2020 A.8 codes
    them the other way round, which the adapter converts explicitly (`province.national_level`)."""

    VERY_DISSATISFIED = 1, _("非常不满意")
    DISSATISFIED = 2, _("不满意")
    BASIC = 3, _("基本满意")
    SATISFIED = 4, _("满意")
    VERY_SATISFIED = 5, _("非常满意")


#: A bad review (差评): levels 1 and 2.
BAD = frozenset({Level.VERY_DISSATISFIED, Level.DISSATISFIED})


class Channel(models.TextChoices):
    """How a rating came (the national field `pf` in `province.PF`)."""

    QR = "qr", _("扫码评价")
    SMS = "sms", _("短信链接")
    CARD = "card", _("纸质评价卡")
    DEVICE = "device", _("评价器")
    PROVINCE = "province", _("省好差评系统")


class FeedbackPolicy(models.Model):
    """A county's settings for its ratings and rectifications (the defaults when it has none)."""

    county = models.OneToOneField(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    count_basic_as_good = models.BooleanField(
        _("“基本满意”计入好评"),
        default=False,
        help_text=_("勾选后，好评率按 3–5 级计算；不勾选按 4–5 级计算。"),
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("整改期限（工作日）"), default=5, help_text=_("自差评之日起算，默认 5 个工作日。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("好差评设置")
        verbose_name_plural = _("好差评设置")
        constraints = [
            models.CheckConstraint(
                name="policy_rectification_days_range",
                condition=Q(rectification_days__gte=1, rectification_days__lte=60),
            ),
        ]

    def __str__(self) -> str:
        return str(self.county)


class ReasonSet(models.Model):
    """One version of a county's reason tags: editing makes a new version; a rating names the
    version it was given under, so its reasons never change meaning."""

    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("评价原因版本")
        verbose_name_plural = _("评价原因版本")
        ordering = ["county", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["county", "version"], name="reason_set_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.county} v{self.version}"


class Reason(models.Model):
    """A reason tag a rater may tick: for good ratings, bad ones or both."""

    class Polarity(models.TextChoices):
        GOOD = "good", _("好评原因")
        BAD = "bad", _("差评原因")
        ANY = "any", _("通用")

    set = models.ForeignKey(
        ReasonSet, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="reasons"
    )
    code = models.SlugField(_("代码"), max_length=40)
    label = models.CharField(_("名称"), max_length=40)
    polarity = models.CharField(_("适用"), max_length=8, choices=Polarity.choices)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评价原因")
        verbose_name_plural = _("评价原因")
        ordering = ["set", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["set", "code"], name="reason_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label


class RatingDevice(models.Model):
    """A hall rating device (评价器) at a point. It authenticates with its own token (only the
    digest is kept) and rates only the occasion a helper has just pushed to it."""

    point = models.ForeignKey(
        ServicePoint, verbose_name=_("服务点"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=50)
    token_digest = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("在用"), default=True)
    pushed_occasion = models.ForeignKey(
        Occasion,
        verbose_name=_("待评价的服务"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    pushed_at = models.DateTimeField(_("推送时间"), null=True, blank=True)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推送人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价器")
        verbose_name_plural = _("评价器")
        ordering = ["point", "name"]

    def __str__(self) -> str:
        return self.name


class RatingQuerySet(models.QuerySet):
    def active(self):
        """The ratings that count: given by the person (not the province's default) and not
        overturned on appeal."""
        return self.filter(province_default=False, overturned=False)

    def first_assess(self):
        """The first ratings (the national "assess number 1"), not the follow-ups. Not `first`:
        that would hide `QuerySet.first()`, which every `.filter(…).first()` relies on."""
        return self.filter(assess=Rating.Assess.FIRST)

    def bad(self):
        return self.filter(level__in=BAD)

    def between(self, start, end):
        return self.filter(rated_on__gte=start, rated_on__lte=end)


class Rating(models.Model):
    """One rating of one service occasion (一次一评): the first (评价) or the follow-up after a bad
    review's rectification (追评). Never deleted; an appeal that overturns it marks it."""

    class Assess(models.IntegerChoices):
        FIRST = 1, _("首次评价")
        FOLLOW_UP = 2, _("追评")

    occasion = models.ForeignKey(
        Occasion, verbose_name=_("服务记录"), on_delete=models.PROTECT, related_name="ratings"
    )
    assess = models.PositiveSmallIntegerField(
        _("评价次数"), choices=Assess.choices, default=Assess.FIRST
    )
    # Copied from the occasion when rated, so that the figures and scope are index ranges.
    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("被评价服务点"), on_delete=models.PROTECT, related_name="+"
    )
    #: The point's tree path (`ServicePoint.subtree_prefix`), which the scope matches as
    #: an index range (decision 0066); written by the actions that set `point`, rewritten by
    #: `feedback.on_network` when points move.
    point_path = models.CharField(
        _("服务点路径"), max_length=255, default="", blank=True, editable=False
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被评价人员"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    reason_set = models.ForeignKey(
        ReasonSet,
        verbose_name=_("评价原因版本"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reasons = models.JSONField(_("评价原因"), default=list, blank=True)
    comment = models.CharField(_("评价内容"), max_length=500, blank=True)
    channel = models.CharField(_("评价渠道"), max_length=16, choices=Channel.choices)
    #: A default rating the provincial system assigned when no one rated: stored, never counted.
    province_default = models.BooleanField(_("系统默认评价"), default=False)
    #: The rater chose not to be called back (匿名): no call-back is owed.
    anonymous = models.BooleanField(_("匿名"), default=False)
    #: The keyed digest of the phone the rating came from (`kernel.protection.phone_digest`): for
    #: flagging many ratings from one phone in a short time, never shown.
    rater_phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    flagged = models.BooleanField(_("疑似刷评"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    card_scan = models.FileField(_("评价卡扫描件"), upload_to="rating-cards/%Y/%m/", blank=True)
    device = models.ForeignKey(
        RatingDevice,
        verbose_name=_("评价器"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    rated_at = models.DateTimeField(_("评价时间"))
    rated_on = models.DateField(_("评价日期"))
    overturned = models.BooleanField(_("申诉后撤销"), default=False)
    overturned_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["occasion", "assess"], name="rating_once_per_assess"),
            models.CheckConstraint(name="rating_level_1_to_5", condition=Q(level__range=(1, 5))),
            models.CheckConstraint(name="rating_assess_1_or_2", condition=Q(assess__in=[1, 2])),
            models.CheckConstraint(
                name="rating_overturned_has_time",
                condition=Q(overturned=False) | Q(overturned_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["point", "rated_on"], name="rating_point_on"),
            models.Index(fields=["point_path", "rated_on"], name="rating_point_path_on"),
            models.Index(fields=["county", "rated_on"], name="rating_county_on"),
            models.Index(fields=["helper", "rated_on"], name="rating_helper_on"),
        ]

    def __str__(self) -> str:
        return f"{self.occasion_id} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD


class RectificationQuerySet(models.QuerySet):
    def open(self):
        from .workflow import OPEN

        return self.filter(status__in=OPEN)


class Rectification(models.Model):
    """The putting right of a bad review (整改), by the town administrator for its points' reviews or
    the bureau for the county centre's and the partner stations' — never by the person rated. Its
    steps are the table `feedback.workflow.RECTIFICATION`; its timeline `RectificationEvent`.

    A complaint (投诉/举报) and an inspection's finding (`supervision`) are rectified the same way:
    `subject` says which; the complaint or finding holds the link to its rectification. A finding
    is put right by the point inspected (`Level.POINT`: its lead; the town above once escalated); a
    confidential one (a fee complaint, a 举报) is the bureau's and never shown to the point
    accused (`confidential`, `scope`)."""

    class Subject(models.TextChoices):
        RATING = "rating", _("差评")
        COMPLAINT = "complaint", _("投诉举报")
        FINDING = "finding", _("督查问题")

    class Level(models.TextChoices):
        POINT = "point", _("服务点")
        TOWN = "town", _("镇（街道）")
        BUREAU = "bureau", _("县行政审批服务局")

    class Outcome(models.TextChoices):
        FIXED = "fixed", _("立行立改")
        RECTIFY = "rectify", _("限期整改")
        EXPLAINED = "explained", _("解释说明")

    rating = models.OneToOneField(
        Rating,
        verbose_name=_("差评"),
        on_delete=models.PROTECT,
        related_name="rectification",
        null=True,
        blank=True,
    )
    subject = models.CharField(
        _("整改来源"), max_length=12, choices=Subject.choices, default=Subject.RATING
    )
    #: Shown to the bureau and above only, never to the point or town of the person accused.
    confidential = models.BooleanField(_("保密（不向被投诉服务点公开）"), default=False)
    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    #: The point answerable (the one rated) and the person rated, who never handles it.
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("被评价服务点"), on_delete=models.PROTECT, related_name="+"
    )
    #: The point's tree path (`ServicePoint.subtree_prefix`), which the scope matches as
    #: an index range (decision 0066); written by the actions that set `point`, rewritten by
    #: `feedback.on_network` when points move.
    point_path = models.CharField(
        _("服务点路径"), max_length=255, default="", blank=True, editable=False
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被评价人员"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    level = models.CharField(_("处理层级"), max_length=8, choices=Level.choices)
    #: For the town level: the town centre whose administrators handle it; for the point level, the
    #: town above the point (who may act once escalated), if any.
    town = models.ForeignKey(
        ServicePoint,
        verbose_name=_("负责的镇（街道）"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(_("状态"), max_length=16, choices=Step.choices, default=Step.OPENED)
    anonymous = models.BooleanField(_("匿名（无需回访）"), default=False)
    opened_on = models.DateField(_("差评日期"))
    call_back_due = models.DateField(_("回访期限"))
    due = models.DateField(_("整改期限"))
    due_provisional = models.BooleanField(_("期限暂定"), default=False)
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    call_record = models.CharField(_("回访记录"), max_length=500, blank=True)
    failed_calls = models.PositiveSmallIntegerField(_("未接通次数"), default=0)
    is_true = models.BooleanField(_("情况属实"), null=True, blank=True)
    is_reasonable = models.BooleanField(_("诉求合理"), null=True, blank=True)
    is_malicious = models.BooleanField(_("疑似恶意差评"), null=True, blank=True)
    verification = models.CharField(_("核实情况"), max_length=500, blank=True)
    outcome = models.CharField(_("处理方式"), max_length=12, choices=Outcome.choices, blank=True)
    measures = models.CharField(_("整改措施"), max_length=1000, blank=True)
    evidence = models.FileField(_("整改佐证"), upload_to="rectifications/%Y/%m/", blank=True)
    reply = models.CharField(_("答复内容"), max_length=500, blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    follow_up_due = models.DateField(_("追评截止日期"), null=True, blank=True)
    follow_up = models.OneToOneField(
        Rating,
        verbose_name=_("追评"),
        on_delete=models.PROTECT,
        related_name="followed_rectification",
        null=True,
        blank=True,
    )
    reopened = models.BooleanField(_("已因追评不满意重新整改"), default=False)
    escalated_on = models.DateField(_("逾期上报日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="rectification_town_level_has_town",
                condition=Q(level="town", town__isnull=False)
                | Q(level="bureau", town__isnull=True)
                | Q(level="point"),
            ),
        ]
        indexes = [
            models.Index(fields=["town", "status"], name="rectification_town_status"),
            models.Index(fields=["point", "status"], name="rectification_point_status"),
            models.Index(fields=["point_path", "status"], name="rectification_path_status"),
            models.Index(fields=["county", "status"], name="rectification_county_status"),
            models.Index(fields=["status", "due"], name="rectification_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.opened_on}"


class RectificationEvent(models.Model):
    """One step of a rectification's timeline (who did what when), appended by the actions only."""

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("差评整改"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16)
    to_status = models.CharField(_("新状态"), max_length=16)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["rectification", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.action}"


class Appeal(models.Model):
    """申诉复核: the rated helper (or their point's lead) says a review was malicious; the bureau
    upholds the review or overturns it. An overturned review stays, marked, out of the figures."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待复核")
        UPHELD = "upheld", _("维持评价")
        OVERTURNED = "overturned", _("撤销评价")

    rating = models.ForeignKey(
        Rating, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="appeals"
    )
    reason = models.CharField(_("申诉理由"), max_length=1000)
    evidence = models.FileField(_("申诉材料"), upload_to="appeals/%Y/%m/", blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申诉人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    decision = models.CharField(
        _("复核结果"), max_length=12, choices=Decision.choices, default=Decision.PENDING
    )
    decision_note = models.CharField(_("复核意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申诉复核")
        verbose_name_plural = _("申诉复核")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"], condition=Q(decision="pending"), name="appeal_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.get_decision_display()}"


class ProvinceOutboxQuerySet(models.QuerySet):
    def due(self, now):
        """Pending rows whose attempt is due at `now` and whose predecessors — the same project's
        service record, its first rating — have been sent, in the order to send them."""
        waiting = ProvinceOutbox.objects.filter(
            project_no=models.OuterRef("project_no"),
            assess_number__lt=models.OuterRef("assess_number"),
        ).exclude(status=ProvinceOutbox.Status.SENT)
        return (
            self.filter(status=ProvinceOutbox.Status.PENDING, next_attempt_at__lte=now)
            .exclude(models.Exists(waiting))
            .order_by("next_attempt_at", "assess_number", "pk")
        )


class ProvinceOutbox(OutboxRow):
    """What is owed to the provincial 好差评 system: a service record or a rating, one row per
    (kind, project number, assess number) so that nothing is sent twice, delivered by the task
    worker through the adapter (`feedback.province`) and retried until it is acknowledged."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("服务记录")
        RATING = "rating", _("评价")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    project_no = models.CharField(_("办件编号"), max_length=60)
    #: 0 for a service record; 1 or 2 for a rating (the national assess number).
    assess_number = models.PositiveSmallIntegerField(_("评价次数"), default=0)

    objects = ProvinceOutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("省好差评推送")
        verbose_name_plural = _("省好差评推送")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "project_no", "assess_number"], name="province_outbox_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="province_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.project_no} {self.assess_number}"


class ProvinceCursor(models.Model):
    """Where a periodic job of the provincial adapter has got to: `services` (the last occasion,
    by id, queued as a service record) and `pull` (the province's cursor of the last rating
    pulled). One row per job, moved forward only."""

    name = models.CharField(_("名称"), max_length=20, unique=True)
    position = models.BigIntegerField(_("位置"), default=0)
    token = models.CharField(_("省系统游标"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("省好差评同步位置")
        verbose_name_plural = _("省好差评同步位置")

    def __str__(self) -> str:
        return self.name
