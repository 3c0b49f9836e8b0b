"""The case (一件帮办代办事项) and the ledger's reads of cases (`CaseQuerySet`), the gap-free
counters its numbers come from, and `attach_names` for a case page."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from bangban.catalog.models import ItemRevision, Mode, ServiceItem
from bangban.kernel.models import InWritten
from bangban.network.models import Department, Region, ServicePoint
from bangban.workdays import calendar

from ..workflow import OPEN, State
from .applicants import Applicant, decrypted
from .clock import NEAR_DEADLINE, OPEN_STATES, OVERDUE, warning_q


class CaseQuerySet(models.QuerySet):
    """Reads of the ledger (docs/domain.md "Warnings and on-time"), all on the promised deadline."""

    def open(self):
        return self.filter(status__in=OPEN)

    def overdue(self, on: dt.date):
        """红牌 (`warning_q`)."""
        return self.filter(warning_q(OVERDUE, on))

    def near_deadline(self, on: dt.date):
        """黄牌 (`warning_q`)."""
        return self.filter(warning_q(NEAR_DEADLINE, on))

    def completed_between(self, start: dt.date, end: dt.date):
        return self.filter(status=State.COMPLETED, completed_on__gte=start, completed_on__lte=end)

    def on_time(self):
        """Completed on or before the deadline day."""
        return self.filter(status=State.COMPLETED, completed_on__lte=F("promised_deadline"))

    def on_time_rate(self, start: dt.date, end: dt.date) -> tuple[int, int]:
        """(completed on time, completed) in the period; withdrawn and refused cases are not
        completed and so excluded. One query."""
        completed = self.completed_between(start, end)
        figures = completed.aggregate(
            done=Count("pk"),
            in_time=Count("pk", filter=Q(completed_on__lte=F("promised_deadline"))),
        )
        return figures["in_time"], figures["done"]

    def figures(self, today: dt.date) -> dict[str, int]:
        """The live figures of a ledger, in one query: open, near deadline (黄牌), overdue (红牌),
        and completed / completed on time this month and this quarter (the on-time rate is the
        second over the first; withdrawn and refused cases are not completed)."""
        month = today.replace(day=1)
        quarter = month.replace(month=(today.month - 1) // 3 * 3 + 1)
        is_open = Q(status__in=OPEN)
        done = Q(status=State.COMPLETED, completed_on__lte=today)
        in_time = Q(completed_on__lte=F("promised_deadline"))
        # Only open cases and those completed this quarter count: read no others.
        relevant = is_open | Q(status=State.COMPLETED, completed_on__gte=quarter)
        return self.filter(relevant).aggregate(
            open=Count("pk", filter=is_open),
            near_deadline=Count("pk", filter=warning_q(NEAR_DEADLINE, today)),
            overdue=Count("pk", filter=warning_q(OVERDUE, today)),
            month_completed=Count("pk", filter=done & Q(completed_on__gte=month)),
            month_on_time=Count("pk", filter=done & in_time & Q(completed_on__gte=month)),
            quarter_completed=Count("pk", filter=done & Q(completed_on__gte=quarter)),
            quarter_on_time=Count("pk", filter=done & in_time & Q(completed_on__gte=quarter)),
        )

    def open_figures(self, today: dt.date) -> dict[str, int]:
        """The live figures of open cases alone (open, 黄牌, 红牌), in one query over open cases:
        what `figures` gives besides the completions, for a scope whose completions are read from
        the tallies (`cases.scope.figures_for`)."""
        return self.filter(InWritten(F("status"), OPEN_STATES)).aggregate(
            open=Count("pk"),
            near_deadline=Count("pk", filter=warning_q(NEAR_DEADLINE, today)),
            overdue=Count("pk", filter=warning_q(OVERDUE, today)),
        )

    def for_list(self):
        """What a ledger row shows, in the same query as the rows (no query per row)."""
        return self.select_related(
            "applicant",
            "item",
            "revision",
            "registering_point",
            "handling_point",
            "responsible",
            "handling_helper",
        )


class Case(models.Model):
    """One assisted matter (一件帮办代办事项), from first contact to completion."""

    class Kind(models.TextChoices):
        ASSISTED = "assisted", _("帮办")
        PROXY = "proxy", _("代办")

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("现场")
        PHONE = "phone", _("电话")
        ONLINE = "online", _("网上")
        HOTLINE = "hotline_12345", _("12345 热线")
        HOME_VISIT = "home_visit_request", _("上门服务申请")

    number = models.CharField(_("办件编号"), max_length=40, unique=True)
    # No index of its own: the unique sequence and the county's ledger order both start with it.
    county = models.ForeignKey(
        Region,
        verbose_name=_("所属县"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    registered_on = models.DateField(_("登记日期"))
    sequence = models.PositiveIntegerField(_("当日序号"))
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    #: Where progress messages go (the proxy's phone for 代办): encrypted, masked, digested.
    contact_phone_encrypted = models.TextField(_("接收进度的电话（加密）"), blank=True)
    contact_phone_masked = models.CharField(_("接收进度的电话"), max_length=30, blank=True)
    contact_phone_digest = models.CharField(
        _("接收进度的电话查找摘要"), max_length=64, blank=True, db_index=True
    )
    elderly = models.BooleanField(_("老年人"), default=False)
    disabled = models.BooleanField(_("残疾人"), default=False)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases"
    )
    revision = models.ForeignKey(
        ItemRevision,
        verbose_name=_("告知时的事项版本"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    kind = models.CharField(_("帮办或代办"), max_length=8, choices=Kind.choices)
    mode = models.CharField(_("服务方式"), max_length=16, choices=Mode.choices)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    registering_point = models.ForeignKey(
        ServicePoint, verbose_name=_("登记服务点"), on_delete=models.PROTECT, related_name="+"
    )
    handling_point = models.ForeignKey(
        ServicePoint, verbose_name=_("承办服务点"), on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问负责人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling_helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Who may see the case, as indexed columns (decision 0061): the registering and handling
    # points' tree paths (`ServicePoint.subtree_prefix`) and that of the point a pending transfer
    # offers the case to ("" when none). Kept by the actions that change them (registration, the
    # transfers, the historical import) and by `cases.on_network` when points move.
    registering_path = models.CharField(
        _("登记服务点路径"), max_length=255, default="", editable=False
    )
    handling_path = models.CharField(
        _("承办服务点路径"), max_length=255, default="", editable=False
    )
    offered_path = models.CharField(
        _("待接收转办服务点路径"), max_length=255, default="", blank=True, editable=False
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.REGISTERED
    )
    received_on = models.DateField(_("收到材料日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    acceptance_deemed = models.BooleanField(_("视为受理"), default=False)
    promised_deadline = models.DateField(_("承诺期限"), null=True, blank=True)
    promised_provisional = models.BooleanField(_("承诺期限暂定"), default=False)
    legal_deadline = models.DateField(_("法定期限"), null=True, blank=True)
    legal_provisional = models.BooleanField(_("法定期限暂定"), default=False)
    #: While the case may still be deemed accepted (open, not accepted, no notice within the
    #: window): the promised deadline it will get then, counted from the day of receipt. It lets the
    #: warnings filter stay an index range for a case whose window has passed before anyone recorded
    #: its deemed acceptance (`warning_q`); null once accepted, noticed in time or closed.
    deemed_deadline = models.DateField(_("视为受理时的承诺期限"), null=True, blank=True)
    suspended_on = models.DateField(_("中止日期"), null=True, blank=True)
    completed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    public_token = models.CharField(_("查询令牌"), max_length=43, unique=True)
    #: The number of the paper rating card (评价卡), printed on the receipt: a card dropped in the box
    #: is entered under it (`feedback`). Given at registration; null only before it is given.
    rating_card = models.CharField(_("评价卡号"), max_length=12, unique=True, null=True, blank=True)
    original_number = models.CharField(_("原办件编号"), max_length=40, blank=True, db_index=True)
    #: 不予受理 is the competent department's decision (decision 0029): which one, and its 文号.
    refusal_department = models.ForeignKey(
        Department,
        verbose_name=_("作出不予受理决定的部门"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    refusal_document_number = models.CharField(_("不予受理决定文号"), max_length=50, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-registered_on", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "registered_on", "sequence"], name="case_unique_sequence"
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=models.F("received_on")),
                name="case_accepted_after_received",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="case_completed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(deemed_deadline__isnull=True) | Q(accepted_on__isnull=True),
                name="case_deemed_deadline_until_accepted",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | Q(refusal_department__isnull=False),
                name="case_refused_names_department",
            ),
        ]
        indexes = [
            models.Index(fields=["handling_point", "status"], name="case_handling_status"),
            models.Index(fields=["registering_point", "status"], name="case_registering_status"),
            models.Index(fields=["status", "promised_deadline"], name="case_status_deadline"),
            # The scope's ranges (decision 0061), and the ledger's order across counties.
            models.Index(fields=["registering_path"], name="case_registering_path"),
            models.Index(fields=["handling_path"], name="case_handling_path"),
            models.Index(
                fields=["offered_path"], name="case_offered_path", condition=~Q(offered_path="")
            ),
            # The ledger's order across counties, carrying the county and the completion day so
            # that "completed in a quarter" across a province or a city is read from the index
            # alone (0.19 s → 14 ms for a province's first page at 1,000,000 cases on
            # PostgreSQL: decision 0061's last section).
            models.Index(
                fields=["registered_on", "sequence", "id", "county", "completed_on"],
                name="case_registered_order",
            ),
            # A county's ledger in its order, carrying the completion day: "completed in a quarter"
            # for a county is read from the index alone, as the province's is from the one above
            # (decision 0061's last section).
            models.Index(
                fields=["county", "registered_on", "sequence", "id", "completed_on"],
                name="case_county_order",
            ),
            # The completion order (decision 0072): a list of a range of completion days, in that
            # order, is one backward walk of the first for a city or the province and of the second
            # for a county, from the index alone. Partial: a case enters them when it is completed,
            # so registration writes neither.
            models.Index(
                fields=["completed_on", "registered_on", "sequence", "id", "county"],
                name="case_completed_order",
                condition=Q(completed_on__isnull=False),
            ),
            models.Index(
                fields=["county", "completed_on", "registered_on", "sequence", "id"],
                name="case_county_completed",
                condition=Q(completed_on__isnull=False),
            ),
            models.Index(
                fields=["status", "deemed_deadline"],
                name="case_status_deemed",
                condition=Q(deemed_deadline__isnull=False),
            ),
            # The open cases with what their warnings are read from, by county: a region's live
            # figures (open, 黄牌, 红牌) are read from the index alone (1.9 ms for a province's 8,100
            # open cases at 1,000,000 cases on PostgreSQL, against 4.3 ms through the table;
            # decision 0071), and a scope's cards in the ledger's order, without the table
            # (`open_warning_q`, decision 0072). Partial: a case leaves it when it closes.
            models.Index(
                fields=[
                    "county",
                    "status",
                    "promised_deadline",
                    "deemed_deadline",
                    "received_on",
                    "registered_on",
                    "sequence",
                    "id",
                ],
                name="case_open_figures",
                condition=Q(status__in=OPEN_STATES),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def decrypted_contact_phone(self) -> str:
        """Where progress messages go, in full (for the outbox, never for a page); "" when none is
        stored or no configured key opens it."""
        return decrypted(self.contact_phone_encrypted, self, "contact_phone_encrypted")

    def holding(self, until: dt.date, transfers=None) -> list[tuple[int, int]]:
        """(point id, working days it held the case), in order: the registering point from receipt,
        then each point that accepted a transfer from the day it accepted, until completion (or
        `until` while open). An overdue case's delay is attributed from this. `transfers`: all the
        case's transfers when the caller has read them already (no query then)."""
        end = self.completed_on or until
        periods: list[tuple[int, int]] = []
        point, start = self.registering_point_id, self.received_on
        if transfers is None:
            accepted = self.transfers.filter(status="accepted").order_by("answered_on", "pk")
        else:
            accepted = sorted(
                (t for t in transfers if t.status == "accepted"),
                key=lambda t: (t.answered_on, t.pk),
            )
        for transfer in accepted:
            periods.append((point, calendar.working_days_between(start, transfer.answered_on)))
            point, start = transfer.to_point_id, transfer.answered_on
        periods.append((point, calendar.working_days_between(start, max(start, end))))
        return periods


