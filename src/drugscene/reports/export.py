"""Write the reports a viewer may see as CSV, GeoJSON or GeoPackage (in chunks, so memory
stays flat on a million rows).

Every writer takes a queryset that already went through the visibility selectors and an
optional ``transform`` applied to each report dict (the OGC app uses it to generalise the
reports a keyless caller may see). The GeoPackage writer is generic
(:func:`write_gpkg_chunks`) so places, actions and hot spots use it too.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import IO

import numpy as np
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils.translation import gettext

from drugscene.api.serialise import feature_collection
from drugscene.reports.models import Category, Report

CSV_COLUMNS = (
    "id", "occurred_from", "occurred_to", "reported_at", "lon", "lat", "accuracy_m",
    "category", "source", "source_kind", "channel", "place", "place_name", "district",
    "setting", "persons", "age_under_15", "age_15_17", "age_18_25", "age_26_plus",
    "gender_female", "gender_male", "gender_unknown", "visibility", "review_status", "text",
)
CHUNK = 2000
#: rows per GeoPackage append: one transaction each, a few MB of arrays
GPKG_CHUNK = 20000

#: field types of the GeoPackage layer of reports (``CSV_COLUMNS`` plus the labels)
REPORT_SCHEMA: tuple[tuple[str, str], ...] = (
    ("id", "int"), ("occurred_from", "datetime"), ("occurred_to", "datetime"),
    ("reported_at", "datetime"), ("lon", "float"), ("lat", "float"), ("accuracy_m", "int"),
    ("category", "str"), ("category_name", "str"), ("source", "str"), ("source_name", "str"),
    ("source_kind", "str"), ("channel", "str"), ("place", "int"), ("place_name", "str"),
    ("district", "str"), ("setting", "str"), ("persons", "int"), ("age_under_15", "int"),
    ("age_15_17", "int"), ("age_18_25", "int"), ("age_26_plus", "int"),
    ("gender_female", "int"), ("gender_male", "int"), ("gender_unknown", "int"),
    ("visibility", "str"), ("review_status", "str"), ("text", "str"),
)

Transform = Callable[[dict], dict] | None


#: the columns read for an export, in the order of :func:`_dict_of`
VALUE_FIELDS = (
    "id", "city__slug", "occurred_from", "occurred_to", "reported_at", "lon", "lat",
    "accuracy_m", "category_id", "source__slug", "source__name", "source__kind", "channel",
    "place_id", "place__name", "area__slug", "setting", "persons", "age_under_15",
    "age_15_17", "age_18_25", "age_26_plus", "gender_female", "gender_male", "gender_unknown",
    "text", "scrubbed", "visibility", "review_status", "reviewed_at", "duplicate_of_id",
)


class _Categories:
    """Slug and label of categories by id, fetched once per export."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[str, str]] = {}

    def __call__(self, ids: set[int]) -> dict[int, tuple[str, str]]:
        missing = ids - self.known.keys()
        if missing:
            for cid, slug, name in Category.objects.filter(pk__in=missing).values_list(
                    "id", "slug", "name"):
                self.known[cid] = (slug, gettext(name))
        return self.known


def _restricted(rows: list[tuple]) -> dict[int, list[str]]:
    ids = [r[0] for r in rows if r[27] == "restricted"]
    out: dict[int, list[str]] = {}
    if ids:
        for rid, slug in Report.restricted_to.through.objects.filter(
                report_id__in=ids).values_list("report_id", "organisation__slug"):
            out.setdefault(rid, []).append(slug)
    return out


def _dict_of(r: tuple, cats: dict[int, tuple[str, str]],
             restricted: dict[int, list[str]]) -> dict:
    """The same dict as ``api.serialise.report_dict``, from a row of ``VALUE_FIELDS``."""
    slug, label = cats[r[8]]
    return {
        "id": r[0], "city": r[1], "occurred_from": r[2], "occurred_to": r[3],
        "reported_at": r[4], "lon": r[5], "lat": r[6], "accuracy_m": r[7],
        "category": slug, "category_name": label, "source": r[9], "source_name": r[10],
        "source_kind": r[11], "channel": r[12], "place": r[13], "place_name": r[14],
        "district": r[15], "setting": r[16], "persons": r[17],
        "ages": {"under_15": r[18], "15_17": r[19], "18_25": r[20], "26_plus": r[21]},
        "genders": {"female": r[22], "male": r[23], "unknown": r[24]},
        "text": r[25], "scrubbed": [k for k in r[26].split(",") if k],
        "visibility": r[27], "restricted_to": restricted.get(r[0], []),
        "review_status": r[28], "reviewed_at": r[29], "duplicate_of": r[30],
    }


def report_dicts_of(qs: QuerySet[Report], categories: _Categories | None = None) -> list[dict]:
    """Report dicts (as the REST API gives them) of an ordered, sliced queryset, read as
    plain values: about thirty times faster than building model instances."""
    rows = list(qs.values_list(*VALUE_FIELDS))
    cats = (categories or _Categories())({r[8] for r in rows})
    restricted = _restricted(rows)
    return [_dict_of(r, cats, restricted) for r in rows]


def _chunks(qs: QuerySet[Report], size: int = CHUNK,
            transform: Transform = None) -> Iterator[list[dict]]:
    """Keyset pagination by id so memory stays flat on a million rows."""
    qs = qs.order_by("id")
    categories = _Categories()
    last = 0
    while True:
        dicts = report_dicts_of(qs.filter(id__gt=last)[:size], categories)
        if not dicts:
            return
        last = dicts[-1]["id"]
        yield [transform(d) for d in dicts] if transform else dicts


