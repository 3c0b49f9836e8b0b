"""Forms of a point's equipment and signage: one line of equipment, a check of it, the signage and
its photo (the upload itself is checked by `actions.set_signage`)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .actions import EQUIPMENT_FIELDS, MAX_QUANTITY
from .forms import NoNulForm
from .models import Equipment, EquipmentCheck, EquipmentKind, Membership, Role, ServicePoint


def responsible_candidates(point: ServicePoint):
    """Active people holding a membership at `point` or above it: bound to the point or one of its
    ancestors, to its department or organisation, or to a region containing its county. The action
    asks the gate again for the one chosen."""
    from django.contrib.auth import get_user_model

    county_code = point.county.code
    # Not a special supervisor (特邀监督员): they look after no point's equipment.
    bound = Q(point_id__in=[point.pk, *point.ancestor_ids]) | Q(
        role__in=[Role.REGION_ADMIN, Role.SUPERVISOR],
        region__code__in=[county_code[:2], county_code[:4], county_code],
    )
    if point.department_id:
        bound |= Q(role=Role.DEPARTMENT_ADMIN, department_id=point.department_id)
    if point.organisation_id:
        bound |= Q(role=Role.PARTNER_ADMIN, organisation_id=point.organisation_id)
    user_ids = Membership.objects.filter(bound).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=user_ids)
        .order_by("first_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name}（{obj.username}）" if name else obj.username


class EquipmentForm(NoNulForm):
    """Add or edit one line of equipment at a point."""

    kind = forms.ModelChoiceField(
        label=_("设备类型"), queryset=EquipmentKind.objects.all(), empty_label=_("请选择")
    )
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    state = forms.ChoiceField(
        label=_("状态"), choices=Equipment.State.choices, initial=Equipment.State.WORKING
    )
    responsible = PersonChoiceField(
        label=_("责任人"),
        queryset=EquipmentKind.objects.none(),  # people: set per point in __init__
        required=False,
        empty_label=_("暂未指定"),
        help_text=_("负责定期检查的人员，须在本服务点或其上级任职。"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, point: ServicePoint, equipment: Equipment | None = None, **kwargs):
        if equipment is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": equipment.kind_id,
                    "quantity": equipment.quantity,
                    "state": equipment.state,
                    "responsible": equipment.responsible_id,
                    "note": equipment.note,
                },
            )
        super().__init__(*args, **kwargs)
        candidates = responsible_candidates(point)
        if equipment is not None and equipment.responsible_id:
            # Someone who has since left stays selectable for the record they already hold.
            from django.contrib.auth import get_user_model

            candidates = candidates | get_user_model().objects.filter(pk=equipment.responsible_id)
        self.fields["responsible"].queryset = candidates.distinct()
        self.equipment = equipment

    def changes(self) -> dict:
        """The fields that differ from the equipment being edited (all of them when adding)."""
        data = {field: self.cleaned_data[field] for field in EQUIPMENT_FIELDS}
        if self.equipment is None:
            return data
        return {
            field: value for field, value in data.items() if getattr(self.equipment, field) != value
        }


class EquipmentCheckForm(NoNulForm):
    checked_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    result = forms.ChoiceField(
        label=_("检查结果"), choices=EquipmentCheck.Result.choices, initial=EquipmentCheck.Result.OK
    )
    fault = forms.CharField(
        label=_("故障情况"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("检查结果为故障时必填。"),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("result") == EquipmentCheck.Result.FAULTY
            and not (cleaned.get("fault") or "").strip()
        ):
            self.add_error("fault", _("检查结果为故障时，请填写故障情况。"))
        return cleaned


class SignageForm(forms.Form):
    in_place = forms.BooleanField(label=_("统一标识已设置"), required=False)
    photo = forms.FileField(
        label=_("统一标识照片"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPG、PNG 或 WebP 格式，不超过 5 MB；不选择则保留原照片。"),
    )

    def __init__(self, *args, point: ServicePoint, **kwargs):
        kwargs.setdefault("initial", {"in_place": point.signage_in_place})
        super().__init__(*args, **kwargs)
