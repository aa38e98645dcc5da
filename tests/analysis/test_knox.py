"""Knox test / near-repeat table: equal to brute force, calibrated under the null, and
sensitive to planted near repeats."""

from __future__ import annotations

import time

import numpy as np
import pytest

from drugscene.analysis import knox as K
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import from_arrays

DAY = 86_400
T0 = 1_700_000_000
M_LAT = 111_195.0  # metres per degree of latitude, near enough for placing test points


def random_points(n: int, seed: int, *, km: float = 2.0, days: int = 200,
                  lon0: float = 16.9, lat0: float = 59.0):
    rng = np.random.default_rng(seed)
    lat = lat0 + rng.uniform(0, km * 1000 / M_LAT, n)
    lon = lon0 + rng.uniform(0, km * 1000 / (M_LAT * np.cos(np.radians(lat0))), n)
    t = T0 + rng.integers(0, days * DAY, n)
    return from_arrays(lon, lat, t)


def brute_force(x, y, t, space, time_days) -> np.ndarray:
    """O(n²) table over all pairs i < j, same band rules (upper edges inclusive)."""
    n = x.size
    iu = np.triu_indices(n, 1)
    d2 = ((x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2)[iu]
    dt = np.abs(t[:, None] - t[None, :])[iu]
    s_edges = np.asarray(space, dtype=float)
    t_edges = np.round(np.asarray(time_days, dtype=float) * DAY).astype(np.int64)
    sb = np.searchsorted(s_edges**2, d2, side="left")
    tb = np.searchsorted(t_edges, dt, side="left")
    table = np.zeros((s_edges.size, t_edges.size + 1), dtype=np.int64)
    inside = sb < s_edges.size
    np.add.at(table, (sb[inside], tb[inside]), 1)
    return table


@pytest.mark.parametrize(("space", "time_days"), [
    ([100, 200, 400], [7, 14, 28]),
    ([50], [3]),
    ([0, 25, 60, 150], [0.5, 1, 30]),  # a "same location" band
    ([1000], [1, 2]),  # every pair in one band: many candidates per cell
])
def test_observed_table_equals_brute_force(space, time_days) -> None:
    pts = random_points(700, seed=1)
    # ties: repeated locations and repeated times
    lon, lat, t = pts.lon.copy(), pts.lat.copy(), pts.t.copy()
    lon[600:650], lat[600:650] = lon[:50], lat[:50]
    t[650:] = t[:50]
    pts = from_arrays(lon, lat, t)
    tab = K.knox_table(pts, space, time_days, permutations=5, seed=0, metric_crs="EPSG:3006")
    x, y = K.to_metres(pts.lon, pts.lat, "EPSG:3006")
    expected = brute_force(x, y, pts.t, space, time_days)
    np.testing.assert_array_equal(tab.observed, expected)
    assert tab.n_pairs == expected.sum()
    assert tab.simulated.sum(axis=2).tolist() == [expected.sum(axis=1).tolist()] * 5


def test_simulated_tables_equal_brute_force_on_the_permuted_times() -> None:
    pts = random_points(400, seed=2)
    space, time_days = [80, 200], [5, 20]
    tab = K.knox_table(pts, space, time_days, permutations=3, seed=42, metric_crs="EPSG:3006")
    x, y = K.to_metres(pts.lon, pts.lat, "EPSG:3006")
    order = K.close_pairs(x, y, space).order
    rng = np.random.default_rng(42)
    for i in range(3):
        t_new = np.empty_like(pts.t)
        t_new[order] = pts.t[order][rng.permutation(pts.t.size)]
        np.testing.assert_array_equal(tab.simulated[i], brute_force(x, y, t_new, space,
                                                                    time_days))


def test_exact_edges_belong_to_the_lower_band() -> None:
    # four points on a line 100 m apart in a metric CRS, times 7 days apart
    x = np.array([500_000.0, 500_100.0, 500_200.0, 500_300.0])
    y = np.full(4, 6_540_000.0)
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True).transform(x, y)
    pts = from_arrays(lon, lat, T0 + np.arange(4) * 7 * DAY)
    tab = K.knox_table(pts, [100, 200], [7], permutations=1, seed=0, metric_crs="EPSG:3006")
    xm, ym = K.to_metres(pts.lon, pts.lat, "EPSG:3006")
    np.testing.assert_array_equal(tab.observed, brute_force(xm, ym, pts.t, [100, 200], [7]))
    assert tab.observed[0, 0] == 3  # neighbours at ~100 m are 7 days apart


