"""Complaints and requests (投诉举报、咨询求助), from the 12345 hotline, the director's mailbox (局长
信箱), a window or an escalated review; and inspections (明查暗访) against the county's checklist
templates. A complaint of kind 投诉/举报 and each finding of an inspection is put right through a
`feedback.Rectification` (the same workflow as a bad review), linked from here.

Personal data: a complainant's phone is stored encrypted beside its mask and digest (decision 0030),
their name in clear only as given (a letter may be anonymous). Written by `actions` only."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.cases.models import Case
from bangban.feedback.models import Rating, Rectification
from bangban.kernel.models import OutboxRow
from bangban.network.models import Region, ServicePoint

from .workflow import Step

# --- Complaints and requests ------------------------------------------------------------------------


class Source(models.TextChoices):
    HOTLINE = "hotline", _("12345热线")
    MAILBOX = "mailbox", _("局长信箱")
    WINDOW = "window", _("窗口投诉")
    RATING = "rating", _("差评转办")
    INSPECTION = "inspection", _("明查暗访")


class Kind(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")


#: The kinds put right through a rectification (called back, verified, fixed / rectified / explained).
RECTIFIED_KINDS = frozenset({Kind.COMPLAINT, Kind.REPORT})


class Category(models.TextChoices):
    FEE = "fee", _("违规收费")
    BUCK = "buck", _("推诿扯皮")
    FAVOUR = "favour", _("吃拿卡要")
    ATTITUDE = "attitude", _("服务态度")
    DISCIPLINE = "discipline", _("工作纪律")
    PHRASES = "phrases", _("服务禁语")
    EFFICIENCY = "efficiency", _("办事效率")
    OTHER = "other", _("其他")


def new_public_token() -> str:
    """The unguessable key of a complaint's public query page (/mailbox/q/<token>/): 43 URL-safe
    characters (256 random bits), like a case's receipt token."""
    return secrets.token_urlsafe(32)


class ComplaintQuerySet(models.QuerySet):
    def open(self):
        from .workflow import OPEN

        return self.filter(status__in=OPEN)


