"""The hall rating devices (评价器): registered at a point by someone who may change it, with a
token shown once (only its SHA-256 digest is kept, like the API's tokens); deactivated; an occasion
pushed to it by a helper of the point; rated on it — only the occasion pushed, within
`rules.DEVICE_WINDOW`, once (the push is cleared by the rating)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.cases.models import Occasion
from bangban.kernel.history import log_change
from bangban.kernel.schemas import NO_CONTROL
from bangban.network import access
from bangban.network.models import ServicePoint

from ..errors import FeedbackError
from ..models import Channel, Rating, RatingDevice
from ..rules import DEVICE_WINDOW, why_not_ratable
from .ratings import rate_occasion

NAME_LENGTH = 50


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def device_of_token(token: str) -> RatingDevice | None:
    """The active device whose token this is, or None."""
    if not token or len(token) > 200:
        return None
    return (
        RatingDevice.objects.select_related("point")
        .filter(token_digest=token_digest(token), active=True)
        .first()
    )


def pushed_occasion(device: RatingDevice, now=None) -> Occasion | None:
    """The occasion waiting on `device` to be rated, while its push is fresh; None otherwise."""
    now = now or timezone.now()
    if (
        not device.active
        or device.pushed_occasion_id is None
        or device.pushed_at is None
        or now - device.pushed_at > DEVICE_WINDOW
    ):
        return None
    return Occasion.objects.select_related("point").filter(pk=device.pushed_occasion_id).first()


def register_device(point: ServicePoint, *, name: str, by) -> tuple[RatingDevice, str]:
    """A new device at `point` and its token: the token is returned once and never kept. By someone
    who may change the point (None: the system)."""
    name = name.strip()
    errors: dict = {}
    if by is not None and not access.can(by, "change", point):  # None: the system (the demo)
        errors["by"] = _("您不能在该服务点登记评价器。")
    if not name or len(name) > NAME_LENGTH or not re.fullmatch(NO_CONTROL, name):
        errors["name"] = _("请填写评价器名称（不超过 50 个字）。")
    if errors:
        raise FeedbackError(errors)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = RatingDevice.objects.create(
            point=point, name=name, token_digest=token_digest(token)
        )
        log_change(by, device, ADDITION, f"评价器“{name}”（{point.name}）")
    return device, token


def deactivate_device(device: RatingDevice, *, by) -> RatingDevice:
    """Stop `device`: its token is refused from now on, whatever was pushed to it is dropped."""
    with transaction.atomic():
        device = RatingDevice.objects.select_for_update().select_related("point").get(pk=device.pk)
        if not access.can(by, "change", device.point):
            raise FeedbackError({"by": _("您不能停用该服务点的评价器。")})
        if not device.active:
            raise FeedbackError({"device": _("该评价器已停用。")})
        device.active = False
        device.pushed_occasion = None
        device.pushed_at = None
        device.save(update_fields=["active", "pushed_occasion", "pushed_at"])
        log_change(by, device, CHANGE, "停用评价器")
    return device


def push_occasion(device: RatingDevice, *, occasion: Occasion, by) -> RatingDevice:
    """Put `occasion` on `device` for the applicant to rate: by a helper who may act at the device's
    point, an occasion they served or one of that point, not yet rated and still in its window. A
    new push replaces the one waiting."""
    now = timezone.now()
    with transaction.atomic():
        device = RatingDevice.objects.select_for_update().select_related("point").get(pk=device.pk)
        occasion = Occasion.objects.select_related("point").get(pk=occasion.pk)
        errors: dict = {}
        if not device.active:
            errors["device"] = _("该评价器已停用。")
        if not access.can(by, "act", device.point):
            errors["by"] = _("您不能向该服务点的评价器推送。")
        elif occasion.helper_id != by.pk and occasion.point_id != device.point_id:
            errors["occasion"] = _("只能推送本人办理的或本服务点的服务。")
        elif problem := why_not_ratable(occasion, timezone.localdate(now)):
            errors["occasion"] = problem
        if errors:
            raise FeedbackError(errors)
        device.pushed_occasion = occasion
        device.pushed_at = now
        device.pushed_by = by
        device.save(update_fields=["pushed_occasion", "pushed_at", "pushed_by"])
    return device


def rate_on_device(
    device: RatingDevice, *, level: int, reasons: Sequence[str] = (), comment: str = ""
) -> Rating:
    """The applicant's rating on `device`, of the occasion pushed to it (and only that one, only
    within the window, only once: `rate_occasion` checks, and clears the push)."""
    with transaction.atomic():
        device = RatingDevice.objects.select_for_update().get(pk=device.pk)
        if not device.active:
            raise FeedbackError({"device": _("评价器未登记或已停用。")})
        if device.pushed_occasion_id is None:
            raise FeedbackError({"occasion": _("没有待评价的服务，请工作人员先推送。")})
        return rate_occasion(
            Occasion(pk=device.pushed_occasion_id),
            level=level,
            channel=Channel.DEVICE,
            reasons=reasons,
            comment=comment,
            device=device,
        )
