"""The Knox test for space–time interaction ("near repeats"), with Monte Carlo significance.

Do events that are close in space also tend to be close in time, more than chance would
give? Knox (1964) counted the pairs of events that are both within ``s`` metres and within
``τ`` days of each other. Whether that count is large depends on how the events are spread
in space and in time separately, so the reference distribution is built by **permuting the
times among the events** (locations fixed): every permutation keeps both marginal patterns
and destroys only their link. The Near Repeat Calculator (Ratcliffe 2009), following
Johnson & Bowers (2004), does this for a table of several space bands × time bands; a cell's
*Knox ratio* is the observed count divided by the mean count over the permutations.

Implementation, vectorised:

1. project lon/lat to metres with pyproj (a given metric CRS, else the points' UTM zone);
2. find every pair within the largest space band once, with :class:`scipy.spatial.cKDTree`
   on strips of the plane (bounded memory), and sort the pairs into space bands, stored as
   compressed rows (for event *i*, its partners *j* < *i*);
3. per permutation, the time differences are recomputed on those pairs only, chunk by chunk
   (``numpy.repeat`` for the row side, ``numpy.take`` for the partners), and counted against
   the cumulative time edges. Pairs farther apart in time than the last edge fill the
   table's last column ("more than τ_max"), which needs no work: it is the band's pair
   count minus the rest.

The cost is proportional to (number of close pairs) × (permutations + 1), about 2 ns per
pair and permutation. Spread events (50,000 over 100 km², bands up to 400 m, ~6–8 M pairs)
take about 3 s for 99 permutations on a 2-core machine; concentrated drug-scene reports
give far more pairs per event (the demo city's 50,000 reports have ~107 M pairs within
400 m: about 25 s and 0.6 GB), and ``max_pairs`` stops a run that would not fit.

References
----------
Knox, E. G. (1964). The detection of space-time interactions. *Journal of the Royal
Statistical Society, Series C (Applied Statistics)*, 13(1), 25-30.

Johnson, S. D. & Bowers, K. J. (2004). The burglary as clue to the future: the beginnings of
prospective hot-spotting. *European Journal of Criminology*, 1(2), 237-255.

Ratcliffe, J. H. (2009). *Near Repeat Calculator* (version 1.3). Temple University,
Philadelphia, and the National Institute of Justice.

Besag, J. & Diggle, P. J. (1977). Simple Monte Carlo tests for spatial pattern. *Applied
Statistics*, 26(3), 327-333 (the ``(1 + #{sim ≥ obs}) / (1 + n)`` p-value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyproj import Transformer
from pyproj.exceptions import CRSError
from scipy.spatial import cKDTree

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import Points

DAY_S = 86_400
#: refuse to build more close pairs than this (4 bytes each, plus the per-strip query)
MAX_PAIRS = 150_000_000
_CHUNK = 1 << 16  # pairs per vectorised step of a permutation: fits in the CPU caches
_BATCH = 1 << 20  # candidate pairs per step when finding the close pairs


def to_metres(lon: np.ndarray, lat: np.ndarray, metric_crs: str | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 lon/lat to a metric CRS (default: the UTM zone of the median point)."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    if metric_crs is None:
        lon0, lat0 = float(np.median(lon)), float(np.median(lat))
        zone = int((lon0 + 180.0) // 6.0) % 60 + 1
        metric_crs = f"EPSG:{(32600 if lat0 >= 0 else 32700) + zone}"
    try:
        fwd = Transformer.from_crs("EPSG:4326", metric_crs, always_xy=True)
    except CRSError:
        raise AnalysisError(f"Unknown coordinate reference system {metric_crs!r}; give a "
                            f"metric one such as EPSG:3006.") from None
    x, y = fwd.transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _edges(values: Sequence[float] | np.ndarray, name: str, unit: str) -> np.ndarray:
    arr = np.asarray(list(values), dtype=np.float64)
    if arr.size == 0 or not np.all(np.isfinite(arr)) or (arr < 0).any():
        raise AnalysisError(f"The {name} bands must be one or more non-negative numbers of "
                            f"{unit} (got {list(values)}).")
    if (np.diff(arr) <= 0).any():
        raise AnalysisError(f"The {name} bands must increase strictly, e.g. 100,200,400 "
                            f"(got {list(values)}).")
    return arr


@dataclass(frozen=True, eq=False)
class PairBands:
    """Close pairs sorted into space bands, as compressed rows per band.

    For band ``k``, event ``i`` (in the internal order) has partners
    ``partners[k][indptr[k][i]:indptr[k][i + 1]]``, all with a smaller index. ``order``
    maps the internal order to the input order.
    """

    order: np.ndarray
    indptr: list[np.ndarray]
    partners: list[np.ndarray]

    @property
    def counts(self) -> np.ndarray:
        return np.array([p.size for p in self.partners], dtype=np.int64)


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(m) for m in lengths])``, vectorised."""
    total = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(starts, lengths)


