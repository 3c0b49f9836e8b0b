"""Django admin: for superusers (the deployment's operators) only. Every other role, region admins
included, works in the app's own scoped pages (docs/architecture.md "The gate"). Foreign keys use
autocomplete, never a select of 60,000 points."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from bangban.kernel.forms import add_rule_errors

from .actions import NetworkError, check_binding, index_points, index_users
from .models import (
    ApiToken,
    Department,
    Domain,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    Membership,
    OpeningHours,
    PartnerOrganisation,
    Region,
    ServicePoint,
)


def _superuser_only(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = _superuser_only
admin.site.site_header = _("帮办代办服务体系 · 系统管理")
admin.site.site_title = _("帮办代办系统管理")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "active", "is_virtual"]
    list_filter = ["level", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    # Regions come from the division import (and the scoped pages/API, which check code prefixes);
    # here only the name and the active flag may be corrected.
    readonly_fields = ["code", "level", "parent", "is_virtual"]

    def has_add_permission(self, request):
        return False


class _CountyUnitAdmin(admin.ModelAdmin):
    """Departments and partner organisations are kept on the scoped pages and the API (so each
    write is checked, recorded and announced to the later apps); here they are only looked up,
    and nothing is ever deleted."""

    search_fields = ["name", "county__name", "county__code"]
    list_select_related = ["county"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(_CountyUnitAdmin):
    list_display = ["name", "county", "active"]
    list_filter = ["active"]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    search_fields = ["name", "code"]


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(_CountyUnitAdmin):
    list_display = ["name", "partner_type", "county", "active"]
    list_filter = ["partner_type", "active"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "county", "active"]
    list_filter = ["kind", "active", "signage_in_place"]
    search_fields = ["name", "region__code", "address"]
    # Where a point sits (and so who may see it) is changed only through the actions, which keep
    # the tree rules and the ancestry path: the pages and the API. Here: its own fields.
    readonly_fields = [
        "kind",
        "parent",
        "county",
        "region",
        "domain",
        "department",
        "organisation",
        "ancestry",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["region", "county"]
    inlines = [OpeningHoursInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "name" in form.changed_data:
            index_points([obj.pk])  # the directory finds it by its new name (decision 0069)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class NamedUserAdmin(UserAdmin):
    """Django's own user admin; a user renamed here is found by the new name in the directory
    (the grams rewritten, decision 0069)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if {"first_name", "last_name"} & set(form.changed_data):
            index_users([obj.pk])


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "region", "point", "department", "organisation"]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role:
            binding = next(
                (
                    cleaned.get(f)
                    for f in ("region", "point", "department", "organisation")
                    if cleaned.get(f)
                ),
                None,
            )
            try:
                check_binding(role, binding)
            except NetworkError as error:
                add_rule_errors(self, error)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "role", "region", "point", "department", "organisation", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name"]
    autocomplete_fields = ["user", "region", "point", "department", "organisation"]
    list_select_related = ["user", "region", "point", "department", "organisation", "created_by"]
    readonly_fields = ["created_at", "created_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "digest", "created_at", "expires_at"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EquipmentKind)
class EquipmentKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_convenience", "check_interval_days", "position"]
    list_editable = ["check_interval_days"]
    search_fields = ["name", "code"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["kind", "point", "quantity", "state", "responsible", "added_on"]
    list_filter = ["state", "kind"]
    search_fields = ["point__name", "kind__name", "note"]
    autocomplete_fields = ["point", "responsible"]
    list_select_related = ["kind", "point", "responsible"]


@admin.register(EquipmentCheck)
class EquipmentCheckAdmin(admin.ModelAdmin):
    list_display = ["equipment", "checked_on", "result", "checked_by"]
    list_filter = ["result"]
    search_fields = ["equipment__point__name", "equipment__kind__name", "fault"]
    autocomplete_fields = ["equipment", "checked_by"]
    list_select_related = ["equipment__kind", "checked_by"]
    date_hierarchy = "checked_on"
