"""Getis–Ord Gi*: equal to esda, BH equal to scipy, invariants, planted clusters, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats
from shapely.geometry import mapping

from drugscene.analysis import grid as G
from drugscene.analysis.area import StudyArea, from_geojson
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.gistar import (
    P_FLOOR,
    bh_fdr,
    confidence_bins,
    gi_star,
    gi_star_matrix,
    two_sided_p,
)
from drugscene.analysis.neighbours import Neighbours, distance_band, from_pairs, h3_rings
from drugscene.demo.geography import build_geography


@pytest.fixture(scope="module")
def city() -> StudyArea:
    return from_geojson(dict(mapping(build_geography().city_shape)), "city boundary", "demo")


@pytest.fixture(scope="module")
def hexes(city) -> tuple[G.H3Grid, Neighbours]:
    g = G.h3_grid(city, 9)
    return g, h3_rings(g.cells, 1)


def esda_g_local(x: np.ndarray, nb: Neighbours):
    """esda's Gi* on a libpysal W built from the same lists. esda adds the diagonal itself
    for star=True with binary weights, so the lists go in WITHOUT the cell itself."""
    import esda
    import libpysal

    lists = {i: [int(j) for j in nb.neighbours_of(i) if j != i] for i in range(nb.n)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.W(lists, silence_warnings=True)
        return esda.G_Local(x.astype(np.float64), w, transform="B", star=True,
                            permutations=0)


@pytest.mark.parametrize("k", [1, 2])
@pytest.mark.parametrize("seed", [0, 1])
def test_z_equals_esda_on_an_h3_grid(city, k, seed) -> None:
    g = G.h3_grid(city, 9)
    nb = h3_rings(g.cells, k)
    rng = np.random.default_rng(seed)
    x = rng.poisson(rng.gamma(0.5, 4.0, g.n_cells))  # overdispersed counts with zeros
    ours = gi_star(x, nb)
    ref = esda_g_local(x, nb)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=0, atol=1e-9)
    # sidedness: ours is two-sided; esda's p_norm is the one-sided tail of |z|
    np.testing.assert_allclose(ours.p, 2 * ref.p_norm, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(ref.p_norm, stats.norm.sf(np.abs(ours.z)), rtol=1e-9)
    np.testing.assert_allclose(ours.p, 2 * stats.norm.sf(np.abs(ours.z)), rtol=1e-9)


def test_z_equals_esda_with_a_distance_band(city) -> None:
    sq = G.square_grid(city, 400, "EPSG:3006")
    x_, y_ = sq.centres_xy()
    nb = distance_band(x_, y_, 900.0)
    x = np.random.default_rng(3).poisson(2.0, sq.n_cells)
    np.testing.assert_allclose(gi_star(x, nb).z, esda_g_local(x, nb).Zs, rtol=0, atol=1e-9)


def test_z_is_the_textbook_formula(hexes) -> None:
    g, nb = hexes
    x = np.random.default_rng(5).poisson(3.0, g.n_cells).astype(float)
    n, w = x.size, nb.cardinality()
    lag = np.array([x[nb.neighbours_of(i)].sum() for i in range(n)])
    s = np.sqrt((x ** 2).mean() - x.mean() ** 2)
    z = (lag - x.mean() * w) / (s * np.sqrt((n * w - w ** 2) / (n - 1)))
    np.testing.assert_allclose(gi_star(x, nb).z, z, atol=1e-9)


def test_matrix_columns_equal_gi_star(hexes) -> None:
    g, nb = hexes
    rng = np.random.default_rng(11)
    X = rng.poisson(0.7, (g.n_cells, 12))
    X[:, 4] = 0  # a quiet step
    X[:, 7] = 2  # a step with no variation
    z, p = gi_star_matrix(X, nb)
    assert z.shape == p.shape == X.shape
    for j in range(12):
        if j in (4, 7):
            assert (z[:, j] == 0).all() and (p[:, j] == 1).all()
            continue
        one = gi_star(X[:, j], nb)
        np.testing.assert_allclose(z[:, j], one.z, rtol=0, atol=1e-12)
        np.testing.assert_allclose(p[:, j], one.p, rtol=1e-10)
    assert X[:, 0].dtype.kind == "i"  # the input is left alone


def test_bh_equals_scipy() -> None:
    rng = np.random.default_rng(2)
    p = np.concatenate((rng.random(500) ** 3, [0.01, 0.01, 0.5, 1.0, P_FLOOR]))
    np.testing.assert_allclose(bh_fdr(p), stats.false_discovery_control(p, method="bh"),
                               rtol=1e-12)
    q = bh_fdr(p)
    assert (q >= p).all() and (q <= 1).all()
    o = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[o]) >= 0)  # monotone in p
    assert bh_fdr(np.array([])).size == 0
    with pytest.raises(AnalysisError):
        bh_fdr(np.array([0.1, np.nan]))


def test_invariants(hexes) -> None:
    g, nb = hexes
    x = np.random.default_rng(9).poisson(1.5, g.n_cells)
    x[:20] += 30
    r = gi_star(x, nb)
    assert ((r.p > 0) & (r.p <= 1)).all()
    assert ((r.p_fdr >= r.p) & (r.p_fdr <= 1)).all()
    assert r.bin.dtype == np.int8 and set(np.unique(r.bin)) <= set(range(-3, 4))
    nz = r.bin != 0
    assert (np.sign(r.bin[nz]) == np.sign(r.z[nz])).all()
    level = np.abs(r.bin)
    assert ((level == 3) == (r.p_fdr < 0.01)).all()
    assert ((level == 2) == ((r.p_fdr >= 0.01) & (r.p_fdr < 0.05))).all()
    assert ((level == 1) == ((r.p_fdr >= 0.05) & (r.p_fdr < 0.10))).all()
    raw = gi_star(x, nb, fdr=False)
    assert np.array_equal(raw.bin, confidence_bins(r.z, r.p)) and not raw.fdr
    assert (np.abs(raw.bin) >= np.abs(r.bin)).all()  # FDR never adds significance


def test_confidence_bins_thresholds() -> None:
    z = np.array([3.0, 2.0, 1.7, 1.0, -1.7, -2.0, -3.0])
    p = np.array([0.009, 0.049, 0.09, 0.5, 0.099, 0.01, 0.001])
    assert confidence_bins(z, p).tolist() == [3, 2, 1, 0, -1, -2, -3]
    assert confidence_bins(z, p, fdr=True).tolist() == confidence_bins(z, bh_fdr(p)).tolist()


def test_extreme_z_keeps_p_positive() -> None:
    p = two_sided_p(np.array([0.0, 5.0, 40.0, -1e6]))
    assert p[0] == 1.0 and (p > 0).all() and p[2] == P_FLOOR == p[3]


def test_a_planted_cluster_is_hot(hexes) -> None:
    g, nb = hexes
    rng = np.random.default_rng(4)
    x = rng.poisson(1.0, g.n_cells)
    centre = g.n_cells // 2
    x[nb.neighbours_of(centre)] += 12
    r = gi_star(x, nb)
    assert r.bin[centre] == 3
    assert (r.bin[nb.neighbours_of(centre)] >= 2).all()
    lon, lat = g.centroids()
    far = np.hypot(lon - lon[centre], (lat - lat[centre]) * 2) > 0.03
    assert (r.bin[far] <= 0).all()  # nothing hot away from the cluster


def test_a_planted_hole_is_cold(hexes) -> None:
    g, nb = hexes
    x = np.random.default_rng(6).poisson(20.0, g.n_cells)
    hole = nb.neighbours_of(g.n_cells // 3)
    x[hole] = 0
    r = gi_star(x, nb)
    assert r.bin[g.n_cells // 3] == -3


def test_cell_neighbouring_everything_gets_z_zero() -> None:
    x = np.array([1.0, 5.0, 2.0, 0.0])
    nb = from_pairs(np.array([0, 0, 0, 1, 2, 3]), np.array([1, 2, 3, 0, 0, 0]), 4)
    r = gi_star(x, nb)
    assert r.z[0] == 0 and r.p[0] == 1
    assert np.isfinite(r.z).all()


@pytest.mark.parametrize(("x", "match"), [
    (np.zeros(50), "zero"),
    (np.full(50, 3.0), "equal to 3"),
    (np.array([1.0, 2.0]), "at least 3 cells"),
    (np.r_[np.ones(49), np.nan], "NaN"),
])
def test_bad_input(x, match) -> None:
    nb = from_pairs(np.arange(x.size - 1), np.arange(1, x.size), x.size)
    with pytest.raises(AnalysisError, match=match):
        gi_star(x, nb)


def test_neighbours_of_another_grid(hexes) -> None:
    g, nb = hexes
    with pytest.raises(AnalysisError, match="same grid"):
        gi_star(np.arange(10.0), nb)
    with pytest.raises(AnalysisError, match="same grid"):
        gi_star_matrix(np.ones((10, 3)), nb)
