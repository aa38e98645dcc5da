"""``drugscene analyse wdq | cameback | knox`` end to end on the demo city's reports as CSV
(no database needed)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import mapping

from drugscene.demo.geography import build_geography, to_lonlat, to_metres
from drugscene.demo.model import generate


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("analyse", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def write_polygon(path: Path, geom) -> str:
    path.write_text(json.dumps({"type": "Feature", "properties": {},
                                "geometry": mapping(geom)}), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """The demo city (40,000 reports, duplicates dropped) as CSV plus area polygons."""
    tmp = tmp_path_factory.mktemp("demo")
    city = generate(seed=20261124, n_reports=40_000)
    r = city.reports
    keep = r.review != 3
    times = r.occurred_from[keep].astype("datetime64[s]").astype(str)
    path = tmp / "reports.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["lon", "lat", "time"])
        w.writerows(zip(np.round(r.lon[keep], 7), np.round(r.lat[keep], 7), times,
                        strict=True))

    def circle(slug: str, radius: float):
        place = next(p for p in city.places if p.slug == slug)
        x, y = to_metres(np.array([place.lon]), np.array([place.lat]))
        ring = np.asarray(shapely.Point(x[0], y[0]).buffer(radius, 32).exterior.coords)
        return shapely.Polygon(np.column_stack(to_lonlat(ring[:, 0], ring[:, 1])))

    geo = build_geography()
    return {
        "points": str(path),
        "target": write_polygon(tmp / "stortorget.geojson", circle("stortorget", 100)),
        "buffer": write_polygon(tmp / "kyrkparken.geojson", circle("kyrkparken", 180)),
        "kvarnparken": write_polygon(tmp / "kvarnparken.geojson",
                                     circle("kvarnparken", 150)),
        "city": write_polygon(tmp / "city.geojson", geo.city_shape),
        "far": write_polygon(tmp / "strandangen.geojson", geo.district_shapes[6]),
        "dir": str(tmp),
    }


def test_wdq_prints_the_table_and_writes_json(files) -> None:
    out = Path(files["dir"]) / "wdq.json"
    text = run("wdq", files["points"], "--target", files["target"], "--buffer",
               files["buffer"], "--control", files["city"], "--cut-control",
               "--date", "2025-11-01", "--tz", "Europe/Stockholm", "--out", str(out))
    for needle in ("target", "buffer", "control", "SM ", "BDM", "WDQ = BDM / SM",
                   "total net effect", "rate ratio", "Verdict [displacement]"):
        assert needle in text, needle
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["wdq"] < 0 and data["success_measure"] < 0
    assert data["interpretation"]["code"] == "displacement"
    assert data["windows"]["before"]["days"] == pytest.approx(365, abs=1)
    assert data["inputs"]["timezone"] == "Europe/Stockholm"
    assert data["target_vs_control"]["ci_low"] < data["target_vs_control"]["rr"]


def test_wdq_with_a_generated_ring_and_explicit_windows(files) -> None:
    # whole years on both sides: a control without season (mostly background reports)
    # would otherwise count the target's own winter low as success
    text = run("wdq", files["points"], "--target", files["target"], "--buffer-m", "400",
               "--control", files["far"], "--date", "2025-11-01", "--before", "360",
               "--after", "360", "--crs", "EPSG:3006")
    assert "ring of 400 m around the target (EPSG:3006)" in text
    assert "(360.0 days)" in text
    assert "Verdict [displacement" in text


def test_wdq_refuses_an_overlapping_control_with_advice(files) -> None:
    with pytest.raises(CommandError, match="--cut-control"):
        run("wdq", files["points"], "--target", files["target"], "--buffer",
            files["buffer"], "--control", files["city"], "--date", "2025-11-01")
    with pytest.raises(CommandError, match="outside the data"):
        run("wdq", files["points"], "--target", files["target"], "--buffer",
            files["buffer"], "--control", files["far"], "--date", "2030-01-01")
    with pytest.raises(CommandError, match="not an ISO 8601"):
        run("wdq", files["points"], "--target", files["target"], "--buffer",
            files["buffer"], "--control", files["far"], "--date", "soon")
    with pytest.raises(CommandError, match="no such file"):
        run("wdq", files["points"], "--target", "/nonexistent.geojson", "--buffer-m", "300",
            "--control", files["far"], "--date", "2025-11-01")


def test_cameback_flags_kvarnparken(files) -> None:
    out = Path(files["dir"]) / "cameback.json"
    text = run("cameback", files["points"], "--target", files["kvarnparken"], "--start",
               "2025-03-01", "--end", "2025-07-01", "--tz", "Europe/Stockholm",
               "--control", files["city"], "--cut-control", "--out", str(out))
    assert "Verdict [came_back] came_back=True" in text
    for needle in ("before", "during", "after", "per day", "relative to control"):
        assert needle in text
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["came_back"] is True and data["relative_to_control"] is True
    assert data["counts"]["target"]["after"] > data["counts"]["target"]["during"]


def test_cameback_without_control_and_bad_dates(files) -> None:
    text = run("cameback", files["points"], "--target", files["kvarnparken"], "--start",
               "2025-03-01", "--end", "2025-07-01")
    assert "came_back=True" in text and "control: none" in text
    with pytest.raises(CommandError, match="end after it starts"):
        run("cameback", files["points"], "--target", files["kvarnparken"], "--start",
            "2025-07-01", "--end", "2025-03-01")


def test_knox_writes_the_band_table(tmp_path) -> None:
    rng = np.random.default_rng(0)
    n = 400
    lon = 16.9 + rng.uniform(0, 0.02, n)
    lat = 59.0 + rng.uniform(0, 0.01, n)
    t = (np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 200 * 86400, n)
         .astype("timedelta64[s]")).astype(str)
    points = tmp_path / "p.csv"
    points.write_text("lon,lat,time\n" + "".join(
        f"{a:.7f},{b:.7f},{c}\n" for a, b, c in zip(lon, lat, t, strict=True)),
        encoding="utf-8")
    out = tmp_path / "knox.csv"
    text = run("knox", str(points), "--space", "100,200,400", "--time", "7,14,28",
               "--permutations", "19", "--seed", "3", "--out", str(out))
    assert "Knox test" in text and "0–100 m" in text and ">28 d" in text
    with out.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["space_from_m", "space_to_m", "time_from_days",
                                 "time_to_days", "observed", "expected", "knox_ratio", "p",
                                 "p_low"]
    assert len(rows) == 3 * 4
    assert all(0 < float(r["p"]) <= 1 for r in rows)
    assert rows[3]["time_to_days"] == ""  # "more than 28 days"
    again = tmp_path / "again.csv"
    run("knox", str(points), "--space", "100,200,400", "--time", "7,14,28",
        "--permutations", "19", "--seed", "3", "--out", str(again))
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="comma-separated"):
        run("knox", str(points), "--space", "100;200")
    with pytest.raises(CommandError, match="increase"):
        run("knox", str(points), "--space", "200,100")
