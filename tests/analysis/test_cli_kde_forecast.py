"""``drugscene analyse kde`` and ``drugscene analyse forecast`` end to end on CSV files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from drugscene.analysis import kde as kde_mod
from drugscene.analysis.area import from_points
from drugscene.analysis.points import read_points

SCORE_HEADER = ["method", "origin", "hit_rate", "pai", "pei", "events", "flagged_cells"]


def write_points(path: Path, lon, lat, t) -> Path:
    times = np.asarray(t, dtype="datetime64[s]").astype(str)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("lon,lat,time,category\n")
        for x, y, s in zip(lon, lat, times, strict=True):
            fh.write(f"{x:.7f},{y:.7f},{s},open_sale\n")
    return path


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory) -> Path:
    """The demo city's last 20 weeks of a 6,000-report run, as a CSV."""
    from drugscene.demo.model import generate

    r = generate(n_reports=6_000).reports
    t = np.asarray(r.occurred_from, dtype=np.int64)
    keep = t >= t.max() - 140 * 86_400
    path = tmp_path_factory.mktemp("demo") / "demo.csv"
    return write_points(path, np.asarray(r.lon)[keep], np.asarray(r.lat)[keep], t[keep])


def analyse(*args: str) -> str:
    out = io.StringIO()
    call_command("analyse", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8") as fh:
        r = csv.DictReader(fh)
        return list(r.fieldnames or []), list(r)


def test_kde_writes_grid_sidecar_and_png(demo_csv, tmp_path):
    out, png = tmp_path / "grid.csv", tmp_path / "grid.png"
    text = analyse("kde", str(demo_csv), "--cell-size", "100", "--bandwidth", "400",
                   "--kernel", "quartic", "--out", str(out), "--png", str(png),
                   "--crs", "EPSG:3006")
    header, data = rows(out)
    assert header == ["x", "y", "lon", "lat", "density"]
    meta = json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))
    assert meta["crs"] == "EPSG:3006" and meta["kernel"] == "quartic"
    assert meta["bandwidth_m"] == 400 and meta["bandwidth_meaning"].startswith("radius")
    assert meta["units"] == "events per km²" and meta["study_area"] == "points' extent"
    assert len(data) == meta["cells_in_area"]
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "Peak" in text and "quartic" in text
    # the CSV holds the same numbers as the library call
    pts = read_points(demo_csv)
    grid = kde_mod.kde(pts, from_points(pts), "EPSG:3006", cell_size=100, bandwidth=400,
                       kernel="quartic")
    dens = np.array([float(r["density"]) for r in data])
    np.testing.assert_allclose(np.sort(dens), np.sort(grid.density[grid.inside]), rtol=1e-8)
    # the densest cell lies at a planted scene: most events fall near it
    top = max(data, key=lambda r: float(r["density"]))
    assert float(top["density"]) > 50 * np.median(dens)


def test_kde_rules_svg_and_gaussian(demo_csv, tmp_path):
    out, svg = tmp_path / "g.csv", tmp_path / "g.svg"
    analyse("kde", str(demo_csv), "--cell-size", "50", "--bandwidth", "silverman",
            "--kernel", "gaussian", "--out", str(out), "--svg", str(svg))
    meta = json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))
    assert meta["bandwidth_rule"] == "silverman" and meta["kernel"] == "gaussian"
    assert meta["crs"].startswith("EPSG:326")  # a UTM zone fitted to the points
    assert b"<svg" in svg.read_bytes()[:500]


@pytest.mark.parametrize("args,match", [
    (["--bandwidth", "10", "--cell-size", "50"], "smaller than the cell size"),
    (["--bandwidth", "wide"], "neither a number"),
    (["--cell-size", "-3"], "cell size"),
])
def test_kde_bad_options_are_command_errors(demo_csv, tmp_path, args, match):
    with pytest.raises(CommandError, match=match):
        analyse("kde", str(demo_csv), "--out", str(tmp_path / "x.csv"), *args)


def test_forecast_writes_scores_and_verdicts(demo_csv, tmp_path):
    out = tmp_path / "scores.csv"
    text = analyse("forecast", str(demo_csv), "--h3", "9", "--step", "7d", "--coverage",
                   "0.05", "--origins", "6", "--out", str(out), "--crs", "EPSG:3006")
    header, data = rows(out)
    assert header == SCORE_HEADER
    methods = ["prior_counts", "prior_mean_4", "recency_kde", "sepp"]
    per_origin = [r for r in data if r["origin"] != "mean"]
    assert len(per_origin) == 6 * 4
    assert [r["method"] for r in data if r["origin"] == "mean"] == methods
    for r in per_origin:
        assert 0 <= float(r["hit_rate"]) <= 1 and 0 <= float(r["pei"]) <= 1
        assert float(r["pai"]) == pytest.approx(
            float(r["hit_rate"]) / (int(r["flagged_cells"]) / meta_cells(out)), rel=1e-4)
    assert "baseline" in text
    assert ("does not beat naive" in text) or ("beats naive" in text)
    assert "SEPP fits" in text and "hit rate" in text
    side = json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))
    assert set(side["verdicts"]) == set(methods)


def meta_cells(out: Path) -> int:
    return json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))["n_cells"]


def test_forecast_on_square_cells_with_a_subset_of_methods(demo_csv, tmp_path):
    out = tmp_path / "sq.csv"
    text = analyse("forecast", str(demo_csv), "--square", "250", "--step", "14d",
                   "--coverage", "0.1", "--origins", "3", "--methods",
                   "prior_counts,recency_kde", "--out", str(out), "--crs", "EPSG:3006")
    _, data = rows(out)
    assert {r["method"] for r in data} == {"prior_counts", "recency_kde"}
    assert "250 m squares" in text


@pytest.mark.parametrize("args,match", [
    (["--coverage", "1.5"], "strictly between 0 and 1"),
    (["--coverage", "0"], "strictly between 0 and 1"),
    (["--step", "soon"], "Cannot read the time step"),
    (["--step", "70d"], "at least 2 periods of history"),
    (["--methods", "tarot"], "Unknown forecast method"),
])
def test_forecast_bad_input_is_a_command_error(demo_csv, tmp_path, args, match):
    with pytest.raises(CommandError, match=match):
        analyse("forecast", str(demo_csv), "--out", str(tmp_path / "s.csv"), *args)


def test_forecast_with_no_points_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("lon,lat,time\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No points"):
        analyse("forecast", str(empty), "--out", str(tmp_path / "s.csv"))
