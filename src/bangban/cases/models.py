"""The case ledger (工作台账): applicants, cases, their materials checklist and their events.

Every write goes through `cases.actions`; `Case.status` is written only there, by the workflow table
(`cases.workflow`). Dates are local dates (Asia/Shanghai); datetimes end in `_at`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from bangban.catalog.models import ItemRevision, Material, Mode, ServiceItem
from bangban.kernel import protection
from bangban.network.models import Department, Region, ServicePoint
from bangban.workdays import calendar

from .identifiers import DocumentType
from .workflow import OPEN, State, transition

log = logging.getLogger("bangban.cases")


class Applicant(models.Model):
    """A person or an enterprise (or other organisation) who brings matters (办事企业群众).

    A person's document number, birth date and phone are stored only encrypted (nothing in clear
    completes a mask: decision 0030), the number and the phone beside their masks; both kinds are
    found again by `lookup_digest`, a phone by `phone_digest`. One row per identity across the
    deployment; what a helper may see of it is decided by the cases in their scope (`cases.scope`).
    Written by `actions` only; `birth_date()` and `decrypted_phone()` read the clear values."""

    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        ORGANISATION = "organisation", _("企业或单位")

    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("姓名或名称"), max_length=100)
    document_type = models.CharField(
        _("证件类型"),
        max_length=32,
        choices=[*DocumentType.choices, ("credit_code", _("统一社会信用代码"))],
    )
    number_encrypted = models.TextField(_("证件号码（加密）"), blank=True)
    number_masked = models.CharField(_("证件号码"), max_length=40)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    lookup_digest = models.CharField(_("查找摘要"), max_length=64, unique=True)
    #: The ISO date, encrypted: with the mask's 6 + 4 digits it would give back the whole number.
    birth_on_encrypted = models.TextField(_("出生日期（加密）"), blank=True)
    sex = models.CharField(
        _("性别"), max_length=8, blank=True, choices=[("male", _("男")), ("female", _("女"))]
    )
    phone_encrypted = models.TextField(_("联系电话（加密）"), blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=30, blank=True)
    phone_digest = models.CharField(_("电话查找摘要"), max_length=64, blank=True, db_index=True)
    disabled = models.BooleanField(_("残疾人"), default=False)
    needs = models.CharField(_("其他需要帮助的情况"), max_length=200, blank=True)
    dishonest = models.BooleanField(_("失信记录"), default=False)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="person") & ~Q(document_type="credit_code") & ~Q(number_encrypted="")
                )
                | (Q(kind="organisation") & Q(document_type="credit_code") & ~Q(credit_code="")),
                name="applicant_document_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number_masked}）"

    def birth_date(self) -> dt.date | None:
        """The birth date, decrypted; None when none is stored or no configured key opens it."""
        text = _decrypted(self.birth_on_encrypted, self, "birth_on_encrypted")
        return dt.date.fromisoformat(text) if text else None

    def decrypted_phone(self) -> str:
        """The phone in full (for a text message, never for a page); "" when none is stored or no
        configured key opens it."""
        return _decrypted(self.phone_encrypted, self, "phone_encrypted")


def _decrypted(token: str, row: models.Model, field: str) -> str:
    """A protected column in clear, "" when blank or unreadable: a page or a text message goes on
    without it, and the log says which row (never the value) so that an operator can act
    (`bangban rotate-data-key` names every unreadable row too)."""
    if not token:
        return ""
    try:
        return protection.decrypt(token)
    except protection.UnreadableNumber:
        log.warning(
            "%s %s: %s cannot be decrypted with any data key", row._meta.label, row.pk, field
        )
        return ""


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after `day` (the workdays engine's calendar)."""
    return calendar.deadline(day, 1 if calendar.is_workday(day) else 0).date


# --- The clock before acceptance: deemed acceptance (行政许可法 §32) -------------------------------

#: A notice within this many working days of receipt keeps acceptance for the day the materials are
#: complete; later, the application counts as accepted on the day of receipt (行政许可法 §32).
NOTICE_WINDOW = 5
#: The states in which a case may still be deemed accepted (the table's `deem_accepted`).
DEEMABLE = transition("deem_accepted").sources


def notice_in_time(received_on: dt.date, on: dt.date) -> bool:
    """Is `on` within the one-time-notice window of a case received on `received_on`: at most
    NOTICE_WINDOW working days after it (`working_days_between`)?"""
    return calendar.working_days_between(received_on, on) <= NOTICE_WINDOW


