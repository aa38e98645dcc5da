"""Admin of notifications and webhooks. Webhook changes are audited like every admin
write, with the signing secret masked in the audit trail."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from drugscene.audit import services as audit
from drugscene.audit.admin_mixin import AuditedAdmin
from drugscene.notifications.models import (
    WEBHOOK_KINDS,
    AreaSubscription,
    EventKind,
    Notification,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _masked(values: dict) -> dict:
    return {k: ("(secret)" if k == "secret" else v) for k, v in values.items()}


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("event kinds"), widget=forms.CheckboxSelectMultiple,
        choices=[(k, EventKind(k).label) for k in WEBHOOK_KINDS])

    class Meta:
        model = Webhook
        fields = ("organisation", "name", "url", "kinds", "active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("The URL must start with https:// or http://."))
        return url


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    max_num = 0
    fields = ("created_at", "kind", "object_type", "object_id", "status", "attempts",
              "last_status_code", "last_error", "next_attempt_at", "delivered_at")
    readonly_fields = fields
    ordering = ("-id",)
    show_change_link = True


@admin.register(Webhook)
class WebhookAdmin(AuditedAdmin, admin.ModelAdmin):
    form = WebhookForm
    list_display = ("__str__", "organisation", "active", "failure_count", "disabled_reason")
    list_filter = ("active", "organisation__city")
    readonly_fields = ("secret", "failure_count", "disabled_at", "disabled_reason",
                       "created_at", "updated_at")
    inlines = [DeliveryInline]
    actions = ["enable", "roll_secret"]

    def save_model(self, request, obj, form, change) -> None:
        if not obj.secret:
            obj.secret = new_secret()
        if change and obj.active and "active" in form.changed_data:
            obj.failure_count, obj.disabled_at, obj.disabled_reason = 0, None, ""
        before = {}
        if change and obj.pk:
            old = Webhook.objects.filter(pk=obj.pk).first()
            before = _masked(audit.snapshot(old)) if old else {}
        with transaction.atomic():
            admin.ModelAdmin.save_model(self, request, obj, form, change)
            after = _masked(audit.snapshot(obj))
            audit.record(action="update" if change else "create", obj=obj,
                         changes=audit.diff(before, after) if change else after,
                         user_id=request.user.pk, organisation_id=obj.organisation_id,
                         channel="admin")

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            audit.record(action="delete", obj=obj, changes=_masked(audit.snapshot(obj)),
                         user_id=request.user.pk, organisation_id=obj.organisation_id,
                         channel="admin")
            admin.ModelAdmin.delete_model(self, request, obj)

    @admin.action(description=_("Enable again (and reset the failure count)"))
    def enable(self, request, queryset) -> None:
        with transaction.atomic():
            for hook in queryset:
                Webhook.objects.filter(pk=hook.pk).update(
                    active=True, failure_count=0, disabled_at=None, disabled_reason="",
                    updated_at=timezone.now())
                audit.record(action="webhook_enabled", obj=hook, changes={"active": True},
                             user_id=request.user.pk, organisation_id=hook.organisation_id,
                             channel="admin")

    @admin.action(description=_("Make a new signing secret"))
    def roll_secret(self, request, queryset) -> None:
        with transaction.atomic():
            for hook in queryset:
                Webhook.objects.filter(pk=hook.pk).update(secret=new_secret(),
                                                          updated_at=timezone.now())
                audit.record(action="webhook_secret", obj=hook, changes={"secret": "(new)"},
                             user_id=request.user.pk, organisation_id=hook.organisation_id,
                             channel="admin")
        messages.success(request, _("New secrets made: give them to the partners."))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "webhook", "kind", "object_type", "object_id", "status",
                    "attempts", "last_status_code", "last_error")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "city", "kind", "object_type", "object_id",
                    "in_app", "read_at", "email_status", "email_attempts", "email_error")
    list_filter = ("kind", "email_status", "city")
    search_fields = ("user__username",)
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("user", "city", "language", *EventKind.values)
    list_filter = ("city",)
    search_fields = ("user__username",)


@admin.register(AreaSubscription)
class AreaSubscriptionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("user", "city", "area", "place", "radius_m")
    list_filter = ("city",)
    search_fields = ("user__username",)
