"""Reads of the audit trail for the audit page, limited to what the viewer may see.

* entries of the viewer's city only (the acting organisation belongs to the city);
  platform superusers see every entry;
* entries about reports the viewer may not see are left out entirely: the trail must
  not become a side door to another organisation's restricted reports.
"""

from __future__ import annotations

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.audit.models import AuditEntry
from drugscene.core.errors import PermissionDenied
from drugscene.reports.models import Report
from drugscene.reports.selectors import visible_reports

REPORT_TYPE = Report._meta.label_lower
HIDDEN_KEYS = frozenset({"reporter", "reporter_id", "password", "digest", "token", "prefix"})
NOISE_KEYS = frozenset({"id", "h3_cell", "city_id"})


def audit_entries(viewer: Viewer, city_id: int, *, object_type: str = "") -> QuerySet[AuditEntry]:
    if not viewer.can(Perm.VIEW_AUDIT, city_id):
        raise PermissionDenied(_("Only administrators see the audit trail."))
    qs = AuditEntry.objects.select_related("user", "organisation")
    if not viewer.is_superuser:
        seen = (
            visible_reports(viewer, city_id=city_id)
            .annotate(sid=Cast("pk", output_field=CharField()))
            .values("sid")
        )
        qs = qs.filter(organisation__city_id=city_id).filter(
            ~Q(object_type=REPORT_TYPE) | Q(object_id__in=seen)
        )
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs.order_by("-at", "-id")


def object_types(viewer: Viewer, city_id: int) -> list[str]:
    return sorted(
        set(audit_entries(viewer, city_id).order_by().values_list("object_type", flat=True))
    )


def compact_changes(changes: object, *, width: int = 60) -> list[tuple[str, str]]:
    """``(field, "before → after")`` or ``(field, value)`` rows for display.

    A snapshot (a created object) shows only the fields that hold something; a diff
    shows every changed field. Secrets and the reporter's identity are never shown.
    """
    if not isinstance(changes, dict):
        return [("", _short(changes, width))]
    rows = []
    for key, value in changes.items():
        if key in HIDDEN_KEYS:
            continue
        if isinstance(value, list) and len(value) == 2:
            text = f"{_short(value[0], width)} → {_short(value[1], width)}"
        elif key in NOISE_KEYS or value in (None, "", 0, False, [], {}):
            continue
        else:
            text = _short(value, width)
        rows.append((key, text))
    return rows


def _short(value: object, width: int) -> str:
    text = "∅" if value is None or value == "" else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
