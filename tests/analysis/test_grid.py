"""Grids: H3 cells (equal to h3 point by point), square cells, the space–time cube."""

from __future__ import annotations

import h3
import numpy as np
import pytest
from shapely.geometry import box, mapping

from drugscene.analysis import grid as G
from drugscene.analysis.area import StudyArea, from_geojson, from_points
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import Points
from drugscene.demo.geography import build_geography
from drugscene.geo import h3grid

DAY = 86_400


@pytest.fixture(scope="module")
def city() -> StudyArea:
    return from_geojson(dict(mapping(build_geography().city_shape)), "city boundary", "demo")


def points(lon, lat, t=None) -> Points:
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    t = np.zeros(lon.size, dtype=np.int64) if t is None else np.asarray(t, dtype=np.int64)
    return Points(lon, lat, t)


def uniform(area: StudyArea, n: int, seed: int = 0, pad: float = 0.02):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = area.geometry.bounds
    return (x0 - pad + rng.random(n) * (x1 - x0 + 2 * pad),
            y0 - pad + rng.random(n) * (y1 - y0 + 2 * pad))


def reference_index(cells: np.ndarray, lon, lat, res: int) -> np.ndarray:
    """The plain way: h3grid.cells_of (one h3 call per point) + searchsorted."""
    c = h3grid.cells_of(np.asarray(lon), np.asarray(lat), res)
    i = np.minimum(np.searchsorted(cells, c), cells.size - 1)
    return np.where(cells[i] == c, i, -1)


def icosahedron_site(kind: str) -> tuple[float, float]:
    ico = G._icosahedron()
    f = ico.faces[0]
    v = {"edge": ico.vertices[f[0]] + ico.vertices[f[1]], "vertex": ico.vertices[f[2]]}[kind]
    v = v / np.linalg.norm(v)
    return float(np.degrees(np.arctan2(v[1], v[0]))), float(np.degrees(np.arcsin(v[2])))


# --- H3 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("res", [6, 7, 8, 9, 10, 11])
def test_index_of_equals_h3_point_by_point(city, res) -> None:
    g = G.h3_grid(city, res)
    lon, lat = uniform(city, 60_000, seed=res)
    assert np.array_equal(g.index_of(lon, lat), reference_index(g.cells, lon, lat, res))


@pytest.mark.parametrize(("lon", "lat"), [(-73.98, 40.75), (151.2, -33.87), (179.99, 0.0),
                                         (24.94, 60.17)])
@pytest.mark.parametrize(("res", "half"), [(13, 0.003), (15, 0.0005)])
def test_index_of_equals_h3_worldwide_at_fine_resolutions(lon, lat, res, half) -> None:
    area = from_geojson(dict(mapping(box(lon - half, lat - half, lon + half, lat + half))))
    g = G.h3_grid(area, res)
    rng = np.random.default_rng(res)
    x = lon - 1.2 * half + rng.random(30_000) * 2.4 * half
    y = lat - 1.2 * half + rng.random(30_000) * 2.4 * half
    assert np.array_equal(g.index_of(x, y), reference_index(g.cells, x, y, res))


