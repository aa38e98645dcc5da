"""GeoJSON geometry helpers built on shapely (no GDAL needed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape

LON_RANGE = (-180.0, 180.0)
LAT_RANGE = (-90.0, 90.0)


def geojson_bounds(geometry: dict) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` of a GeoJSON geometry."""
    return tuple(float(v) for v in shape(geometry).bounds)  # type: ignore[return-value]


def polygon_geojson(ring: Sequence[tuple[float, float]]) -> dict:
    """A GeoJSON Polygon from one closed or open lon/lat ring."""
    coords = [[float(x), float(y)] for x, y in ring]
    if coords[0] != coords[-1]:
        coords.append(coords[0])
    return {"type": "Polygon", "coordinates": [coords]}


def valid_lon_lat(lon: float, lat: float) -> bool:
    return (
        np.isfinite(lon) and np.isfinite(lat)
        and LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]
    )


@dataclass(frozen=True)
class AreaIndex:
    """Point-in-polygon lookup for many points at once (vectorised with shapely 2)."""

    keys: tuple[object, ...]
    geometries: tuple[shapely.Geometry, ...]

    @classmethod
    def from_geojson(cls, items: Sequence[tuple[object, dict]]) -> AreaIndex:
        keys = tuple(k for k, _ in items)
        geoms = tuple(shape(g) for _, g in items)
        for g in geoms:
            shapely.prepare(g)
        return cls(keys, geoms)

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> list[object | None]:
        """The key of the first area that contains each point, or ``None``."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        found = np.full(lon.shape, -1, dtype=np.int64)
        for i, geom in enumerate(self.geometries):
            inside = (found < 0) & shapely.contains_xy(geom, lon, lat)
            found[inside] = i
        return [self.keys[int(i)] if i >= 0 else None for i in found]

    def lookup_one(self, lon: float, lat: float) -> object | None:
        return self.lookup(np.array([lon]), np.array([lat]))[0]
