from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.places.models import Place


@admin.register(Place)
class PlaceAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "place_type", "area", "owner_kind", "status", "city")
    list_filter = ("city", "place_type", "owner_kind", "status")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at",)
