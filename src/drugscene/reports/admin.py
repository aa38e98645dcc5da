"""Admin for reference data. Reports themselves are read here but written via services."""

from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.reports.models import Category, Report


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("slug", "name", "parent", "drug_related", "tip_allowed", "public", "active",
                    "city")
    list_filter = ("city", "drug_related", "tip_allowed", "public", "active")
    search_fields = ("slug", "name")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: every change to a report must pass the services (scrubbing, audit)."""

    list_display = ("id", "occurred_from", "category", "source", "area", "review_status",
                    "visibility")
    list_filter = ("city", "review_status", "visibility", "channel")
    date_hierarchy = "occurred_from"
    list_select_related = ("category", "source", "area")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
