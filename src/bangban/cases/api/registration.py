"""登记 through the API: a new case at a point, with its applicant and, for 代办, the authorisation."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import ValidationError

from bangban.catalog.scope import item_at
from bangban.kernel.api import Status
from bangban.kernel.errors import Forbidden, NotVisible
from bangban.kernel.schemas import errors
from bangban.network import access
from bangban.network.models import ServicePoint

from .. import actions
from ..actions import ApplicantData, AuthorisationData, Registration
from ..idempotency import idempotent
from ..models import Case, ReadingDay
from ..schemas import CaseIn, CaseOut
from .common import any_user, router
from .rendering import applicant_detail, authorisation_detail, case_summary, line_detail, user_ref

# --- Registration ----------------------------------------------------------------------------------


def _scan(payload) -> ContentFile | None:
    if payload is None:
        return None
    try:
        content = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):  # pragma: no cover - the schema's pattern refuses it
        raise ValidationError(
            [{"loc": ["body", "authorisation", "scan", "content_base64"], "type": "value_error"}]
        ) from None
    # Stored under a short name of our own (the column holds 100 characters with its folders).
    extension = payload.filename.rsplit(".", 1)[1].lower()
    return ContentFile(content, name=f"authorisation.{extension}")


def _registered_detail(case: Case) -> dict:
    """`case_detail` of a case `actions.register_case` has just written, from the objects it holds
    (no query): a new case has no deadline — unless it was registered deemed accepted —, no
    notices and no transfers, an authorisation only as a 代办 case, and the checklist it has just
    built."""
    out = case_summary(case, ReadingDay.of(timezone.localdate()))
    out["applicant"] = applicant_detail(case.applicant)
    out.update(
        registered_at=case.registered_at,
        entered_by=user_ref(case.entered_by),
        closed_at=case.closed_at,
        refusal=None,
        materials=[
            line_detail(line)
            for line in sorted(case.registered_materials, key=lambda line: line.position)
        ],
        authorisation=authorisation_detail(case) if case.kind == Case.Kind.PROXY else None,
        notices=[],
        transfers=[],
    )
    return out


@router.post(
    "/cases",
    response={201: CaseOut, **errors(400, 403, 404, 409, 422)},
    summary="Register a case",
)
@idempotent
def register_case(request, payload: CaseIn):
    """登记: a matter at `point` (a point you act at). The item is told as its current revision
    stands today; 409 names every rule broken at once, each at its field (an ID number's check
    digit, a phone, a mode the item does not support, a first responsible helper who does not
    serve at the point or is not qualified, a proxy case without its authorisation)."""
    user = request.auth
    # A helper's own station comes with their memberships (no query); any other point is asked of
    # the gate with its county.
    point = access.point_held(user, payload.point, "act")
    if point is None:
        try:
            point = access.get_point_for(
                user, payload.point, "act", ServicePoint.objects.select_related("county")
            )
        except Http404:
            if access.points_for(user, "view").filter(pk=payload.point).exists():
                raise Forbidden(["body", "point"], _("您不能在该服务点登记办件。")) from None
            raise NotVisible("point", _("服务点")) from None
    # With its current revision: `actions.register_case` checks this object as it is.
    item = item_at(user, payload.item, point)
    if item is None:
        raise NotVisible("item", _("事项"))
    responsible = (
        user
        if payload.responsible is None
        else any_user(payload.responsible, "responsible", _("首问负责人"))
    )
    a = payload.applicant
    document_type = a.document_type or (
        "credit_code" if a.kind == "organisation" else "resident_id"
    )
    authorisation = None
    if payload.authorisation is not None:
        p = payload.authorisation
        authorisation = AuthorisationData(
            principal=p.principal,
            scope=p.scope,
            authorised_on=p.authorised_on,
            valid_until=p.valid_until,
            scan=_scan(p.scan),
        )
    case = actions.register_case(
        point,
        registration=Registration(
            applicant=ApplicantData(
                kind=a.kind,
                name=a.name,
                document_type=document_type,
                number=a.number,
                phone=a.phone,
                birth_on=a.birth_on,
                disabled=a.disabled,
                needs=a.needs,
                legal_representative=a.legal_representative,
                contact_name=a.contact_name,
            ),
            item=item,
            kind=payload.kind,
            mode=payload.mode,
            channel=payload.channel,
            received_on=(
                dt.date.fromisoformat(payload.received_on)
                if payload.received_on
                else timezone.localdate()
            ),
            responsible=responsible,
            contact_phone=payload.contact_phone,
            authorisation=authorisation,
        ),
        by=user,
    )
    return Status(201, _registered_detail(case))
