"""The catalog in Django admin, read-only, for the deployment's operators (superusers; see
network/admin.py). Revisions are immutable and every edit must add one through the actions (the
catalog pages, the API, the Excel import), so nothing here adds, changes or deletes."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ItemRevision, Material, ServiceItem


class ReadOnly:
    """No add, change or delete: superusers still view every page."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RevisionInline(ReadOnly, admin.TabularInline):
    model = ItemRevision
    fields = ["number", "name", "basic_code", "version", "department", "source", "created_at"]
    readonly_fields = fields
    ordering = ["-number"]
    show_change_link = True
    extra = 0


class MaterialInline(ReadOnly, admin.TabularInline):
    model = Material
    fields = [
        "position",
        "name",
        "kind",
        "form",
        "necessity",
        "source",
        "originals",
        "copies",
        "blank_form",
        "sample",
        "standard",
        "notes",
    ]
    readonly_fields = fields
    extra = 0


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["implementation_code", "name", "county", "active", "created_at"]
    list_filter = [("county", admin.RelatedOnlyFieldListFilter), "active"]
    search_fields = ["implementation_code", "current__name", "current__basic_code"]
    list_select_related = ["current", "county"]
    fields = ["county", "implementation_code", "current", "active", "created_at"]
    readonly_fields = fields
    inlines = [RevisionInline]
    show_full_result_count = False

    @admin.display(description=_("事项名称"), ordering="current__name")
    def name(self, item):
        return item.current.name if item.current_id else "—"


@admin.register(ItemRevision)
class ItemRevisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "number", "item", "basic_code", "department", "source", "created_at"]
    list_filter = ["source", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "basic_code", "item__implementation_code"]
    list_select_related = ["item__current", "department"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["item", "number", "note", "source", "created_at", "created_by"]}),
        (
            _("事项要素"),
            {
                "fields": [
                    "name",
                    "basic_code",
                    "version",
                    ("type_code", "type_name", "type_system"),
                    "department",
                    "domains",
                    ("at_county", "at_town", "at_village", "at_partner"),
                    ("legal_limit", "legal_limit_unit", "promised_limit", "promised_limit_unit"),
                    (
                        "mode_mobile",
                        "mode_online",
                        "mode_self_service",
                        "mode_on_site",
                        "mode_appointment",
                        "mode_home_visit",
                    ),
                    ("fee_charged", "fee_note"),
                    "guide",
                ]
            },
        ),
    ]
    inlines = [MaterialInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.get_fields() if f.concrete]
