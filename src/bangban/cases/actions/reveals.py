"""Full ID numbers and authorisation scans, shown to those entitled (`scope.may_reveal`, docs/domain.md
"Full ID numbers") and logged as an `IdentityView` in the same transaction; nothing is written when
they may not see it."""

from __future__ import annotations

from pathlib import PurePath

from django.db import transaction
from django.utils.translation import gettext as _

from bangban.kernel import protection

from ..models import Applicant, Authorisation, Case, IdentityView
from ..scope import may_reveal
from .core import CaseError


def reveal_number(case: Case, *, by, address: str | None = None) -> str:
    """The applicant's full document number, shown to an entitled user (`may_reveal`) and logged as
    an `IdentityView` (who, when, which case, from which address) in the same transaction. An
    organisation's credit code is public: it is returned as it is, and not logged. Raises CaseError
    (`by`) when `by` may not see it, and (`number`) when the stored number cannot be decrypted;
    nothing is written then."""
    applicant = case.applicant
    if applicant.kind == Applicant.Kind.ORGANISATION:
        return applicant.credit_code
    if not may_reveal(case, by):
        raise CaseError({"by": _("您无权查看该申请人的完整证件号码。")})
    try:
        number = protection.decrypt(applicant.number_encrypted)
    except protection.UnreadableNumber:
        raise CaseError(
            {"number": _("无法读取存储的证件号码（数据密钥可能已更换），请联系系统管理员。")}
        ) from None
    with transaction.atomic():
        IdentityView.objects.create(case=case, viewer=by, address=address or None)
    return number


#: The content type each kept extension of an authorisation scan is served with.
SCAN_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def authorisation_scan(case: Case, *, by, address: str | None = None):
    """The signed authorisation scan of a 代办 case, opened for reading, and its content type, for
    a user entitled to the applicant's full ID number (`may_reveal`: the scan carries it), logged
    as an `IdentityView` of the scan in the same transaction. Raises CaseError (`by`) when `by`
    may not see it, and (`scan`) when the case has none or its file is missing; nothing is written
    then."""
    if not may_reveal(case, by):
        raise CaseError({"by": _("您无权查看该办件的委托书扫描件。")})
    authorisation = Authorisation.objects.filter(case=case).first()
    name = authorisation.scan.name if authorisation is not None else ""
    content_type = SCAN_TYPES.get(PurePath(name).suffix.lower())
    if not name or content_type is None:
        raise CaseError({"scan": _("该办件没有委托书扫描件。")})
    try:
        opened = authorisation.scan.open("rb")
    except OSError:
        raise CaseError({"scan": _("委托书扫描件的文件已丢失，请联系系统管理员。")}) from None
    with transaction.atomic():
        IdentityView.objects.create(
            case=case, viewer=by, address=address or None, what=IdentityView.What.SCAN
        )
    return opened, content_type
