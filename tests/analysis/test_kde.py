"""Binned FFT kernel density: against KDEpy, exact sums, scipy, and hand-computed rules."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from KDEpy import FFTKDE
from scipy import stats

from drugscene.analysis import area as study
from drugscene.analysis import kde
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import from_arrays

CS = 20.0
NX, NY = 100, 75


def _cloud(n: int = 4000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(700, 250, n // 2), rng.normal(1500, 80, n - n // 2)])
    y = np.concatenate([rng.normal(700, 200, n // 2), rng.normal(900, 60, n - n // 2)])
    # strictly inside the node hull [10, 1990] × [10, 1490] that KDEpy is given
    return np.clip(x, 60, 1940), np.clip(y, 60, 1440)


def _kdepy(x, y, kernel: str, bw: float, weights=None) -> tuple[np.ndarray, FFTKDE]:
    """KDEpy FFTKDE on our cell centres, as (ny, nx) events per km²."""
    xs = (np.arange(NX) + 0.5) * CS
    ys = (np.arange(NY) + 0.5) * CS
    grid = np.array(np.meshgrid(xs, ys, indexing="ij")).reshape(2, -1).T
    est = FFTKDE(kernel=kernel, bw=bw, norm=2).fit(np.column_stack([x, y]), weights=weights)
    total = len(x) if weights is None else float(np.sum(weights))
    dens = est.evaluate(grid).reshape(NX, NY).T * total * 1e6
    return dens, est


def _interior(ref: np.ndarray, margin: int = 5) -> np.ndarray:
    m = np.zeros_like(ref, dtype=bool)
    m[margin:-margin, margin:-margin] = True
    return m & (ref > 1e-3 * ref.max())


@pytest.mark.parametrize("weighted", [False, True])
def test_gaussian_equals_kdepy_fftkde(weighted):
    x, y = _cloud()
    w = np.random.default_rng(3).uniform(0.5, 2.0, x.size) if weighted else None
    h = 60.0
    ref, est = _kdepy(x, y, "gaussian", h, w)
    # KDEpy cuts the Gaussian where the 1-D kernel falls below 1e-4; use the same window
    trunc = est.kernel.practical_support(h) / h
    ours = kde.kde_xy(x, y, x0=0, y0=0, cell_size=CS, nx=NX, ny=NY, bandwidth=h,
                      kernel="gaussian", weights=w, truncate=trunc)
    m = _interior(ref)
    assert m.sum() > 1000
    np.testing.assert_allclose(ours[m], ref[m], rtol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_quartic_equals_kdepy_biweight_with_radius_sqrt7_bw(weighted):
    x, y = _cloud(seed=2)
    w = np.random.default_rng(4).uniform(0.5, 2.0, x.size) if weighted else None
    radius = 150.0
    ref, _ = _kdepy(x, y, "biweight", radius / math.sqrt(7.0), w)
    ours = kde.kde_xy(x, y, x0=0, y0=0, cell_size=CS, nx=NX, ny=NY, bandwidth=radius,
                      kernel="quartic", weights=w)
    m = _interior(ref)
    np.testing.assert_allclose(ours[m], ref[m], rtol=1e-6)
    assert math.isclose(kde.KDEPY_BIWEIGHT_FACTOR, math.sqrt(7.0))


def test_quartic_kernel_normalisation():
    r = 100.0
    w = kde.kernel_window("quartic", r, 1.0)
    assert w[w.shape[0] // 2, w.shape[1] // 2] == pytest.approx(3 / (math.pi * r * r))
    assert w.sum() * 1.0 == pytest.approx(1.0, rel=1e-4)
    g = kde.kernel_window("gaussian", 10.0, 0.5, truncate=6)
    assert g.sum() * 0.25 == pytest.approx(1.0, rel=1e-6)
    assert kde.kernel_sd("quartic", 80.0) == pytest.approx(80 / math.sqrt(8))
    # 2-D marginal variance of the quartic of radius 1 is 1/8
    off = np.arange(-200, 201) / 200.0
    xx = np.broadcast_to(off[None, :], (off.size, off.size))
    wk = kde.kernel_window("quartic", 1.0, 1 / 200.0)
    assert (wk * xx ** 2).sum() / wk.sum() == pytest.approx(1 / 8, rel=1e-3)


def _exact_gaussian(x, y, gx, gy, h, w=None):
    w = np.ones_like(x) if w is None else w
    d2 = (gx.ravel()[:, None] - x[None, :]) ** 2 + (gy.ravel()[:, None] - y[None, :]) ** 2
    k = np.exp(-d2 / (2 * h * h)) / (2 * math.pi * h * h)
    return (k @ w).reshape(gx.shape) * 1e6


def test_gaussian_equals_exact_sum_within_binning_error():
    rng = np.random.default_rng(5)
    x = rng.uniform(300, 1700, 60)
    y = rng.uniform(300, 1200, 60)
    w = rng.uniform(0.2, 3.0, 60)
    h = 100.0
    cs = 10.0
    nx, ny = 200, 150
    ours = kde.kde_xy(x, y, x0=0, y0=0, cell_size=cs, nx=nx, ny=ny, bandwidth=h,
                      kernel="gaussian", weights=w)
    gx, gy = np.meshgrid((np.arange(nx) + 0.5) * cs, (np.arange(ny) + 0.5) * cs)
    exact = _exact_gaussian(x, y, gx, gy, h, w)
    big = exact > 0.01 * exact.max()
    rel = np.abs(ours - exact)[big] / exact[big]
    # linear binning error is O(δ²/h²) (Hall & Wand 1996): about δ²/8 · |K''/K|, i.e.
    # ~1e-3 near the peaks and ~1e-2 three bandwidths out, where K''/K = (r²/h² − 1)/h²
    assert rel.max() < 1.5e-2
    assert np.median(rel) < 3e-3
    assert np.abs(ours - exact).max() < 2e-3 * exact.max()


class _IsotropicKDE(stats.gaussian_kde):
    """scipy's gaussian_kde with a fixed covariance h² I instead of a scaled data covariance."""

    def __init__(self, dataset, h: float, weights=None):
        self._h = h
        super().__init__(dataset, weights=weights)

    def _compute_covariance(self):
        self.factor = 1.0
        self.covariance = np.eye(self.d) * self._h ** 2
        self.cho_cov = np.eye(self.d) * self._h
        self.log_det = 2 * np.log(np.diag(self.cho_cov * np.sqrt(2 * np.pi))).sum()


