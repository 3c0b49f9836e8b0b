"""Forms of the network's tree and point pages, and what every network form shares. They only parse
input; the writes and the network's rules are in `actions.py`, whose `NetworkError` messages are put
back on the form by `add_network_errors`. The account, equipment and unit (department, organisation)
forms are in `account_forms`, `equipment_forms` and `unit_forms`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.kernel.forms import add_rule_errors as add_network_errors  # noqa: F401 - its old name

from . import access
from .actions import PARENT_KIND
from .models import Department, Domain, OpeningHours, PartnerOrganisation, Region, ServicePoint

Kind = ServicePoint.Kind


def child_kinds(parent: ServicePoint) -> list[str]:
    """The kinds of point that may sit directly under `parent`, in the order of Kind."""
    return [
        kind for kind, above in PARENT_KIND.items() if above is not None and above == parent.kind
    ]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索服务点"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("名称、地址或区划代码"),
                "autocomplete": "off",
            }
        ),
    )

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        if "\x00" in text:
            raise forms.ValidationError(_("搜索内容含有无效字符。"))
        return text.strip()


class NoNulForm(forms.Form):
    """A form whose text fields refuse NUL (PostgreSQL refuses it, SQLite hides it)."""

    def clean(self):
        cleaned = super().clean()
        for field, value in cleaned.items():
            if isinstance(value, str) and "\x00" in value:
                self.add_error(field, _("含有无效字符。"))
        return cleaned


class UnitChoiceField(forms.ModelChoiceField):
    """A department or organisation; a deactivated one (a point's current, kept) says so."""

    def label_from_instance(self, obj) -> str:
        return obj.name if obj.active else _("%(name)s（已停用）") % {"name": obj.name}


def optional_picker(label, queryset, help_text, field=forms.ModelChoiceField):
    """A picker that may stay empty; the form narrows its `queryset` to the user's scope."""
    return field(label=label, queryset=queryset, required=False, help_text=help_text)


class _PointFieldsForm(NoNulForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    signage_in_place = forms.BooleanField(label=_("统一标识已设置"), required=False)

    def _pickers(self, user, county_id: int, current: ServicePoint | None = None) -> None:
        """Departments and organisations in service only, and the point's own even when it has
        been deactivated since (it stays bound; `actions` refuses binding a deactivated one)."""
        organisations = access.organisations_for(user, "bind").filter(active=True)
        departments = access.departments_for(user, "bind").filter(active=True)
        if current is not None and current.organisation_id:
            organisations = organisations | PartnerOrganisation.objects.filter(
                pk=current.organisation_id
            )
        if current is not None and current.department_id:
            departments = departments | Department.objects.filter(pk=current.department_id)
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = organisations.filter(
                county_id=county_id
            ).distinct()
        if "department" in self.fields:
            self.fields["department"].queryset = departments.filter(county_id=county_id).distinct()


class PointForm(_PointFieldsForm):
    """Edit a point's own fields, and for sub-zones, windows and partner stations whose they are."""

    active = forms.BooleanField(label=_("在用"), required=False)
    domain = forms.ModelChoiceField(label=_("领域"), queryset=Domain.objects.all())
    department = UnitChoiceField(label=_("部门"), queryset=Department.objects.none())
    organisation = UnitChoiceField(label=_("合作单位"), queryset=PartnerOrganisation.objects.none())

    def __init__(self, *args, point: ServicePoint, user, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": point.name,
                "address": point.address,
                "phone": point.phone,
                "signage_in_place": point.signage_in_place,
                "active": point.active,
                "domain": point.domain_id,
                "department": point.department_id,
                "organisation": point.organisation_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.point = point
        if point.kind != Kind.DOMAIN_SUBZONE:
            del self.fields["domain"]
        if point.kind not in (Kind.DOMAIN_SUBZONE, Kind.DEPARTMENT_WINDOW):
            del self.fields["department"]
        elif point.kind == Kind.DOMAIN_SUBZONE:
            self.fields["department"].required = False
        if point.kind != Kind.PARTNER_STATION:
            del self.fields["organisation"]
        self._pickers(user, point.county_id, current=point)

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class AddPointForm(_PointFieldsForm):
    """Add a point under `parent`: only the kinds that may sit there, pickers limited to the scope."""

    kind = forms.ChoiceField(label=_("类型"))
    region = optional_picker(
        _("所在区划"),
        Region.objects.none(),
        _("镇（街道）便民服务中心选镇（街道），村（社区）便民服务站选村（社区）。"),
    )
    domain = optional_picker(_("领域"), Domain.objects.all(), _("仅帮办代办分区填写。"))
    department = optional_picker(
        _("部门"),
        Department.objects.none(),
        _("部门窗口必填；帮办代办分区可选。"),
        UnitChoiceField,
    )
    organisation = optional_picker(
        _("合作单位"), PartnerOrganisation.objects.none(), _("仅合作网点填写。"), UnitChoiceField
    )

    field_order = ["kind", "name", "region", "domain", "department", "organisation"]

    def __init__(self, *args, parent: ServicePoint, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        kinds = child_kinds(parent)
        self.fields["kind"].choices = [(k, Kind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        if parent.kind == Kind.COUNTY_CENTRE:
            self.fields["region"].queryset = Region.objects.filter(
                parent_id=parent.county_id, level=Region.Level.TOWN, active=True
            )
        elif parent.kind == Kind.TOWN_CENTRE:
            self.fields["region"].queryset = Region.objects.filter(
                pk=parent.region_id
            ) | Region.objects.filter(
                parent_id=parent.region_id, level=Region.Level.VILLAGE, active=True
            )
        else:
            del self.fields["region"]
        if Kind.DOMAIN_SUBZONE not in kinds:
            del self.fields["domain"]
        if Kind.DOMAIN_SUBZONE not in kinds and Kind.DEPARTMENT_WINDOW not in kinds:
            del self.fields["department"]
        if Kind.PARTNER_STATION not in kinds:
            del self.fields["organisation"]
        self._pickers(user, parent.county_id)

    def point_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {key: value for key, value in data.items() if value is not None}


class HoursForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("星期"), choices=OpeningHours.Weekday.choices, coerce=int
    )
    opens_at = forms.TimeField(
        label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=OpeningHours.Kind.choices, initial=OpeningHours.Kind.REGULAR
    )


HoursFormSet = forms.formset_factory(HoursForm, extra=0, can_delete=True, max_num=70)
