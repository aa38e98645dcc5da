"""Neighbourhoods: H3 rings equal a grid_disk loop; distance bands equal brute force."""

from __future__ import annotations

import numpy as np
import pytest
from h3.api import basic_int as h3i
from scipy.spatial.distance import cdist
from shapely.geometry import box, mapping

from drugscene.analysis import grid as G
from drugscene.analysis.area import StudyArea, from_geojson
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.neighbours import Neighbours, distance_band, from_pairs, h3_rings
from drugscene.demo.geography import build_geography


@pytest.fixture(scope="module")
def city() -> StudyArea:
    return from_geojson(dict(mapping(build_geography().city_shape)), "city boundary", "demo")


def brute_rings(cells: np.ndarray, k: int) -> dict[int, set[int]]:
    where = {c: i for i, c in enumerate(cells.tolist())}
    return {i: {where[d] for d in h3i.grid_disk(c, k) if d in where}
            for i, c in enumerate(cells.tolist())}


def as_sets(nb: Neighbours) -> dict[int, set[int]]:
    return {i: set(nb.neighbours_of(i).tolist()) for i in range(nb.n)}


def check_csr(nb: Neighbours) -> None:
    assert nb.indptr.size == nb.n + 1 and nb.indptr[0] == 0
    assert nb.indptr[-1] == nb.indices.size
    for i in range(nb.n):
        row = nb.neighbours_of(i)
        assert np.all(np.diff(row) > 0) and i in row  # sorted, unique, self included


@pytest.mark.parametrize(("res", "k"), [(8, 1), (9, 1), (9, 2), (9, 3), (10, 1)])
def test_h3_rings_equal_a_grid_disk_loop(city, res, k) -> None:
    cells = G.h3_grid(city, res).cells
    nb = h3_rings(cells, k)
    assert as_sets(nb) == brute_rings(cells, k)
    check_csr(nb)
    card = nb.cardinality()
    assert card.max() == 3 * k * (k + 1) + 1 and card.min() >= 1


def test_h3_rings_with_known_centres(city) -> None:
    g = G.h3_grid(city, 9)
    assert as_sets(h3_rings(g.cells, 2, centres=g.centroids())) == brute_rings(g.cells, 2)
    with pytest.raises(AnalysisError, match="one \\(lon, lat\\) per cell"):
        h3_rings(g.cells, 1, centres=(np.zeros(3), np.zeros(3)))


def test_h3_rings_keep_the_given_order(city) -> None:
    cells = np.random.default_rng(0).permutation(G.h3_grid(city, 9).cells)
    assert as_sets(h3_rings(cells, 2)) == brute_rings(cells, 2)


@pytest.mark.parametrize("site", ["edge", "vertex"])
@pytest.mark.parametrize(("res", "half", "k"), [(5, 1.0, 2), (7, 0.3, 1), (10, 0.02, 3)])
def test_h3_rings_across_faces_and_pentagons(site, res, half, k) -> None:
    ico = G._icosahedron()
    f = ico.faces[0]
    v = {"edge": ico.vertices[f[0]] + ico.vertices[f[1]], "vertex": ico.vertices[f[2]]}[site]
    v = v / np.linalg.norm(v)
    lo, la = np.degrees(np.arctan2(v[1], v[0])), np.degrees(np.arcsin(v[2]))
    area = from_geojson(dict(mapping(box(lo - half, la - half, lo + half, la + half))))
    cells = G.h3_grid(area, res).cells
    assert as_sets(h3_rings(cells, k)) == brute_rings(cells, k)


def test_h3_rings_zero_is_each_cell_alone(city) -> None:
    cells = G.h3_grid(city, 8).cells
    nb = h3_rings(cells, 0)
    assert np.array_equal(nb.indices, np.arange(cells.size))
    assert (nb.cardinality() == 1).all()


def test_h3_rings_errors(city) -> None:
    cells = G.h3_grid(city, 8).cells
    with pytest.raises(AnalysisError, match="whole number"):
        h3_rings(cells, -1)
    with pytest.raises(AnalysisError, match="resolutions"):
        h3_rings(np.concatenate((cells, G.h3_grid(city, 9).cells[:3])), 1)
    with pytest.raises(AnalysisError, match="duplicates"):
        h3_rings(np.concatenate((cells, cells[:1])), 1)
    with pytest.raises(AnalysisError, match="No cells"):
        h3_rings(np.empty(0, dtype=np.int64), 1)


def test_to_scipy_is_the_binary_matrix(city) -> None:
    cells = G.h3_grid(city, 8).cells
    nb = h3_rings(cells, 1)
    m = nb.to_scipy()
    assert m.shape == (nb.n, nb.n) and m.nnz == nb.indices.size
    assert (m != m.T).nnz == 0  # symmetric
    assert np.array_equal(np.asarray(m.sum(axis=1)).ravel(), nb.cardinality())
    assert (m.diagonal() == 1).all()


@pytest.mark.parametrize("d", [0.0, 0.05, 0.12, 0.3])
def test_distance_band_equals_brute_force(d) -> None:
    rng = np.random.default_rng(7)
    x, y = rng.random(400), rng.random(400)
    nb = distance_band(x, y, d)
    dist = cdist(np.column_stack((x, y)), np.column_stack((x, y)))
    expected = {i: set(np.flatnonzero(dist[i] <= d).tolist()) for i in range(400)}
    assert as_sets(nb) == expected
    check_csr(nb)


def test_distance_band_on_a_square_grid_is_the_queen_neighbourhood(city) -> None:
    sq = G.square_grid(city, 500, "EPSG:3006")
    x, y = sq.centres_xy()
    nb = distance_band(x, y, 500 * np.sqrt(2) * (1 + 1e-9))
    row, col = sq.rows_cols()
    where = {(r, c): i for i, (r, c) in enumerate(zip(row.tolist(), col.tolist(), strict=True))}
    for i, (r, c) in enumerate(zip(row.tolist(), col.tolist(), strict=True)):
        expected = {where[(r + a, c + b)] for a in (-1, 0, 1) for b in (-1, 0, 1)
                    if (r + a, c + b) in where}
        assert set(nb.neighbours_of(i).tolist()) == expected


def test_distance_band_errors() -> None:
    with pytest.raises(AnalysisError, match="NaN"):
        distance_band(np.array([0.0, np.nan]), np.array([0.0, 1.0]), 1.0)
    with pytest.raises(AnalysisError, match="≥ 0"):
        distance_band(np.zeros(3), np.zeros(3), -1.0)
    with pytest.raises(AnalysisError, match="same length"):
        distance_band(np.zeros(3), np.zeros(2), 1.0)


def test_from_pairs_dedupes_and_adds_self() -> None:
    nb = from_pairs(np.array([0, 0, 1, 2, 2]), np.array([1, 1, 0, 0, 0]), 4)
    assert as_sets(nb) == {0: {0, 1}, 1: {0, 1}, 2: {0, 2}, 3: {3}}
