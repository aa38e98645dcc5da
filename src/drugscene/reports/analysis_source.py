"""Reports of a city as analysis points, with the visibility of a named user."""

from __future__ import annotations

import numpy as np

from drugscene.accounts.access import Perm, viewer_for
from drugscene.accounts.tokens import find_user
from drugscene.analysis.points import Points, PointsError
from drugscene.cities.models import City
from drugscene.reports.selectors import ReportFilter, filter_reports


def city_points(slug: str, username: str | None) -> tuple[Points, dict | None, str, str]:
    """``(points, boundary GeoJSON, metric CRS, time zone)`` of the reports ``username``
    may see in city ``slug``. A user is required: analysis never bypasses visibility."""
    if not username:
        raise PointsError("--city needs --as USER: the analysis sees what that user may see.")
    user = find_user(username)
    if user is None:
        raise PointsError(f"No user {username!r}.")
    viewer = viewer_for(user)
    city = City.objects.filter(slug=slug).first()
    if city is None or not (viewer.is_superuser or viewer.can(Perm.VIEW_REPORTS, city.pk)):
        raise PointsError(f"No city {slug!r} for {username}.")
    qs = filter_reports(viewer, ReportFilter(city_id=city.pk)).exclude(
        review_status__in=["rejected", "duplicate"]).order_by()
    rows = list(qs.values_list("lon", "lat", "occurred_from", "category__slug"))
    if not rows:
        raise PointsError(f"{username} sees no reports in {slug}.")
    lon, lat, when, cat = zip(*rows, strict=True)
    t = np.fromiter((w.timestamp() for w in when), dtype=np.float64, count=len(when))
    pts = Points(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64),
                 t.astype(np.int64), np.asarray(cat, dtype=object),
                 f"city {slug} as {username}")
    return pts, city.boundary, city.metric_crs, city.timezone