class _Growing:
    """An int32 buffer that doubles when full (the pair lists of one space band)."""

    def __init__(self, capacity: int) -> None:
        self.data = np.empty(max(capacity, 1024), dtype=np.int32)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        m = values.size
        if self.size + m > self.data.size:
            grown = np.empty(max(2 * self.data.size, self.size + m), dtype=np.int32)
            grown[:self.size] = self.data[:self.size]
            self.data = grown
        self.data[self.size:self.size + m] = values
        self.size += m

    def array(self) -> np.ndarray:
        if self.size < 0.9 * self.data.size:
            return self.data[:self.size].copy()
        return self.data[:self.size]


def close_pairs(x: np.ndarray, y: np.ndarray, space_edges: Sequence[float] | np.ndarray, *,
                max_pairs: int = MAX_PAIRS) -> PairBands:
    """All pairs within the largest space band, sorted into bands ``(e[k-1], e[k]]``.

    Distances are Euclidean in the given metric coordinates (compared as ``dx² + dy²``
    against the squared edges); a pair at exactly an edge belongs to the lower band (band 0
    is ``[0, e[0]]``).

    The events are sorted into square cells as wide as the largest band, so a close pair
    lies in one cell or in two neighbouring ones. Each event's candidate partners are then
    a few contiguous runs of the sorted order (its own cell after it, and four of its eight
    neighbour cells, so each pair of cells is visited once); the runs are expanded and
    filtered by distance in batches of about a million candidates, which bounds the memory
    however concentrated the events are. The number of pairs is first counted with
    :meth:`scipy.spatial.cKDTree.query_ball_point`, so a hopeless run stops at once.

    Raises
    ------
    AnalysisError
        More than ``max_pairs`` pairs: the permutations would not fit in memory or time.
    """
    edges = _edges(space_edges, "space", "metres")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.size
    r = float(edges[-1])
    nb = edges.size
    xy = np.column_stack([x, y])
    tree = cKDTree(xy)
    reach = r * (1 + 1e-9) + 1e-9
    cum = np.array([(int(tree.query_ball_point(xy, e * (1 + 1e-9) + 1e-9,
                                               return_length=True).sum()) - n) // 2
                    for e in edges])
    if cum[-1] > max_pairs:
        raise AnalysisError(
            f"{cum[-1]:,} pairs of events lie within {r:g} m of each other, more than the "
            f"{max_pairs:,} a permutation test can handle here. Use a smaller largest space "
            f"band, remove duplicate reports, or analyse one category, district or period "
            f"at a time.")
    # cells as wide as the reach; events sorted by cell
    size = max(reach, 1e-6)
    cx = np.floor((x - x.min()) / size).astype(np.int64)
    cy = np.floor((y - y.min()) / size).astype(np.int64) + 1  # room for the -1 offset
    ny = int(cy.max()) + 2
    key = cx * ny + cy
    order = np.argsort(key, kind="stable")
    key = key[order]
    xs, ys = x[order], y[order]
    cells, first, count = np.unique(key, return_index=True, return_counts=True)
    cell_of = np.repeat(np.arange(cells.size), count)
    idx = np.arange(n, dtype=np.int64)
    rows, lo, hi = [idx], [idx + 1], [np.repeat(first + count, count)]  # own cell, after i
    for ox, oy in ((1, -1), (1, 0), (1, 1), (0, 1)):
        nkey = cells + ox * ny + oy
        pos = np.minimum(np.searchsorted(cells, nkey), cells.size - 1)
        found = cells[pos] == nkey
        has = found[cell_of]
        rows.append(idx[has])
        lo.append(first[pos][cell_of][has])
        hi.append((first[pos] + count[pos])[cell_of][has])
    row = np.concatenate(rows)
    start = np.concatenate(lo)
    length = np.concatenate(hi) - start
    srt = np.argsort(row, kind="stable")
    row, start, length = row[srt], start[srt], length[srt]
    keep = length > 0
    row, start, length = row[keep], start[keep], length[keep]
    # expand the runs in batches of ~_BATCH candidates, rows in increasing order
    bufs = [_Growing(int(cum[k] - (cum[k - 1] if k else 0)) + 1024) for k in range(nb)]
    row_counts = np.zeros((nb, n), dtype=np.int64)
    csum = np.cumsum(length)
    bounds = np.unique(np.concatenate(
        [[0], np.searchsorted(csum, np.arange(_BATCH, int(csum[-1]) if csum.size else 0,
                                              _BATCH), side="right"), [row.size]]))
    edges2 = edges * edges
    for b0, b1 in zip(bounds[:-1], bounds[1:], strict=True):
        if b1 <= b0:
            continue
        ln, rr = length[b0:b1], row[b0:b1]
        j = np.repeat(start[b0:b1], ln)
        j += _ranges(ln)
        dx = xs[j]
        dx -= np.repeat(xs[rr], ln)
        dy = ys[j]
        dy -= np.repeat(ys[rr], ln)
        dx *= dx
        dy *= dy
        dx += dy  # squared distance
        band = np.searchsorted(edges2, dx, side="left")
        near = band < nb
        i, j, band = np.repeat(rr, ln)[near], j[near], band[near]
        base, top = int(rr[0]), int(rr[-1]) + 1
        for k in range(nb):
            sel = band == k
            bufs[k].extend(j[sel])
            row_counts[k, base:top] += np.bincount(i[sel] - base, minlength=top - base)
    indptr = [np.concatenate([[0], np.cumsum(row_counts[k])]) for k in range(nb)]
    return PairBands(order, indptr, [b.array() for b in bufs])


