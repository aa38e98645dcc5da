"""Write the reports a viewer may see as CSV or GeoJSON (streamed in chunks)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from drugscene.api.serialise import REPORT_RELATED, feature_collection, report_dicts
from drugscene.reports.models import Report

CSV_COLUMNS = (
    "id", "occurred_from", "occurred_to", "reported_at", "lon", "lat", "accuracy_m",
    "category", "source", "source_kind", "channel", "place", "place_name", "district",
    "setting", "persons", "age_under_15", "age_15_17", "age_18_25", "age_26_plus",
    "gender_female", "gender_male", "gender_unknown", "visibility", "review_status", "text",
)
CHUNK = 2000


def _chunks(qs: QuerySet[Report]) -> Iterator[list[dict]]:
    """Keyset pagination by id so memory stays flat on a million rows."""
    qs = qs.select_related(*REPORT_RELATED).order_by("id")
    last = 0
    while True:
        rows = list(qs.filter(id__gt=last)[:CHUNK])
        if not rows:
            return
        last = rows[-1].pk
        yield report_dicts(rows)


def _flat(d: dict) -> dict:
    out = dict(d)
    for key, value in d["ages"].items():
        out[f"age_{key}"] = value
    for key, value in d["genders"].items():
        out[f"gender_{key}"] = value
    return out


def write_csv(qs: QuerySet[Report], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for chunk in _chunks(qs):
        for d in chunk:
            writer.writerow(_flat(d))
        n += len(chunk)
    return n


def write_geojson(qs: QuerySet[Report], out: IO[str]) -> int:
    out.write('{"type": "FeatureCollection", "features": [\n')
    n = 0
    for chunk in _chunks(qs):
        for feature in feature_collection(chunk)["features"]:
            out.write((",\n" if n else "") + json.dumps(feature, cls=DjangoJSONEncoder,
                                                        ensure_ascii=False))
            n += 1
    out.write("\n]}\n")
    return n


WRITERS = {"csv": write_csv, "geojson": write_geojson}
