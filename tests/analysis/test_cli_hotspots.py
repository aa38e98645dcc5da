"""``drugscene analyse hotspots`` end to end on CSV files (no database needed)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import h3
import numpy as np
import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import box, mapping

from drugscene.analysis import grid as G
from drugscene.analysis.area import from_points
from drugscene.analysis.points import read_points

HEADER = ["cell", "count", "z", "p", "p_fdr", "bin"]


def write_points(path: Path, lon, lat, t=None) -> Path:
    n = len(lon)
    t = np.full(n, 1_700_000_000) if t is None else t
    times = np.asarray(t, dtype="datetime64[s]").astype(str)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("lon,lat,time,category\n")
        for x, y, s in zip(lon, lat, times, strict=True):
            fh.write(f"{x:.7f},{y:.7f},{s},open_sale\n")
    return path


@pytest.fixture
def clustered(tmp_path) -> Path:
    """2,000 background points over ~4 × 3 km and a tight scene of 300."""
    rng = np.random.default_rng(0)
    lon = np.r_[18.00 + rng.random(2000) * 0.07, 18.035 + rng.normal(0, 0.0012, 300)]
    lat = np.r_[59.30 + rng.random(2000) * 0.03, 59.315 + rng.normal(0, 0.0006, 300)]
    return write_points(tmp_path / "points.csv", lon, lat)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("analyse", "hotspots", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8") as fh:
        r = csv.DictReader(fh)
        return list(r.fieldnames or []), list(r)


def test_every_cell_of_the_area_with_zeros(clustered, tmp_path) -> None:
    out = tmp_path / "cells.csv"
    text = run(str(clustered), "--h3", "9", "--rings", "1", "--out", str(out))
    header, rows = read_rows(out)
    assert header == HEADER
    pts = read_points(clustered)
    grid = G.h3_grid(from_points(pts), 9, pts)
    assert len(rows) == grid.n_cells
    assert [r["cell"] for r in rows] == grid.cell_ids()
    assert all(h3.is_valid_cell(r["cell"]) for r in rows)
    counts = np.array([int(r["count"]) for r in rows])
    assert counts.sum() == 2300 and (counts == 0).any()
    p = np.array([float(r["p"]) for r in rows])
    q = np.array([float(r["p_fdr"]) for r in rows])
    assert ((p > 0) & (p <= 1)).all() and (q >= p - 1e-9).all()
    bins = np.array([int(r["bin"]) for r in rows])
    scene = h3.str_to_int(h3.latlng_to_cell(59.315, 18.035, 9))
    assert bins[[r["cell"] for r in rows].index(format(scene, "x"))] == 3
    assert "points' extent" in text and "hot cell" in text

    meta = json.loads((tmp_path / "cells.csv.json").read_text())
    assert meta["study_area"]["kind"] == "points' extent"
    assert meta["grid"] == {"type": "h3", "resolution": 9, "n_cells": grid.n_cells}
    assert meta["neighbourhood"]["rings"] == 1
    assert meta["n_points"] == 2300 and meta["n_points_outside"] == 0
    assert meta["alpha"] == 0.05 and "Getis" in " ".join(meta["references"])
    assert meta["hot_cells_at_alpha"] == int(((bins > 0) & (q < 0.05)).sum())


def test_area_file_and_points_outside(clustered, tmp_path) -> None:
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps(mapping(box(18.0, 59.30, 18.05, 59.33))))
    out = tmp_path / "cells.csv"
    text = run(str(clustered), "--area", str(area), "--h3", "9", "--rings", "2",
               "--alpha", "0.1", "--out", str(out))
    _, rows = read_rows(out)
    pts = read_points(clustered)
    inside = int((pts.lon <= 18.05).sum())
    assert sum(int(r["count"]) for r in rows) == inside
    meta = json.loads((tmp_path / "cells.csv.json").read_text())
    assert meta["n_points_outside"] == 2300 - inside > 0
    assert meta["study_area"]["kind"] == "polygon" and meta["alpha"] == 0.1
    assert f"outside (not counted): {2300 - inside:,}" in text


def test_geojson_png_and_svg(clustered, tmp_path) -> None:
    out, gj = tmp_path / "c.csv", tmp_path / "c.geojson"
    png, svg = tmp_path / "map.png", tmp_path / "map.svg"
    run(str(clustered), "--h3", "9", "--rings", "1", "--out", str(out), "--geojson", str(gj),
        "--png", str(png), "--svg", str(svg))
    doc = json.loads(gj.read_text())
    _, rows = read_rows(out)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == len(rows)
    f = doc["features"][0]
    assert f["geometry"]["type"] == "Polygon"
    assert set(f["properties"]) == set(HEADER)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]


def test_square_grid_with_a_distance_band(clustered, tmp_path) -> None:
    out = tmp_path / "sq.csv"
    run(str(clustered), "--cell-size", "250", "--distance", "400", "--out", str(out))
    header, rows = read_rows(out)
    assert header == HEADER and rows[0]["cell"].startswith("r")
    assert sum(int(r["count"]) for r in rows) == 2300
    meta = json.loads((tmp_path / "sq.csv.json").read_text())
    assert meta["grid"]["type"] == "square" and meta["neighbourhood"]["distance_m"] == 400
    assert meta["grid"]["n_cells"] == len(rows)


def test_the_demo_citys_persistent_scenes_are_hot(tmp_path) -> None:
    from drugscene.demo.model import generate

    city = generate(n_reports=20_000)
    r = city.reports
    path = write_points(tmp_path / "demo.csv", r.lon, r.lat, r.occurred_from)
    area = tmp_path / "city.geojson"
    from drugscene.demo.geography import build_geography

    area.write_text(json.dumps(mapping(build_geography().city_shape)))
    out = tmp_path / "demo_cells.csv"
    run(str(path), "--area", str(area), "--h3", "9", "--rings", "1", "--out", str(out))
    _, rows = read_rows(out)
    bins = {row["cell"]: int(row["bin"]) for row in rows}
    truth = {p["slug"]: p for p in city.ground_truth["places"]}
    persistent = [p for p in city.places if truth[p.slug]["role"] == "persistent"]
    assert persistent
    for place in persistent:
        cell = h3.latlng_to_cell(place.lat, place.lon, 9)
        assert bins[cell] >= 2, f"{place.slug} is not hot"
    silent = [p for p in city.places if truth[p.slug]["role"] == "silent"]
    quiet_hot = [p.slug for p in silent if bins.get(h3.latlng_to_cell(p.lat, p.lon, 9), 0) > 0]
    assert len(quiet_hot) < len(silent)


@pytest.mark.parametrize(("args", "match"), [
    ([], "Choose a grid"),
    (["--h3", "20"], "0..15"),
    (["--h3", "9", "--rings", "0"], "at least 1"),
    (["--h3", "9", "--cell-size", "100", "--distance", "200"], "not both"),
    (["--cell-size", "100"], "both --cell-size"),
    (["--h3", "9", "--alpha", "1.5"], "alpha"),
    (["--h3", "3"], "finer resolution"),
])
def test_bad_options_give_a_clear_message(clustered, tmp_path, args, match) -> None:
    with pytest.raises(CommandError, match=match):
        run(str(clustered), *args, "--out", str(tmp_path / "x.csv"))


def test_all_points_outside_the_area(clustered, tmp_path) -> None:
    area = tmp_path / "far.geojson"
    area.write_text(json.dumps(mapping(box(10.0, 50.0, 10.1, 50.1))))
    with pytest.raises(CommandError, match="None of the 2,300 points"):
        run(str(clustered), "--area", str(area), "--h3", "9", "--out", str(tmp_path / "x.csv"))


def test_no_points(tmp_path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("lon,lat,time\n")
    with pytest.raises(CommandError, match="No points"):
        run(str(path), "--h3", "9", "--out", str(tmp_path / "x.csv"))


def test_nan_coordinates(tmp_path) -> None:
    path = tmp_path / "nan.csv"
    path.write_text("lon,lat,time\n18.0,59.3,2025-01-01\nnan,59.3,2025-01-01\n")
    with pytest.raises(CommandError, match="line 3"):
        run(str(path), "--h3", "9", "--out", str(tmp_path / "x.csv"))


def test_all_points_in_one_cell(tmp_path) -> None:
    """Two points at one place: the extent (a 200 m box) is one cell at resolution 7, a
    clear error; three cells at resolution 10, a valid (if useless) table with a warning."""
    path = write_points(tmp_path / "one.csv", [18.0, 18.0], [59.3, 59.3])
    out = tmp_path / "x.csv"
    with pytest.raises(CommandError, match="holds 1 H3 cell"):
        run(str(path), "--h3", "7", "--out", str(out))
    text = run(str(path), "--h3", "10", "--out", str(out))
    _, rows = read_rows(out)
    assert len(rows) == 3 and all(np.isfinite(float(r["z"])) for r in rows)
    assert "Very few cells" in text


def test_city_from_the_database_uses_the_city_boundary(world, tmp_path) -> None:
    from tests import factories

    rng = np.random.default_rng(8)
    for x, y in zip(16.881 + rng.random(25) * 0.038, 58.991 + rng.random(25) * 0.018,
                    strict=True):
        factories.report(world, lon=float(x), lat=float(y))
    for _ in range(15):
        factories.report(world, lon=16.905, lat=59.0)
    out = tmp_path / "city.csv"
    text = run("--city", "testby", "--as", "police_analyst", "--h3", "9", "--out", str(out))
    _, rows = read_rows(out)
    meta = json.loads((tmp_path / "city.csv.json").read_text())
    assert meta["study_area"]["kind"] == "city boundary" and "city boundary" in text
    assert sum(int(r["count"]) for r in rows) == meta["n_points_inside"] == 40
    assert len(rows) == meta["grid"]["n_cells"] > 20
    scene = h3.latlng_to_cell(59.0, 16.905, 9)
    assert next(int(r["bin"]) for r in rows if r["cell"] == scene) > 0