def _count(tp: np.ndarray, pairs: PairBands, time_edges: np.ndarray,
           plans: list[np.ndarray]) -> np.ndarray:
    """Cumulative counts ``[band, m]`` = pairs in space band with |Δt| ≤ time_edges[m]."""
    nb, nt = len(pairs.partners), time_edges.size
    cum = np.zeros((nb, nt), dtype=np.int64)
    for k in range(nb):
        indptr, partners, rows = pairs.indptr[k], pairs.partners[k], plans[k]
        counts = np.diff(indptr)
        for r0, r1 in zip(rows[:-1], rows[1:], strict=True):
            p0, p1 = indptr[r0], indptr[r1]
            if p1 == p0:
                continue
            d = np.repeat(tp[r0:r1], counts[r0:r1])
            d -= np.take(tp, partners[p0:p1], mode="clip")
            np.abs(d, out=d)
            for m in range(nt):
                cum[k, m] += np.count_nonzero(d <= time_edges[m])
    return cum


@dataclass(frozen=True, eq=False)
class KnoxTable:
    """Observed and simulated close-pair counts per space band × time band.

    Arrays have shape ``(S, T + 1)``: rows are the space bands ``(space_edges[k-1],
    space_edges[k]]`` in metres, columns the time bands ``(time_edges[m-1], time_edges[m]]``
    in days and a last column for "more than ``time_edges[-1]`` days". ``ratio`` is NaN where
    the expected count is 0 (the rows of :meth:`rows` then hold ``None``).
    """

    space_edges: np.ndarray
    time_edges: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    ratio: np.ndarray
    p: np.ndarray  # (1 + #{sim >= obs}) / (1 + n): more close pairs than chance
    p_low: np.ndarray  # (1 + #{sim <= obs}) / (1 + n): fewer than chance
    simulated: np.ndarray  # (n, S, T + 1)
    permutations: int
    seed: int | None
    n_events: int
    n_pairs: int

    def rows(self) -> list[dict[str, Any]]:
        out = []
        s_lo = np.concatenate([[0.0], self.space_edges[:-1]])
        t_lo = np.concatenate([[0.0], self.time_edges])
        t_hi: list[float | None] = [*self.time_edges.tolist(), None]
        for k in range(self.space_edges.size):
            for m in range(self.time_edges.size + 1):
                ratio = float(self.ratio[k, m])
                out.append({
                    "space_from_m": float(s_lo[k]), "space_to_m": float(self.space_edges[k]),
                    "time_from_days": float(t_lo[m]), "time_to_days": t_hi[m],
                    "observed": int(self.observed[k, m]),
                    "expected": round(float(self.expected[k, m]), 4),
                    "knox_ratio": round(ratio, 4) if math.isfinite(ratio) else None,
                    "p": round(float(self.p[k, m]), 6),
                    "p_low": round(float(self.p_low[k, m]), 6),
                })
        return out


