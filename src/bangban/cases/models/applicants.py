"""Applicants (办事企业群众) and their protected columns: the ID number and phone kept encrypted,
with a keyed digest to find them and a mask to show."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.kernel import protection
from bangban.kernel.search import Gram, grams

from ..identifiers import DocumentType

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
        text = decrypted(self.birth_on_encrypted, self, "birth_on_encrypted")
        return dt.date.fromisoformat(text) if text else None

    def decrypted_phone(self) -> str:
        """The phone in full (for a text message, never for a page); "" when none is stored or no
        configured key opens it."""
        return decrypted(self.phone_encrypted, self, "phone_encrypted")


def applicant_grams(name: str) -> set[str]:
    """The grams (`kernel.search.grams`) an applicant is found by: those of the name (decision
    0070)."""
    return grams(name)


class ApplicantGram(Gram):
    """One gram of an applicant's name (`applicant_grams`), so that the ledger's `q` finds an
    applicant by any part of the name (a given name, a word of an enterprise's name) through an
    index; written by the actions in the transaction that writes the name (decision 0070)."""

    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (applicant, gram) serves finding an applicant's grams
    )

    class Meta:
        verbose_name = _("申请人检索片段")
        verbose_name_plural = _("申请人检索片段")
        constraints = [
            models.UniqueConstraint(fields=["applicant", "gram"], name="applicant_gram_unique"),
        ]
        indexes = [models.Index(fields=["gram", "applicant"], name="applicant_gram")]


def decrypted(token: str, row: models.Model, field: str) -> str:
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
