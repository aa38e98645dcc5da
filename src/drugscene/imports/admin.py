"""Import runs in the admin: read-only (they are written by ``drugscene import reports``)."""

from django.contrib import admin

from drugscene.imports.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("id", "started_at", "file_name", "city", "source", "status",
                    "rows_imported", "rows_to_import", "rows_present", "rows_invalid")
    list_filter = ("city", "status")
    list_select_related = ("city", "source")
    search_fields = ("file_name", "sha256")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
