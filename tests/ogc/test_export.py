"""Exports from the API (GeoPackage, GeoJSON, CSV): the same features as the REST and the
OGC API give the same user, read back with pyogrio."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC

import pyogrio
import pyogrio.raw
import pytest
import shapely
from django.test import Client

from tests import factories
from tests.ogc.test_endpoints import walk


def rest_ids(token: str, query: str = "") -> set[int]:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url, ids = f"/api/v1/reports?city=testby&page_size=1000{query}", set()
    while url:
        page = client.get(url).json()
        ids |= {r["id"] for r in page["results"]}
        url = page["next"]
    return ids


def download(token: str, name: str, query: str = ""):
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(
        f"/api/v1/exports/{name}?city=testby{query}")
    return r, (b"".join(r.streaming_content) if r.status_code == 200 else r.content)


def gpkg_ids(data: bytes, tmp_path, field: str = "id") -> tuple[dict, list]:
    path = tmp_path / "export.gpkg"
    path.write_bytes(data)
    info = pyogrio.read_info(str(path))
    meta, _fids, _geometry, fields = pyogrio.raw.read(str(path))
    return info, fields[list(meta["fields"]).index(field)].tolist()


@pytest.mark.parametrize("user", ["police_analyst", "housing_coordinator"])
def test_gpkg_export_has_the_apis_features(scene, tmp_path, user) -> None:
    token = scene.token(user)
    r, data = download(token, "reports.gpkg")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/geopackage+sqlite3"
    assert "attachment" in r["Content-Disposition"] and ".gpkg" in r["Content-Disposition"]
    info, ids = gpkg_ids(data, tmp_path)
    expected = rest_ids(token)
    assert info["features"] == len(expected) == int(r["X-Feature-Count"])
    assert info["geometry_type"] == "Point" and info["crs"] == "EPSG:4326"
    assert set(ids) == expected
    # the OGC API's numberMatched agrees
    page = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(
        "/ogc/collections/testby-reports/items?limit=1").json()
    assert page["numberMatched"] == info["features"]
    assert info["ogr_types"][list(info["fields"]).index("occurred_from")] == "OFTDateTime"


def test_gpkg_points_and_times(scene, tmp_path) -> None:
    token = scene.token("police_analyst")
    _r, data = download(token, "reports.gpkg")
    path = tmp_path / "r.gpkg"
    path.write_bytes(data)
    meta, _f, geometry, fields = pyogrio.raw.read(str(path), datetime_as_string=True)
    names = list(meta["fields"])
    by_id = {r.pk: r for g in scene.groups.values() for r in g}
    for i, wkb in zip(fields[names.index("id")].tolist(), geometry, strict=True):
        p = shapely.from_wkb(wkb)
        assert (p.x, p.y) == (by_id[i].lon, by_id[i].lat)
    first = fields[names.index("id")].tolist().index(scene.groups["partners"][0].pk)
    written = fields[names.index("occurred_from")][first]
    true = scene.groups["partners"][0].occurred_from
    assert written.startswith(true.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))


def test_csv_and_geojson_exports_hold_the_same_set(scene, tmp_path) -> None:
    token = scene.token("housing_analyst")
    expected = rest_ids(token)
    r, data = download(token, "reports.csv")
    assert r["Content-Type"].startswith("text/csv")
    assert {int(row["id"]) for row in csv.DictReader(io.StringIO(data.decode()))} == expected
    r, data = download(token, "reports.geojson")
    assert r["Content-Type"] == "application/geo+json"
    assert {f["id"] for f in json.loads(data)["features"]} == expected


def test_export_filters_are_the_report_filters(scene, tmp_path) -> None:
    token = scene.token("police_analyst")
    query = "&bbox=16.885,58.992,16.905,59.004&category=drugs"
    _r, data = download(token, "reports.gpkg", query)
    _info, ids = gpkg_ids(data, tmp_path)
    assert set(ids) == rest_ids(token, query) and ids
    r, data = download(token, "reports.csv", "&from=not-a-date")
    assert r.status_code == 422 and json.loads(data)["fields"] == {
        "from": [json.loads(data)["fields"]["from"][0]]}


@pytest.mark.parametrize("kind", ["places", "actions", "hotspots"])
@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "csv"])
def test_other_kinds_match_the_ogc_collections(scene, tmp_path, kind, fmt) -> None:
    token = scene.token("police_analyst")
    r, data = download(token, f"{kind}.{fmt}")
    assert r.status_code == 200, data
    features, _ = walk(f"/ogc/collections/testby-{kind}/items?limit=10000", token)
    expected = {str(f["id"]) for f in features}
    if kind == "hotspots":
        assert expected  # the scene has drug reports enough for a Gi* analysis
    key = "cell" if kind == "hotspots" else "id"
    if fmt == "gpkg":
        info, ids = gpkg_ids(data, tmp_path, key)
        assert info["geometry_type"] == ("Polygon" if kind == "hotspots" else "Point")
    elif fmt == "csv":
        ids = [row[key] for row in csv.DictReader(io.StringIO(data.decode()))]
    else:
        ids = [f["id"] for f in json.loads(data)["features"]]
    assert {str(i) for i in ids} == expected and len(ids) == len(expected)


def test_export_needs_the_export_permission(scene) -> None:
    r, _ = download(scene.token("police_reporter"), "reports.gpkg")
    assert r.status_code == 403
    r = Client().get("/api/v1/exports/reports.gpkg?city=testby")
    assert r.status_code == 401
    r, _ = download(scene.token("police_analyst"), "reports.shp")
    assert r.status_code == 404


def test_fast_rows_equal_the_rest_apis_report_dicts(scene) -> None:
    """The exports read plain values; each dict equals the REST API's serialiser's."""
    from drugscene.api.serialise import REPORT_RELATED, report_dicts
    from drugscene.reports.export import report_dicts_of
    from drugscene.reports.models import Report

    factories.report(scene.world, place_id=scene.world.place.pk, persons=2, age_15_17=1,
                     gender_male=2, text="ring 070-123 45 67", occurred_to=None)
    qs = Report.objects.order_by("id")
    assert report_dicts_of(qs) == report_dicts(list(qs.select_related(*REPORT_RELATED)))
