"""The forms of the paper rating card's pages: the card's number, then what the card says."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Level


class CardLookupForm(forms.Form):
    card = forms.CharField(
        label=_("评价卡号"),
        max_length=40,
        help_text=_("印在办件回执上的评价卡号。"),
    )


def occasion_label(occasion) -> str:
    helper = occasion.helper
    who = (helper.get_full_name() or helper.username) if helper else "—"
    text = f"{occasion.on:%Y-%m-%d} {occasion.get_kind_display()} · {occasion.point.name} · {who}"
    return f"{text}（{occasion.why_not}）" if occasion.why_not else text


def reason_choices(reasons) -> list[tuple[str, str]]:
    return [(r.code, f"{r.label}（{r.get_polarity_display()}）") for r in reasons]


class CardForm(forms.Form):
    """What the card says. `occasions` from `actions.cards.card_occasions`; `reasons` the county's
    current set."""

    occasion = forms.TypedChoiceField(label=_("评价的服务"), coerce=int, widget=forms.RadioSelect)
    level = forms.TypedChoiceField(
        label=_("评价等级"),
        coerce=int,
        choices=[(level.value, level.label) for level in reversed(Level)],
        widget=forms.RadioSelect,
    )
    reasons = forms.MultipleChoiceField(
        label=_("评价原因"), required=False, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("评价内容"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("照录卡片上写的意见，不超过 500 字。"),
    )
    scan = forms.FileField(
        label=_("评价卡扫描件或照片"),
        help_text=_("PDF、JPG 或 PNG，不超过 20 MB。"),
    )

    def __init__(self, *args, occasions, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occasion"].choices = [(o.pk, occasion_label(o)) for o in occasions]
        self.fields["reasons"].choices = reason_choices(reasons)