class Complaint(models.Model):
    """One complaint or request. The handler is the town administrator of the accused point's town,
    or the bureau (`level`, `town`, as `feedback.rules.answerable`); a 举报 or a fee complaint is
    the bureau's and `confidential`: never shown to the point or town accused. The person accused
    never handles it. Its steps are `supervision.workflow.COMPLAINT`; its time limits (12345's:
    `rules`) are `due` (answer) and `return_due` (send back a ticket that is not ours)."""

    class Level(models.TextChoices):
        TOWN = "town", _("镇（街道）")
        BUREAU = "bureau", _("县行政审批服务局")

    class Extension(models.TextChoices):
        NONE = "", _("未申请")
        REQUESTED = "requested", _("已申请，待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    #: The hotline's ticket number (工单编号); unique per county for the hotline (idempotent receipt).
    ticket_no = models.CharField(_("工单编号"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    category = models.CharField(
        _("问题类别"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("内容"), max_length=4000)
    anonymous = models.BooleanField(_("匿名"), default=False)
    complainant_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    phone_encrypted = models.TextField(_("联系电话（加密）"), blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=30, blank=True)
    phone_digest = models.CharField(_("电话查找摘要"), max_length=64, blank=True, db_index=True)
    #: Who and what it is about, where known (linked at receipt or later).
    point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("涉及服务点"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    #: The point's tree path (`ServicePoint.subtree_prefix`; "" when none is linked), which the
    #: scope matches as an index range (decision 0066); written by the actions that set `point`,
    #: rewritten by `supervision.on_network` when points move.
    point_path = models.CharField(
        _("服务点路径"), max_length=255, default="", blank=True, editable=False
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("涉及人员"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("关联办件"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    rating = models.ForeignKey(
        Rating,
        verbose_name=_("关联评价"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    level = models.CharField(_("处理层级"), max_length=8, choices=Level.choices)
    town = models.ForeignKey(
        ServicePoint,
        verbose_name=_("负责的镇（街道）"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    confidential = models.BooleanField(_("保密（不向被投诉服务点公开）"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Step.choices, default=Step.RECEIVED)
    #: The day the ticket was dispatched to us (or the letter received): the clock's start.
    received_on = models.DateField(_("受理日期"))
    #: The hotline's own due time, when it sends one (it wins over ours).
    platform_due_at = models.DateTimeField(_("热线要求办结时间"), null=True, blank=True)
    due = models.DateField(_("答复期限"))
    return_due = models.DateField(_("退回期限"))
    extension = models.CharField(
        _("延期申请"), max_length=10, choices=Extension.choices, default="", blank=True
    )
    extension_days = models.PositiveSmallIntegerField(_("申请延期工作日"), default=0)
    extension_reason = models.CharField(_("延期理由"), max_length=500, blank=True)
    signed_on = models.DateField(_("签收日期"), null=True, blank=True)
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    upheld = models.BooleanField(_("情况属实"), null=True, blank=True)
    answer = models.CharField(_("答复内容"), max_length=2000, blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    #: A 投诉/举报's rectification (opened when signed for).
    rectification = models.OneToOneField(
        Rectification,
        verbose_name=_("整改"),
        on_delete=models.PROTECT,
        related_name="complaint",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    #: The key of the writer's private query page (/mailbox/q/<token>/, decision 0055): set by
    #: `actions.receive` for every complaint; only the mailbox's letters and window complaints are
    #: ever told it.
    public_token = models.CharField(
        _("查询令牌"), max_length=43, unique=True, default=new_public_token, editable=False
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "ticket_no"],
                condition=Q(source="hotline"),
                name="complaint_one_per_ticket",
            ),
            models.CheckConstraint(
                name="complaint_town_level_has_town",
                condition=Q(level="town", town__isnull=False)
                | Q(level="bureau", town__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["county", "received_on"], name="complaint_county_on"),
            models.Index(fields=["point", "received_on"], name="complaint_point_on"),
            models.Index(fields=["point_path", "received_on"], name="complaint_point_path_on"),
            models.Index(fields=["town", "status"], name="complaint_town_status"),
            models.Index(fields=["status", "due"], name="complaint_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.ticket_no or self.pk} {self.title}"

    @property
    def number(self) -> str:
        """What staff and the complainant call it: the hotline's ticket number, or ours."""
        return self.ticket_no or f"TS{self.received_on:%Y%m%d}{self.pk:06d}"


class ComplaintEvent(models.Model):
    """One step of a complaint's timeline (who did what when), appended by the actions only."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉举报"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=12)
    to_status = models.CharField(_("新状态"), max_length=12)
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
        verbose_name = _("投诉举报记录")
        verbose_name_plural = _("投诉举报记录")
        ordering = ["complaint", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"


class HotlineOutbox(OutboxRow):
    """What is owed to the 12345 platform — a signing, a return, an extension request, an answer —
    one row per (ticket, action, sequence) so nothing is sent twice, delivered in order by the task
    worker through the adapter (`supervision.hotline`) and retried until acknowledged."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉举报"), on_delete=models.PROTECT, related_name="+"
    )
    ticket_no = models.CharField(_("工单编号"), max_length=64)
    action = models.CharField(_("动作"), max_length=16)
    #: The n-th push of this action for this ticket (an answer after a reopening is a second one).
    sequence = models.PositiveSmallIntegerField(_("序号"), default=1)

    class Meta:
        verbose_name = _("12345工单推送")
        verbose_name_plural = _("12345工单推送")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_no", "action", "sequence"], name="hotline_outbox_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="hotline_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_no} {self.action}"


class HotlineCursor(models.Model):
    """Where the last pull of new tickets from the platform stopped (one row)."""

    name = models.CharField(max_length=20, unique=True)
    value = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("12345拉取位置")
        verbose_name_plural = _("12345拉取位置")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


# --- Inspections (明查暗访) ---------------------------------------------------------------------------


class Method(models.TextChoices):
    LOOK = "look", _("现场查看")
    RECORDS = "records", _("查阅台账")
    MYSTERY = "mystery", _("暗访体验")
    CALL_BACK = "call_back", _("电话回访")


class PointLevel(models.TextChoices):
    """Which points a checklist item applies to (`applies_to`)."""

    COUNTY = "county", _("县级中心")
    TOWN = "town", _("镇级中心")
    VILLAGE = "village", _("村级站点")
    PARTNER = "partner", _("合作网点")


class Checklist(models.Model):
    """A county's inspection checklist template (督查评分表), kept by the bureau. Its items are
    snapshotted into each inspection's findings, so a later change never rewrites a past score."""

    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=60)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("督查评分表")
        verbose_name_plural = _("督查评分表")
        ordering = ["county", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="checklist_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistSection(models.Model):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("评分表"), on_delete=models.CASCADE, related_name="sections"
    )
    title = models.CharField(_("部分"), max_length=60)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分表部分")
        verbose_name_plural = _("评分表部分")
        ordering = ["checklist", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One thing to check: at most `points`, less `deduction` per occurrence up to `cap`."""

    section = models.ForeignKey(
        ChecklistSection, verbose_name=_("部分"), on_delete=models.CASCADE, related_name="items"
    )
    text = models.CharField(_("检查内容"), max_length=200)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    deduction = models.DecimalField(_("每处扣分"), max_digits=5, decimal_places=1)
    cap = models.DecimalField(_("最多扣分"), max_digits=5, decimal_places=1)
    method = models.CharField(_("检查方式"), max_length=10, choices=Method.choices)
    photo_required = models.BooleanField(_("须拍照"), default=False)
    #: The `PointLevel` values it applies to.
    applies_to = models.JSONField(_("适用层级"), default=list)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["section", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="checklist_item_points",
                condition=Q(points__gt=0)
                & Q(deduction__gt=0)
                & Q(cap__gt=0)
                & Q(cap__lte=models.F("points")),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Inspection(models.Model):
    """One inspection of a point, announced (明查) or unannounced (暗访), by a bureau section, a
    third party or a special supervisor. A draft is its inspector's alone — an unannounced one is
    never shown to the point before it is submitted; at submission its score is fixed and each
    finding opens a rectification by the point."""

    class By(models.TextChoices):
        BUREAU = "bureau", _("县行政审批服务局")
        THIRD_PARTY = "third_party", _("第三方评估机构")
        SPECIAL = "special", _("特邀监督员")

    class Status(models.TextChoices):
        DRAFT = "draft", _("检查中")
        SUBMITTED = "submitted", _("已提交")

    county = models.ForeignKey(
        Region, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("被检查服务点"), on_delete=models.PROTECT, related_name="+"
    )
    #: The point's tree path (`ServicePoint.subtree_prefix`), which the scope matches as
    #: an index range (decision 0066); written by the actions that set `point`, rewritten by
    #: `supervision.on_network` when points move.
    point_path = models.CharField(
        _("服务点路径"), max_length=255, default="", blank=True, editable=False
    )
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="+"
    )
    announced = models.BooleanField(_("明查（事先通知）"), default=False)
    by = models.CharField(_("检查主体"), max_length=12, choices=By.choices)
    unit = models.CharField(_("检查单位"), max_length=60, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    full_score = models.DecimalField(
        _("满分"), max_digits=6, decimal_places=1, default=Decimal("0")
    )
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, null=True, blank=True)
    summary = models.CharField(_("总体情况"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("明查暗访")
        verbose_name_plural = _("明查暗访")
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["county", "started_at"], name="inspection_county_at"),
            models.Index(fields=["point", "status"], name="inspection_point_status"),
            models.Index(fields=["point_path", "started_at"], name="inspection_point_path_at"),
            models.Index(fields=["inspector", "status"], name="inspection_inspector"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.started_at:%Y-%m-%d}"

    @property
    def visible_to_point(self) -> bool:
        """Whether the point inspected (and its town) may see it: once submitted."""
        return self.status == self.Status.SUBMITTED


class Finding(models.Model):
    """What an inspection found against one checklist item: `occurrences` times, deducting
    min(occurrences × deduction, cap) — the item's figures copied at the time, so a later change
    of the checklist rewrites nothing. A finding with a deduction opens a rectification by the
    point at submission."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("检查项目"), on_delete=models.PROTECT, related_name="+"
    )
    item_text = models.CharField(_("检查内容"), max_length=200)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    deduction_each = models.DecimalField(_("每处扣分"), max_digits=5, decimal_places=1)
    cap = models.DecimalField(_("最多扣分"), max_digits=5, decimal_places=1)
    occurrences = models.PositiveSmallIntegerField(_("问题处数"), default=0)
    deducted = models.DecimalField(_("扣分"), max_digits=5, decimal_places=1, default=Decimal("0"))
    note = models.CharField(_("问题描述"), max_length=500, blank=True)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("涉及人员"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    rectification = models.OneToOneField(
        Rectification,
        verbose_name=_("整改"),
        on_delete=models.PROTECT,
        related_name="finding",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["inspection", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="finding_once_per_item"),
        ]

    def __str__(self) -> str:
        return self.item_text


class InspectionPhoto(models.Model):
    """A photo taken during an inspection, with its time; of a finding or of the visit."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="photos"
    )
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("问题"),
        on_delete=models.CASCADE,
        related_name="photos",
        null=True,
        blank=True,
    )
    image = models.FileField(_("照片"), upload_to="inspections/%Y/%m/")
    taken_at = models.DateTimeField(_("拍摄时间"))
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["inspection", "taken_at", "pk"]

    def __str__(self) -> str:
        return self.caption or str(self.taken_at)