def deemed_cutoff(on: dt.date) -> dt.date:
    """The last day of receipt whose notice window has passed by `on`: a case received on or before
    it and neither accepted nor given a notice in time counts as accepted on its day of receipt
    (`notice_in_time` is false exactly for the days of receipt up to it). One date for a whole page
    or job, so the filters stay a range on `received_on`: the day before the (NOTICE_WINDOW + 1)-th
    working day counted back from `on`, `on` included."""
    day, found = on, 0
    while True:
        if calendar.is_workday(day):
            found += 1
            if found > NOTICE_WINDOW:
                return day - dt.timedelta(days=1)
        day -= dt.timedelta(days=1)


def deadline_values(revision, accepted_on: dt.date) -> dict:
    """The promised and legal deadlines counted from an acceptance day by the limits of `revision`
    (anything with the four limit fields of an item revision): the one place they are counted."""
    promised = calendar.deadline(accepted_on, revision.promised_limit, revision.promised_limit_unit)
    legal = calendar.deadline(accepted_on, revision.legal_limit, revision.legal_limit_unit)
    return {
        "promised_deadline": promised.date,
        "promised_provisional": promised.provisional,
        "legal_deadline": legal.date,
        "legal_provisional": legal.provisional,
    }


def deemed_due(status: str, deemed_deadline: dt.date | None, received_on, cutoff) -> bool:
    """For a row already read: does the case count as accepted on its day of receipt by now, though
    nobody has recorded it yet (the hourly job, or the next action on the case, will)? Its
    `deemed_deadline` is set while it may still be deemed (not accepted, no notice in time)."""
    return status in DEEMABLE and deemed_deadline is not None and received_on <= cutoff


@dataclass(frozen=True)
class Clock:
    """A case's acceptance day and deadlines as they stand on a day (`clock_of`)."""

    accepted_on: dt.date | None
    acceptance_deemed: bool
    promised_deadline: dt.date | None
    promised_provisional: bool
    legal_deadline: dt.date | None
    legal_provisional: bool


def clock_of(case, cutoff: dt.date) -> Clock:
    """The acceptance day and deadlines of `case` (its revision read along) as a reader sees them
    on the day of `cutoff` (`deemed_cutoff`): those stored, or — for a case whose notice window has
    passed without a notice and that nobody has deemed accepted yet — those of deemed acceptance,
    counted here and not written (reads never write)."""
    if deemed_due(case.status, case.deemed_deadline, case.received_on, cutoff):
        return Clock(case.received_on, True, **deadline_values(case.revision, case.received_on))
    return Clock(
        case.accepted_on,
        case.acceptance_deemed,
        case.promised_deadline,
        case.promised_provisional,
        case.legal_deadline,
        case.legal_provisional,
    )


@dataclass(frozen=True)
class ReadingDay:
    """What reading cases on a day needs of the calendar, worked out once per page or answer: the
    day, the end of its yellow card (the next working day) and its deemed-acceptance cutoff."""

    on: dt.date
    near_until: dt.date
    cutoff: dt.date

    @classmethod
    def of(cls, on: dt.date) -> ReadingDay:
        return cls(on, next_working_day(on), deemed_cutoff(on))


#: The two warnings of DOMAIN.md "Warnings and on-time", on the promised deadline.
OVERDUE, NEAR_DEADLINE = "overdue", "near_deadline"


def warning_q(level: str, on: dt.date) -> Q:
    """The cases carrying warning `level` on `on`, as a filter. 红牌 (overdue): open after the
    deadline day has ended. 黄牌 (near_deadline): open, and `on` lies between the last working day
    before the deadline and the deadline day, both included — a deadline is a working day, so the
    deadline is today or no later than the next working day.

    A case due for deemed acceptance that nobody has recorded yet (`deemed_due`) is judged by the
    deadline it will get (`deemed_deadline`): two index ranges, one on the stored deadline and one
    on the deemed one, however large the ledger."""
    pending = Q(status__in=DEEMABLE, received_on__lte=deemed_cutoff(on))
    if level == OVERDUE:
        return Q(status__in=OPEN, promised_deadline__lt=on) | (pending & Q(deemed_deadline__lt=on))
    until = next_working_day(on)
    return Q(status__in=OPEN, promised_deadline__gte=on, promised_deadline__lte=until) | (
        pending & Q(deemed_deadline__gte=on, deemed_deadline__lte=until)
    )


