"""An inspection (明查暗访) from the visit to its submission: started at a point against the county's
checklist (`start_inspection`, its full score fixed then from the items that apply to the point's
level), findings recorded item by item (`record_finding`: the deduction capped, the item's figures
copied), photos added with their times (`add_photo`, `remove_photo`), then submitted
(`submit_inspection`: the score fixed, each finding with a deduction opening a rectification that
the point's lead puts right) or discarded while a draft. Only the inspector writes, only while it is
a draft; each action is one transaction on the locked inspection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.feedback import actions as feedback
from bangban.feedback.rules import answerable
from bangban.kernel.uploads import MAGIC, scan_problem
from bangban.network import access
from bangban.network.models import Membership, Role, ServicePoint
from bangban.network.paths import path_of

from ..models import Checklist, ChecklistItem, Finding, Inspection, InspectionPhoto
from ..rules import point_level
from ..scope import may_edit_inspection, points_to_inspect
from .core import SupervisionError, _raise, _text

__all__ = [
    "add_photo",
    "discard_inspection",
    "is_special",
    "record_finding",
    "remove_photo",
    "start_inspection",
    "submit_inspection",
]

#: The most occurrences one finding may count (a deduction is capped long before).
MAX_OCCURRENCES = 99
#: A photo is a JPEG or a PNG, whatever its name says.
IMAGE_MAGIC = (*MAGIC["jpg"], *MAGIC["png"])


def is_special(user) -> bool:
    """Whether `user` inspects as a special supervisor (特邀监督员): their only inspecting role."""
    roles = {m.role for m in access.memberships(user)}
    return (
        Role.SPECIAL_SUPERVISOR in roles
        and not roles & {Role.REGION_ADMIN, Role.SUPERVISOR}
        and not access.is_superuser(user)
    )


def applicable_items(checklist: Checklist, point: ServicePoint):
    """The active items of `checklist` that apply to `point`'s level, in the checklist's order."""
    level = point_level(point)
    items = ChecklistItem.objects.filter(section__checklist=checklist, active=True).select_related(
        "section"
    )
    return [
        item
        for item in items.order_by("section__order", "section", "order", "pk")
        if level in item.applies_to
    ]


def _locked(inspection: Inspection, by) -> Inspection:
    found = (
        Inspection.objects.select_for_update(of=("self",))  # not the point and the checklist
        .select_related("point", "checklist")
        .get(pk=inspection.pk)
    )
    if not may_edit_inspection(by, found):
        if found.status != Inspection.Status.DRAFT:
            raise SupervisionError({"status": _("该检查已提交，不能再修改。")})
        raise SupervisionError({"by": _("只有检查人本人可以修改该检查。")})
    return found


def start_inspection(
    point: ServicePoint,
    *,
    checklist: Checklist,
    announced: bool,
    by,
    by_kind: str = "",
    unit: str = "",
    started_at: dt.datetime | None = None,
) -> Inspection:
    """An inspection of `point` begun by `by`, who must be allowed to inspect it; a special
    supervisor's is "special", anyone else's `by_kind` (bureau or third party). Its full score is
    the sum of the points of the checklist's active items that apply to the point's level."""
    now = timezone.now()
    errors: dict = {}
    if not points_to_inspect(by).filter(pk=point.pk).exists():
        errors["point"] = _("您不能检查该服务点。")
    if not checklist.active or checklist.county_id != point.county_id:
        errors["checklist"] = _("请选择本县启用中的督查评分表。")
    if is_special(by):
        by_kind = Inspection.By.SPECIAL
    elif by_kind not in (Inspection.By.BUREAU, Inspection.By.THIRD_PARTY):
        errors["by_kind"] = _("请选择检查主体：县行政审批服务局或第三方评估机构。")
    if not isinstance(announced, bool):
        errors["announced"] = _("请选择明查或暗访。")
    unit = _text(errors, "unit", unit, 60, None)
    started_at = started_at or now
    if started_at > now:
        errors["started_at"] = _("开始时间不能晚于现在。")
    _raise(errors)
    items = applicable_items(checklist, point)
    if not items:
        _raise({"checklist": _("该评分表没有适用于此类服务点的检查项目。")})
    with transaction.atomic():
        return Inspection.objects.create(
            county_id=point.county_id,
            point=point,
            point_path=path_of(point),
            checklist=checklist,
            announced=announced,
            by=by_kind,
            unit=unit,
            inspector=by,
            started_at=started_at,
            full_score=sum((item.points for item in items), Decimal("0")),
        )


def record_finding(
    inspection: Inspection,
    *,
    item: ChecklistItem,
    occurrences: int,
    note: str,
    helper=None,
    by,
) -> Finding | None:
    """What was found against `item`, `occurrences` times (0: nothing, the finding is removed, with
    its photos): deducting min(occurrences × deduction, cap), the item's figures copied."""
    with transaction.atomic():
        inspection = _locked(inspection, by)
        errors: dict = {}
        if (
            item.section.checklist_id != inspection.checklist_id
            or not item.active
            or point_level(inspection.point) not in item.applies_to
        ):
            errors["item"] = _("该检查项目不适用于此次检查。")
        if (
            isinstance(occurrences, bool)
            or not isinstance(occurrences, int)
            or not 0 <= occurrences <= MAX_OCCURRENCES
        ):
            errors["occurrences"] = _("问题处数须为 0 到 %(n)d 的整数。") % {"n": MAX_OCCURRENCES}
        note = _text(errors, "note", note, 500, None)
        if helper is not None and not (
            Membership.objects.serving(at=inspection.point).filter(user=helper).exists()
        ):
            errors["helper"] = _("该人员不在被检查的服务点工作。")
        _raise(errors)
        found = Finding.objects.filter(inspection=inspection, item=item).first()
        if occurrences == 0:
            if found is not None:
                found.delete()
            return None
        fields = {
            "item_text": item.text,
            "points": item.points,
            "deduction_each": item.deduction,
            "cap": item.cap,
            "occurrences": occurrences,
            "deducted": min(occurrences * item.deduction, item.cap),
            "note": note,
            "helper": helper,
        }
        finding, _created = Finding.objects.update_or_create(
            inspection=inspection, item=item, defaults=fields
        )
        return finding


