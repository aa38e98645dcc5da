"""The Mann–Kendall trend test and Sen's slope, vectorised over many series at once.

For a series ``x_1 … x_n`` (equally spaced in time) the test statistic is

    ``S = Σ_{i<j} sign(x_j − x_i)``

(Mann 1945; Kendall 1975, ch. 4). Under the null hypothesis of no monotonic trend (the
values are independent and identically distributed) ``S`` has mean 0 and, with ties,

    ``Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18``

where ``t_g`` is the size of the ``g``-th group of equal values (Kendall 1975, eq. 4.12;
Gilbert 1987, eq. 16.4). The normal approximation uses a continuity correction,

    ``z = (S − 1)/√Var(S)`` if ``S > 0``,  ``0`` if ``S = 0``,  ``(S + 1)/√Var(S)`` if ``S < 0``

and the two-sided p-value ``p = 2 (1 − Φ(|z|))``. Kendall's tau is ``S / (n(n−1)/2)``
(tau-a: ties are not taken out of the denominator). Sen's slope (Theil 1950; Sen 1968) is
the median of the pairwise slopes ``(x_j − x_i)/(j − i)``, ``i < j``, in units of the series
per time step, and the intercept ``median(x) − median(i) · slope`` (Conover 1980).

Missing values (NaN) are skipped the way ``pymannkendall.original_test`` skips them: ``S``,
``Var(S)`` and tau use the ``n`` values present (order kept), Sen's slope uses the pairs of
values present with their original time distance. The results equal
``pymannkendall.original_test`` (Hussain & Mahmud 2019) field by field (``trend, h, p, z,
Tau, s, var_s, slope, intercept``); the tests check it to 1e-9.

Speed: every operation runs over a block of series at once. ``S`` is summed lag by lag
(``x[k:] − x[:-k]`` for ``k = 1 … n−1``), ties come from one row-wise sort, and Sen's slope
needs the ``n(n−1)/2`` pairwise slopes of each series and a selection (``np.partition``);
it is ``O(n²)`` per series and fine for ``n`` up to a few hundred, and runs its blocks on a
few threads. Blocks are sized so the pairwise array stays under ``max_bytes`` (200 MB by
default).

Assumptions the test makes and the user must judge: independent observations (serial
correlation inflates the significance; see Hamed & Rao 1998 for a correction), no seasonal
cycle (use a seasonal test, Hirsch et al. 1982, for monthly data with a cycle), and a
monotonic, not necessarily linear, trend.

References
----------
- Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica* 13(3), 245–259.
- Kendall, M. G. (1975). *Rank Correlation Methods*, 4th ed. Charles Griffin, London.
- Gilbert, R. O. (1987). *Statistical Methods for Environmental Pollution Monitoring*.
  Van Nostrand Reinhold, ch. 16.
- Theil, H. (1950). A rank-invariant method of linear and polynomial regression analysis.
  *Indagationes Mathematicae* 12, 85–91.
- Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau.
  *JASA* 63(324), 1379–1389.
- Conover, W. J. (1980). *Practical Nonparametric Statistics*, 2nd ed. Wiley.
- Hussain, M. M. & Mahmud, I. (2019). pyMannKendall: a python package for non parametric
  Mann Kendall family of trend tests. *Journal of Open Source Software* 4(39), 1556.
- Hamed, K. H. & Rao, A. R. (1998). A modified Mann-Kendall trend test for autocorrelated
  data. *Journal of Hydrology* 204, 182–196.
- Hirsch, R. M., Slack, J. R. & Smith, R. A. (1982). Techniques of trend analysis for
  monthly water quality data. *Water Resources Research* 18(1), 107–121.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from drugscene.analysis.errors import AnalysisError

#: Default ceiling for the pairwise-slope block (bytes); blocks of series are cut to fit.
DEFAULT_MAX_BYTES = 200_000_000
#: Series per block for the statistic alone (keeps the lag differences in cache).
_S_BLOCK_ELEMENTS = 1 << 19
#: Upper bound on series per block for Sen's slope (beyond it blocks only cost cache).
_SLOPE_BLOCK_MAX_SERIES = 128

TREND_LABELS = {1: "increasing", -1: "decreasing", 0: "no trend"}


@dataclass(frozen=True, eq=False)
class MannKendall:
    """Mann–Kendall results for ``n_series`` series (arrays of length ``n_series``).

    Attributes
    ----------
    s, var_s, z, p, tau
        The statistic, its variance with the tie correction, the continuity-corrected
        normal score, the two-sided p-value and Kendall's tau-a.
    n
        Number of values present (not NaN) per series.
    slope, intercept
        Sen's slope per time step and the Conover intercept (at time index 0), or ``None``
        when they were not asked for. NaN for a series with fewer than two values.
    alpha
        The significance level behind :attr:`h` and :attr:`trend`.
    """

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray
    n: np.ndarray
    slope: np.ndarray | None
    intercept: np.ndarray | None
    alpha: float

    def __len__(self) -> int:
        return int(self.s.size)

    @property
    def h(self) -> np.ndarray:
        """True where the trend is significant: ``|z| > Φ⁻¹(1 − α/2)``."""
        return np.abs(self.z) > ndtri(1.0 - self.alpha / 2.0)

    @property
    def trend(self) -> np.ndarray:
        """+1 significant increase, −1 significant decrease, 0 none (int8)."""
        return (np.sign(self.z) * self.h).astype(np.int8)

    def trend_labels(self) -> np.ndarray:
        """``"increasing"``, ``"decreasing"`` or ``"no trend"`` per series, as in
        pymannkendall."""
        out = np.full(len(self), TREND_LABELS[0], dtype=object)
        tr = self.trend
        out[tr > 0] = TREND_LABELS[1]
        out[tr < 0] = TREND_LABELS[-1]
        return out


def mann_kendall(x: np.ndarray, alpha: float = 0.05, *, slope: bool = True,
                 max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None) -> MannKendall:
    """Mann–Kendall test (and optionally Sen's slope) for each row of ``x``.

    Parameters
    ----------
    x
        ``(n_series, n)`` values, one series per row in time order, equally spaced; a 1-D
        array is one series. NaN marks a missing value and is skipped.
    alpha
        Significance level for :attr:`MannKendall.h` and :attr:`MannKendall.trend`.
    slope
        Also compute Sen's slope and intercept (``O(n²)`` memory per series, in blocks).
    max_bytes
        Ceiling on the pairwise-slope block; the series are processed in blocks that fit
        (with ``workers`` threads, up to ``workers`` blocks are in memory at once).
    workers
        Threads for Sen's slope (numpy releases the GIL in the selection); default: the
        number of CPUs, at most 4. The result does not depend on it.

    Returns
    -------
    MannKendall

    Raises
    ------
    AnalysisError
        Fewer than two time steps, infinite values, or an ``alpha`` outside (0, 1).

    Notes
    -----
    A series whose values are all equal has ``S = 0``, ``Var(S) = 0``, ``z = 0`` and
    ``p = 1`` (no evidence of a trend), slope 0. A series with fewer than two values present
    gets ``z = 0``, ``p = 1`` and NaN for tau and the slope.
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise AnalysisError(f"Mann–Kendall needs a 2-D array (series × time), got {arr.ndim}-D.")
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"alpha must lie between 0 and 1, got {alpha}.")
    n_series, n = arr.shape
    if n < 2:
        raise AnalysisError(f"A trend test needs at least 2 time steps; the series have {n}.")
    if np.isinf(arr).any():
        raise AnalysisError("The series hold infinite values; only finite values or NaN "
                            "(missing) can be tested for a trend.")
    s = np.zeros(n_series, dtype=np.float64)
    ties = np.zeros(n_series, dtype=np.float64)
    nv = np.full(n_series, n, dtype=np.int64)
    slope_out = np.full(n_series, np.nan) if slope else None
    icept_out = np.full(n_series, np.nan) if slope else None
    has_nan = np.asarray(np.isnan(arr).any(axis=1), dtype=bool)
    if has_nan.any():
        nv = (~np.isnan(arr)).sum(axis=1)

    n_pairs = n * (n - 1) // 2
    if slope:
        block = int(min(_SLOPE_BLOCK_MAX_SERIES, max(1, max_bytes // (8 * n_pairs))))
    else:
        block = max(1, _S_BLOCK_ELEMENTS // n)
    starts = range(0, n_series, block)
    if slope:
        assert slope_out is not None and icept_out is not None
        n_threads = min(workers or min(os.cpu_count() or 1, 4), len(starts))

        def one(a: int) -> None:
            b = min(a + block, n_series)
            ties[a:b] = _tie_sums(arr[a:b])
            s[a:b], slope_out[a:b], icept_out[a:b] = _s_and_slope(arr[a:b], has_nan[a:b])

        if n_threads > 1:
            with ThreadPoolExecutor(n_threads) as pool:
                list(pool.map(one, starts))
        else:
            for a in starts:
                one(a)
    else:
        for a in starts:
            b = min(a + block, n_series)
            ties[a:b] = _tie_sums(arr[a:b])
            s[a:b] = _s_statistic(arr[a:b])

    nvf = nv.astype(np.float64)
    var_s = (nvf * (nvf - 1.0) * (2.0 * nvf + 5.0) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(var_s)
        z = np.where(s > 0, (s - 1.0) / root, np.where(s < 0, (s + 1.0) / root, 0.0))
        tau = np.where(nv >= 2, s / (0.5 * nvf * (nvf - 1.0)), np.nan)
    z = np.where(np.isfinite(z), z, 0.0)
    p = 2.0 * ndtr(-np.abs(z))
    return MannKendall(s=s, var_s=var_s, z=z, p=p, tau=tau, n=nv, slope=slope_out,
                       intercept=icept_out, alpha=float(alpha))


def sens_slope(x: np.ndarray, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[np.ndarray,
                                                                           np.ndarray]:
    """Sen's slope and Conover intercept of each row of ``x`` (see :func:`mann_kendall`)."""
    res = mann_kendall(x, slope=True, max_bytes=max_bytes)
    assert res.slope is not None and res.intercept is not None
    return res.slope, res.intercept


def _count_dtype(n_pairs: int) -> type[np.unsignedinteger]:
    return np.uint16 if n_pairs < (1 << 16) else np.uint32


def _s_statistic(xb: np.ndarray) -> np.ndarray:
    """``S`` of each row, summed lag by lag; comparisons with NaN count as ties (skipped)."""
    c, n = xb.shape
    dt = _count_dtype(n * (n - 1) // 2)
    pos = np.zeros(c, dtype=np.int64)
    neg = np.zeros(c, dtype=np.int64)
    xt = np.ascontiguousarray(xb.T)      # (n, c): every lag block is contiguous
    for k in range(1, n):
        d = xt[k:] - xt[:-k]
        pos += (d > 0).view(np.uint8).sum(axis=0, dtype=dt)
        neg += (d < 0).view(np.uint8).sum(axis=0, dtype=dt)
    return (pos - neg).astype(np.float64)


def _tie_sums(xb: np.ndarray) -> np.ndarray:
    """``Σ_g t_g (t_g − 1)(2 t_g + 5)`` over the groups of equal values of each row."""
    c, n = xb.shape
    srt = np.sort(xb, axis=1)            # NaN sorts last and never equals anything
    starts = np.ones((c, n), dtype=bool)
    np.not_equal(srt[:, 1:], srt[:, :-1], out=starts[:, 1:])
    if starts.all():
        return np.zeros(c)
    flat = starts.ravel()
    run_id = np.cumsum(flat) - 1
    t = np.bincount(run_id).astype(np.float64)
    row_of_run = np.flatnonzero(flat) // n
    return np.bincount(row_of_run, weights=t * (t - 1.0) * (2.0 * t + 5.0), minlength=c)


def _pairwise(xb: np.ndarray) -> np.ndarray:
    """``(c, n(n−1)/2)`` differences ``x_j − x_i`` in lag-major order (lag 1 first)."""
    c, n = xb.shape
    out = np.empty((c, n * (n - 1) // 2))
    o = 0
    for k in range(1, n):
        np.subtract(xb[:, k:], xb[:, :-k], out=out[:, o:o + n - k])
        o += n - k
    return out


def _lags(n: int) -> np.ndarray:
    return np.repeat(np.arange(1, n, dtype=np.float64), np.arange(n - 1, 0, -1))


def _s_and_slope(xb: np.ndarray, nan_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """``S``, Sen's slope and intercept for a block, from one array of pairwise slopes."""
    c, n = xb.shape
    n_pairs = n * (n - 1) // 2
    dt = _count_dtype(n_pairs)
    d = _pairwise(xb)
    s = ((d > 0).view(np.uint8).sum(axis=1, dtype=dt).astype(np.float64)
         - (d < 0).view(np.uint8).sum(axis=1, dtype=dt))
    np.divide(d, _lags(n), out=d)        # (x_j − x_i) / (j − i), as pymannkendall divides
    slope = np.full(c, np.nan)
    icept = np.full(c, np.nan)
    full = ~nan_rows
    if full.any():
        med = _row_median(d[full] if not full.all() else d)
        slope[full] = med
        icept[full] = np.median(xb[full], axis=1) - 0.5 * (n - 1) * med
    if nan_rows.any():
        rows = np.flatnonzero(nan_rows)
        ds = np.sort(d[rows], axis=1)                         # NaN last
        k = (~np.isnan(ds)).sum(axis=1)
        med = _median_sorted_prefix(ds, k)
        slope[rows] = med
        xs = np.sort(xb[rows], axis=1)
        kx = (~np.isnan(xs)).sum(axis=1)
        idx = np.where(np.isnan(xb[rows]), np.inf, np.arange(n, dtype=np.float64))
        idx.sort(axis=1)
        icept[rows] = _median_sorted_prefix(xs, kx) - _median_sorted_prefix(idx, kx) * med
    return s, slope, icept


def _row_median(d: np.ndarray) -> np.ndarray:
    """Exact median of each row of ``d`` (no NaN), as ``np.median`` defines it.

    One ``np.partition`` per row at the upper middle rank; the lower middle value (even
    length) is the largest value left of it. (Bracketing the median from a sample and
    selecting only inside the bracket was tried: numpy's boolean gathering costs as much as
    the partition it saves.)
    """
    p = d.shape[1]
    return _partition_median(d, (p - 1) // 2, p // 2)


def _partition_median(d: np.ndarray, m_lo: int, m_hi: int) -> np.ndarray:
    """Median of each row by a partition (reorders ``d`` in place)."""
    d.partition(m_hi, axis=1)
    upper = d[:, m_hi]
    if m_lo == m_hi:
        return upper.copy()
    return 0.5 * (d[:, :m_hi].max(axis=1) + upper)


def _median_sorted_prefix(srt: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Median of the first ``k[r]`` entries of each sorted row (NaN where ``k = 0``)."""
    r = np.arange(srt.shape[0])
    ok = k > 0
    lo = np.where(ok, (k - 1) // 2, 0)
    hi = np.where(ok, k // 2, 0)
    with np.errstate(invalid="ignore"):
        med = 0.5 * (srt[r, lo] + srt[r, hi])
    return np.where(ok, med, np.nan)
