"""Admin of agreements and commitments (audited like every other write)."""

from django.contrib import admin

from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.promises.models import Agreement, Commitment


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "period_start", "period_end", "city")
    list_filter = ("city", "kind")
    search_fields = ("title", "summary")
    filter_horizontal = ("parties",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Commitment)
class CommitmentAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("text", "agreement", "party", "status")
    list_filter = ("status", "agreement__city")
    search_fields = ("text", "evidence")
    filter_horizontal = ("actions",)
    readonly_fields = ("created_at", "updated_at")
