"""The study area of an analysis: a city boundary, a given polygon, or the points' extent.

Cells with zero events count only inside the study area, so every output says which one
was used (``StudyArea.kind``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape

from drugscene.analysis.points import Points, PointsError


@dataclass(frozen=True, eq=False)
class StudyArea:
    kind: str                  # "city boundary", "polygon", "points' extent"
    geometry: shapely.Geometry  # WGS84 lon/lat polygon or multipolygon
    label: str = ""

    def describe(self) -> str:
        return f"{self.kind}{f' ({self.label})' if self.label else ''}"

    def geojson(self) -> dict:
        return dict(mapping(self.geometry))

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return shapely.contains_xy(self.geometry, lon, lat) | shapely.intersects_xy(
            self.geometry.boundary, lon, lat)


def from_geojson(geometry: dict, kind: str = "polygon", label: str = "") -> StudyArea:
    geom = shape(geometry)
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise PointsError("The study area must be a Polygon or MultiPolygon.")
    shapely.prepare(geom)
    return StudyArea(kind, geom, label)


def from_file(path: str | Path) -> StudyArea:
    """A polygon from a GeoJSON file (a geometry, a Feature or a FeatureCollection)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PointsError(f"Cannot read the area file {p}: {exc}") from None
    if data.get("type") == "FeatureCollection":
        geoms = [shape(f["geometry"]) for f in data.get("features", []) if f.get("geometry")]
        if not geoms:
            raise PointsError(f"{p} holds no geometry.")
        return from_geojson(dict(mapping(shapely.union_all(geoms))), "polygon", str(p))
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    return from_geojson(data, "polygon", str(p))


def from_points(points: Points, pad_m: float = 100.0) -> StudyArea:
    """The bounding box of the points, padded by ``pad_m`` metres on every side."""
    lat0 = float(np.mean(points.lat))
    dlat = pad_m / 111_320.0
    dlon = pad_m / (111_320.0 * max(np.cos(np.radians(lat0)), 1e-6))
    geom = box(points.lon.min() - dlon, points.lat.min() - dlat,
               points.lon.max() + dlon, points.lat.max() + dlat)
    shapely.prepare(geom)
    return StudyArea("points' extent", geom)
