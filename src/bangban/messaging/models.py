"""The outbox: one row per message, written in the transaction of the change it tells about, so a
message exists if and only if that change committed. The task worker delivers due rows through the
channel's gateway (`actions.deliver_due`); a row is never deleted, whatever becomes of it.

A pending row is due when `next_attempt_at` has passed. While a worker is sending it, the worker has
moved `next_attempt_at` a lease ahead, so no other worker takes it; a worker that dies mid-send
leaves it due again when the lease ends.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.kernel import protection


def mask_phone(number: str) -> str:
    """`13812341234` → `138****1234`: the first three and last four digits of a mobile number, the
    last four of anything shorter, nothing of a number of four characters or fewer."""
    number = number.strip()
    if len(number) >= 11:
        return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
    if len(number) > 4:
        return f"{'*' * (len(number) - 4)}{number[-4:]}"
    return "*" * len(number)


class Channel(models.TextChoices):
    SMS = "sms", _("短信")


class MessageQuerySet(models.QuerySet):
    def about(self, reference: str) -> MessageQuerySet:
        """The messages about one thing (`"case:370323-20261125-0042"`), oldest first."""
        return self.filter(reference=reference).order_by("created_at", "pk")

    def pending(self) -> MessageQuerySet:
        return self.filter(status=Message.Status.PENDING)

    def due(self, now: dt.datetime) -> MessageQuerySet:
        """Pending messages whose next attempt is at or before `now`, in the order to send them."""
        return self.pending().filter(next_attempt_at__lte=now).order_by("next_attempt_at", "pk")


class Message(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(
        _("渠道"), max_length=16, choices=Channel.choices, default=Channel.SMS
    )
    # Encrypted (bangban.kernel.protection): the gateway gets it decrypted at send time; pages, the
    # admin and logs show the mask, which is written beside it once (decision 0030).
    recipient_encrypted = models.TextField(_("接收号码（加密）"))
    recipient_masked = models.CharField(_("接收号码"), max_length=32)
    body = models.TextField(_("内容"))
    reference = models.CharField(
        _("关联对象"),
        max_length=100,
        db_index=True,
        help_text=_("消息所涉对象，例如 case:370323-20261125-0042。"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    give_up_at = models.DateTimeField(_("放弃时间"), help_text=_("此时仍未发出则标记为发送失败。"))
    last_error = models.TextField(_("最近错误"), blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    gateway_id = models.CharField(_("网关消息编号"), max_length=100, blank=True, default="")

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The worker's question: which pending messages are due?
            models.Index(fields=["status", "next_attempt_at"], name="message_status_next_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="message_sent_iff_sent_at",
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
            ),
            models.CheckConstraint(
                name="message_pending_iff_next_attempt",
                condition=Q(status="pending", next_attempt_at__isnull=False)
                | (~Q(status="pending") & Q(next_attempt_at__isnull=True)),
            ),
            models.CheckConstraint(
                name="message_status_valid", condition=Q(status__in=["pending", "sent", "failed"])
            ),
            models.CheckConstraint(name="message_channel_valid", condition=Q(channel__in=["sms"])),
            models.CheckConstraint(
                name="message_recipient_not_empty", condition=~Q(recipient_encrypted="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.recipient_masked} {self.reference}"

    @property
    def masked_recipient(self) -> str:
        return self.recipient_masked

    def decrypted_recipient(self) -> str:
        """The recipient in full, for the gateway only; UnreadableNumber when no configured data key
        opens it."""
        return protection.decrypt(self.recipient_encrypted)
