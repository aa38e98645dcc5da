"""Neighbourhoods of grid cells as sparse adjacency (CSR), each cell included in its own.

Getis–Ord Gi* sums a cell's count together with its neighbours' (the "star"
neighbourhood; Getis & Ord 1992, Ord & Getis 1995), so every neighbourhood here contains
the cell itself. Two kinds:

* :func:`h3_rings` — the H3 cells within ``k`` grid steps (``h3.grid_disk(cell, k)``)
  that belong to the grid;
* :func:`distance_band` — the cells whose centres lie within ``d`` metres (inclusive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from h3.api import basic_int as h3i

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.grid import (
    _Locator,
    _unit,
    cell_centres,
    cell_resolution,
    sorted_unique,
)

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Neighbours", "distance_band", "from_pairs", "h3_rings"]


@dataclass(frozen=True, eq=False)
class Neighbours:
    """Binary adjacency in CSR form: the neighbours of cell ``i`` are
    ``indices[indptr[i]:indptr[i+1]]`` (sorted, ``i`` itself included)."""

    indptr: np.ndarray
    indices: np.ndarray
    n: int

    def cardinality(self) -> np.ndarray:
        """Neighbourhood sizes ``W_i`` (the cell itself included)."""
        return np.diff(self.indptr)

    def to_scipy(self) -> sp.csr_matrix:
        """The binary weights as a ``scipy.sparse.csr_matrix`` (float64 ones)."""
        import scipy.sparse as sp  # imported when needed: keeps the CLI start-up short

        data = np.ones(self.indices.size, dtype=np.float64)
        return sp.csr_matrix((data, self.indices, self.indptr), shape=(self.n, self.n))

    def neighbours_of(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i]:self.indptr[i + 1]]


def from_pairs(rows: np.ndarray, cols: np.ndarray, n: int) -> Neighbours:
    """CSR adjacency from ``(row, col)`` pairs; adds the self-pairs, drops duplicates."""
    ids = np.arange(n, dtype=np.int64)
    rows = np.concatenate((np.asarray(rows, dtype=np.int64), ids))
    cols = np.concatenate((np.asarray(cols, dtype=np.int64), ids))
    key = sorted_unique(rows * n + cols)  # sorted by row, then column
    r, c = np.divmod(key, n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    return Neighbours(indptr, c.astype(np.int64), n)


def _lattice_offsets(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Axial offsets ``(dq, dr)`` of the hexagons within ``k`` steps (hex distance)."""
    d = np.arange(-k, k + 1)
    dq, dr = (a.ravel() for a in np.meshgrid(d, d, indexing="ij"))
    keep = np.maximum(np.maximum(np.abs(dq), np.abs(dr)), np.abs(dq + dr)) <= k
    return dq[keep], dr[keep]


