"""The forms of the inspection pages: a new inspection (the point found by name among those the user
may inspect), one form per checklist item on the fill page (occurrences, note, the person involved,
a photo from the phone's camera), and the submission. They check shapes only; the rules are the
actions' (`actions.inspections`), whose errors come back on these forms."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.network.models import Membership

from .models import Inspection
from .scope import checklists_for, points_to_inspect

#: How many points the new inspection's select offers at most (narrowed by the name typed).
POINT_CHOICES = 200


class NewInspectionForm(forms.Form):
    point = forms.ModelChoiceField(
        label=_("被检查服务点"),
        queryset=None,
        empty_label=_("请选择服务点"),
        error_messages={
            "required": _("请选择被检查的服务点。"),
            "invalid_choice": _("请选择列表中的服务点。"),
        },
    )
    checklist = forms.ModelChoiceField(
        label=_("督查评分表"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": _("请选择督查评分表。"),
            "invalid_choice": _("请选择列表中的评分表。"),
        },
    )
    announced = forms.ChoiceField(
        label=_("检查方式"),
        choices=[("0", _("暗访（不事先通知）")), ("1", _("明查（事先通知）"))],
        widget=forms.RadioSelect,
        initial="0",
        error_messages={"required": _("请选择明查或暗访。")},
    )
    by_kind = forms.ChoiceField(
        label=_("检查主体"),
        choices=[
            (Inspection.By.BUREAU, Inspection.By.BUREAU.label),
            (Inspection.By.THIRD_PARTY, Inspection.By.THIRD_PARTY.label),
        ],
        widget=forms.RadioSelect,
        initial=Inspection.By.BUREAU,
        error_messages={"required": _("请选择检查主体。")},
    )
    unit = forms.CharField(
        label=_("检查单位"),
        max_length=60,
        required=False,
        help_text=_("如县行政审批服务局督查科、第三方评估机构名称"),
    )

    def __init__(self, *args, user, search: str = "", special: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        points = points_to_inspect(user).order_by("name", "pk")
        if search:
            points = points.filter(
                Q(name__icontains=search)
                | Q(region__name__icontains=search)
                | Q(region__parent__name__icontains=search)
            )
        self.fields["point"].queryset = points
        # The select offers the first of them (the name typed narrows it); any may be posted.
        self.fields["point"].widget.choices = [
            ("", _("请选择服务点")),
            *points[:POINT_CHOICES].values_list("pk", "name"),
        ]
        self.fields["checklist"].queryset = checklists_for(user).filter(active=True)
        if special:
            del self.fields["by_kind"]


class FindingForm(forms.Form):
    """One checklist item on the fill page (prefix `item<pk>`)."""

    occurrences = forms.IntegerField(
        label=_("问题处数"),
        min_value=0,
        max_value=99,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("请填写问题处数（没有问题填 0）。"),
            "invalid": _("问题处数须为整数。"),
            "min_value": _("问题处数不能小于 0。"),
            "max_value": _("问题处数不能超过 99。"),
        },
    )
    note = forms.CharField(label=_("问题描述"), max_length=500, required=False)
    helper = forms.TypedChoiceField(
        label=_("涉及人员"), required=False, coerce=int, empty_value=None
    )
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, point, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].choices = [("", _("不涉及具体人员")), *serving_at(point)]


def serving_at(point) -> list[tuple[int, str]]:
    """The people serving at `point`, names only (directory data)."""
    rows = (
        Membership.objects.serving(at=point)
        .select_related("user")
        .order_by("user__first_name", "user_id")
    )
    seen: dict[int, str] = {}
    for m in rows:
        seen.setdefault(m.user_id, m.user.get_full_name() or m.user.username)
    return list(seen.items())


class SubmitForm(forms.Form):
    summary = forms.CharField(
        label=_("总体情况"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
