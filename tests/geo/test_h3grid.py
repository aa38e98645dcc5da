"""The vectorised H3 parent must agree with the h3 library's own cell_to_parent."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from drugscene.geo import h3grid


@pytest.fixture(scope="module")
def cells() -> np.ndarray:
    rng = np.random.default_rng(7)
    lon = rng.uniform(-179, 179, 400)
    lat = rng.uniform(-85, 85, 400)
    return h3grid.cells_of(lon, lat)


@pytest.mark.parametrize("res", [0, 3, 6, 7, 8, 9, 10, 11, 12])
def test_parents_match_h3(cells: np.ndarray, res: int) -> None:
    ours = h3grid.parents(cells, res)
    theirs = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), res)) for c in cells]
    assert ours.tolist() == theirs
    assert all(h3.is_valid_cell(h3.int_to_str(int(c))) for c in ours)


def test_cells_fit_signed_bigint(cells: np.ndarray) -> None:
    assert (cells > 0).all()
    assert cells.dtype == np.int64


def test_bad_resolution_raises() -> None:
    with pytest.raises(ValueError, match="0..15"):
        h3grid.parents(np.array([0]), 16)


def test_boundary_is_closed_ring() -> None:
    ring = h3grid.boundary_lonlat(h3grid.cell_of(16.9, 59.0, 9))
    assert ring[0] == ring[-1] and len(ring) == 7
    lons = [p[0] for p in ring]
    assert min(lons) < 16.9 < max(lons)
