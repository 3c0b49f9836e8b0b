"""Refusal (不予受理): the competent department's decision, recorded by the helper who handled the
case, and numbered like a notice for the written refusal (decision 0029)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.network.models import Department

from .. import notifications
from ..models import Case, CaseCounter
from ..numbering import case_number, next_sequence
from .core import CaseError, _apply, _check, _locked
from .deemed import _deem_first, _no_longer_deemable


def refuse_case(
    case: Case,
    *,
    by,
    reason: str,
    document_number: str,
    department: Department | None = None,
    legal_basis: str = "",
) -> Case:
    """不予受理: the competent department's decision (decision 0029), recorded by the helper who
    handled the case: which department decided (`department`, one of the case's county; by default
    the item's department) and its decision's document number (文号), both kept on the case, with
    the reason and its legal basis. The written refusal is numbered like a notice and printed from
    the case and its `refuse` event, naming the department as the decider and the helper as the
    one who handled it."""
    reason = (reason or "").strip()
    basis = (legal_basis or "").strip()
    document = (document_number or "").strip()
    errors = {}
    if not reason or len(reason) > 500:
        errors["reason"] = [_("请写明不予受理的理由（不超过 500 字）。")]
    if len(basis) > 200:
        errors["legal_basis"] = [_("依据不能超过 200 字。")]
    if not document or len(document) > 50:
        errors["document_number"] = [_("请填写不予受理决定的文号（不超过 50 个字符）。")]
    if errors:
        raise CaseError(errors)
    with transaction.atomic():
        case = _locked(case)
        case = _deem_first(case)
        _check(case, "refuse", by)
        if department is None:
            department = case.revision.department
        elif department.county_id != case.county_id:
            raise CaseError({"department": _("作出决定的部门须是本县的部门。")})
        if not department.active:
            # A department no longer in service decides nothing new (decision 0024).
            raise CaseError(
                {
                    "department": _("部门“%(name)s”已停用，请选择现在负责作出决定的部门。")
                    % {"name": department.name}
                }
            )
        today = timezone.localdate()
        sequence = next_sequence(case.county_id, today, CaseCounter.Series.NOTICE)
        refusal = case_number(case.county.code, today, sequence, prefix="N")
        data = {
            "refusal": refusal,
            "refused_on": today.isoformat(),
            "reason": reason,
            "department": department.name,
            "document_number": document,
        }
        if basis:
            data["legal_basis"] = basis
        changes = {
            "closed_at": timezone.now(),
            "refusal_department": department,
            "refusal_document_number": document,
            **_no_longer_deemable(case),
        }
        case = _apply(case, "refuse", by, changes, data)
        notifications.tell_applicant(case, notifications.refused(reason))
    return case