def test_p_values_are_roughly_uniform_under_the_null() -> None:
    ps = []
    for seed in range(120):
        pts = random_points(150, seed=seed, km=1.0, days=100)
        ps.append(K.knox_test(pts, 150, 10, permutations=49, seed=seed).p)
    ps = np.array(ps)
    assert 0.4 < ps.mean() < 0.6
    assert (ps <= 0.05).mean() < 0.12  # nominal 0.05
    assert (ps <= 0.5).mean() == pytest.approx(0.5, abs=0.15)


def test_planted_near_repeats_give_a_small_p() -> None:
    rng = np.random.default_rng(5)
    base = random_points(300, seed=5, km=5.0, days=700)
    # each event is followed by a repeat within ~30 m and 0-5 days
    dlat = rng.normal(0, 20, 300) / M_LAT
    dlon = rng.normal(0, 20, 300) / (M_LAT * np.cos(np.radians(59.0)))
    pts = from_arrays(np.r_[base.lon, base.lon + dlon], np.r_[base.lat, base.lat + dlat],
                      np.r_[base.t, base.t + rng.integers(0, 5 * DAY, 300)])
    res = K.knox_test(pts, 100, 7, permutations=99, seed=1)
    assert res.p == pytest.approx(0.01)
    assert res.ratio > 3 and res.observed >= 300
    tab = K.knox_table(pts, [100, 400], [7, 30], permutations=99, seed=1)
    assert tab.p[0, 0] == pytest.approx(0.01) and tab.ratio[0, 0] > 3
    assert tab.p[1, 1] > 0.01  # far and late: nothing planted there
    rows = tab.rows()
    assert len(rows) == 2 * 3
    assert rows[0] == {**rows[0], "space_from_m": 0.0, "space_to_m": 100.0,
                       "time_from_days": 0.0, "time_to_days": 7.0}
    assert rows[2]["time_to_days"] is None  # "more than 30 days"


def test_same_seed_same_answer_and_expected_count_is_exact_on_average() -> None:
    pts = random_points(300, seed=3)
    a = K.knox_table(pts, [200], [10], permutations=99, seed=7)
    b = K.knox_table(pts, [200], [10], permutations=99, seed=7)
    np.testing.assert_array_equal(a.simulated, b.simulated)
    # under random permutation E[X] = N_space · N_time / C(n, 2) (Knox 1964)
    x, y = K.to_metres(pts.lon, pts.lat)
    n = len(pts)
    dt = np.abs(pts.t[:, None] - pts.t[None, :])[np.triu_indices(n, 1)]
    n_time = int((dt <= 10 * DAY).sum())
    exact = a.n_pairs * n_time / (n * (n - 1) / 2)
    assert a.expected[0, 0] == pytest.approx(exact, rel=0.1)


def test_bad_input() -> None:
    pts = random_points(50, seed=0)
    with pytest.raises(AnalysisError, match="at least 3"):
        K.knox_table(from_arrays([1.0, 1.0], [2.0, 2.0], [0, 1]), [100], [7])
    with pytest.raises(AnalysisError, match="increase"):
        K.knox_table(pts, [200, 100], [7])
    with pytest.raises(AnalysisError, match="non-negative"):
        K.knox_table(pts, [100], [-1])
    with pytest.raises(AnalysisError, match="non-negative"):
        K.knox_table(pts, [], [7])
    with pytest.raises(AnalysisError, match="permutations"):
        K.knox_table(pts, [100], [7], permutations=0)
    with pytest.raises(AnalysisError, match="Unknown coordinate reference system"):
        K.knox_table(pts, [100], [7], metric_crs="EPSG:999999")
    with pytest.raises(AnalysisError, match="pairs of events"):
        K.knox_table(pts, [5000], [7], max_pairs=100)


def test_no_pairs_at_all_is_not_an_error_and_has_no_nan_in_rows() -> None:
    pts = random_points(20, seed=0, km=50.0)
    tab = K.knox_table(pts, [1], [1], permutations=9, seed=0)
    assert tab.n_pairs == 0
    assert tab.rows()[0]["knox_ratio"] is None and tab.rows()[0]["p"] == 1.0


@pytest.mark.slow
def test_fifty_thousand_events_and_99_permutations_in_seconds() -> None:
    pts = random_points(50_000, seed=9, km=10.0, days=730)
    start = time.perf_counter()
    tab = K.knox_table(pts, [100, 200, 400], [7, 14, 28], permutations=99, seed=1)
    elapsed = time.perf_counter() - start
    assert tab.n_pairs > 5_000_000
    assert elapsed < 20, f"{elapsed:.1f} s"