def warning_of(status: str, deadline: dt.date | None, on: dt.date, near_until: dt.date) -> str:
    """`warning_q` for one row already read: OVERDUE, NEAR_DEADLINE or "" (`deadline`: the promised
    deadline of its `clock_of`; `near_until`: the next working day after `on`, read once for a whole
    page)."""
    if status not in OPEN or deadline is None:
        return ""
    if deadline < on:
        return OVERDUE
    return NEAR_DEADLINE if deadline <= near_until else ""


class CaseQuerySet(models.QuerySet):
    """Reads of the ledger (DOMAIN.md "Warnings and on-time"), all on the promised deadline."""

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

    def page(self, offset: int, size: int) -> tuple[list, bool]:
        """One page of this (ordered) ledger and whether more follow, in two queries whatever the
        ledger's size: the page's keys, sorted and sliced on the cases table alone, then its rows
        with what a row shows (`for_list`), in key order. Sorting fully joined rows would join every
        case in scope before taking 50."""
        keys = list(self.values_list("pk", flat=True)[offset : offset + size + 1])
        return Case.objects.rows(keys[:size]), len(keys) > size

    def rows(self, keys: list[int]) -> list:
        """The cases of `keys` in that order, with what a ledger row shows (one query, none for no
        keys)."""
        found = {case.pk: case for case in self.for_list().filter(pk__in=keys)} if keys else {}
        return [found[pk] for pk in keys if pk in found]

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
    county = models.ForeignKey(
        Region, verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="+"
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
            models.Index(
                fields=["status", "deemed_deadline"],
                name="case_status_deemed",
                condition=Q(deemed_deadline__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def decrypted_contact_phone(self) -> str:
        """Where progress messages go, in full (for the outbox, never for a page); "" when none is
        stored or no configured key opens it."""
        return _decrypted(self.contact_phone_encrypted, self, "contact_phone_encrypted")

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


class IdentityView(models.Model):
    """One showing of an applicant's full ID number (DOMAIN.md "Full ID numbers") or of the signed
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


class LedgerExport(models.Model):
    """An Excel export of the ledger made in the background: the filter it was asked with (the GET
    parameters of the ledger list), who asked, and the file once written. Only the requester may
    download it; the rows are those the requester could see when it ran."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导出人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    query = models.JSONField(_("筛选条件"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows = models.PositiveIntegerField(_("行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("台账导出")
        verbose_name_plural = _("台账导出")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.requested_by_id} {self.requested_at:%Y-%m-%d %H:%M} {self.status}"


class IdempotencyKey(models.Model):
    """The answer to an API write sent with an `Idempotency-Key` header (`cases.idempotency`,
    decision 0033): a retry by the same user with the same key, method, path and body gets it again
    instead of running twice. Written in the same transaction as the write it answers, so both or
    neither are committed; treated as absent and purged once older than `idempotency.WINDOW`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("幂等键"), max_length=255)
    method = models.CharField(_("请求方法"), max_length=10)
    path = models.CharField(_("请求路径"), max_length=255)
    #: SHA-256 of the body's canonical JSON (keys sorted, no spaces), hexadecimal.
    body_digest = models.CharField(_("请求体摘要"), max_length=64)
    #: 0 until the answer is written at the end of the same transaction: never committed so.
    status = models.PositiveSmallIntegerField(_("应答状态码"), default=0)
    content_type = models.CharField(_("应答类型"), max_length=100, blank=True)
    response = models.TextField(_("应答内容"), blank=True)
    created_at = models.DateTimeField(_("首次请求时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.method} {self.path} {self.status}"


def attach_names(case: Case, transfers=(), notices=(), events=()) -> None:
    """Read the points and the people a case, its transfers, notices and events name — one query
    each, by id, names only (no password hash) — and put them on those objects. Joining them all
    to the case (ten tables) cost PostgreSQL more planning than the rest of a case page."""
    from django.contrib.auth import get_user_model

    point_ids = {case.registering_point_id, case.handling_point_id}
    user_ids = {case.responsible_id, case.handling_helper_id, case.entered_by_id}
    for t in transfers:
        point_ids |= {t.from_point_id, t.to_point_id, t.suggested_point_id}
        user_ids |= {t.to_helper_id, t.sent_by_id, t.answered_by_id}
    user_ids |= {n.issued_by_id for n in notices} | {e.by_id for e in events}
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
    ):
        for field in fields:
            pk = getattr(obj, f"{field}_id")
            if pk is not None:
                setattr(obj, field, found[pk])
