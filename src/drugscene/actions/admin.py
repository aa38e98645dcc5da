"""Admin of actions and follow-ups (writes audited like every other write)."""

from django.contrib import admin

from drugscene.actions.models import Action, FollowUp
from drugscene.audit.admin_mixin import AuditedAdmin


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ("milestone", "due_date", "computed_at", "rate_ratio", "wdq", "came_back",
              "verdict")
    readonly_fields = ("computed_at", "rate_ratio", "wdq", "came_back", "verdict")


@admin.register(Action)
class ActionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "owner", "place", "area", "status", "start", "end")
    list_filter = ("status", "kind", "cpted_principle", "city")
    search_fields = ("title", "place__name")
    raw_id_fields = ("place", "created_by")
    filter_horizontal = ("causes",)
    inlines = [FollowUpInline]
    date_hierarchy = "start"


@admin.register(FollowUp)
class FollowUpAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("action", "milestone", "due_date", "computed_at", "wdq", "came_back")
    list_filter = ("milestone", "came_back")
    raw_id_fields = ("action",)
    date_hierarchy = "due_date"