def test_gaussian_equals_scipy_gaussian_kde_within_binning_error():
    rng = np.random.default_rng(6)
    x = rng.normal(1000, 200, 300)
    y = rng.normal(700, 150, 300)
    h, cs, nx, ny = 80.0, 10.0, 200, 150
    ref = _IsotropicKDE(np.vstack([x, y]), h)
    assert np.allclose(ref.covariance, np.eye(2) * h * h)
    gx, gy = np.meshgrid((np.arange(nx) + 0.5) * cs, (np.arange(ny) + 0.5) * cs)
    want = ref(np.vstack([gx.ravel(), gy.ravel()])).reshape(ny, nx) * x.size * 1e6
    ours = kde.kde_xy(x, y, x0=0, y0=0, cell_size=cs, nx=nx, ny=ny, bandwidth=h)
    np.testing.assert_allclose(want, _exact_gaussian(x, y, gx, gy, h), rtol=1e-9)
    big = want > 0.01 * want.max()
    assert (np.abs(ours - want)[big] / want[big]).max() < 1.5e-2
    assert np.abs(ours - want).max() < 2e-3 * want.max()


def test_quartic_equals_exact_sum_within_binning_error():
    rng = np.random.default_rng(7)
    x = rng.uniform(400, 1600, 50)
    y = rng.uniform(400, 1100, 50)
    r, cs, nx, ny = 200.0, 5.0, 400, 300
    ours = kde.kde_xy(x, y, x0=0, y0=0, cell_size=cs, nx=nx, ny=ny, bandwidth=r,
                      kernel="quartic")
    gx, gy = np.meshgrid((np.arange(nx) + 0.5) * cs, (np.arange(ny) + 0.5) * cs)
    d2 = (gx.ravel()[:, None] - x) ** 2 + (gy.ravel()[:, None] - y) ** 2
    u2 = d2 / (r * r)
    exact = (np.where(u2 < 1, (1 - u2) ** 2, 0) * 3 / (math.pi * r * r)).sum(axis=1)
    exact = exact.reshape(ny, nx) * 1e6
    assert np.abs(ours - exact).max() < 2e-3 * exact.max()


