"""Forms of the pages of departments (进驻部门) and partner organisations (合作单位): the list's
filters, and a new or renamed unit. The rules (unique names in a county…) are the actions'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import NoNulForm
from .models import PartnerOrganisation, Region


class UnitFilterForm(forms.Form):
    """The filters of the list of departments (organisations): name, state, county."""

    STATES = {"active": True, "inactive": False}

    q = forms.CharField(
        label=_("名称"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("active", _("在用")), ("inactive", _("已停用"))],
    )
    county = forms.ModelChoiceField(
        label=_("所属县（区）"),
        required=False,
        queryset=Region.objects.none(),
        empty_label=_("全部"),
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        if len(counties) > 1:
            self.fields["county"].queryset = Region.objects.filter(
                pk__in=[c.pk for c in counties]
            ).order_by("code")
        else:
            del self.fields["county"]

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        if any(ch < " " for ch in text):
            raise forms.ValidationError(_("含有无效字符。"))
        return text.strip()

    def filter(self, queryset):
        """`queryset` narrowed by the valid filters (all of it when none is valid)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("state") in self.STATES:
            queryset = queryset.filter(active=self.STATES[data["state"]])
        if data.get("county"):
            queryset = queryset.filter(county=data["county"])
        return queryset


class _UnitForm(NoNulForm):
    """Add a department or an organisation (`county` offered only to someone keeping several
    counties), or rename one (no `county`). The rules are the actions'."""

    county = forms.ModelChoiceField(
        label=_("所属县（区）"), queryset=Region.objects.none(), empty_label=_("请选择")
    )
    name = forms.CharField(label=_("名称"), max_length=100)

    def __init__(self, *args, counties=None, unit=None, **kwargs):
        if unit is not None:
            kwargs.setdefault("initial", self.initial_of(unit))
        super().__init__(*args, **kwargs)
        self.only_county = None
        if unit is not None or not counties or len(counties) == 1:
            del self.fields["county"]
            self.only_county = counties[0] if counties else None
        else:
            self.fields["county"].queryset = Region.objects.filter(
                pk__in=[c.pk for c in counties]
            ).order_by("code")

    @staticmethod
    def initial_of(unit) -> dict:
        return {"name": unit.name}

    def chosen_county(self) -> Region | None:
        return self.cleaned_data.get("county") or self.only_county

    def changes(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "county"}


class DepartmentForm(_UnitForm):
    name = forms.CharField(
        label=_("部门名称"),
        max_length=100,
        help_text=_("本县唯一，如“县医疗保障局”。"),
    )


class OrganisationForm(_UnitForm):
    name = forms.CharField(
        label=_("单位名称"),
        max_length=100,
        help_text=_("本县唯一，如“沂源农村商业银行”。"),
    )
    partner_type = forms.ChoiceField(
        label=_("合作类型"), choices=PartnerOrganisation.PartnerType.choices
    )

    @staticmethod
    def initial_of(unit) -> dict:
        return {"name": unit.name, "partner_type": unit.partner_type}