@pytest.mark.parametrize("res", [8, 9, 12, 15])
def test_index_of_equals_h3_next_to_cell_edges(city, res) -> None:
    """Points a hair inside each cell's vertices and edge midpoints (the hardest cases)."""
    if res > 12:
        city = from_geojson(dict(mapping(box(16.9, 59.0, 16.901, 59.0005))))
    g = G.h3_grid(city, res)
    cells = g.cells[:: max(1, g.n_cells // 300)]
    lon, lat, own = [], [], []
    for i, c in enumerate(cells.tolist()):
        ring = np.array(h3.cell_to_boundary(h3.int_to_str(c)))  # (lat, lng)
        centre = np.array(h3.cell_to_latlng(h3.int_to_str(c)))
        # vertices are exact: step 1e-6 of the way in; a lon/lat midpoint is off the
        # (gnomonic) edge by millimetres: step 1e-4 (a few cm) in
        mids = (ring + np.roll(ring, -1, axis=0)) / 2
        for p, f in [(v, 1e-6) for v in ring] + [(m, 1e-4) for m in mids]:
            q = p + (centre - p) * f
            lat.append(q[0])
            lon.append(q[1])
            own.append(i)
    lon_a, lat_a = np.array(lon), np.array(lat)
    got = g.index_of(lon_a, lat_a)
    assert np.array_equal(got, reference_index(g.cells, lon_a, lat_a, res))
    assert np.array_equal(g.cells[got], cells[np.array(own)])


@pytest.mark.parametrize("site", ["edge", "vertex"])
@pytest.mark.parametrize(("res", "half"), [(5, 1.0), (8, 0.1), (10, 0.02)])
def test_index_of_across_icosahedron_faces_and_pentagons(site, res, half) -> None:
    lo, la = icosahedron_site(site)
    area = from_geojson(dict(mapping(box(lo - half, la - half, lo + half, la + half))))
    g = G.h3_grid(area, res)
    rng = np.random.default_rng(res)
    lon = lo - 1.2 * half + rng.random(20_000) * 2.4 * half
    lat = la - 1.2 * half + rng.random(20_000) * 2.4 * half
    assert len(g._locator().tables) >= 2  # really spans faces
    assert np.array_equal(g.index_of(lon, lat), reference_index(g.cells, lon, lat, res))


def test_grid_is_polyfill_plus_the_cells_of_events_inside(city) -> None:
    res = 9
    poly = np.sort(np.array([h3.str_to_int(c) for c in h3.geo_to_cells(city.geometry, res)]))
    lon, lat = uniform(city, 20_000, pad=0.0)
    pts = points(lon, lat)
    g = G.h3_grid(city, res, pts)
    inside = city.contains(lon, lat)
    event_cells = np.unique(h3grid.cells_of(lon[inside], lat[inside], res))
    assert np.array_equal(g.cells, np.union1d(poly, event_cells))
    assert np.all(np.diff(g.cells) > 0) and g.cells.dtype == np.int64
    assert np.setdiff1d(event_cells, poly).size > 0  # some events lie in edge cells
    counts = g.counts(pts)
    assert counts.sum() == inside.sum()  # no event inside the area is lost


def test_zero_cells_are_counted(city) -> None:
    g = G.h3_grid(city, 9)
    lo, la = g.centroids()
    pts = points(np.repeat(lo[:3], [5, 1, 2]), np.repeat(la[:3], [5, 1, 2]))
    counts = g.counts(pts)
    assert counts.shape == (g.n_cells,) and counts.dtype == np.int64
    assert counts[:3].tolist() == [5, 1, 2] and counts[3:].sum() == 0
    assert (counts == 0).sum() == g.n_cells - 3


def test_counts_equal_a_python_loop(city) -> None:
    lon, lat = uniform(city, 5_000, seed=3)
    pts = points(lon, lat)
    g = G.h3_grid(city, 8, pts)
    expected = np.zeros(g.n_cells, dtype=np.int64)
    where = {c: i for i, c in enumerate(g.cells.tolist())}
    for x, y in zip(lon, lat, strict=True):
        if city.contains(np.array([x]), np.array([y]))[0]:
            expected[where[h3grid.cell_of(x, y, 8)]] += 1
    assert np.array_equal(g.counts(pts), expected)
    fresh = G.h3_grid(city, 8, pts)  # same result without the cache of h3_grid
    fresh._cache.pop("located")
    assert np.array_equal(fresh.counts(pts), expected)


def test_points_outside_the_area_are_not_counted(city) -> None:
    g = G.h3_grid(city, 8)
    x0, y0, x1, y1 = city.geometry.bounds
    pts = points([x1 + 0.5, x0 - 0.5], [y1 + 0.5, y0])
    assert g.counts(pts).sum() == 0
    assert (g.locate(pts) == -1).all()


def test_centroids_ids_and_polygons_match_h3(city) -> None:
    g = G.h3_grid(city, 8)
    lon, lat = g.centroids()
    for i in (0, g.n_cells // 2, g.n_cells - 1):
        s = h3.int_to_str(int(g.cells[i]))
        assert (lat[i], lon[i]) == pytest.approx(h3.cell_to_latlng(s), abs=1e-12)
        assert g.cell_ids()[i] == s
        ring = g.cell_polygons_lonlat()[i]
        assert ring[0] == ring[-1] and len(ring) == 7
    assert "H3 resolution 8" in g.describe() and "city boundary" in g.describe()


@pytest.mark.parametrize("res", [-1, 16, "9", 9.5, True])
def test_bad_resolution(city, res) -> None:
    with pytest.raises(AnalysisError, match="0..15"):
        G.h3_grid(city, res)


def test_area_with_too_few_cells_asks_for_a_finer_resolution(city) -> None:
    with pytest.raises(AnalysisError, match="finer resolution"):
        G.h3_grid(city, 4)


def test_resolution_too_fine_for_the_area(city) -> None:
    with pytest.raises(AnalysisError, match="coarser"):
        G.h3_grid(city, 15)


def test_nan_coordinates_are_refused(city) -> None:
    g = G.h3_grid(city, 8)
    with pytest.raises(AnalysisError, match="NaN"):
        g.counts(points([16.9, np.nan], [59.0, 59.0]))
    with pytest.raises(AnalysisError, match="NaN"):
        G.h3_grid(city, 8, points([np.nan], [59.0]))


# --- square grid ---------------------------------------------------------------------------


def test_square_grid_counts_equal_brute_force(city) -> None:
    import pyproj

    sq = G.square_grid(city, 250, "EPSG:3006")
    lon, lat = uniform(city, 20_000, seed=5)
    pts = points(lon, lat)
    got = sq.counts(pts)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(
        lon, lat)
    col = np.floor((x - sq.x0) / 250).astype(int)
    row = np.floor((y - sq.y0) / 250).astype(int)
    ids = sq.cell_ids()
    where = {c: i for i, c in enumerate(ids)}
    expected = np.zeros(sq.n_cells, dtype=np.int64)
    inside = city.contains(lon, lat)
    for r, c, ok in zip(row, col, inside, strict=True):
        if ok and f"r{r}c{c}" in where:
            expected[where[f"r{r}c{c}"]] += 1
    assert np.array_equal(got, expected)
    assert got.shape == (sq.n_cells,) and (got == 0).any()
    assert sq.x0 % 250 == 0 and sq.y0 % 250 == 0


def test_square_grid_cells_are_those_with_centre_inside(city) -> None:
    import pyproj

    sq = G.square_grid(city, 500, "EPSG:3006")
    lon, lat = sq.centroids()
    assert city.contains(lon, lat).all()
    row, col = np.nonzero(~sq.inside)
    x = sq.x0 + (col + 0.5) * 500
    y = sq.y0 + (row + 0.5) * 500
    lo, la = pyproj.Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True).transform(
        x, y)
    assert not city.contains(np.asarray(lo), np.asarray(la)).any()
    rings = sq.cell_polygons_lonlat()
    assert len(rings) == sq.n_cells and all(len(r) == 5 and r[0] == r[-1] for r in rings)
    assert sq.cell_ids()[0].startswith("r") and "c" in sq.cell_ids()[0]


def test_square_grid_with_points_keeps_events_at_the_edge(city) -> None:
    lon, lat = uniform(city, 20_000, seed=9, pad=0.0)
    pts = points(lon, lat)
    plain = G.square_grid(city, 1000, "EPSG:3006")
    full = G.square_grid(city, 1000, "EPSG:3006", pts)
    inside = city.contains(lon, lat).sum()
    assert plain.counts(pts).sum() < inside == full.counts(pts).sum()


@pytest.mark.parametrize(("size", "crs", "match"), [
    (0, "EPSG:3006", "positive"), (-5, "EPSG:3006", "positive"),
    (float("nan"), "EPSG:3006", "positive"), (100, "EPSG:4326", "projected"),
    (100, "EPSG:999999", "Unknown"), (0.5, "EPSG:3006", "larger cell size"),
    (50_000, "EPSG:3006", "smaller cell size"),
])
def test_square_grid_errors(city, size, crs, match) -> None:
    with pytest.raises(AnalysisError, match=match):
        G.square_grid(city, size, crs)


# --- space-time cube -----------------------------------------------------------------------


def _timed_points(city, n=20_000, seed=1, days=100):
    rng = np.random.default_rng(seed)
    lon, lat = uniform(city, n, seed=seed)
    t0 = 1_700_000_000 + 12_345  # not midnight
    t = t0 + rng.integers(0, days * DAY, n)
    return points(lon, lat, t)


def test_cube_totals_equal_the_points_in_range(city) -> None:
    pts = _timed_points(city)
    g = G.h3_grid(city, 8, pts)
    cube = G.space_time_cube(g, pts, 7 * DAY)
    start = int(pts.t.min()) // DAY * DAY
    assert cube.edges[0] == start and np.all(np.diff(cube.edges) == 7 * DAY)
    assert cube.counts.shape == (g.n_cells, cube.edges.size - 1)
    assert cube.counts.dtype == np.int64
    inside = city.contains(pts.lon, pts.lat)
    in_range = (pts.t >= cube.edges[0]) & (pts.t < cube.edges[-1])
    assert cube.counts.sum() == (inside & in_range).sum()
    assert np.array_equal(cube.counts.sum(axis=1), G.H3Grid(8, g.cells, city).counts(
        pts.subset(in_range)))
    assert "partial step" in cube.note  # 100 days are not whole weeks
    assert cube.n_outside_area == (~inside).sum()


def test_cube_equals_a_python_loop(city) -> None:
    pts = _timed_points(city, n=3_000, seed=4, days=30)
    g = G.h3_grid(city, 7, pts)
    cube = G.space_time_cube(g, pts, 5 * DAY, start=1_700_000_000, end=1_700_000_000 + 25 * DAY)
    pos = g.locate(pts)
    expected = np.zeros_like(cube.counts)
    for p, t in zip(pos, pts.t, strict=True):
        step = (t - 1_700_000_000) // (5 * DAY)
        if p >= 0 and 0 <= step < 5:
            expected[p, step] += 1
    assert np.array_equal(cube.counts, expected)
    assert cube.n_steps == 5 and cube.step_seconds == 5 * DAY


def test_cube_whole_period_has_no_note(city) -> None:
    pts = _timed_points(city, n=1_000, days=14)
    g = G.h3_grid(city, 7, pts)
    start = int(pts.t.min()) // DAY * DAY
    cube = G.space_time_cube(g, pts, DAY, start=start, end=start + 15 * DAY)
    assert cube.n_steps == 15 and cube.counts.sum() == g.counts(pts).sum()
    assert "partial" not in cube.note


def test_cube_on_a_square_grid(city) -> None:
    pts = _timed_points(city, n=2_000)
    sq = G.square_grid(city, 1000, "EPSG:3006", pts)
    cube = G.space_time_cube(sq, pts, 7 * DAY)
    assert cube.counts.shape[0] == sq.n_cells
    assert cube.counts.sum() == sq.counts(pts.subset(pts.t < cube.edges[-1])).sum()


def test_cube_errors(city) -> None:
    pts = _timed_points(city, n=100, days=3)
    g = G.h3_grid(city, 7, pts)
    with pytest.raises(AnalysisError, match="shorter than one time step"):
        G.space_time_cube(g, pts, 7 * DAY)
    with pytest.raises(AnalysisError, match="positive"):
        G.space_time_cube(g, pts, 0)
    later = int(pts.t.max()) + 10 * DAY
    with pytest.raises(AnalysisError, match="No event"):
        G.space_time_cube(g, pts, DAY, start=later, end=later + 2 * DAY)


@pytest.mark.parametrize(("text", "seconds"), [
    ("7d", 7 * DAY), ("1w", 7 * DAY), ("24h", DAY), ("30d", 30 * DAY), (" 2W ", 14 * DAY),
    ("1h", 3600),
])
def test_parse_step(text, seconds) -> None:
    assert G.parse_step(text) == seconds


@pytest.mark.parametrize("text", ["", "7", "0d", "-1d", "1.5d", "7m", "week", "d7"])
def test_parse_step_refuses(text) -> None:
    with pytest.raises(AnalysisError, match="time step"):
        G.parse_step(text)


def test_from_points_area_holds_every_point() -> None:
    lon, lat = np.array([18.0, 18.05, 18.02]), np.array([59.3, 59.32, 59.31])
    pts = points(lon, lat)
    g = G.h3_grid(from_points(pts), 9, pts)
    assert g.counts(pts).sum() == 3