@pytest.mark.parametrize("kernel,h", [("gaussian", 50.0), ("quartic", 120.0)])
def test_integrates_to_the_number_of_events(kernel, h):
    x, y = _cloud(2000, seed=8)
    ours = kde.kde_xy(x, y, x0=-500, y0=-500, cell_size=10.0, nx=300, ny=250, bandwidth=h,
                      kernel=kernel)
    # exact up to the Riemann sum of the kernel on the grid, 1 + O(δ²/h²)
    assert ours.sum() * 10.0 ** 2 / 1e6 == pytest.approx(2000, rel=2e-4)
    w = np.full(x.size, 0.5)
    half = kde.kde_xy(x, y, x0=-500, y0=-500, cell_size=10.0, nx=300, ny=250, bandwidth=h,
                      kernel=kernel, weights=w)
    np.testing.assert_allclose(half, ours / 2, rtol=1e-9, atol=1e-12 * ours.max())


def test_bandwidth_rules_equal_hand_computed_values():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([0.0, 4.0, 2.0, 6.0])  # not collinear with x (scipy needs that)
    # sample variances (ddof 1): 5/3 and 20/3; n^(-1/6) = 4^(-1/6)
    scott = math.sqrt((5 / 3 + 20 / 3) / 2) * 4 ** (-1 / 6)
    assert kde.bandwidth_rule(x, y, "scott") == pytest.approx(scott, rel=1e-12)
    # IQR (linear percentiles): 1.5 and 3.0; /1.349 is below the SDs 1.291 and 2.582
    a_x, a_y = 1.5 / 1.349, 3.0 / 1.349
    silver = math.sqrt((a_x ** 2 + a_y ** 2) / 2) * 4 ** (-1 / 6)
    assert kde.bandwidth_rule(x, y, "silverman") == pytest.approx(silver, rel=1e-12)
    # the quartic radius with the same AMISE scaling: (2304/5)^(1/6) ≈ 2.779
    assert math.isclose(kde.QUARTIC_RADIUS_PER_GAUSSIAN_SD, 2.77919, abs_tol=1e-5)
    assert kde.resolve_bandwidth("scott", "quartic", x, y) == pytest.approx(
        scott * (2304 / 5) ** (1 / 6))
    assert kde.resolve_bandwidth("250", "gaussian", x, y) == 250.0
    # scipy's Scott factor is the same n^(-1/(d+4)) (in 2-D Silverman's equals it)
    ref = stats.gaussian_kde(np.vstack([x, y]))
    assert ref.scotts_factor() == pytest.approx(4 ** (-1 / 6))
    assert ref.silverman_factor() == pytest.approx(4 ** (-1 / 6))


def test_weighted_rule_uses_kish_effective_n():
    rng = np.random.default_rng(9)
    x, y = rng.normal(0, 100, 500), rng.normal(0, 50, 500)
    w = rng.uniform(0, 1, 500)
    n_eff = w.sum() ** 2 / (w * w).sum()
    cov = np.cov(np.vstack([x, y]), aweights=w)
    want = math.sqrt(np.trace(cov) / 2) * n_eff ** (-1 / 6)
    assert kde.bandwidth_rule(x, y, "scott", w) == pytest.approx(want, rel=1e-12)


def _area_points(n=500, seed=10):
    rng = np.random.default_rng(seed)
    lon = 16.9 + rng.normal(0, 0.01, n)
    lat = 59.0 + rng.normal(0, 0.005, n)
    t = np.full(n, 1_700_000_000)
    return from_arrays(lon, lat, t)


def test_kde_on_points_writes_csv_sidecar_and_images(tmp_path):
    pts = _area_points()
    area = study.from_points(pts)
    grid = kde.kde(pts, area, "EPSG:3006", cell_size=50, bandwidth="scott", kernel="quartic")
    assert grid.density.shape == (grid.ny, grid.nx)
    assert grid.meta["points_used"] == 500 and grid.meta["bandwidth_rule"] == "scott"
    assert grid.total() == pytest.approx(500, rel=0.02)  # some mass spills past the box
    n = grid.to_csv(tmp_path / "g.csv")
    head = (tmp_path / "g.csv").read_text().splitlines()
    assert head[0] == "x,y,lon,lat,density"
    assert len(head) == n + 1 == grid.inside.sum() + 1
    meta = json.loads((tmp_path / "g.csv.json").read_text())
    assert meta["crs"] == "EPSG:3006" and meta["units"] == "events per km²"
    assert meta["kernel"] == "quartic" and meta["study_area"] == "points' extent"
    assert meta["bandwidth_m"] == pytest.approx(grid.bandwidth)
    grid.to_png(tmp_path / "g.png")
    grid.to_svg(tmp_path / "g.svg")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "g.svg").read_bytes()[:500]


