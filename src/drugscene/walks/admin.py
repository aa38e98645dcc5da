"""Admin of safety walks and findings (audited like every other write)."""

from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.walks.models import Finding, SafetyWalk


@admin.register(SafetyWalk)
class SafetyWalkAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("date", "area", "residents_count", "other_participants_count", "city")
    list_filter = ("city", "area")
    date_hierarchy = "date"
    filter_horizontal = ("organisations",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Finding)
class FindingAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("kind", "owner", "status", "due", "walk")
    list_filter = ("status", "kind", "owner", "walk__city")
    search_fields = ("note",)
    readonly_fields = ("created_at", "updated_at", "done_at")
