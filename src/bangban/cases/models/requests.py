"""What a request leaves behind: a ledger export made in the background, and the answer kept for an
API write sent with an `Idempotency-Key`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    #: The answer's status; the row is written with its answer, at the end of the write's transaction.
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
