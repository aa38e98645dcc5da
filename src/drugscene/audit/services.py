"""Write an audit entry in the same transaction as the change it records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import models

from drugscene.audit.models import AuditEntry


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, object]:
    """Concrete field values of ``obj`` (foreign keys as ids) for the change record."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    *,
    action: str,
    obj: models.Model,
    changes: dict,
    user_id: int | None,
    organisation_id: int | None,
    channel: str = "web",
) -> AuditEntry:
    return AuditEntry.objects.create(
        user_id=user_id,
        organisation_id=organisation_id,
        channel=channel,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes,
    )
