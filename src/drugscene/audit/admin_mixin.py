"""Admin writes land in the same audit trail as every other write."""

from __future__ import annotations

from django.db import transaction

from drugscene.audit import services as audit


class AuditedAdmin:
    """Mixin for ModelAdmin: record create/update/delete with the changed fields."""

    def save_model(self, request, obj, form, change) -> None:
        before = {}
        if change and obj.pk:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = audit.snapshot(old) if old else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            after = audit.snapshot(obj)
            audit.record(action="update" if change else "create", obj=obj,
                         changes=audit.diff(before, after) if change else after,
                         user_id=request.user.pk, organisation_id=None, channel="admin")

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            audit.record(action="delete", obj=obj, changes=audit.snapshot(obj),
                         user_id=request.user.pk, organisation_id=None, channel="admin")
            super().delete_model(request, obj)  # type: ignore[misc]
