from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.public.models import CityProfile


@admin.register(CityProfile)
class CityProfileAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "slug", "version", "imported_at")
    readonly_fields = ("data", "version", "imported_at")
    search_fields = ("name", "slug")