def h3_rings(cells: np.ndarray, k: int, *,
             centres: tuple[np.ndarray, np.ndarray] | None = None) -> Neighbours:
    """Neighbourhoods ``grid_disk(cell, k) ∩ cells`` of integer H3 cells.

    Parameters
    ----------
    cells : numpy.ndarray
        Unique int64 H3 cells of one resolution (any order; positions refer to it).
    k : int
        Ring distance in grid steps (``k = 0``: each cell alone).
    centres : (lon, lat), optional
        The cells' centres when already known (``H3Grid.centroids()``), saving one h3
        call per cell.

    Notes
    -----
    Away from icosahedron face edges and pentagons, ``grid_disk`` is the set of lattice
    points within hex distance ``k`` on the face's hexagonal lattice (see
    :mod:`drugscene.analysis.grid`), so the neighbours are found by table look-ups of
    the ``3k(k+1)`` lattice offsets, vectorised over all cells. Cells closer than
    ``k + 1`` steps to a face edge (or off the learnt lattice) are asked of
    ``h3.grid_disk`` one by one. ``tests/analysis/test_neighbours.py`` checks the result
    against a plain ``grid_disk`` loop.
    """
    cells = np.asarray(cells, dtype=np.int64).ravel()
    if isinstance(k, bool) or int(k) != k or k < 0:
        raise AnalysisError(f"The ring distance must be a whole number ≥ 0, got {k!r}.")
    k = int(k)
    n = cells.size
    if n == 0:
        raise AnalysisError("No cells to find neighbours for.")
    res = sorted_unique(cell_resolution(cells))
    if res.size != 1:
        raise AnalysisError("The cells mix H3 resolutions; use cells of one resolution.")
    if sorted_unique(cells).size != n:
        raise AnalysisError("The cells contain duplicates.")
    if k == 0:
        return from_pairs(np.empty(0, np.int64), np.empty(0, np.int64), n)
    if centres is None:
        lon, lat = cell_centres(cells)
    else:
        lon, lat = (np.asarray(a, dtype=np.float64).ravel() for a in centres)
        if lon.size != n or lat.size != n:
            raise AnalysisError("centres must give one (lon, lat) per cell.")
    loc = _Locator(cells, int(res[0]), lon, lat)
    dq, dr = _lattice_offsets(k)  # (0, 0) included: the cell itself
    # every neighbourhood has at most len(dq) cells: fill an (n, K) table, -1 for none
    table = np.full((n, dq.size), -1, dtype=np.int64)
    slow = loc.fallback_cells.copy()
    for t in loc.tables:
        fr = t.frame
        # a disk of radius k reaches k spacings from the centre; keep one more as margin
        px, py = fr.plane(_unit(lon[t.members], lat[t.members]))
        interior = fr.edge_distance((px, py)) > (k + 1) * fr.spacing
        slow[t.members[~interior]] = True
        m = t.members[interior]
        if m.size == 0:
            continue
        q = t.q[interior][:, None] + dq[None, :]
        r = t.r[interior][:, None] + dr[None, :]
        table[m] = t.lookup(q.ravel(), r.ravel()).reshape(q.shape)
    if slow.any():
        rows, cols = _by_grid_disk(loc.sorted, loc.order, cells, np.flatnonzero(slow), k)
        first = np.searchsorted(rows, rows, side="left")  # rows come grouped, ascending
        table[rows, np.arange(rows.size) - first] = cols
    table.sort(axis=1)
    mask = table >= 0
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(mask.sum(axis=1), out=indptr[1:])
    return Neighbours(indptr, table[mask], n)


def _by_grid_disk(srt: np.ndarray, order: np.ndarray, cells: np.ndarray, which: np.ndarray,
                  k: int) -> tuple[np.ndarray, np.ndarray]:
    """Reference path: ``h3.grid_disk`` per cell, mapped to positions by searchsorted.

    ``srt``/``order``: the cells sorted and their positions. Returns ``(rows, cols)``
    grouped by row in ascending order.
    """
    disks = [h3i.grid_disk(c, k) for c in cells[which].tolist()]
    sizes = np.fromiter((len(d) for d in disks), dtype=np.int64, count=len(disks))
    flat = np.fromiter((c for d in disks for c in d), dtype=np.int64, count=int(sizes.sum()))
    rows = np.repeat(which, sizes)
    i = np.minimum(np.searchsorted(srt, flat), srt.size - 1)
    hit = srt[i] == flat
    return rows[hit], order[i[hit]]


def distance_band(x: np.ndarray, y: np.ndarray, d: float) -> Neighbours:
    """Neighbourhoods of all points within distance ``d`` (inclusive), self included.

    Parameters
    ----------
    x, y : numpy.ndarray
        Metric coordinates (e.g. cell centres in a projected CRS).
    d : float
        Band in the same units. Pairs at exactly ``d`` are neighbours, but a distance
        computed from coordinates can differ from ``d`` in the last bit: on a regular grid
        use a band slightly above the spacing you mean (the CLI adds 1e-9 relative).

    Uses ``scipy.spatial.cKDTree.query_pairs``.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise AnalysisError("x and y must have the same length.")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise AnalysisError("Some coordinates are missing (NaN) or infinite.")
    if not np.isfinite(d) or d < 0:
        raise AnalysisError(f"The distance band must be a number ≥ 0, got {d!r}.")
    n = x.size
    if n == 0:
        raise AnalysisError("No cells to find neighbours for.")
    from scipy.spatial import cKDTree

    pairs = cKDTree(np.column_stack((x, y))).query_pairs(float(d), output_type="ndarray")
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    return from_pairs(np.concatenate((a, b)), np.concatenate((b, a)), n)
