"""Admin of the scene register (writes audited like every other write)."""

from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.scenes.models import (
    Assessment,
    CandidateScene,
    CauseAnalysis,
    CauseFactor,
    PlaceLink,
    PlaceStatusChange,
)


@admin.register(PlaceStatusChange)
class PlaceStatusChangeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("place", "from_status", "status", "date", "organisation")
    list_filter = ("status", "place__city")
    search_fields = ("place__name",)
    raw_id_fields = ("place", "created_by")
    date_hierarchy = "date"


@admin.register(PlaceLink)
class PlaceLinkAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("from_place", "kind", "to_place", "date")
    list_filter = ("kind",)
    search_fields = ("from_place__name", "to_place__name")
    raw_id_fields = ("from_place", "to_place", "created_by")


@admin.register(Assessment)
class AssessmentAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("place", "date", "organisation", "scene_form")
    list_filter = ("scene_form", "place__city")
    search_fields = ("place__name",)
    raw_id_fields = ("place", "created_by")
    readonly_fields = ("facilities", "facilities_radius_m", "created_at")
    date_hierarchy = "date"


class CauseFactorInline(admin.TabularInline):
    model = CauseFactor
    extra = 0


@admin.register(CauseAnalysis)
class CauseAnalysisAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("place", "date", "organisation")
    list_filter = ("place__city",)
    search_fields = ("place__name",)
    raw_id_fields = ("place", "created_by")
    inlines = [CauseFactorInline]
    date_hierarchy = "date"


@admin.register(CandidateScene)
class CandidateSceneAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("cell", "city", "category_code", "trend_z", "reports", "status",
                    "analysed_at")
    list_filter = ("status", "category_code", "city")
    search_fields = ("cell", "place__name")
    raw_id_fields = ("place", "moved_from", "decided_by")
    readonly_fields = ("analysed_at", "period_end", "decided_at")
