"""Exports of reports, places, actions and hot spots as GeoPackage, GeoJSON or CSV.

One entry point, :func:`export`, for the command line, the API and the pages. Reports use
the writers of ``reports.export``; the other kinds are small tables written here with the
same GeoPackage writer. Every read goes through ``ogc.selectors`` (the visibility rules).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import IO

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.cities.models import City
from drugscene.core.errors import ValidationFailed
from drugscene.ogc import features as F
from drugscene.ogc import selectors as sel
from drugscene.reports import export as report_export
from drugscene.reports.params import filter_from_params
from drugscene.reports.selectors import filter_reports

KINDS = ("reports", "places", "actions", "hotspots")
FORMATS = ("csv", "geojson", "gpkg")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
                 "gpkg": "application/geopackage+sqlite3"}
REPORT_FILTERS = ("from", "to", "bbox", "category", "source", "district", "place", "review")
CHUNK = 2000


def report_queryset(viewer: Viewer, city: City, params: Mapping[str, str]):
    """Reports of a city the viewer may see, with the shared report filters; keyless: the
    public reports (generalised by the transform that :func:`report_transform` gives)."""
    given = {k: v for k, v in params.items() if k in REPORT_FILTERS and v}
    if viewer.is_anonymous:
        if given:
            raise ValidationFailed(_("Filters need a user's visibility."),
                                   field=sorted(given)[0])
        return sel.keyless_reports(city.pk)
    return filter_reports(viewer, filter_from_params(city, given))


def report_transform(viewer: Viewer, city: City):
    return F.generaliser(city) if viewer.is_anonymous else None


def _table(kind: str, viewer: Viewer, city: City
           ) -> tuple[tuple[tuple[str, str], ...], Iterator[tuple[dict, dict]], str]:
    """``(schema, iterator of (row, geometry), geometry type)`` of a non-report kind."""
    if kind == "places":
        qs = sel.places_for(viewer, city.pk).order_by("id")
        rows = (F.place_row(p) for p in qs.iterator(chunk_size=CHUNK))
        return F.PLACE_SCHEMA, ((r, _point(r)) for r in rows), "Point"
    if kind == "actions":
        qs = F.action_queryset(sel.actions_for(viewer, city.pk)).order_by("id")
        rows = (F.action_row(a) for a in qs.iterator(chunk_size=CHUNK))
        return F.ACTION_SCHEMA, ((r, _point(r)) for r in rows), "Point"
    if kind == "hotspots":
        spots = sel.latest_hotspots(viewer, city)
        return (F.HOTSPOT_SCHEMA,
                ((r, {"type": "Polygon", "coordinates": [ring]})
                 for r, ring in F.hotspot_rows(spots)),
                "Polygon")
    raise ValidationFailed(_("Unknown export: %(kind)s") % {"kind": kind}, field="kind")


def _point(row: dict) -> dict:
    return {"type": "Point", "coordinates": [row["lon"], row["lat"]]}


def _feature(kind: str, row: dict, geometry: dict) -> dict:
    ident = row["cell"] if kind == "hotspots" else row["id"]
    skip = {"id", "lon", "lat"} if kind != "hotspots" else set()
    props = {k: v for k, v in row.items() if k not in skip}
    return {"type": "Feature", "id": ident, "geometry": geometry, "properties": props}


def _batched(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _wkb(geometries: list[dict]) -> list[bytes]:
    import shapely
    from shapely.geometry import shape

    return list(shapely.to_wkb([shape(g) for g in geometries]))


def write_table(kind: str, viewer: Viewer, city: City, fmt: str, target) -> int:
    schema, rows, geometry_type = _table(kind, viewer, city)
    names = [name for name, _ in schema]
    if fmt == "csv":
        writer = csv.DictWriter(target, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        n = 0
        for row, _geom in rows:
            writer.writerow(row)
            n += 1
        return n
    if fmt == "geojson":
        target.write('{"type": "FeatureCollection", "features": [\n')
        n = 0
        for row, geom in rows:
            target.write((",\n" if n else "") + json.dumps(
                _feature(kind, row, geom), cls=DjangoJSONEncoder, ensure_ascii=False))
            n += 1
        target.write("\n]}\n")
        return n
    chunks = (([r for r, _g in batch], _wkb([g for _r, g in batch]))
              for batch in _batched(rows, report_export.GPKG_CHUNK))
    return report_export.write_gpkg_chunks(target, kind, schema, chunks,
                                           geometry_type=geometry_type)


def export(kind: str, viewer: Viewer, city: City, fmt: str, target: IO[str] | str,
           params: Mapping[str, str] | None = None) -> int:
    """Write ``kind`` as ``fmt`` to ``target`` (a text stream for csv/geojson, a file path
    for gpkg); returns the number of features written."""
    if fmt not in FORMATS:
        raise ValidationFailed(_("format must be csv, geojson or gpkg."), field="format")
    if kind == "reports":
        qs = report_queryset(viewer, city, params or {})
        transform = report_transform(viewer, city)
        if fmt == "gpkg":
            return report_export.write_gpkg(qs, target, transform)
        return report_export.WRITERS[fmt](qs, target, transform)
    if kind not in KINDS:
        raise ValidationFailed(_("Unknown export: %(kind)s") % {"kind": kind}, field="kind")
    return write_table(kind, viewer, city, fmt, target)
