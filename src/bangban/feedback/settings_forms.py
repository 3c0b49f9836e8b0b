"""The forms of the county's rating settings: the settings, and the reason set as rows."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .actions.settings import MAX_REASONS
from .models import Reason
from .reasons import ReasonData


class PolicyForm(forms.Form):
    count_basic_as_good = forms.BooleanField(
        label=_("“基本满意”计入好评"),
        required=False,
        help_text=_("勾选后，好评率按 3–5 级计算；不勾选按 4–5 级计算。"),
    )
    rectification_days = forms.IntegerField(
        label=_("整改期限（工作日）"),
        min_value=1,
        max_value=60,
        help_text=_("自差评之日起算，1–60 个工作日。"),
    )


class ReasonForm(forms.Form):
    code = forms.CharField(
        label=_("代码"),
        max_length=40,
        validators=[
            RegexValidator(r"^[-a-zA-Z0-9_]+$", _("代码只能含英文字母、数字、连字符和下划线。"))
        ],
    )
    label = forms.CharField(label=_("名称"), max_length=40)
    polarity = forms.ChoiceField(label=_("适用"), choices=Reason.Polarity.choices)
    position = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767)


ReasonFormSet = forms.formset_factory(
    ReasonForm,
    extra=3,
    can_delete=True,
    max_num=MAX_REASONS,
    validate_max=True,
    absolute_max=MAX_REASONS + 10,
)


def reasons_of_formset(formset) -> list[ReasonData]:
    """The rows kept (filled, not ticked for deletion), as the action takes them."""
    return [
        ReasonData(
            code=form.cleaned_data["code"],
            label=form.cleaned_data["label"],
            polarity=form.cleaned_data["polarity"],
            position=form.cleaned_data["position"],
        )
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
