"""Distances between places in metres (no Django here: an analyst can use it on a CSV).

A place is its outline when it has one, else its point. Distances are measured between
the shapes (edge to edge; zero when they touch or overlap) in the city's metric CRS
(e.g. SWEREF99 TM, EPSG:3006), which is accurate to well under a metre at these scales.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import shapely
from pyproj import Transformer
from shapely.geometry import Point, shape


@dataclass(frozen=True)
class Site:
    """Anything with a position and optionally an outline (GeoJSON, WGS84 lon/lat)."""

    key: object
    lon: float
    lat: float
    geometry: dict | None = None


@lru_cache(maxsize=16)
def _to_metric(crs: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def metric_shape(site: Site, crs: str) -> shapely.Geometry:
    """The site's outline (or point) projected to ``crs``."""
    fwd = _to_metric(crs).transform
    if site.geometry:
        try:
            geom = shape(site.geometry)
            if geom.is_valid and not geom.is_empty:
                return shapely.transform(geom, fwd, interleaved=False)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            pass
    x, y = fwd(site.lon, site.lat)
    return Point(x, y)


def within(target: Site, candidates: Sequence[Site], radius_m: float,
           crs: str) -> list[tuple[object, float]]:
    """``(key, distance_m)`` of the candidates within ``radius_m`` of ``target``,
    nearest first; the target itself (same key) is left out."""
    if not candidates:
        return []
    origin = metric_shape(target, crs)
    shapes = [metric_shape(c, crs) for c in candidates]
    distances = shapely.distance(origin, shapes)
    found = [
        (c.key, float(d)) for c, d in zip(candidates, distances, strict=True)
        if c.key != target.key and d <= radius_m
    ]
    found.sort(key=lambda kd: (kd[1], str(kd[0])))
    return found
