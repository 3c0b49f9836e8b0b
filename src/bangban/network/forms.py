"""Forms of the network pages. They only parse input; the writes and the network's rules are in
`actions.py`, whose `NetworkError` messages are put back on the form by `add_network_errors`."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.kernel.forms import add_rule_errors as add_network_errors  # noqa: F401 - its old name

from . import access
from .actions import EQUIPMENT_FIELDS, MAX_QUANTITY, PARENT_KIND, REGION_ROLE_LEVELS
from .models import (
    BINDING,
    Department,
    Domain,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    Membership,
    OpeningHours,
    PartnerOrganisation,
    Region,
    Role,
    ServicePoint,
)

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


class _PointFieldsForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    signage_in_place = forms.BooleanField(label=_("统一标识已设置"), required=False)

    def _pickers(self, user, county_id: int, current: ServicePoint | None = None) -> None:
        """Departments and organisations in service only, and the point's own even when it has
        been deactivated since (it stays bound; `actions` refuses binding a deactivated one)."""
        organisations = access.organisations_for(user).filter(active=True)
        departments = access.departments_for(user).filter(active=True)
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
    region = forms.ModelChoiceField(
        label=_("所在区划"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("镇（街道）便民服务中心选镇（街道），村（社区）便民服务站选村（社区）。"),
    )
    domain = forms.ModelChoiceField(
        label=_("领域"),
        queryset=Domain.objects.all(),
        required=False,
        help_text=_("仅帮办代办分区填写。"),
    )
    department = UnitChoiceField(
        label=_("部门"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("部门窗口必填；帮办代办分区可选。"),
    )
    organisation = UnitChoiceField(
        label=_("合作单位"),
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        help_text=_("仅合作网点填写。"),
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


# --- Accounts -------------------------------------------------------------------------------------


class AccountSearchForm(SearchForm):
    q = forms.CharField(
        label=_("搜索账号"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("用户名或姓名"), "autocomplete": "off"}
        ),
    )


class _AccountFieldsForm(forms.Form):
    """Who the new account is; `actions.create_account` checks the username and the password."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("登录时使用，创建后不能修改。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少 8 位，不能是纯数字或常见密码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label=_("角色"))

    def clean(self):
        cleaned = super().clean()
        for field, value in cleaned.items():
            if isinstance(value, str) and "\x00" in value:
                self.add_error(field, _("含有无效字符。"))
        password, again = cleaned.get("password"), cleaned.get("password2")
        if password and again and password != again:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned

    def account_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "username": data["username"],
            "password": data["password"],
            "full_name": data["full_name"],
            "role": data["role"],
        }


def point_roles_for(user, point: ServicePoint) -> list[str]:
    """The point-bound roles `user` may give at `point` (a town admin only at a town centre)."""
    return [
        role
        for role in access.POINT_ROLES
        if (role != Role.TOWN_ADMIN or point.kind == Kind.TOWN_CENTRE)
        and role in access.grantable_roles(user)
        and access.can_grant(user, role, point)
    ]


class PointAccountForm(_AccountFieldsForm):
    """A new account bound to `point`: only the roles the gate lets `user` give here."""

    field_order = ["role", "username", "full_name", "password", "password2"]

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        self.fields["role"].error_messages["invalid_choice"] = _("您无权在此服务点授予该角色。")
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]


class _CountyChoiceField(forms.ModelChoiceField):
    """A department or organisation, named with its county (names repeat across counties)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.county.name} · {obj.name}"


class AccountForm(_AccountFieldsForm):
    """A new account bound to a region, a department or an organisation, picked within the scope."""

    region = forms.ModelChoiceField(
        label=_("区划"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("区域管理员和监督员填写：省、市或县。"),
    )
    department = _CountyChoiceField(
        label=_("部门"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("部门管理员填写。"),
    )
    organisation = _CountyChoiceField(
        label=_("合作单位"),
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        help_text=_("合作单位管理员填写。"),
    )

    field_order = [
        "role",
        "region",
        "department",
        "organisation",
        "username",
        "full_name",
        "password",
        "password2",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        roles = account_roles_for(user)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        self.fields["role"].error_messages["invalid_choice"] = _("您无权授予该角色。")
        fields = {BINDING[Role(role)] for role in roles}
        if "region" in fields:
            self.fields["region"].queryset = access.regions_for(user).filter(
                level__in=sorted(REGION_ROLE_LEVELS), active=True
            )
        else:
            del self.fields["region"]
        # Only those in service: a deactivated one takes no new administrator.
        if "department" in fields:
            self.fields["department"].queryset = (
                access.departments_for(user)
                .filter(active=True)
                .select_related("county")
                .order_by("county__code", "name")
            )
        else:
            del self.fields["department"]
        if "organisation" in fields:
            self.fields["organisation"].queryset = (
                access.organisations_for(user)
                .filter(active=True)
                .select_related("county")
                .order_by("county__code", "name")
            )
        else:
            del self.fields["organisation"]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role:
            field = BINDING[Role(role)]
            if field in self.fields and cleaned.get(field) is None and field not in self.errors:
                self.add_error(
                    field,
                    _("%(role)s必须选择%(what)s。")
                    % {"role": Role(role).label, "what": self.fields[field].label},
                )
        return cleaned

    def binding(self):
        return self.cleaned_data[BINDING[Role(self.cleaned_data["role"])]]


def account_roles_for(user) -> list[str]:
    """The roles bound to a region, department or organisation that `user` may give at all."""
    return [role for role in access.grantable_roles(user) if role not in access.POINT_ROLES]


# --- Equipment and signage ------------------------------------------------------------------------


def responsible_candidates(point: ServicePoint):
    """Active people holding a membership at `point` or above it: bound to the point or one of its
    ancestors, to its department or organisation, or to a region containing its county. The action
    asks the gate again for the one chosen."""
    from django.contrib.auth import get_user_model

    county_code = point.county.code
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


class _NoNulForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for field, value in cleaned.items():
            if isinstance(value, str) and "\x00" in value:
                self.add_error(field, _("含有无效字符。"))
        return cleaned


class EquipmentForm(_NoNulForm):
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


class EquipmentCheckForm(_NoNulForm):
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


# --- Departments and partner organisations -------------------------------------------------------


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


class _UnitForm(_NoNulForm):
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
