"""``drugscene analyse emerging`` and ``drugscene analyse patterns`` end to end on files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import h3
import numpy as np
import pytest
from django.core.management import CommandError, call_command

from drugscene.analysis.area import from_points
from drugscene.analysis.grid import h3_grid
from drugscene.analysis.points import read_points

HEADER = ["cell", "category", "trend_z", "trend_p", "n_hot", "n_cold", "final_z", "final_p"]
WEEK = 7 * 86_400
T0 = 1_704_067_200  # Monday 2024-01-01T00:00:00Z
STEPS = 20
SCENE = (18.02, 59.31)


def write_csv(path: Path, lon, lat, t, category, setting) -> Path:
    times = np.asarray(t, dtype="datetime64[s]").astype(str)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("lon,lat,time,category,setting\n")
        for row in zip(lon, lat, times, category, setting, strict=True):
            fh.write("{:.7f},{:.7f},{},{},{}\n".format(*row))
    return path


@pytest.fixture(scope="module")
def points_csv(tmp_path_factory) -> Path:
    """20 weeks of background over ~2.2 × 2.2 km and a scene that appears in the last week;
    settings: background outdoor in summer-ish weeks, indoor otherwise."""
    rng = np.random.default_rng(0)
    lat_c, lon_c = h3.cell_to_latlng(h3.latlng_to_cell(SCENE[1], SCENE[0], 10))
    lon, lat, t = [], [], []
    for j in range(STEPS):
        n = rng.poisson(250)
        lon.append(18.0 + rng.random(n) * 0.04)
        lat.append(59.3 + rng.random(n) * 0.02)
        t.append(T0 + j * WEEK + rng.integers(0, WEEK, n))
    k = 40
    lon.append(lon_c + rng.normal(0, 0.0002, k))
    lat.append(lat_c + rng.normal(0, 0.0001, k))
    t.append(T0 + (STEPS - 1) * WEEK + rng.integers(0, WEEK, k))
    lon_a, lat_a, t_a = np.concatenate(lon), np.concatenate(lat), np.concatenate(t)
    order = np.argsort(t_a, kind="stable")
    n = t_a.size
    cats = rng.choice(np.array(["open_sale", "open_use"]), n)
    month = t_a[order].astype("datetime64[s]").astype("datetime64[M]").astype(int) % 12 + 1
    setting = np.where(month >= 4, rng.choice(np.array(["outdoor", "indoor"]), n, p=[0.8, 0.2]),
                       rng.choice(np.array(["outdoor", "indoor", ""]), n, p=[0.3, 0.6, 0.1]))
    path = tmp_path_factory.mktemp("cli") / "points.csv"
    return write_csv(path, lon_a[order], lat_a[order], t_a[order], cats, setting)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("analyse", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def rows_of(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8") as fh:
        r = csv.DictReader(fh)
        return list(r.fieldnames or []), list(r)


def test_emerging_writes_every_cell_and_finds_the_new_scene(points_csv, tmp_path) -> None:
    out = tmp_path / "cells.csv"
    gj, png = tmp_path / "cells.geojson", tmp_path / "map.png"
    text = run("emerging", str(points_csv), "--h3", "10", "--rings", "1", "--step", "7d",
               "--since", "2024-01-01", "--out", str(out), "--geojson", str(gj),
               "--png", str(png))
    header, rows = rows_of(out)
    assert header == HEADER
    pts = read_points(points_csv)
    grid = h3_grid(from_points(pts), 10, pts)
    assert [r["cell"] for r in rows] == grid.cell_ids()
    by_cell = {r["cell"]: r for r in rows}
    scene = h3.latlng_to_cell(SCENE[1], SCENE[0], 10)
    assert by_cell[scene]["category"] == "new_hot"
    assert int(by_cell[scene]["n_hot"]) == 1 and float(by_cell[scene]["final_z"]) > 3
    assert {r["category"] for r in rows} <= {
        "no_pattern", "new_hot", "consecutive_hot", "intensifying_hot", "persistent_hot",
        "diminishing_hot", "sporadic_hot", "oscillating_hot", "historical_hot", "new_cold",
        "consecutive_cold", "intensifying_cold", "persistent_cold", "diminishing_cold",
        "sporadic_cold", "oscillating_cold", "historical_cold"}
    p = np.array([float(r["final_p"]) for r in rows])
    assert ((p > 0) & (p <= 1)).all()
    assert "New hot spot" in text and "no_pattern" in text and "total" in text
    assert "all categories were analysed together" in text
    assert f"{STEPS} steps of 7 days" in text and scene in text
    meta = json.loads((tmp_path / "cells.csv.json").read_text())
    assert meta["time_steps"]["n_steps"] == STEPS and meta["fdr"] is True
    assert meta["cells_per_category"]["new_hot"] >= 1
    assert sum(meta["cells_per_category"].values()) == len(rows)
    fc = json.loads(gj.read_text())
    assert len(fc["features"]) == len(rows)
    assert png.stat().st_size > 10_000


def test_emerging_with_a_category_filter_and_raw_p(points_csv, tmp_path) -> None:
    out = tmp_path / "cells.csv"
    text = run("emerging", str(points_csv), "--h3", "9", "--step", "14d", "--no-fdr",
               "--category", "open_sale", "--alpha", "0.01", "--out", str(out))
    assert "analysed together" not in text and "p < 0.01" in text
    meta = json.loads((tmp_path / "cells.csv.json").read_text())
    assert meta["fdr"] is False and meta["alpha"] == 0.01
    assert meta["n_points"] < len(read_points(points_csv))


@pytest.mark.parametrize(("args", "match"), [
    (["--h3", "10", "--step", "1000d"], "shorter than one time step"),
    (["--step", "7d"], "--h3"),
    (["--h3", "10", "--step", "seven days"], "time step"),
    (["--h3", "10", "--alpha", "2"], "alpha"),
    (["--h3", "10", "--rings", "0"], "rings"),
])
def test_emerging_bad_input_is_a_clear_error(points_csv, tmp_path, args, match) -> None:
    with pytest.raises(CommandError, match=match):
        run("emerging", str(points_csv), *args, "--out", str(tmp_path / "x.csv"))


def test_emerging_one_step_is_an_error(points_csv, tmp_path) -> None:
    with pytest.raises(CommandError, match="at least 2"):
        run("emerging", str(points_csv), "--h3", "10", "--step", "19w", "--since",
            "2024-01-01", "--out", str(tmp_path / "x.csv"))


def test_emerging_no_points_is_an_error(tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("lon,lat,time\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No points"):
        run("emerging", str(empty), "--h3", "9", "--out", str(tmp_path / "x.csv"))


def test_patterns_writes_the_tables_and_the_verdict(points_csv, tmp_path) -> None:
    prefix = tmp_path / "city"
    text = run("patterns", str(points_csv), "--tz", "Europe/Stockholm", "--out", str(prefix),
               "--png")
    for suffix in ("-hour-weekday.csv", "-months.csv", "-seasons.csv", "-weekly-trend.csv",
                   "-patterns.json", "-hour-weekday.png"):
        assert (tmp_path / f"city{suffix}").exists(), suffix
    header, rows = rows_of(tmp_path / "city-hour-weekday.csv")
    assert header[:3] == ["weekday", "h00", "h01"] and header[-3:] == ["total", "days", "per_day"]
    assert [r["weekday"] for r in rows] == ["Monday", "Tuesday", "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday", "all"]
    n = len(read_points(points_csv))
    assert int(rows[-1]["total"]) == n
    _, seasons = rows_of(tmp_path / "city-seasons.csv")
    by = {r["season"]: r for r in seasons}
    assert float(by["spring"]["outdoor_share"]) > float(by["winter"]["outdoor_share"])
    assert int(by["winter"]["unknown"]) > 0
    _, weeks = rows_of(tmp_path / "city-weekly-trend.csv")
    assert len(weeks) == STEPS and weeks[0]["week_start"] == "2024-01-01"
    meta = json.loads((tmp_path / "city-patterns.json").read_text())
    assert meta["timezone"] == "Europe/Stockholm" and meta["n_events"] == n
    assert "verdict" in meta["weekly_trend"] and meta["setting"].startswith("setting column")
    assert "Weekly trend:" in text and "outdoor share" in text and "Europe/Stockholm" in text


def test_patterns_default_timezone_is_the_sources(points_csv, tmp_path) -> None:
    run("patterns", str(points_csv), "--out", str(tmp_path / "utc"))
    run("patterns", str(points_csv), "--tz", "Europe/Stockholm", "--out", str(tmp_path / "se"))
    utc = json.loads((tmp_path / "utc-patterns.json").read_text())
    se = json.loads((tmp_path / "se-patterns.json").read_text())
    assert utc["timezone"] == "UTC"
    # the same events one hour later on the clock in Stockholm (winter time)
    assert np.allclose(np.roll(utc["hour_profile"], 1), se["hour_profile"], atol=0.02)


def test_patterns_setting_follows_the_category_filter(points_csv, tmp_path) -> None:
    text = run("patterns", str(points_csv), "--category", "open_use", "--since",
               "2024-02-01", "--out", str(tmp_path / "use"))
    meta = json.loads((tmp_path / "use-patterns.json").read_text())
    assert meta["setting"].startswith("setting column")
    _, seasons = rows_of(tmp_path / "use-seasons.csv")
    total = sum(int(r["count"]) for r in seasons)
    known = sum(int(r["unknown"]) + int(r["outdoor"]) + int(r["indoor"]) for r in seasons)
    assert total == known == meta["n_events"] < len(read_points(points_csv))
    assert "all categories together" not in text


def test_patterns_without_setting_column(tmp_path) -> None:
    path = tmp_path / "p.csv"
    with path.open("w") as fh:
        fh.write("lon,lat,time\n")
        for k in range(60):
            fh.write(f"18.0,59.3,{np.datetime64(T0 + k * 86_400 + 3600 * (k % 24), 's')}\n")
    text = run("patterns", str(path), "--out", str(tmp_path / "p"))
    header, _ = rows_of(tmp_path / "p-seasons.csv")
    assert "outdoor_share" not in header
    assert "no setting column" in text


def test_patterns_bad_timezone(points_csv, tmp_path) -> None:
    with pytest.raises(CommandError, match="Unknown time zone"):
        run("patterns", str(points_csv), "--tz", "Mars/Olympus", "--out", str(tmp_path / "x"))
