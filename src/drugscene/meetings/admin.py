"""Admin of the weekly meetings (audited like every other write)."""

from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.meetings.models import Decision, Meeting, Priority


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("iso_week", "date", "chair", "city")
    list_filter = ("city",)
    search_fields = ("iso_week", "notes")
    filter_horizontal = ("attendees",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Decision)
class DecisionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("text", "meeting", "owner", "due", "done")
    list_filter = ("done", "meeting__city")
    search_fields = ("text",)


@admin.register(Priority)
class PriorityAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("for_week", "organisation", "place", "area", "h3_cell", "what")
    list_filter = ("for_week", "meeting__city")
    search_fields = ("what", "h3_cell")