def knox_table(points: Points, space_m: Sequence[float], time_days: Sequence[float], *,
               permutations: int = 99, seed: int | None = None, metric_crs: str | None = None,
               max_pairs: int = MAX_PAIRS) -> KnoxTable:
    """Near-repeat table: Knox counts over space × time bands with Monte Carlo p-values.

    Parameters
    ----------
    points : Points
        The events (lon/lat WGS84, ``t`` epoch seconds).
    space_m : sequence of float
        Upper edges of the space bands in metres, increasing (e.g. ``[100, 200, 400]``:
        0–100, 100–200, 200–400 m; a first edge of 0 gives a "same location" band).
    time_days : sequence of float
        Upper edges of the time bands in days, increasing (e.g. ``[7, 14, 28]``). Time is
        compared to the second: a pair 7 days and 1 second apart is in the next band.
    permutations : int
        Number of random permutations of the times (default 99).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; give one for reproducible p-values.
    metric_crs : str, optional
        A metric CRS for distances (default: the points' UTM zone).
    max_pairs : int
        Refuse to run when more pairs than this lie within the largest band.

    Returns
    -------
    KnoxTable
        Observed counts, mean simulated counts (``expected``), Knox ratios and the Monte
        Carlo p-values ``(1 + #{sim ≥ obs}) / (1 + permutations)`` per cell (Besag & Diggle
        1977), as in the Near Repeat Calculator (Ratcliffe 2009).

    Notes
    -----
    Permuting times keeps the spatial pattern and the temporal pattern (season, weekday,
    trend) of the data and breaks only their link, so a small p says that near-in-space
    pairs are near in time more often than the two patterns alone explain (Knox 1964;
    Johnson & Bowers 2004). It does **not** say why: a place whose activity grows or stops
    (a new scene, cameras) creates space–time interaction just as repeat victimisation
    does, and repeated reports of one event (duplicates) are near repeats by construction.
    """
    n = len(points)
    if n < 3:
        raise AnalysisError(f"The Knox test needs at least 3 events (got {n}).")
    if not (isinstance(permutations, (int, np.integer)) and 1 <= permutations <= 100_000):
        raise AnalysisError(f"The number of permutations must be a whole number from 1 to "
                            f"100000 (got {permutations!r}); 99 or 999 are usual.")
    s_edges = _edges(space_m, "space", "metres")
    t_edges = _edges(time_days, "time", "days")
    x, y = to_metres(points.lon, points.lat, metric_crs)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise AnalysisError("Some points cannot be projected to the metric CRS "
                            f"{metric_crs or '(UTM)'}; check the coordinates and --crs.")
    pairs = close_pairs(x, y, s_edges, max_pairs=max_pairs)
    t = np.asarray(points.t, dtype=np.int64)[pairs.order]
    t = t - t.min()
    edges_s = np.round(t_edges * DAY_S).astype(np.int64)
    dtype = np.int32 if int(t.max()) + int(edges_s[-1]) < 2**31 - 1 else np.int64
    t = t.astype(dtype)
    edges_t = edges_s.astype(dtype)
    plans = []
    for k in range(s_edges.size):
        ptr = pairs.indptr[k]
        cut = np.searchsorted(ptr, np.arange(_CHUNK, ptr[-1], _CHUNK), side="left")
        plans.append(np.unique(np.concatenate([[0], cut, [n]])))
    band_total = pairs.counts

    def table(cum: np.ndarray) -> np.ndarray:
        cells = np.diff(cum, axis=1, prepend=0)
        return np.concatenate([cells, (band_total - cum[:, -1])[:, None]], axis=1)

    observed = table(_count(t, pairs, edges_t, plans))
    rng = np.random.default_rng(seed)
    sims = np.empty((permutations, *observed.shape), dtype=np.int64)
    for i in range(permutations):
        sims[i] = table(_count(t[rng.permutation(n)], pairs, edges_t, plans))
    expected = sims.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / np.where(expected > 0, expected, 1), np.nan)
    p = (1.0 + (sims >= observed).sum(axis=0)) / (1.0 + permutations)
    p_low = (1.0 + (sims <= observed).sum(axis=0)) / (1.0 + permutations)
    return KnoxTable(s_edges, t_edges, observed, expected, ratio, p, p_low, sims,
                     int(permutations), seed, n, int(band_total.sum()))


@dataclass(frozen=True)
class KnoxResult:
    """The classic one-cell Knox test: pairs within ``space_m`` **and** ``time_days``."""

    space_m: float
    time_days: float
    observed: int
    expected: float
    ratio: float | None
    p: float
    permutations: int
    seed: int | None
    n_events: int


def knox_test(points: Points, space_m: float, time_days: float, *, permutations: int = 99,
              seed: int | None = None, metric_crs: str | None = None,
              max_pairs: int = MAX_PAIRS) -> KnoxResult:
    """Knox (1964): are pairs within ``space_m`` metres also within ``time_days`` days more
    often than under random permutation of the times? See :func:`knox_table`."""
    tab = knox_table(points, [space_m], [time_days], permutations=permutations, seed=seed,
                     metric_crs=metric_crs, max_pairs=max_pairs)
    ratio = float(tab.ratio[0, 0])
    return KnoxResult(float(space_m), float(time_days), int(tab.observed[0, 0]),
                      float(tab.expected[0, 0]), ratio if math.isfinite(ratio) else None,
                      float(tab.p[0, 0]), tab.permutations, seed, tab.n_events)


__all__ = ["KnoxResult", "KnoxTable", "PairBands", "close_pairs", "knox_table", "knox_test",
           "to_metres"]
