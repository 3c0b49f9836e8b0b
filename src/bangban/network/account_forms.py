"""Forms of the account pages: search the accounts in scope, and a new account bound to a point or
to a region, a department or a partner organisation. Which roles a user may give where is the gate's
(`access.grantable_roles`, `access.can_grant`); `actions.create_account` checks the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import access
from .actions import REGION_ROLE_LEVELS
from .forms import NoNulForm, SearchForm, optional_picker
from .models import BINDING, Department, PartnerOrganisation, Region, Role, ServicePoint

Kind = ServicePoint.Kind


class AccountSearchForm(SearchForm):
    q = forms.CharField(
        label=_("搜索账号"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("用户名或姓名"), "autocomplete": "off"}
        ),
    )


class _AccountFieldsForm(NoNulForm):
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


#: What a role is, said where an account is created for the roles whose name does not say it.
ROLE_HELP = {
    Role.SUPERVISOR: _("监督员：查看本区域的办件、评价和整改，可以明查暗访，不办理办件。"),
    Role.SPECIAL_SUPERVISOR: _(
        "特邀监督员：政务服务特邀监督员，常由群众担任，只能对本区域的服务点明查暗访并跟进"
        "自己的检查；只看到服务点的名录，看不到办件、申请人、投诉人和评价。"
    ),
}


class _CountyChoiceField(forms.ModelChoiceField):
    """A department or organisation, named with its county (names repeat across counties)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.county.name} · {obj.name}"


class AccountForm(_AccountFieldsForm):
    """A new account bound to a region, a department or an organisation, picked within the scope."""

    region = optional_picker(
        _("区划"),
        Region.objects.none(),
        _("区域管理员、监督员和特邀监督员填写：省、市或县。"),
    )
    department = optional_picker(
        _("部门"), Department.objects.none(), _("部门管理员填写。"), _CountyChoiceField
    )
    organisation = optional_picker(
        _("合作单位"),
        PartnerOrganisation.objects.none(),
        _("合作单位管理员填写。"),
        _CountyChoiceField,
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
        self.fields["role"].help_text = " ".join(
            str(ROLE_HELP[role]) for role in roles if role in ROLE_HELP
        )
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
                access.departments_for(user, "bind")
                .filter(active=True)
                .select_related("county")
                .order_by("county__code", "name")
            )
        else:
            del self.fields["department"]
        if "organisation" in fields:
            self.fields["organisation"].queryset = (
                access.organisations_for(user, "bind")
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
