"""Admin of indicators and measurements (audited like every other write). A city adjusts
its catalogue here: unit, source, caveat, frequency, level, breakdowns, active."""

from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.indicators.models import Indicator, Measurement


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("slug", "name", "unit", "frequency", "level", "computed", "active", "city")
    list_filter = ("city", "computed", "level", "frequency", "active")
    search_fields = ("slug", "name", "source")


@admin.register(Measurement)
class MeasurementAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("indicator", "period_start", "period_end", "area", "gender", "age_band",
                    "value", "below_lod", "lod")
    list_filter = ("indicator__city", "indicator", "below_lod")
    readonly_fields = ("created_at", "created_by")
