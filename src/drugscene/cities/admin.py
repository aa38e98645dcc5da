from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.cities.models import Area, City


class AreaInline(admin.TabularInline):
    model = Area
    fields = ("slug", "name", "police_class")
    extra = 0
    show_change_link = True


@admin.register(City)
class CityAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "population")
    search_fields = ("name", "slug")
    inlines = [AreaInline]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        from drugscene.reports.services import ensure_default_categories

        ensure_default_categories(obj)


@admin.register(Area)
class AreaAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "city", "police_class")
    list_filter = ("city", "police_class")
    search_fields = ("name", "slug")
