"""Getis–Ord Gi* hot spots with analytical inference and false-discovery-rate control.

For counts ``x_1 .. x_n`` on ``n`` cells and binary weights ``w_ij`` (1 when ``j`` is in
the neighbourhood of ``i``, **the cell itself included**), Getis & Ord (1992) and Ord &
Getis (1995) standardise the neighbourhood sum under the randomisation null hypothesis
(the same counts, randomly placed on the cells)::

    z_i = (Σ_j w_ij x_j − x̄ W_i) / (S · sqrt((n W_i − W_i²) / (n − 1)))

with ``W_i = Σ_j w_ij``, ``x̄`` the mean and ``S`` the population standard deviation
(divided by ``n``) of all counts. This equals PySAL esda's
``G_Local(x, w, transform="B", star=True).Zs`` (checked to 1e-9 in the tests).

p-values are **two-sided** normal tail probabilities, ``p = 2 (1 − Φ(|z|))``: a cell is
tested for being either unusually high (hot) or unusually low (cold). esda's ``p_norm``
is the one-sided tail ``1 − Φ(|z|)``, i.e. half of ours.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis* 24(3), 189–206.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis* 27(4), 286–306.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical
and powerful approach to multiple testing. *J. R. Stat. Soc. B* 57(1), 289–300.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.neighbours import Neighbours

__all__ = ["LEVELS", "GiStar", "bh_fdr", "confidence_bins", "gi_star", "gi_star_matrix",
           "two_sided_p"]

#: (bin, p below which a cell gets it): 99 %, 95 % and 90 % confidence
LEVELS: tuple[tuple[int, float], ...] = ((3, 0.01), (2, 0.05), (1, 0.10))
#: smallest p reported: the normal tail underflows to 0 beyond |z| ≈ 38
P_FLOOR = float(np.finfo(np.float64).tiny)
_SQRT2 = float(np.sqrt(2.0))


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """``2 (1 − Φ(|z|))`` computed as ``erfc(|z| / √2)``, kept in ``[P_FLOOR, 1]``."""
    from scipy.special import erfc  # imported here: 0.2 s at start-up otherwise

    p = np.abs(np.asarray(z, dtype=np.float64))
    p /= _SQRT2
    erfc(p, out=p)
    return np.clip(p, P_FLOOR, 1.0, out=p)


def bh_fdr(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values.

    ``p_fdr_(i) = min_{j ≥ i} (n / j) p_(j)`` over the p-values sorted ascending, clipped to
    at most 1 and returned in the input order. A cell with ``p_fdr < q`` is significant
    with the false discovery rate controlled at ``q`` (for independent or positively
    dependent tests). Always ``p_fdr ≥ p``; equal to
    ``scipy.stats.false_discovery_control(p, method="bh")``.
    """
    p = np.asarray(p, dtype=np.float64)
    shape = p.shape
    p = p.ravel()
    if p.size == 0:
        return p.reshape(shape)
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise AnalysisError("p-values must be numbers between 0 and 1 (no NaN).")
    n = p.size
    order = np.argsort(p, kind="stable")
    ranked = p[order] * (n / np.arange(1, n + 1, dtype=np.float64))
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n, dtype=np.float64)
    out[order] = np.minimum(ranked, 1.0)
    return out.reshape(shape)


