"""Django admin of the staff app: for superusers (the deployment's operators) only, like every
admin page (network/admin.py); everyone else works in the scoped pages. Autocomplete, never a
select of every user or point."""

from django.contrib import admin

from .models import (
    CoverageCorrection,
    Helper,
    TrainingAttendance,
    TrainingOrganiser,
    TrainingSession,
)


@admin.register(Helper)
class HelperAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "origin", "full_time", "started_on", "left_on", "work_phone"]
    list_filter = ["origin", "full_time"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "work_phone"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["domains"]
    list_select_related = ["user"]


class CoverageCorrectionInline(admin.TabularInline):
    model = CoverageCorrection
    extra = 0
    can_delete = False
    fields = ["point", "change", "note", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TrainingOrganiser)
class TrainingOrganiserAdmin(admin.ModelAdmin):
    """The points an organiser trains for follow the network and the county administrators'
    corrections (made on the organiser's page or through the API, which recompute them): they are
    not edited here, where a change would be overwritten by the next recomputation."""

    list_display = ["name", "kind", "county", "active", "name_follows"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "county__name", "county__code"]
    autocomplete_fields = ["county", "department", "town_centre", "organisation"]
    exclude = ["points"]
    readonly_fields = ["active"]
    list_select_related = ["county"]
    inlines = [CoverageCorrectionInline]


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0
    autocomplete_fields = ["helper"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["held_on", "topic", "organiser", "created_by"]
    list_filter = ["held_on"]
    search_fields = ["topic", "organiser__name"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["organiser", "created_by"]
    readonly_fields = ["created_at"]
    inlines = [TrainingAttendanceInline]
    list_select_related = ["organiser", "created_by"]