def flat(d: dict) -> dict:
    """A report dict with the age and gender counts as columns of their own."""
    out = dict(d)
    for key, value in (d.get("ages") or {}).items():
        out[f"age_{key}"] = value
    for key, value in (d.get("genders") or {}).items():
        out[f"gender_{key}"] = value
    return out


_flat = flat


def write_csv(qs: QuerySet[Report], out: IO[str], transform: Transform = None) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for chunk in _chunks(qs, transform=transform):
        for d in chunk:
            writer.writerow(flat(d))
        n += len(chunk)
    return n


def write_geojson(qs: QuerySet[Report], out: IO[str], transform: Transform = None) -> int:
    out.write('{"type": "FeatureCollection", "features": [\n')
    n = 0
    for chunk in _chunks(qs, transform=transform):
        for feature in feature_collection(chunk)["features"]:
            out.write((",\n" if n else "") + json.dumps(feature, cls=DjangoJSONEncoder,
                                                        ensure_ascii=False))
            n += 1
    out.write("\n]}\n")
    return n


# --- GeoPackage -----------------------------------------------------------------------------

def _utc_naive(value) -> np.datetime64:
    if value is None:
        return np.datetime64("NaT", "ms")
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return np.datetime64(value, "ms")
    if isinstance(value, date):
        return np.datetime64(value, "ms")
    return np.datetime64(str(value), "ms")


def _column(kind: str, values: list) -> tuple[np.ndarray, np.ndarray | None]:
    """One field as a numpy array and a null mask (``None`` = no nulls)."""
    missing = np.array([v is None for v in values], dtype=bool)
    mask = missing if missing.any() else None
    if kind == "int":
        arr = np.array([0 if v is None else int(v) for v in values], dtype=np.int64)
    elif kind == "float":
        arr = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    elif kind == "bool":
        arr = np.array([bool(v) for v in values], dtype=bool)
    elif kind == "datetime":
        arr = np.array([_utc_naive(v) for v in values], dtype="datetime64[ms]")
        mask = None  # NaT is the null of a datetime column
    elif kind == "date":
        arr = np.array([np.datetime64("NaT", "D") if v is None else np.datetime64(v, "D")
                        for v in values], dtype="datetime64[D]")
        mask = None
    else:
        arr = np.array([None if v is None else str(v) for v in values], dtype=object)
        mask = None
    return arr, mask


def write_gpkg_chunks(path: str, layer: str, schema: Iterable[tuple[str, str]],
                      chunks: Iterable[tuple[list[dict], list[bytes]]], *,
                      geometry_type: str, metadata: dict[str, str] | None = None) -> int:
    """Write rows to a GeoPackage layer (WGS 84), one append per chunk.

    ``schema`` is ``(field, kind)`` with kind ``int``, ``float``, ``bool``, ``str``,
    ``date`` or ``datetime`` (written in UTC); each chunk is ``(rows, wkb)`` with one WKB
    geometry per row. An empty result still writes the layer with its fields.
    """
    import pyogrio.raw

    schema = tuple(schema)
    names = [name for name, _ in schema]
    n = 0
    for rows, wkb in chunks:
        if not rows:
            continue
        data, masks, tz = [], [], {}
        for name, kind in schema:
            arr, mask = _column(kind, [r.get(name) for r in rows])
            data.append(arr)
            masks.append(mask)
            if kind == "datetime":
                tz[name] = np.full(len(rows), 100, dtype=np.int32)  # 100 = UTC in GDAL
        pyogrio.raw.write(
            path, np.array(wkb, dtype=object), data, names, field_mask=masks, layer=layer,
            driver="GPKG", geometry_type=geometry_type, crs="EPSG:4326", append=n > 0,
            gdal_tz_offsets=tz, layer_metadata=metadata if n == 0 else None,
        )
        n += len(rows)
    if n == 0:
        data, masks = zip(*(_column(kind, []) for _, kind in schema), strict=True) \
            if schema else ((), ())
        pyogrio.raw.write(path, np.array([], dtype=object), list(data), names,
                          layer=layer, driver="GPKG", geometry_type=geometry_type,
                          crs="EPSG:4326", layer_metadata=metadata)
    return n


def point_wkb(lon: Iterable[float], lat: Iterable[float]) -> list[bytes]:
    import shapely

    return list(shapely.to_wkb(shapely.points(np.asarray(list(lon), dtype=float),
                                              np.asarray(list(lat), dtype=float))))


def _gpkg_rows(qs: QuerySet[Report], transform: Transform
               ) -> Iterator[tuple[list[dict], list[bytes]]]:
    for chunk in _chunks(qs, GPKG_CHUNK, transform):
        rows = [flat(d) for d in chunk]
        yield rows, point_wkb((r["lon"] for r in rows), (r["lat"] for r in rows))


def write_gpkg(qs: QuerySet[Report], path: str, transform: Transform = None,
               layer: str = "reports") -> int:
    """The reports as a point layer ``layer`` of a GeoPackage at ``path`` (a file path:
    GDAL writes GeoPackages to files, not to streams)."""
    return write_gpkg_chunks(path, layer, REPORT_SCHEMA, _gpkg_rows(qs, transform),
                             geometry_type="Point")


WRITERS = {"csv": write_csv, "geojson": write_geojson}
#: writers that need a file path rather than a text stream
PATH_WRITERS = {"gpkg": write_gpkg}
