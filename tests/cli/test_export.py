"""``drugscene export``: every kind and format, the visibility of --as, keyless exports
(public reports, generalised), and no half-written GeoPackage."""

from __future__ import annotations

import csv
import io
import json
import math

import pyogrio
import pyogrio.raw
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.ogc.conftest import build_scene


def export(*args: str) -> str:
    err = io.StringIO()
    call_command("export", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def scene(world):
    return build_scene(world, n=5)


def api_ids(scene, user: str) -> set[int]:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {scene.token(user)}")
    page = client.get("/api/v1/reports?city=testby&page_size=1000").json()
    assert page["next"] is None
    return {r["id"] for r in page["results"]}


@pytest.mark.parametrize("user", ["police_analyst", "housing_analyst"])
def test_gpkg_feature_count_equals_the_api(scene, tmp_path, user) -> None:
    out = tmp_path / "r.gpkg"
    message = export("reports", "--city", "testby", "--as", user, "--format", "gpkg",
                     "--out", str(out))
    expected = api_ids(scene, user)
    assert pyogrio.read_info(str(out))["features"] == len(expected)
    assert message.strip() == f"{len(expected)} reports written"
    meta, _f, _g, fields = pyogrio.raw.read(str(out), columns=["id"])
    assert set(fields[0].tolist()) == expected


def test_csv_and_geojson_hold_the_same_set_as_the_gpkg(scene, tmp_path) -> None:
    expected = api_ids(scene, "police_analyst")
    for fmt in ("csv", "geojson"):
        out = tmp_path / f"r.{fmt}"
        export("reports", "--city", "testby", "--as", "police_analyst", "--format", fmt,
               "--out", str(out))
        text = out.read_text()
        ids = ({int(r["id"]) for r in csv.DictReader(io.StringIO(text))} if fmt == "csv"
               else {f["id"] for f in json.loads(text)["features"]})
        assert ids == expected, fmt


def test_without_as_only_public_reports_generalised(scene, tmp_path) -> None:
    out = tmp_path / "public.gpkg"
    export("reports", "--city", "testby", "--format", "gpkg", "--out", str(out))
    meta, _f, geometry, fields = pyogrio.raw.read(str(out))
    names = list(meta["fields"])
    ids = fields[names.index("id")].tolist()
    assert set(ids) == scene.ids("public")
    by_id = {r.pk: r for r in scene.groups["public"]}
    for i, lon, lat, text in zip(ids, fields[names.index("lon")], fields[names.index("lat")],
                                 fields[names.index("text")], strict=True):
        assert lon == pytest.approx((math.floor(by_id[i].lon / 0.004) + 0.5) * 0.004)
        assert lat == pytest.approx((math.floor(by_id[i].lat / 0.002) + 0.5) * 0.002)
        assert not text
    # places are for partners only
    places = tmp_path / "places.csv"
    export("places", "--city", "testby", "--out", str(places))
    assert list(csv.DictReader(io.StringIO(places.read_text()))) == []


def test_places_actions_hotspots(scene, tmp_path) -> None:
    for kind, n in (("places", 1), ("actions", 2)):
        out = tmp_path / f"{kind}.gpkg"
        assert export(kind, "--city", "testby", "--as", "housing_coordinator", "--format",
                      "gpkg", "--out", str(out)).strip() == f"{n} {kind} written"
        assert pyogrio.read_info(str(out))["features"] == n
    out = tmp_path / "hot.geojson"
    export("hotspots", "--city", "testby", "--as", "police_analyst", "--format", "geojson",
           "--out", str(out))
    cells = json.loads(out.read_text())["features"]
    assert cells and all(f["geometry"]["type"] == "Polygon" for f in cells)


def test_clear_errors_and_no_half_written_file(scene, tmp_path) -> None:
    with pytest.raises(CommandError, match="needs --out"):
        export("reports", "--city", "testby", "--as", "police_analyst", "--format", "gpkg")
    with pytest.raises(CommandError, match="reports only"):
        export("places", "--city", "testby", "--as", "police_analyst", "--from", "2025-01-01")
    with pytest.raises(CommandError, match="need --as"):
        export("reports", "--city", "testby", "--from", "2025-01-01")
    with pytest.raises(CommandError, match="No city"):
        export("reports", "--city", "nowhere")
    out = tmp_path / "keep.gpkg"
    out.write_bytes(b"an older file")
    with pytest.raises(CommandError, match="--from"):
        export("reports", "--city", "testby", "--as", "police_analyst", "--format", "gpkg",
               "--out", str(out), "--from", "not-a-date")
    assert out.read_bytes() == b"an older file"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.gpkg"]
