"""Reads behind the OGC API and the exports: reports, places, actions and hot spots of a
city, always through the visibility selectors of their apps.

Who sees what
-------------
* A signed-in partner (session or ``Authorization: Bearer <token>``) sees exactly what
  ``reports.selectors.visible_reports``, ``places.selectors.visible_places`` and
  ``actions.selectors.visible_actions`` give them, with exact points and times.
* A keyless caller sees only reports with visibility *public* in a category marked
  ``Category.public`` — and those **generalised**: the point is moved to the centre of a
  0.002° × 0.004° grid cell (about 220 m × 230 m at 59° N), the time is cut to the day
  (in the city's time zone), and free text, the source organisation and the place link are
  left out. ``bbox`` and ``datetime`` filters act on the generalised values, so a keyless
  caller cannot narrow a filter down to recover an exact point or time. Places and actions
  are not shown to keyless callers at all.
* Hot spots (Getis–Ord Gi*) are computed from the reports the caller may see, so a police
  officer's hot spots may hold police-restricted reports and the public's are computed
  from the public reports only.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from drugscene.accounts.access import Perm, Viewer
from drugscene.actions.models import Action
from drugscene.actions.selectors import visible_actions
from drugscene.cities.models import City
from drugscene.cities.selectors import cities_for
from drugscene.places.models import Place
from drugscene.places.selectors import visible_places
from drugscene.reports.models import Report
from drugscene.reports.selectors import public_reports, visible_reports

#: the generalisation grid of keyless report points, in degrees
GRID_LAT = 0.002
GRID_LON = 0.004

#: hot spots: drug-related reports of the last HOTSPOT_WEEKS weeks, H3 resolution, rings
HOTSPOT_WEEKS = 4
HOTSPOT_RESOLUTION = 9
HOTSPOT_RINGS = 1

KINDS = ("reports", "places", "actions", "hotspots")


def keyless_reports(city_id: int) -> QuerySet[Report]:
    """What a caller without a key may see (the one public rule of the reports app)."""
    return public_reports(city_id)


def reports_for(viewer: Viewer, city_id: int) -> QuerySet[Report]:
    if viewer.is_anonymous:
        return keyless_reports(city_id)
    return visible_reports(viewer, city_id=city_id)


def places_for(viewer: Viewer, city_id: int) -> QuerySet[Place]:
    return visible_places(viewer, city_id=city_id)


def actions_for(viewer: Viewer, city_id: int) -> QuerySet[Action]:
    return visible_actions(viewer, city_id=city_id)


def cities_of(viewer: Viewer) -> QuerySet[City]:
    """Cities whose collections the viewer gets: their own, or every city for keyless."""
    if viewer.is_anonymous:
        return City.objects.order_by("slug")
    return cities_for(viewer).order_by("slug")


def kinds_for(viewer: Viewer, city: City) -> tuple[str, ...]:
    if viewer.is_anonymous:
        return ("reports", "hotspots")
    if not viewer.is_superuser and city.pk not in viewer.cities_where(Perm.VIEW_REPORTS):
        return ("places", "actions")
    return KINDS


# --- generalisation of keyless reports ------------------------------------------------------


def snap(value: float, step: float) -> float:
    """Centre of the grid cell of ``value`` (cells ``[k*step, (k+1)*step)``)."""
    return (math.floor(value / step) + 0.5) * step


def snap_range(lo: float, hi: float, step: float) -> tuple[float, float]:
    """Raw values whose snapped value lies in ``[lo, hi]``: ``[a, b)``."""
    k_lo = math.ceil(lo / step - 0.5)
    k_hi = math.floor(hi / step - 0.5)
    return k_lo * step, (k_hi + 1) * step


def keyless_bbox_q(w: float, s: float, e: float, n: float) -> Q:
    x0, x1 = snap_range(w, e, GRID_LON)
    y0, y1 = snap_range(s, n, GRID_LAT)
    return Q(lon__gte=x0, lon__lt=x1, lat__gte=y0, lat__lt=y1)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min).replace(tzinfo=tz)
    return start, start + timedelta(days=1)


# --- hot spots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HotSpotCell:
    cell: str
    count: int
    z: float
    p: float
    p_fdr: float
    bin: int
    ring: list[list[float]]


@dataclass(frozen=True)
class HotSpots:
    city_id: int
    window_start: datetime
    window_end: datetime
    n_reports: int
    cells: tuple[HotSpotCell, ...]
    note: str


def _viewer_key(viewer: Viewer) -> str:
    if viewer.is_superuser:
        return "su"
    if viewer.is_anonymous:
        return "anon"
    raw = repr((sorted(viewer.organisation_ids), sorted(viewer.cities_where(Perm.VIEW_REPORTS))))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def latest_hotspots(viewer: Viewer, city: City, *, now: datetime | None = None) -> HotSpots:
    """Gi* hot and cold spots of the drug-related reports the viewer may see over the last
    four weeks (H3 resolution 9, one ring, Benjamini–Hochberg corrected bins), as the
    situational picture computes them. Cells with a report or a significant bin are kept.

    Cached per viewer's visibility, city and day, and recomputed when reports change.
    """
    now = now or timezone.now()
    end = now
    start = end - timedelta(weeks=HOTSPOT_WEEKS)
    qs = (reports_for(viewer, city.pk)
          .exclude(review_status__in=["rejected", "duplicate"])
          .filter(category__drug_related=True, occurred_from__gte=start,
                  occurred_from__lt=end))
    stamp = qs.order_by().aggregate(n=Count("id"), last=Max("id"))
    key = (f"ogc-hotspots:{city.pk}:{_viewer_key(viewer)}:{end.date().isoformat()}:"
           f"{stamp['n']}:{stamp['last']}")
    found = cache.get(key)
    if found is not None:
        return found
    result = _compute_hotspots(city, qs, start, end, stamp["n"])
    cache.set(key, result, 6 * 3600)
    return result


def _compute_hotspots(city: City, qs: QuerySet[Report], start: datetime, end: datetime,
                      n: int) -> HotSpots:
    from drugscene.analysis import area as study
    from drugscene.analysis.errors import AnalysisError
    from drugscene.analysis.gistar import gi_star
    from drugscene.analysis.grid import h3_grid
    from drugscene.analysis.neighbours import h3_rings
    from drugscene.analysis.points import Points

    def empty(note: str) -> HotSpots:
        return HotSpots(city.pk, start, end, n, (), note)

    if not city.boundary:
        return empty("no city boundary: hot spots need a study area")
    if n < 5:
        return empty("too few drug-related reports in the last four weeks")
    rows = np.array(list(qs.order_by().values_list("lon", "lat")), dtype=float)
    pts = Points(rows[:, 0], rows[:, 1], np.zeros(len(rows), dtype=np.int64))
    region = study.from_geojson(city.boundary, "city boundary")
    try:
        grid = h3_grid(region, HOTSPOT_RESOLUTION, pts)
        counts = grid.counts(pts)
        gi = gi_star(counts.astype(float),
                     h3_rings(grid.cells, HOTSPOT_RINGS, centres=grid.centroids()))
    except AnalysisError as exc:
        return empty(str(exc))
    keep = np.flatnonzero((gi.bin != 0) | (counts > 0))
    ids = grid.cell_ids()
    rings = grid.cell_polygons_lonlat()
    cells = tuple(
        HotSpotCell(ids[i], int(counts[i]), float(gi.z[i]), float(gi.p[i]),
                    float(gi.p_fdr[i]), int(gi.bin[i]),
                    [[round(x, 7), round(y, 7)] for x, y in rings[i]])
        for i in keep.tolist()
    )
    return HotSpots(city.pk, start, end, n, cells,
                    "Getis-Ord Gi*, H3 resolution 9, one ring, Benjamini-Hochberg bins")
