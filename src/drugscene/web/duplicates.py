"""Hints for the review queue: other visible reports that may describe the same event."""

from __future__ import annotations

import math
from datetime import timedelta

from django.db.models import QuerySet

from drugscene.accounts.access import Viewer
from drugscene.reports.models import Report
from drugscene.reports.selectors import ReportFilter, filter_reports

RADIUS_M = 50
WINDOW = timedelta(minutes=30)
_M_PER_DEG_LAT = 111_320.0


def possible_duplicates(viewer: Viewer, report: Report, *, limit: int = 5) -> QuerySet[Report]:
    """Reports of the same category within ~50 m and 30 minutes, that the viewer may see.

    The box is ±50 m (about ±0.00045° of latitude; longitude widened by 1/cos(lat)), the
    time window ±30 minutes around the start. Visibility comes from ``filter_reports``.
    """
    dlat = RADIUS_M / _M_PER_DEG_LAT
    dlon = dlat / max(math.cos(math.radians(report.lat)), 0.01)
    flt = ReportFilter(
        city_id=report.city_id,
        start=report.occurred_from - WINDOW,
        end=report.occurred_from + WINDOW,
        bbox=(report.lon - dlon, report.lat - dlat, report.lon + dlon, report.lat + dlat),
    )
    return (
        filter_reports(viewer, flt)
        .filter(category_id=report.category_id)
        .exclude(pk=report.pk)
        .select_related("category", "source")
        .order_by("occurred_from", "id")[:limit]
    )
