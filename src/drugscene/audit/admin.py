from django.contrib import admin

from drugscene.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "organisation", "channel", "action", "object_type",
                    "object_id")
    list_filter = ("action", "object_type", "channel")
    search_fields = ("object_id", "user__username")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
