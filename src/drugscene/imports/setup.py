"""Create a city and the organisations to import into (``drugscene city ...``).

A city made here has the default category tree, an optional boundary (a GeoJSON file, the
outline of a set of points, or a bounding box) and no districts. Each write is audited.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils.text import slugify

from drugscene.accounts.models import Organisation, OrganisationKind
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.geo.shapes import polygon_geojson
from drugscene.indicators.services import ensure_default_indicators
from drugscene.reports.services import ensure_default_categories

#: around a boundary drawn from points, so that points on the outline lie inside
POINTS_MARGIN_DEG = 0.01


class SetupError(ValueError):
    pass


def boundary_from_geojson(path: str | Path) -> dict:
    """The (multi)polygon of a GeoJSON file: a geometry, a Feature or a FeatureCollection
    (its polygons are merged)."""
    import shapely
    from shapely.geometry import mapping, shape

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SetupError(f"{path}: cannot read GeoJSON ({exc})") from None
    if data.get("type") == "FeatureCollection":
        geoms = [f.get("geometry") for f in data.get("features", [])]
    elif data.get("type") == "Feature":
        geoms = [data.get("geometry")]
    else:
        geoms = [data]
    shapes = [shape(g) for g in geoms if g]
    polys = [s for s in shapes if s.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        raise SetupError(f"{path}: no polygon in the file")
    union = shapely.union_all(polys)
    if union.is_empty:
        raise SetupError(f"{path}: the polygon is empty")
    return mapping(union)


def boundary_from_points(lon: np.ndarray, lat: np.ndarray) -> dict:
    """The convex hull of the points, widened by :data:`POINTS_MARGIN_DEG`."""
    import shapely
    from shapely.geometry import mapping

    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if ok.sum() < 3:
        raise SetupError("need at least three points with coordinates")
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([lon[ok], lat[ok]])))
    return mapping(hull.buffer(POINTS_MARGIN_DEG, quad_segs=2))


def boundary_from_bbox(bbox: str) -> dict:
    try:
        w, s, e, n = (float(v) for v in bbox.split(","))
    except ValueError:
        raise SetupError("--bbox: give min_lon,min_lat,max_lon,max_lat") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise SetupError("--bbox: min_lon,min_lat,max_lon,max_lat with min < max")
    return polygon_geojson([(w, s), (e, s), (e, n), (w, n)])


def create_city(*, slug: str, name: str, crs: str, timezone: str, language: str,
                boundary: dict | None, population: int | None = None, user_id=None) -> City:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from pyproj import CRS
    from shapely.geometry import shape

    if slug != slugify(slug):
        raise SetupError(f"--slug: use lower-case letters, digits and hyphens ({slugify(slug)!r})")
    if City.objects.filter(slug=slug).exists():
        raise SetupError(f"a city {slug!r} exists already")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SetupError(f"--timezone: unknown time zone {timezone!r}") from None
    try:
        if not CRS.from_user_input(crs).is_projected:
            raise SetupError(f"--crs: {crs} is not a metric (projected) system")
    except SetupError:
        raise
    except Exception:  # noqa: BLE001  pyproj's CRSError
        raise SetupError(f"--crs: unknown coordinate reference system {crs!r}") from None
    if boundary:
        c = shape(boundary).centroid
        centre = (round(c.x, 6), round(c.y, 6))
    else:
        centre = (0.0, 0.0)
    with transaction.atomic():
        city = City.objects.create(slug=slug, name=name, metric_crs=crs, timezone=timezone,
                                   default_language=language, population=population,
                                   centre_lon=centre[0], centre_lat=centre[1],
                                   boundary=boundary)
        ensure_default_categories(city)
        ensure_default_indicators(city)
        audit.record(action="create", obj=city, user_id=user_id, organisation_id=None,
                     channel="cli", changes={k: v for k, v in audit.snapshot(city).items()
                                             if k != "boundary"})
    return city


def add_organisation(city: City, *, name: str, kind: str, slug: str | None = None,
                     user_id=None) -> Organisation:
    if kind not in OrganisationKind.values:
        raise SetupError(f"--kind: one of {', '.join(OrganisationKind.values)}")
    slug = slug or slugify(name)[:50]
    if not slug:
        raise SetupError("--slug: give a slug (the name has no letters to make one from)")
    if Organisation.objects.filter(city=city, slug=slug).exists():
        raise SetupError(f"{city.slug} has an organisation {slug!r} already")
    with transaction.atomic():
        org = Organisation.objects.create(city=city, slug=slug, name=name, kind=kind)
        audit.record(action="create", obj=org, user_id=user_id, organisation_id=org.pk,
                     channel="cli", changes=audit.snapshot(org))
    return org