def confidence_bins(z: np.ndarray, p: np.ndarray, fdr: bool = False) -> np.ndarray:
    """The usual Gi* confidence bins: ±3 (99 %), ±2 (95 %), ±1 (90 %), 0 otherwise.

    A cell gets bin ``sign(z) · b`` for the highest ``b`` whose threshold its p-value is
    below (p < 0.01, 0.05, 0.10; two-sided p). With ``fdr=True`` the p-values are first
    adjusted by :func:`bh_fdr`, so the bins control the false discovery rate at 1, 5 and
    10 % instead of the per-cell error rate.
    """
    z = np.asarray(z, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if z.shape != p.shape:
        raise AnalysisError("z and p must have the same shape.")
    if fdr:
        p = bh_fdr(p)
    level = np.zeros(z.shape, dtype=np.int8)
    for b, threshold in LEVELS[::-1]:
        level[p < threshold] = b
    return (level * np.sign(z).astype(np.int8)).astype(np.int8)


@dataclass(frozen=True, eq=False)
class GiStar:
    """Gi* per cell.

    Attributes
    ----------
    z : numpy.ndarray
        Standardised Gi* (esda's ``Zs``).
    p : numpy.ndarray
        Two-sided normal p-value, in ``(0, 1]``.
    p_fdr : numpy.ndarray
        Benjamini–Hochberg adjusted ``p`` (never below ``p``).
    bin : numpy.ndarray
        int8 confidence bin −3..3 from ``p_fdr`` (``fdr=True``, the default) or ``p``.
    fdr : bool
        Whether ``bin`` was computed from ``p_fdr``.
    """

    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    bin: np.ndarray
    fdr: bool = True


def _check(nb: Neighbours, n: int) -> None:
    if nb.n != n:
        raise AnalysisError(f"The neighbourhoods are for {nb.n} cells but there are {n} "
                            "counts; build them from the same grid.")


def gi_star(x: np.ndarray, nb: Neighbours, *, fdr: bool = True) -> GiStar:
    """Getis–Ord Gi* z-scores, two-sided p-values, BH-adjusted p-values and bins.

    Parameters
    ----------
    x : numpy.ndarray
        Counts (or any values) per cell, zeros included.
    nb : Neighbours
        Binary neighbourhoods, each cell included in its own.
    fdr : bool
        Bins from the FDR-adjusted p-values (default) or from the raw ones.

    Returns
    -------
    GiStar

    Raises
    ------
    AnalysisError
        Fewer than 3 cells, NaN, all-equal values (e.g. all zero), or ``nb`` of another size.

    Notes
    -----
    A cell whose neighbourhood is the whole grid (``W_i = n``) has no variance under
    the null; it gets ``z = 0`` and ``p = 1``.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    if n < 3:
        raise AnalysisError(f"Gi* needs at least 3 cells, got {n}; use a finer grid or a "
                            "larger study area.")
    if not np.isfinite(x).all():
        raise AnalysisError("Some counts are missing (NaN) or infinite.")
    _check(nb, n)
    s = float(x.std())
    if s == 0.0 or s <= 1e-12 * float(np.abs(x).max()):
        what = "zero" if not x.any() else f"equal to {x[0]:g}"
        raise AnalysisError(f"Every cell's count is {what}: there is no spatial pattern to "
                            "test. Check the study area, the period and the filters.")
    z = _z(nb, x[:, None].copy(), x.mean(keepdims=True), np.array([s]))[:, 0]
    p = two_sided_p(z)
    p_fdr = bh_fdr(p)
    return GiStar(z, p, p_fdr, confidence_bins(z, p_fdr if fdr else p), fdr)


def _z(nb: Neighbours, X: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """z-scores for the columns of ``X`` (overwritten); 0 where the null variance is 0.

    Uses ``Σ_j w_ij x_j − x̄ W_i = Σ_j w_ij (x_j − x̄)`` (``W_i`` is the row sum), so no
    ``(n, m)`` temporary beyond the result is needed.
    """
    n = X.shape[0]
    w = nb.cardinality().astype(np.float64)
    X -= mean[None, :]
    if X.shape[1] == 1:  # one column: a segmented sum, no sparse matrix needed
        z = np.add.reduceat(X[nb.indices, 0], nb.indptr[:-1])[:, None]
    else:
        z = np.asarray(nb.to_scipy() @ X, dtype=np.float64)
    spread = np.sqrt(np.maximum(n * w - w * w, 0.0) / (n - 1))
    inv_spread = np.divide(1.0, spread, out=np.zeros_like(spread), where=spread > 0)
    inv_std = np.divide(1.0, std, out=np.zeros_like(std), where=std > 0)
    z *= inv_spread[:, None]
    z *= inv_std[None, :]
    return z


def gi_star_matrix(X: np.ndarray, nb: Neighbours) -> tuple[np.ndarray, np.ndarray]:
    """Gi* for every column (time step) of ``X`` at once.

    Parameters
    ----------
    X : numpy.ndarray
        ``(n_cells, n_steps)`` counts, e.g. ``Cube.counts``.
    nb : Neighbours

    Returns
    -------
    z, p : numpy.ndarray
        ``(n_cells, n_steps)`` z-scores and two-sided p-values. Column ``j`` equals
        ``gi_star(X[:, j], nb)``; a step in which every cell has the same count (e.g. no
        events at all) has no pattern to test and gets ``z = 0``, ``p = 1`` instead of an
        error, so that a quiet week does not stop an emerging-hot-spot analysis.
    """
    X = np.array(X, dtype=np.float64)  # a copy: _z centres it in place
    if X.ndim != 2:
        raise AnalysisError("X must be a (cells, steps) matrix.")
    n = X.shape[0]
    if n < 3:
        raise AnalysisError(f"Gi* needs at least 3 cells, got {n}.")
    if not np.isfinite(X).all():
        raise AnalysisError("Some counts are missing (NaN) or infinite.")
    _check(nb, n)
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    flat = std <= 1e-12 * np.abs(X).max(axis=0, initial=0.0)
    std[flat] = 0.0
    z = _z(nb, X, mean, std)
    p = two_sided_p(z)
    return z, p
