"""The calendar in Django admin, read-only: corrections go through the actions (the calendar page or
the API), which keep the cached calendar of every worker up to date."""

from django.contrib import admin

from .models import CalendarDay, CalendarYear


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnly):
    list_display = ["year", "published", "source", "updated_at", "updated_by"]
    list_filter = ["published", "source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnly):
    list_display = ["day", "is_workday", "kind", "name"]
    list_filter = ["kind", "is_workday"]
    date_hierarchy = "day"
    search_fields = ["name"]