def test_geotiff_carries_georeferencing(tmp_path):
    from PIL import Image

    pts = _area_points()
    grid = kde.kde(pts, study.from_points(pts), "EPSG:3006", cell_size=100, bandwidth=400,
                   kernel="gaussian")
    grid.to_geotiff(tmp_path / "g.tif")
    im = Image.open(tmp_path / "g.tif")
    assert im.size == (grid.nx, grid.ny)
    assert im.tag_v2[33550][:2] == (100.0, 100.0)
    assert im.tag_v2[33922][3:5] == (grid.x0, grid.y0 + grid.ny * 100)
    assert 3006 in im.tag_v2[34735]
    a = np.array(im)
    np.testing.assert_allclose(np.nan_to_num(a[::-1]), np.where(grid.inside, grid.density, 0),
                               rtol=1e-6, atol=1e-6 * grid.density.max())


def test_points_outside_the_area_are_left_out_and_counted():
    pts = _area_points()
    area = study.from_geojson({"type": "Polygon", "coordinates": [[
        [16.9, 58.98], [16.95, 58.98], [16.95, 59.02], [16.9, 59.02], [16.9, 58.98]]]})
    grid = kde.kde(pts, area, "EPSG:3006", cell_size=50, bandwidth=200, kernel="gaussian")
    inside = int(area.contains(pts.lon, pts.lat).sum())
    assert grid.meta["points_used"] == inside
    assert grid.meta["points_outside_area"] == 500 - inside


@pytest.mark.parametrize("kwargs,match", [
    ({"bandwidth": 20, "cell_size": 50}, "smaller than the cell size"),
    ({"bandwidth": "wide"}, "neither a number"),
    ({"bandwidth": -5}, "positive"),
    ({"kernel": "epanechnikov"}, "Unknown kernel"),
    ({"cell_size": 0}, "cell size"),
    ({"crs": "EPSG:4326"}, "geographic"),
    ({"weights": -np.ones(500)}, "non-negative"),
    ({"weights": np.ones(3)}, "one weight per point"),
])
def test_bad_input_gives_a_clear_error(kwargs, match):
    pts = _area_points()
    area = study.from_points(pts)
    args = {"cell_size": 50, "bandwidth": 300, "kernel": "quartic", "crs": "EPSG:3006"}
    args.update(kwargs)
    crs = args.pop("crs")
    with pytest.raises(AnalysisError, match=match):
        kde.kde(pts, area, crs, **args)


def test_no_points_in_the_area():
    pts = _area_points()
    far = study.from_geojson({"type": "Polygon", "coordinates": [[
        [10, 50], [10.1, 50], [10.1, 50.1], [10, 50.1], [10, 50]]]})
    with pytest.raises(AnalysisError, match="None of the 500 points"):
        kde.kde(pts, far, "EPSG:3006", cell_size=50, bandwidth=300)


def test_rule_needs_spread():
    with pytest.raises(AnalysisError, match="same place"):
        kde.bandwidth_rule(np.ones(5), np.ones(5))
    with pytest.raises(AnalysisError, match="at least 2"):
        kde.bandwidth_rule(np.ones(1), np.ones(1))


def test_too_fine_a_grid_is_refused():
    with pytest.raises(AnalysisError, match="use a cell size of at least"):
        kde.grid_for((0, 0, 1e6, 1e6), 1.0)


def test_grid_sampling_interpolates_between_cell_centres():
    pts = _area_points()
    grid = kde.kde(pts, study.from_points(pts), "EPSG:3006", cell_size=50, bandwidth=300)
    xs, ys = grid.centres()
    np.testing.assert_allclose(grid.sample(xs.ravel(), ys.ravel()), grid.density.ravel(),
                               rtol=1e-9, atol=1e-12)
    mid = grid.sample(xs[5, 5:7].mean(), ys[5, 5])
    assert mid == pytest.approx(grid.density[5, 5:7].mean())
    assert grid.sample(np.array([grid.x0 - 1e5]), np.array([grid.y0]))[0] == 0.0