def image_problem(image) -> str:
    """Why `image` is not a photo we keep (a JPEG or PNG of at most 20 MB, by its content), or ""."""
    problem = scan_problem(image)
    if problem or str(image.name).lower().endswith(".pdf"):
        return _("照片应为不超过 20 MB 的 JPG 或 PNG 图片。")
    head = image.read(8)
    image.seek(0)
    if not head.startswith(IMAGE_MAGIC):
        return _("照片内容不是 JPG 或 PNG 图片，或文件已损坏。")
    return ""


def add_photo(
    inspection: Inspection,
    *,
    image,
    taken_at: dt.datetime,
    finding: Finding | None = None,
    caption: str = "",
    by,
) -> InspectionPhoto:
    """A photo taken during the visit (of `finding`, or of the visit itself), with its time: not
    in the future, not before the inspection began."""
    with transaction.atomic():
        inspection = _locked(inspection, by)
        errors: dict = {}
        if problem := image_problem(image):
            errors["image"] = problem
        if taken_at is None:
            errors["taken_at"] = _("请填写拍摄时间。")
        elif taken_at > timezone.now():
            errors["taken_at"] = _("拍摄时间不能晚于现在。")
        elif taken_at < inspection.started_at:
            errors["taken_at"] = _("拍摄时间不能早于检查开始时间。")
        if finding is not None and finding.inspection_id != inspection.pk:
            errors["finding"] = _("该问题不属于此次检查。")
        caption = _text(errors, "caption", caption, 100, None)
        _raise(errors)
        return InspectionPhoto.objects.create(
            inspection=inspection, finding=finding, image=image, taken_at=taken_at, caption=caption
        )


def _delete_files(names: list[str], storage) -> None:
    """The files of removed photos, once the removal is committed."""

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def remove_photo(photo: InspectionPhoto, *, by) -> None:
    """A photo taken off a draft, its file deleted once that is committed."""
    with transaction.atomic():
        _locked(photo.inspection, by)
        _delete_files([photo.image.name], photo.image.storage)
        photo.delete()


def submit_inspection(
    inspection: Inspection,
    *,
    summary: str,
    by,
    ended_at: dt.datetime | None = None,
) -> Inspection:
    """Submitted: every finding on an item that needs a photo has one; the score is the full score
    less what the findings deduct; each finding with a deduction opens a rectification by the
    point's lead (the town above it once escalated), due by the county's deadline. The point and
    everyone who sees it sees the inspection from now on."""
    now = timezone.now()
    with transaction.atomic():
        inspection = _locked(inspection, by)
        errors: dict = {}
        summary = _text(errors, "summary", summary, 1000, None)
        ended_at = ended_at or now
        if ended_at > now:
            errors["ended_at"] = _("结束时间不能晚于现在。")
        elif ended_at < inspection.started_at:
            errors["ended_at"] = _("结束时间不能早于开始时间。")
        findings = list(
            inspection.findings.select_related("item").order_by("item__section__order", "pk")
        )
        with_photos = set(
            InspectionPhoto.objects.filter(
                inspection=inspection, finding__isnull=False
            ).values_list("finding_id", flat=True)
        )
        missing = [
            _("“%(item)s”须拍照取证，请为该问题上传照片。") % {"item": f.item_text}
            for f in findings
            if f.item.photo_required and f.pk not in with_photos
        ]
        if missing:
            errors["photos"] = missing
        _raise(errors)
        deducted = inspection.findings.aggregate(total=Sum("deducted"))["total"] or Decimal("0")
        inspection.score = max(inspection.full_score - deducted, Decimal("0"))
        inspection.status = Inspection.Status.SUBMITTED
        inspection.summary = summary
        inspection.ended_at = ended_at
        inspection.submitted_at = now
        inspection.save(update_fields=["score", "status", "summary", "ended_at", "submitted_at"])
        level, town = answerable(inspection.point)
        today = timezone.localdate()
        for finding in findings:
            if finding.deducted <= 0:
                continue
            finding.rectification = feedback.open_for(
                "finding",
                point=inspection.point,
                helper_id=finding.helper_id,
                level="point",
                town=town if level == "town" else None,
                anonymous=True,
                opened_on=today,
                data={"finding": finding.pk},
            )
            finding.save(update_fields=["rectification"])
        return inspection


def discard_inspection(inspection: Inspection, *, by) -> None:
    """A draft thrown away by its inspector, with its findings and photos (their files deleted once
    that is committed)."""
    with transaction.atomic():
        inspection = _locked(inspection, by)
        photos = list(inspection.photos.all())
        if photos:
            _delete_files([p.image.name for p in photos], photos[0].image.storage)
        inspection.delete()
