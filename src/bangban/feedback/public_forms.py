"""The forms of the public rating page (/pj/<token>/): the last four digits of the applicant's phone,
a rating of one service occasion, and the follow-up rating (追评) of a bad review's reply. They check
the shape of what was sent; the rules (who, when, which reasons) are `actions.rate_occasion`'s."""

from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.kernel.schemas import NO_CONTROL

from .models import Level

MAX_COMMENT = 500


def four_digits(text: str) -> str | None:
    """Four digits as typed (full-width digits and spaces allowed), or None."""
    code = unicodedata.normalize("NFKC", text or "").replace(" ", "")
    return code if len(code) == 4 and code.isascii() and code.isdigit() else None


class CodeForm(forms.Form):
    """The last four digits of the applicant's own phone (the principal's for 代办)."""

    code = forms.CharField(
        label=_("申请人手机号后 4 位"),
        max_length=8,
        error_messages={"required": _("请输入申请人手机号的最后 4 位数字。")},
    )

    def clean_code(self) -> str:
        code = four_digits(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("请输入申请人手机号的最后 4 位数字。"))
        return code


class RatingForm(forms.Form):
    """One occasion's rating: a face (1–5), reasons (the tapped reason button and any ticked
    boxes), a comment, anonymity. `reasons` takes any of the county's current codes; whether they
    fit the level is the action's rule."""

    occasion = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    level = forms.TypedChoiceField(
        label=_("满意程度"),
        choices=Level.choices,
        coerce=int,
        error_messages={
            "required": _("请先选择一个表情（满意程度）。"),
            "invalid_choice": _("请选择 1 到 5 级中的一个评价。"),
        },
    )
    reasons = forms.MultipleChoiceField(label=_("原因"), required=False)
    comment = forms.RegexField(
        label=_("意见和建议"),
        regex=NO_CONTROL,
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"invalid": _("意见不能含控制字符。")},
    )
    anonymous = forms.BooleanField(label=_("匿名（不接受回访）"), required=False)

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = [(r.code, r.label) for r in reasons]
        self.fields["reasons"].error_messages["invalid_choice"] = _(
            "没有这个评价原因，请刷新页面后重新选择。"
        )


class FollowUpForm(forms.Form):
    """The one follow-up rating of a replied rectification: 满意 or 不满意, and a comment."""

    SATISFIED, DISSATISFIED = "satisfied", "dissatisfied"
    #: The level each answer is stored as (the national interfaces know five levels only).
    LEVELS = {SATISFIED: Level.SATISFIED, DISSATISFIED: Level.DISSATISFIED}

    occasion = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        label=_("您对整改结果满意吗？"),
        choices=[(SATISFIED, _("满意")), (DISSATISFIED, _("不满意"))],
        error_messages={"required": _("请选择“满意”或“不满意”。")},
    )
    comment = forms.RegexField(
        label=_("补充意见（选填）"),
        regex=NO_CONTROL,
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"invalid": _("意见不能含控制字符。")},
    )

    @property
    def level(self) -> int:
        return self.LEVELS[self.cleaned_data["answer"]]
