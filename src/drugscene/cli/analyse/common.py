"""Input shared by every ``drugscene analyse`` subcommand: points and a study area.

Points come from a file (``POINTS``: CSV or GeoJSON) or from the database (``--city SLUG
--as USER``, through the same visibility rules as the pages). The study area is ``--area
FILE.geojson``, else the city's boundary (database input), else the points' extent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from drugscene.analysis import area as study
from drugscene.analysis.points import Points, PointsError, parse_time, read_points


@dataclass(frozen=True, eq=False)
class Source:
    points: Points
    area: study.StudyArea
    metric_crs: str = "EPSG:3857"
    timezone: str = "UTC"


def add_source_arguments(parser) -> None:
    parser.add_argument("points", nargs="?", help="CSV (lon,lat,time[,category]) or GeoJSON")
    parser.add_argument("--city", help="read the reports of this city from the database")
    parser.add_argument("--as", dest="as_user", help="with --city: whose visibility applies")
    parser.add_argument("--area", help="study area polygon (GeoJSON file)")
    parser.add_argument("--category", help="only these categories (comma separated)")
    parser.add_argument("--since", help="only events from this ISO date/time")
    parser.add_argument("--until", help="only events before this ISO date/time")
    parser.add_argument("--crs", help="metric CRS for distances (default: the city's, else "
                                      "a UTM zone fitted to the points)")


def utm_for(lon: float, lat: float) -> str:
    zone = int((lon + 180) // 6) + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def load_source(options: dict) -> Source:
    if bool(options.get("points")) == bool(options.get("city")):
        raise PointsError("Give either a POINTS file or --city SLUG (with --as USER).")
    tz, crs, boundary = "UTC", None, None
    if options.get("city"):
        from drugscene.reports.analysis_source import city_points

        pts, boundary, crs, tz = city_points(options["city"], options.get("as_user"))
    else:
        pts = read_points(options["points"])
    pts = _filter(pts, options)
    if options.get("area"):
        area = study.from_file(options["area"])
    elif boundary is not None:
        area = study.from_geojson(boundary, "city boundary", options["city"])
    else:
        area = study.from_points(pts)
    crs = options.get("crs") or crs or utm_for(float(np.median(pts.lon)),
                                               float(np.median(pts.lat)))
    return Source(pts, area, crs, tz)


def _filter(pts: Points, options: dict) -> Points:
    mask = np.ones(len(pts), dtype=bool)
    if options.get("category"):
        if pts.category is None:
            raise PointsError("--category given but the points have no category column.")
        wanted = {c.strip() for c in options["category"].split(",") if c.strip()}
        mask &= np.isin(pts.category, list(wanted))
    for key, cmp in (("since", np.greater_equal), ("until", np.less)):
        if options.get(key):
            try:
                bound = parse_time(options[key])
            except ValueError:
                raise PointsError(f"--{key}: not an ISO 8601 date/time: {options[key]}") from None
            mask &= cmp(pts.t, bound)
    if not mask.any():
        raise PointsError("No points left after the filters.")
    return pts.subset(mask) if not mask.all() else pts


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(int(seconds), tz=__import__("datetime").UTC).isoformat()
