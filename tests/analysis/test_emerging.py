"""Emerging hot spots: one constructed series per category, end to end, the demo city."""

from __future__ import annotations

import h3
import numpy as np
import pytest
from shapely.geometry import box

from drugscene.analysis.area import StudyArea, from_points
from drugscene.analysis.emerging import (
    CATEGORIES,
    CODE,
    LABELS,
    classify,
    emerging_hot_spots,
    trailing_run,
)
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.grid import Cube, h3_grid, parse_step, space_time_cube
from drugscene.analysis.neighbours import h3_rings
from drugscene.analysis.points import Points

T = 20
UP, DOWN, FLAT = (3.0, 0.001), (-3.0, 0.001), (0.4, 0.69)


def series(pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """z and p of one cell: H hot, C cold, . not significant (z near 0 or weak)."""
    z = np.array([{"H": 3.0, "C": -3.0, ".": 0.5}[c] for c in pattern])
    p = np.array([{"H": 0.001, "C": 0.001, ".": 0.6}[c] for c in pattern])
    return z, p


def category(pattern: str, trend: tuple[float, float] = FLAT, alpha: float = 0.05) -> str:
    z, p = series(pattern)
    code = classify(z[None, :], p[None, :], np.array([trend[0]]), np.array([trend[1]]), alpha)
    return CATEGORIES[int(code[0])]


def mirror(pattern: str) -> str:
    return pattern.translate(str.maketrans("HC", "CH"))


#: (pattern over T = 20 steps, trend (z, p) of the hot version, expected hot category)
CASES = [
    ("." * 19 + "H", FLAT, "new_hot"),
    ("." * 15 + "HHHHH", FLAT, "consecutive_hot"),
    ("." * 18 + "HH", UP, "consecutive_hot"),
    ("." + "H" * 19, UP, "intensifying_hot"),
    ("H" * 20, FLAT, "persistent_hot"),
    ("HH." + "H" * 17, FLAT, "persistent_hot"),        # 19/20 = 95 % hot
    ("H" * 20, DOWN, "diminishing_hot"),
    ("..H..H...HH....H..H" + "H", FLAT, "sporadic_hot"),
    ("C..H...C..H....HH..H", FLAT, "oscillating_hot"),
    ("H" * 19 + ".", FLAT, "historical_hot"),
    ("H" * 18 + "..", DOWN, "historical_hot"),
    ("." * 20, FLAT, "no_pattern"),
    ("..H.H...H.......H...", FLAT, "no_pattern"),      # hot before, not at the end
]


@pytest.mark.parametrize(("pattern", "trend", "expected"), CASES)
def test_each_hot_category(pattern: str, trend: tuple[float, float], expected: str) -> None:
    assert len(pattern) == T
    assert category(pattern, trend) == expected


@pytest.mark.parametrize(("pattern", "trend", "expected"), CASES)
def test_each_cold_category_mirrors_the_hot_one(pattern: str, trend: tuple[float, float],
                                                expected: str) -> None:
    cold_trend = (-trend[0], trend[1])      # intensifying cold = z falling
    assert category(mirror(pattern), cold_trend) == expected.replace("_hot", "_cold")


def test_every_category_is_reachable_and_labelled() -> None:
    seen = {exp for _, _, exp in CASES} | {exp.replace("_hot", "_cold") for _, _, exp in CASES}
    assert seen == set(CATEGORIES)
    assert set(LABELS) == set(CATEGORIES)
    assert LABELS["new_hot"] == "New hot spot" and LABELS["no_pattern"] == "No pattern detected"


def test_ninety_percent_boundary() -> None:
    # 18 of 20 = 90 % hot, final hot: the ≥ 90 % group; 17 of 20 (85 %): not
    assert category("..." + "H" * 17, UP) == "consecutive_hot"
    assert category(".." + "H" * 18, UP) == "intensifying_hot"
    assert category("H.H" + "H" * 17, FLAT) == "persistent_hot"
    assert category("H..." + "H" * 16, FLAT) == "sporadic_hot"
    # 9 of 10 steps, final hot: 90 %
    z, p = series(".HHHHHHHHH")
    assert CATEGORIES[int(classify(z[None], p[None], np.array([0.0]), np.array([1.0]))[0])] \
        == "persistent_hot"


def test_overlaps_are_resolved_as_documented() -> None:
    # cold before, hot for the first time at the end: Esri's "new" (listed first) wins
    assert category("CCCC" + "." * 15 + "H") == "new_hot"
    assert category("CC" + "." * 14 + "HHHH") == "consecutive_hot"
    # one earlier hot step breaks "consecutive": on and off → sporadic
    assert category("H" + "." * 14 + "HHHHH") == "sporadic_hot"
    # hot ≥ 90 % and cold in the final step: the long history wins (historical hot)
    assert category("H" * 19 + "C") == "historical_hot"
    assert category("C" * 19 + "H") == "historical_cold"
    # hot ≥ 90 % with a significant trend but not hot at the end: historical, not diminishing
    assert category("H" * 19 + ".", DOWN) == "historical_hot"


def test_trend_significance_uses_alpha() -> None:
    weak_up = (2.0, 0.04)
    assert category("H" * 20, weak_up, alpha=0.05) == "intensifying_hot"
    assert category("H" * 20, weak_up, alpha=0.01) == "persistent_hot"


def test_significance_is_strictly_below_alpha_and_nan_is_not_significant() -> None:
    z = np.full((2, 5), 3.0)
    p = np.full((2, 5), 0.05)
    p[1] = np.nan
    codes = classify(z, p, np.zeros(2), np.ones(2), 0.05)
    assert [CATEGORIES[c] for c in codes] == ["no_pattern", "no_pattern"]
    codes = classify(z, np.full((2, 5), 0.049), np.zeros(2), np.ones(2), 0.05)
    assert [CATEGORIES[c] for c in codes] == ["persistent_hot", "persistent_hot"]


def test_vectorised_over_many_cells_matches_one_by_one() -> None:
    rng = np.random.default_rng(5)
    n = 3000
    state = rng.choice(np.array([-1, 0, 1]), size=(n, T), p=[0.1, 0.5, 0.4])
    state[rng.random(n) < 0.3] = 1        # some all-hot cells
    z = state * 3.0 + rng.normal(0, 0.1, size=(n, T))
    p = np.where(state != 0, 0.001, 0.5)
    tz, tp = rng.normal(0, 3, n), rng.uniform(0, 0.1, n)
    together = classify(z, p, tz, tp)
    alone = [classify(z[i:i + 1], p[i:i + 1], tz[i:i + 1], tp[i:i + 1])[0] for i in range(200)]
    assert together[:200].tolist() == alone
    assert len(set(together.tolist())) >= 8


def test_trailing_run() -> None:
    flags = np.array([[0, 1, 1], [1, 1, 1], [1, 1, 0], [0, 0, 0]], dtype=bool)
    assert trailing_run(flags).tolist() == [2, 3, 0, 0]


@pytest.mark.parametrize(("shape", "match"), [((4, 1), "at least 2 time steps"),
                                              ((4,), "matrices")])
def test_classify_bad_input(shape, match) -> None:
    with pytest.raises(AnalysisError, match=match):
        classify(np.zeros(shape), np.ones(shape), np.zeros(4), np.ones(4))


# --- end to end from synthetic points ----------------------------------------------------------

WEEK = 7 * 86_400
T0 = 1_704_067_200  # 2024-01-01T00:00:00Z
LON0, LAT0 = 18.00, 59.30
AREA = StudyArea("polygon", box(LON0, LAT0, LON0 + 0.04, LAT0 + 0.02), "test box")
SCENE = (LON0 + 0.02, LAT0 + 0.01)
#: H3 resolution of the synthetic tests: ~600 cells of ~66 m edge in the 2.2 × 2.2 km box,
#: enough cells for one scene cell to reach FDR significance (z up to about √(n / 7))
RES = 10


def synthetic(per_step: list[int], steps: int = T, background: int = 250,
              seed: int = 0) -> Points:
    """Uniform background in the box every week plus a tight scene with ``per_step`` events
    in each week (at the centre of the scene's cell)."""
    rng = np.random.default_rng(seed)
    lat_c, lon_c = h3.cell_to_latlng(h3.latlng_to_cell(SCENE[1], SCENE[0], RES))
    lon, lat, t = [], [], []
    for j in range(steps):
        nb = rng.poisson(background)
        lon.append(LON0 + rng.random(nb) * 0.04)
        lat.append(LAT0 + rng.random(nb) * 0.02)
        t.append(T0 + j * WEEK + rng.integers(0, WEEK, nb))
        k = per_step[j]
        lon.append(lon_c + rng.normal(0, 0.0002, k))
        lat.append(lat_c + rng.normal(0, 0.0001, k))
        t.append(T0 + j * WEEK + rng.integers(0, WEEK, k))
    return Points(np.concatenate(lon), np.concatenate(lat), np.concatenate(t).astype(np.int64))


def scene_category(pts: Points, steps: int = T) -> str:
    grid = h3_grid(AREA, RES, pts)
    cube = space_time_cube(grid, pts, WEEK, start=T0, end=T0 + steps * WEEK)
    res = emerging_hot_spots(cube, h3_rings(grid.cells, 1))
    cell = h3.str_to_int(h3.latlng_to_cell(SCENE[1], SCENE[0], RES))
    i = int(np.searchsorted(res.cells, cell))
    assert res.cells[i] == cell
    return CATEGORIES[int(res.category[i])]


def test_end_to_end_new_hot_spot() -> None:
    assert scene_category(synthetic([0] * (T - 1) + [40])) == "new_hot"


def test_end_to_end_consecutive_hot_spot() -> None:
    assert scene_category(synthetic([0] * (T - 5) + [40] * 5)) == "consecutive_hot"


def test_end_to_end_persistent_hot_spot() -> None:
    # A steady scene is hot every week; its z-scores still wobble with the background, so
    # the trend test calls it intensifying or diminishing in about alpha = 5 % of runs.
    found = [scene_category(synthetic([40] * T, seed=seed)) for seed in range(20)]
    assert set(found) <= {"persistent_hot", "intensifying_hot", "diminishing_hot"}
    assert found.count("persistent_hot") >= 16


def test_end_to_end_intensifying_and_diminishing_hot_spots() -> None:
    ramp = np.linspace(12, 90, T).round().astype(int).tolist()
    assert scene_category(synthetic(ramp)) == "intensifying_hot"
    assert scene_category(synthetic(ramp[::-1])) == "diminishing_hot"


def test_end_to_end_historical_hot_spot() -> None:
    assert scene_category(synthetic([40] * (T - 1) + [0])) == "historical_hot"


def test_result_fields_and_summary() -> None:
    pts = synthetic([0] * (T - 1) + [40])
    grid = h3_grid(AREA, RES, pts)
    cube = space_time_cube(grid, pts, WEEK, start=T0, end=T0 + T * WEEK)
    res = emerging_hot_spots(cube, h3_rings(grid.cells, 1))
    n = grid.n_cells
    assert len(res) == n and res.z.shape == (n, T) and res.edges.size == T + 1
    assert (res.p_used >= res.p - 1e-15).all()          # FDR never below the raw p
    assert ((res.p > 0) & (res.p <= 1)).all()
    assert np.array_equal(res.final_z, res.z[:, -1])
    assert sum(res.summary().values()) == n
    assert res.codes()[res.category == CODE["new_hot"]].tolist()[0] == "new_hot"
    assert (res.n_hot + res.n_cold <= T).all()
    raw = emerging_hot_spots(cube, h3_rings(grid.cells, 1), fdr=False)
    assert (raw.n_hot >= res.n_hot).all() and np.array_equal(raw.p_used, raw.p)


def test_bad_cubes() -> None:
    pts = synthetic([5] * 3, steps=3)
    grid = h3_grid(AREA, RES, pts)
    nb = h3_rings(grid.cells, 1)
    one = space_time_cube(grid, pts, 3 * WEEK, start=T0, end=T0 + 3 * WEEK)
    with pytest.raises(AnalysisError, match="at least 2"):
        emerging_hot_spots(one, nb)
    empty = Cube(np.zeros((grid.n_cells, 4), dtype=np.int64), T0 + WEEK * np.arange(5), grid)
    with pytest.raises(AnalysisError, match="no events"):
        emerging_hot_spots(empty, nb)
    cube = space_time_cube(grid, pts, WEEK, start=T0, end=T0 + 3 * WEEK)
    with pytest.raises(AnalysisError, match="alpha"):
        emerging_hot_spots(cube, nb, alpha=0)
    with pytest.raises(AnalysisError, match="neighbourhoods"):
        emerging_hot_spots(cube, h3_rings(grid.cells[:-1], 1))


def test_a_quiet_step_is_no_error() -> None:
    per = [30] * T
    pts = synthetic(per)
    keep = (pts.t < T0 + 5 * WEEK) | (pts.t >= T0 + 6 * WEEK)   # week 5 without any event
    pts = pts.subset(keep)
    grid = h3_grid(AREA, RES, pts)
    cube = space_time_cube(grid, pts, WEEK, start=T0, end=T0 + T * WEEK)
    res = emerging_hot_spots(cube, h3_rings(grid.cells, 1))
    assert (res.z[:, 5] == 0).all() and any("no event" in n for n in res.notes)


# --- the demo city -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    from drugscene.demo.model import generate

    return generate(n_reports=30_000)


def test_demo_city_emerging_and_persistent_scenes(demo) -> None:
    r = demo.reports
    pts = Points(r.lon, r.lat, r.occurred_from.astype(np.int64))
    gen = demo.ground_truth["generator"]
    grid = h3_grid(from_points(pts), 9, pts)
    cube = space_time_cube(grid, pts, parse_step("28d"), start=gen["start_epoch"],
                           end=gen["end_epoch"])
    res = emerging_hot_spots(cube, h3_rings(grid.cells, 1))

    def at(slug: str) -> str:
        place = next(p for p in demo.places if p.slug == slug)
        cell = h3.str_to_int(h3.latlng_to_cell(place.lat, place.lon, 9))
        return CATEGORIES[int(res.category[np.searchsorted(res.cells, cell)])]

    emerging = demo.ground_truth["scenes"]["emerging"]
    assert emerging == ["angsdalsskogen"]
    assert at("angsdalsskogen") in {"new_hot", "consecutive_hot", "intensifying_hot"}
    assert at("larkhojdens-torg") in {"persistent_hot", "intensifying_hot"}
    assert at("granbo-torg") in {"persistent_hot", "intensifying_hot"}
    # the emerging scene's z-scores rise strongly; it was never hot in the first year
    place = next(p for p in demo.places if p.slug == "angsdalsskogen")
    cell = h3.str_to_int(h3.latlng_to_cell(place.lat, place.lon, 9))
    i = int(np.searchsorted(res.cells, cell))
    assert res.trend_z[i] > 3 and res.trend_p[i] < 0.01
    assert not (res.p_used[i, :13] < 0.05).any()


def test_square_grid_and_distance_band_work_too() -> None:
    from drugscene.analysis.grid import square_grid
    from drugscene.analysis.neighbours import distance_band

    pts = synthetic([0] * (T - 1) + [40])
    grid = square_grid(AREA, 75.0, "EPSG:32633", pts)
    x, y = grid.centres_xy()
    cube = space_time_cube(grid, pts, WEEK, start=T0, end=T0 + T * WEEK)
    res = emerging_hot_spots(cube, distance_band(x, y, 75.0 * 1.5))
    assert len(res) == grid.n_cells and np.array_equal(res.cells, np.arange(grid.n_cells))
    i = int(grid.index_of(np.array([SCENE[0]]), np.array([SCENE[1]]))[0])
    assert CATEGORIES[int(res.category[i])] in {"new_hot"}