class CaseCounter(models.Model):
    """The last sequence number given in a county on a day, per series (cases, notices): gap-free."""

    class Series(models.TextChoices):
        CASE = "case", _("办件")
        NOTICE = "notice", _("告知书")

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    series = models.CharField(max_length=8, choices=Series.choices, default=Series.CASE)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county", "day", "series"], name="case_counter_unique_series_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.day}: {self.last}"


def attach_names(case: Case, transfers=(), notices=(), events=(), occasions=()) -> None:
    """Read the points and the people a case, its transfers, notices, events and service occasions
    name — one query each, by id, names only (no password hash) — and put them on those objects.
    Joining them all to the case (ten tables) cost PostgreSQL more planning than the rest of a case
    page."""
    from django.contrib.auth import get_user_model

    point_ids = {case.registering_point_id, case.handling_point_id}
    user_ids = {case.responsible_id, case.handling_helper_id, case.entered_by_id}
    for t in transfers:
        point_ids |= {t.from_point_id, t.to_point_id, t.suggested_point_id}
        user_ids |= {t.to_helper_id, t.sent_by_id, t.answered_by_id}
    user_ids |= {n.issued_by_id for n in notices} | {e.by_id for e in events}
    point_ids |= {o.point_id for o in occasions}
    user_ids |= {o.helper_id for o in occasions}
    point_ids.discard(None)
    user_ids.discard(None)
    points = ServicePoint.objects.only("id", "name").order_by().in_bulk(point_ids)
    people = (
        get_user_model()
        .objects.only("id", "username", "first_name", "last_name")
        .order_by()
        .in_bulk(user_ids)
    )
    for obj, fields, found in (
        (case, ("registering_point", "handling_point"), points),
        (case, ("responsible", "handling_helper", "entered_by"), people),
        *((t, ("from_point", "to_point", "suggested_point"), points) for t in transfers),
        *((t, ("to_helper", "sent_by", "answered_by"), people) for t in transfers),
        *((n, ("issued_by",), people) for n in notices),
        *((e, ("by",), people) for e in events),
        *((o, ("point",), points) for o in occasions),
        *((o, ("helper",), people) for o in occasions),
    ):
        for field in fields:
            pk = getattr(obj, f"{field}_id")
            if pk is not None:
                setattr(obj, field, found[pk])
