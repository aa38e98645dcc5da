"""Next-period hot-spot forecasts on the cells of a study area, scored on a rolling origin.

For each forecast origin ``t0`` (the start of one of the last ``origins`` time steps) every
method sees only the events before ``t0`` and ranks the cells by the events it expects in
``[t0, t0 + step)``; :mod:`drugscene.analysis.scoring` then scores the top ``coverage``
share of cells against what happened (hit rate, PAI, PEI). This is the evaluation design
of Mohler et al. (2015) and of the hot-spot-stability literature (Chainey et al. 2008):
fitting never sees the period it is scored on.

Methods
-------
``prior_counts``
    The naive forecast: last step's count per cell. The baseline every method must beat.
``prior_mean_k``
    The mean count of the last ``k`` steps (fewer at the start).
``recency_kde``
    A Gaussian kernel density of all earlier events, each weighted by
    ``2^(−age / half_life)`` — an exponentially recency-weighted KDE in the spirit of
    prospective hot-spotting (Bowers, Johnson & Pease 2004), integrated over each cell.
``sepp``
    The self-exciting point process of Mohler et al. (2011) with a parametric triggering
    kernel (as in Mohler et al. 2015)::

        λ(t, x) = μ(x) + Σ_{t_i < t} θ ω e^{−ω (t − t_i)} · φ_σ(x − x_i)

    ``μ`` is a fixed-bandwidth Gaussian KDE of the events, each weighted by its
    probability of being a background event; ``φ_σ`` an isotropic Gaussian. Fitted by the
    EM algorithm of Veen & Schoenberg (2008) / Mohler et al. (2011) — the E-step on all
    pairs within ``pair_radius_m`` and ``pair_window_days`` (KD-tree), the M-step in closed
    form corrected for the truncation of both kernels, for the end of the window and for
    the edges of the study area (Diggle 1985). The forecast is the intensity integrated
    over the next step and over each cell.

Scale. SEPP is fitted on a recent window (``fit_days``, default 90 days, plus the
``pair_window_days`` before it as possible parents). When that window holds more than
``max_pairs`` candidate pairs — a dense, persistent scene in a million reports — the
E-step runs on a seeded random sample (share ``q``) of the events in the window, each with
all its candidate parents, and the M-step sums are weighted by ``1/q``: unbiased estimates
of the full sums, i.e. a Monte Carlo EM (Wei & Tanner 1990). The background weights of the
events outside the sample are the sampled background probabilities smoothed in space.
The share is reported with the fit.
Densities are computed on a fine node grid (binned KDE, FFT) and averaged over the nodes
in each cell times the cell's area, so a forecast is an integral over the cell, not a value
at its centre.

What a forecast is not: it extrapolates *recorded* events. Reports follow patrols, cameras
and who bothers to report; sending patrols to flagged cells produces more reports there
(Lum & Isaac 2016; Ensign et al. 2018). See ``docs/analysis/forecasting.md``.

References
----------
- Mohler, G. O., Short, M. B., Brantingham, P. J., Schoenberg, F. P. & Tita, G. E. (2011).
  Self-exciting point process modeling of crime. *JASA* 106(493), 100–108.
- Mohler, G. O. et al. (2015). Randomized controlled field trials of predictive policing.
  *JASA* 110(512), 1399–1411.
- Veen, A. & Schoenberg, F. P. (2008). Estimation of space–time branching process models in
  seismology using an EM-type algorithm. *JASA* 103(482), 614–624.
- Zhuang, J., Ogata, Y. & Vere-Jones, D. (2002). Stochastic declustering of space-time
  earthquake occurrences. *JASA* 97(458), 369–380.
- Diggle, P. J. (1985). A kernel method for smoothing point process data. *Applied
  Statistics* 34(2), 138–147.
- Wei, G. C. G. & Tanner, M. A. (1990). A Monte Carlo implementation of the EM algorithm.
  *JASA* 85(411), 699–704.
- Bowers, K. J., Johnson, S. D. & Pease, K. (2004). Prospective hot-spotting. *British
  Journal of Criminology* 44(5), 641–658.
- Chainey, S., Tompson, L. & Uhlig, S. (2008). *Security Journal* 21, 4–28.
- Lum, K. & Isaac, W. (2016). To predict and serve? *Significance* 13(5), 14–19.
- Ensign, D. et al. (2018). Runaway feedback loops in predictive policing. *FAT\\* 2018*.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from scipy.optimize import brentq
from scipy.spatial import cKDTree

from drugscene.analysis import kde as kde_mod
from drugscene.analysis import scoring
from drugscene.analysis.area import StudyArea
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import Points

DAY = 86_400.0
NAIVE = "prior_counts"
DEFAULT_METHODS: tuple[str, ...] = ("prior_counts", "prior_mean", "recency_kde", "sepp")
MAX_NODES = 2_000_000
#: edge-correction factors are not allowed below this (a node almost outside the window)
MIN_COVERAGE = 0.05


# --------------------------------------------------------------------------- node grid


@dataclass(frozen=True, eq=False)
class NodeGrid:
    """Fine square nodes (metres) on which densities are computed and integrated.

    Node ``(j, i)`` is at ``(x_first + i·δ, y_first + j·δ)`` and stands for the ``δ × δ``
    square around it. ``node_cell`` maps nodes to forecast cells (−1 outside every cell).
    ``region`` (ny, nx) marks the observation window — where events could have been
    recorded — for edge corrections; ``None`` means everywhere.
    """

    x_first: float
    y_first: float
    spacing: float
    nx: int
    ny: int
    node_cell: np.ndarray | None = None
    n_cells: int = 0
    region: np.ndarray | None = None

    @classmethod
    def covering(cls, x: np.ndarray, y: np.ndarray, spacing: float,
                 margin: float = 0.0) -> NodeGrid:
        """Nodes whose hull holds every point, ``margin`` metres beyond them."""
        if x.size == 0:
            raise AnalysisError("No points to build a grid around.")
        minx, maxx = float(x.min()) - margin, float(x.max()) + margin
        miny, maxy = float(y.min()) - margin, float(y.max()) + margin
        spacing = max(spacing, math.sqrt(max((maxx - minx) * (maxy - miny), 1.0) / MAX_NODES))
        x_first = math.floor(minx / spacing) * spacing - spacing
        y_first = math.floor(miny / spacing) * spacing - spacing
        nx = int(math.ceil((maxx - x_first) / spacing)) + 2
        ny = int(math.ceil((maxy - y_first) / spacing)) + 2
        return cls(x_first, y_first, spacing, nx, ny)

    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        xs = self.x_first + np.arange(self.nx) * self.spacing
        ys = self.y_first + np.arange(self.ny) * self.spacing
        gx, gy = np.meshgrid(xs, ys)
        return gx.ravel(), gy.ravel()

    def bilinear(self, x: np.ndarray, y: np.ndarray
                 ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Flat index of the lower-left node and the four bilinear weights (00, 10, 01, 11)."""
        u = (x - self.x_first) / self.spacing
        v = (y - self.y_first) / self.spacing
        iu = np.clip(np.floor(u).astype(np.intp), 0, self.nx - 2)
        iv = np.clip(np.floor(v).astype(np.intp), 0, self.ny - 2)
        fu = np.clip(u - iu, 0.0, 1.0)
        fv = np.clip(v - iv, 0.0, 1.0)
        return iv * self.nx + iu, ((1 - fu) * (1 - fv), fu * (1 - fv), (1 - fu) * fv, fu * fv)

    def window(self, bandwidth: float, truncate: float = 4.0) -> np.ndarray:
        """Gaussian window normalised so that ``Σ window · δ² = 1`` (mass-conserving even
        when the bandwidth is below the node spacing)."""
        w = kde_mod.kernel_window("gaussian", bandwidth, self.spacing, truncate)
        cut = max(self.nx, self.ny)
        half = (w.shape[0] - 1) // 2
        if half > cut:
            w = w[half - cut:half + cut + 1, half - cut:half + cut + 1]
        return w / (w.sum() * self.spacing ** 2)

    def smooth(self, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None,
               bandwidth: float) -> np.ndarray:
        """``Σ w_i φ_h(node − x_i)`` on the nodes (m⁻²), shape (ny, nx)."""
        binned = kde_mod.linear_binning(x, y, self.x_first, self.y_first, self.spacing,
                                        self.nx, self.ny, weights)
        out = kde_mod.fft_convolve_same(binned, self.window(bandwidth))
        np.maximum(out, 0.0, out=out)
        return out

    def sample(self, dens: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Bilinear interpolation of a node field at points."""
        k, (w00, w10, w01, w11) = self.bilinear(x, y)
        f = dens.ravel()
        nx = self.nx
        return w00 * f[k] + w10 * f[k + 1] + w01 * f[k + nx] + w11 * f[k + nx + 1]

    def self_term(self, window: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """What a unit weight at each point contributes to its own bilinear sample.

        With binning weights ``w`` and kernel values between the four corner nodes this is
        exactly ``wᵀ K w`` (binning and sampling use the same bilinear weights), which makes
        leave-one-out densities exact for the binned estimator.
        """
        _, (a, b, c, d) = self.bilinear(x, y)
        h = (window.shape[0] - 1) // 2
        k0 = window[h, h]
        k1 = window[h, h + 1] if h >= 1 else 0.0
        k2 = window[h + 1, h + 1] if h >= 1 else 0.0
        return (k0 * (a * a + b * b + c * c + d * d)
                + 2 * k1 * (a * b + c * d + a * c + b * d) + 2 * k2 * (a * d + b * c))

    def with_box_region(self, x: np.ndarray, y: np.ndarray) -> NodeGrid:
        """The same nodes with the points' bounding box as the observation window."""
        gx, gy = self.xy()
        inside = ((gx >= x.min() - 0.5 * self.spacing) & (gx <= x.max() + 0.5 * self.spacing)
                  & (gy >= y.min() - 0.5 * self.spacing)
                  & (gy <= y.max() + 0.5 * self.spacing))
        return replace(self, region=inside.reshape(self.ny, self.nx))

    def coverage(self, bandwidth: float) -> np.ndarray:
        """Share of a Gaussian kernel at each node that falls in the observation window,
        ``c(x) = ∫_W φ_h(x − u) du`` (the edge-correction factor of Diggle 1985)."""
        if self.region is None:
            return np.ones((self.ny, self.nx))
        out = kde_mod.fft_convolve_same(self.region.astype(np.float64),
                                        self.window(bandwidth)) * self.spacing ** 2
        return np.clip(out, 0.0, 1.0)

    def to_cells(self, dens: np.ndarray) -> np.ndarray:
        """``Σ density · δ²`` over the nodes of each cell (the cell integral)."""
        if self.node_cell is None:
            raise AnalysisError("This node grid is not linked to forecast cells.")
        ok = self.node_cell >= 0
        return np.bincount(self.node_cell[ok], dens.ravel()[ok] * self.spacing ** 2,
                           minlength=self.n_cells)


# --------------------------------------------------------------------------- SEPP


@dataclass(frozen=True)
class SeppParams:
    """Triggering parameters: ``θ`` offspring per event, ``ω`` decay per day, ``σ`` metres."""

    theta: float = 0.5
    omega: float = 1.0
    sigma: float = 100.0


@dataclass(frozen=True)
class SeppOptions:
    """Settings of the SEPP fit (see :func:`fit_sepp`)."""

    fit_days: float = 90.0
    background_bandwidth_m: float = 50.0
    pair_radius_m: float = 500.0
    pair_window_days: float = 14.0
    max_pairs: int = 1_000_000
    max_iter: int = 100
    tol: float = 1e-4
    node_spacing_m: float = 25.0
    seed: int = 0


@dataclass(eq=False)
class SeppFit:
    params: SeppParams
    background: np.ndarray          # node density of background events per m² per day
    nodes: NodeGrid
    fit_start: float                # days (same origin as the times given)
    fit_end: float
    n_events: int                   # events in the fit window
    n_pairs: int
    iterations: int
    converged: bool
    sample_share: float             # share of events in the E-step (1: exact)
    background_share: float         # Σ p_jj / n: share of events the model calls background
    options: SeppOptions = field(default_factory=SeppOptions)

    def describe(self) -> str:
        p, o = self.params, self.options
        flags = []
        if p.omega * o.pair_window_days <= 1.0 / SLOWEST_DECAY_WINDOWS * (1 + 1e-9):
            flags.append("decay at its bound")
        if p.sigma >= o.pair_radius_m * (1 - 1e-9):
            flags.append("σ at the pair radius")
        if not self.converged:
            flags.append("EM not converged")
        return (f"θ={p.theta:.3f}, 1/ω={1 / p.omega:.2f} d, σ={p.sigma:.0f} m, background "
                f"{self.background_share:.0%}; {self.n_events:,} events in "
                f"{self.fit_end - self.fit_start:.0f} d, {self.n_pairs:,} pairs"
                + (f" (E-step on a {self.sample_share:.1%} sample)"
                   if self.sample_share < 1 else "")
                + f", {self.iterations} EM steps"
                + (f" [{'; '.join(flags)}: not interpretable as contagion]" if flags else ""))


def _pairs_between(x: np.ndarray, y: np.ndarray, t: np.ndarray, parents: np.ndarray,
                   children: np.ndarray, radius: float,
                   window: float) -> tuple[np.ndarray, np.ndarray]:
    """(parent, child) pairs among the given indices: ``0 < Δt ≤ window``, ``d ≤ radius``."""
    if parents.size == 0 or children.size == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    scale = np.column_stack([x / radius, y / radius, t / window])
    tc = cKDTree(scale[children])
    tp = cKDTree(scale[parents])
    m = tc.sparse_distance_matrix(tp, 1.0, p=np.inf, output_type="ndarray")
    j = children[m["i"]]
    i = parents[m["j"]]
    dt = t[j] - t[i]
    d2 = (x[j] - x[i]) ** 2 + (y[j] - y[i]) ** 2
    ok = (dt > 0) & (dt <= window) & (d2 <= radius * radius)
    return i[ok], j[ok]


def _estimate_pairs(x: np.ndarray, y: np.ndarray, t: np.ndarray, radius: float,
                    window: float, seed: int, sample: int = 1000) -> float:
    """Estimated number of unordered pairs within ``radius`` and ``window`` (box test),
    from the neighbour counts of a seeded random sample of at most ``sample`` events
    (exact when there are fewer events)."""
    n = t.size
    if n < 2:
        return 0.0
    pts = np.column_stack([x / radius, y / radius, t / window])
    tree = cKDTree(pts)
    if n <= sample:
        probe = pts
    else:
        probe = pts[np.random.default_rng(seed).choice(n, sample, replace=False)]
    counts = tree.query_ball_point(probe, 1.0, p=np.inf, return_length=True)
    return float(n * (np.mean(counts) - 1.0) / 2.0)


def _trunc_mean(z: float) -> float:
    """``E[U]`` for ``U`` on ``[0, 1]`` with density ∝ ``e^{−zU}``: ``1/z − 1/(e^z − 1)``."""
    if z < 1e-4:
        return 0.5 - z / 12.0
    if z > 700.0:
        return 1.0 / z
    return 1.0 / z - 1.0 / math.expm1(z)


def _solve_trunc(target: float) -> float:
    """``z`` with ``_trunc_mean(z) = target`` (decreasing from ½ to 0); clipped to
    ``[1e-6, 1e9]``."""
    if target >= _trunc_mean(1e-6):
        return 1e-6
    if target <= _trunc_mean(1e9):
        return 1e9
    return math.exp(brentq(lambda lz: _trunc_mean(math.exp(lz)) - target,
                           math.log(1e-6), math.log(1e9), xtol=1e-12))


#: the decay may not be slower than this many pair windows (else it is not identifiable)
SLOWEST_DECAY_WINDOWS = 10.0


def _solve_omega(mean_dt: float, window: float) -> float:
    """ω of an exponential truncated to ``[0, window]`` with mean ``mean_dt``:
    ``E[Δt] = W · m(ωW)`` with ``m`` = :func:`_trunc_mean`; at least
    ``1 / (SLOWEST_DECAY_WINDOWS · W)``."""
    z = _solve_trunc(max(mean_dt, 0.0) / window)
    return max(z, 1.0 / SLOWEST_DECAY_WINDOWS) / window


def _solve_sigma(mean_d2: float, radius: float) -> float:
    """σ of a 2-D Gaussian truncated to ``d ≤ R`` with ``E[d²] = mean_d2``: with
    ``a = R²/(2σ²)``, ``d²/(2σ²)`` is an exponential truncated at ``a``, so
    ``E[d²] = R² · m(a)``; at most ``R``."""
    a = _solve_trunc(max(mean_d2, 0.0) / (radius * radius))
    return min(radius / math.sqrt(2.0 * a), radius)


def fit_sepp(x: np.ndarray, y: np.ndarray, t_days: np.ndarray, *, t_end: float,
             nodes: NodeGrid, options: SeppOptions | None = None,
             init: SeppParams | None = None) -> SeppFit:
    """Fit the Mohler et al. (2011) SEPP on the events before ``t_end`` by EM.

    Parameters
    ----------
    x, y : numpy.ndarray
        Metric coordinates (metres) of the events, all within ``nodes``' hull.
    t_days : numpy.ndarray
        Times in days (any origin), sorted ascending.
    t_end : float
        End of the fit window (days); only events with ``t < t_end`` are used.
    nodes : NodeGrid
        Nodes for the background density.
    options : SeppOptions
    init : SeppParams, optional
        Starting values (a previous origin's fit speeds up convergence).

    Returns
    -------
    SeppFit

    Notes
    -----
    E-step (Veen & Schoenberg 2008; Mohler et al. 2011): for each event ``j`` in the window
    and each earlier event ``i`` within the pair radius and window,
    ``p_ij = g(t_j − t_i, x_j − x_i) / λ(t_j, x_j)`` and ``p_jj = μ(x_j) / λ(t_j, x_j)``.
    ``μ(x_j)`` is the leave-one-out background KDE (bandwidth ``background_bandwidth_m``),
    so an event never explains itself.

    M-step, with ``S = Σ p_ij``: ``μ(x) = Σ_j p_jj φ_b(x − x_j) / T``; ``ω`` solves
    ``E[Δt] = Σ p_ij Δt_ij / S`` for an exponential truncated at the pair window; ``σ``
    solves ``E[d²] = Σ p_ij d_ij² / S`` for a Gaussian truncated at the pair radius; and
    ``θ = S / Σ_i c_i`` where ``c_i`` is the share of parent ``i``'s offspring kernel that
    falls inside the window, the pair window and the pair radius (so the truncations do not
    bias ``θ`` down). Events in the ``pair_window_days`` before the window may be parents.
    """
    opt = options or SeppOptions()
    p0 = init or SeppParams(0.5, 1.0, min(100.0, opt.pair_radius_m / 5))
    t = np.asarray(t_days, dtype=np.float64)
    if t.size and np.any(np.diff(t) < 0):
        raise AnalysisError("Event times must be sorted for the SEPP fit.")
    hi = int(np.searchsorted(t, t_end, side="left"))
    fit_len = float(opt.fit_days)
    t_start = t_end - fit_len
    lo_hist = int(np.searchsorted(t, t_start - opt.pair_window_days, side="left"))
    xs, ys, ts = x[lo_hist:hi], y[lo_hist:hi], t[lo_hist:hi]
    child = ts >= t_start
    n_child = int(child.sum())
    if n_child < 2:
        raise AnalysisError(f"Only {n_child} event(s) in the SEPP fit window of "
                            f"{fit_len:g} days before the origin; use a longer --step or "
                            "more history.")
    # over the pair budget: E-step on a seeded random sample of the children (Monte Carlo EM)
    bound = _estimate_pairs(xs, ys, ts, opt.pair_radius_m, opt.pair_window_days,
                            opt.seed)
    q = 1.0 if bound <= opt.max_pairs else opt.max_pairs / bound
    cidx = np.flatnonzero(child)
    if q < 1.0:
        rng = np.random.default_rng(opt.seed)
        pick = rng.random(cidx.size) < q
        if pick.sum() < 2:
            pick[rng.choice(cidx.size, 2, replace=False)] = True
    else:
        pick = np.ones(cidx.size, dtype=bool)
    sidx = cidx[pick]                      # children in the E-step
    pi, pj = _pairs_between(xs, ys, ts, np.arange(ts.size), sidx,
                            opt.pair_radius_m, opt.pair_window_days)
    dt = ts[pj] - ts[pi]
    d2 = (xs[pj] - xs[pi]) ** 2 + (ys[pj] - ys[pi]) ** 2
    cx, cy = xs[cidx], ys[cidx]
    sx, sy = xs[sidx], ys[sidx]
    n_s = sidx.size
    rank = np.full(ts.size, -1, dtype=np.intp)
    rank[sidx] = np.arange(n_s)
    pj_s = rank[pj]
    T = fit_len
    # exposure of each potential parent: Δt ∈ [max(t_start − t_i, 0), min(t_end − t_i, Tw)]
    a_lo = np.maximum(t_start - ts, 0.0)
    a_hi = np.minimum(t_end - ts, opt.pair_window_days)
    bw = opt.background_bandwidth_m
    win = nodes.window(bw)
    self_k = nodes.self_term(win, sx, sy)
    # edge correction of the background (Diggle 1985): divide by the kernel mass in W
    cover_b = np.maximum(nodes.coverage(bw), MIN_COVERAGE)
    cover_bs = np.maximum(nodes.sample(cover_b, sx, sy), MIN_COVERAGE)
    outside = None if nodes.region is None else ~nodes.region
    ratio_bw = max(4.0 * bw, 200.0)
    ones_s = nodes.smooth(sx, sy, None, ratio_bw) if q < 1.0 else None

    def background(p_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Background node density and each sampled child's own weight in it."""
        if q >= 1.0:
            return nodes.smooth(cx, cy, p_s, bw) / T, p_s
        assert ones_s is not None
        num = nodes.smooth(sx, sy, p_s, ratio_bw)
        ratio = np.where(ones_s > 1e-12 * ones_s.max(), num / np.maximum(ones_s, 1e-300),
                         float(p_s.mean()))
        w_all = np.clip(nodes.sample(ratio, cx, cy), 0.0, 1.0)
        w_all[pick] = p_s
        return nodes.smooth(cx, cy, w_all, bw) / T, p_s

    theta, omega, sigma = p0.theta, p0.omega, p0.sigma
    p_bg = np.full(n_s, 0.5)
    converged = False
    it = 0
    for _ in range(opt.max_iter):
        it += 1
        bg_nodes, own = background(p_bg)
        mu = np.maximum((nodes.sample(bg_nodes, sx, sy) - own * self_k / T) / cover_bs,
                        1e-300)
        g = (theta * omega * np.exp(-omega * dt)
             * np.exp(-d2 / (2 * sigma * sigma)) / (2 * math.pi * sigma * sigma))
        lam = mu + np.bincount(pj_s, g, minlength=n_s)
        p_pair = g / lam[pj_s]
        p_bg = mu / lam
        s = float(p_pair.sum())
        if s > 1e-9:
            omega_n = _solve_omega(float(p_pair @ dt) / s, opt.pair_window_days)
            sigma_n = _solve_sigma(float(p_pair @ d2) / s, opt.pair_radius_m)
        else:
            omega_n, sigma_n = omega, sigma
        expo = (np.exp(-omega_n * a_lo) - np.exp(-omega_n * np.maximum(a_hi, a_lo)))
        space = -math.expm1(-opt.pair_radius_m ** 2 / (2 * sigma_n * sigma_n))
        if nodes.region is not None:  # offspring that would land outside W are not seen
            expo = expo * nodes.sample(nodes.coverage(sigma_n), xs, ys)
        theta_n = (s / q) / max(float(expo.sum()) * space, 1e-12)
        change = max(abs(theta_n - theta) / max(theta, 1e-2),
                     abs(omega_n - omega) / omega, abs(sigma_n - sigma) / sigma)
        theta, omega, sigma = theta_n, omega_n, sigma_n
        if change < opt.tol:
            converged = True
            break
    bg_nodes, _ = background(p_bg)
    bg_nodes = bg_nodes / cover_b
    if outside is not None:
        bg_nodes[outside] = 0.0
    return SeppFit(SeppParams(theta, omega, sigma), bg_nodes, nodes, t_start, t_end, n_child,
                   int(pi.size), it, converged, q, float(p_bg.mean()), opt)


def predict_sepp(fit: SeppFit, x: np.ndarray, y: np.ndarray, t_days: np.ndarray,
                 t0: float, horizon_days: float) -> np.ndarray:
    """Expected events per m² in ``[t0, t0 + horizon)`` on the fit's nodes (ny, nx).

    ``∫ λ dt = μ(x)·horizon + Σ_i θ (e^{−ω(t0−t_i)} − e^{−ω(t0+horizon−t_i)}) φ_σ(x − x_i)``
    over the events before ``t0`` (offspring of events inside the horizon are ignored: a
    forecast made at ``t0`` cannot know them).
    """
    p = fit.params
    before = t_days < t0
    age = t0 - t_days[before]
    a = p.theta * (np.exp(-p.omega * age) - np.exp(-p.omega * (age + horizon_days)))
    big = a > 1e-9 * max(p.theta, 1e-12)
    trig = np.zeros_like(fit.background)
    if big.any():
        trig = fit.nodes.smooth(x[before][big], y[before][big], a[big], p.sigma)
    return fit.background * horizon_days + trig


def fit_sepp_xy(x: np.ndarray, y: np.ndarray, t_seconds: np.ndarray, *,
                options: SeppOptions | None = None,
                init: SeppParams | None = None) -> SeppFit:
    """Fit the SEPP to all events (metric coordinates, epoch seconds) — for analysis and
    tests; the fit window is the whole span unless ``options.fit_days`` is shorter."""
    opt = options or SeppOptions(fit_days=math.inf)
    order = np.argsort(t_seconds, kind="stable")
    xs = np.asarray(x, dtype=np.float64)[order]
    ys = np.asarray(y, dtype=np.float64)[order]
    td = (np.asarray(t_seconds, dtype=np.float64)[order] - float(np.min(t_seconds))) / DAY
    end = float(td[-1]) + 1e-9
    if not math.isfinite(opt.fit_days):
        opt = replace(opt, fit_days=end)
    nodes = NodeGrid.covering(xs, ys, opt.node_spacing_m,
                              margin=opt.background_bandwidth_m).with_box_region(xs, ys)
    return fit_sepp(xs, ys, td, t_end=end, nodes=nodes, options=opt, init=init)


# --------------------------------------------------------------------------- rolling origin


@dataclass(frozen=True)
class ForecastRow:
    method: str
    origin: int          # epoch seconds, start of the forecast period
    hit_rate: float
    pai: float
    pei: float
    events: int
    flagged_cells: int


@dataclass(eq=False)
class ForecastReport:
    rows: list[ForecastRow]
    comparisons: list[scoring.Comparison]
    methods: list[str]
    origins: list[int]
    step_seconds: int
    coverage: float
    n_cells: int
    seconds: dict[str, float]
    sepp_fits: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    study_area: str = ""
    flagged: dict[str, list[np.ndarray]] = field(default_factory=dict)
    """Per method, the positions of the flagged cells at each origin (in ``origins`` order)."""

    def values(self, method: str, key: str) -> np.ndarray:
        return np.array([getattr(r, key) for r in self.rows if r.method == method])

    def means(self, method: str) -> dict[str, float]:
        out = {}
        for key in ("hit_rate", "pai", "pei"):
            v = self.values(method, key)
            v = v[np.isfinite(v)]
            out[key] = float(v.mean()) if v.size else math.nan
        return out

    def to_csv(self, path: str | Path) -> None:
        """``method,origin,hit_rate,pai,pei,events,flagged_cells``; origin as ISO UTC; then a
        ``mean`` row per method (origin ``mean``). Undefined scores (no events) are empty."""
        from datetime import UTC, datetime

        def fmt(v: float) -> str:
            return "" if not math.isfinite(v) else f"{v:.6g}"

        with Path(path).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["method", "origin", "hit_rate", "pai", "pei", "events",
                        "flagged_cells"])
            for r in self.rows:
                iso = datetime.fromtimestamp(r.origin, tz=UTC).isoformat()
                w.writerow([r.method, iso, fmt(r.hit_rate), fmt(r.pai), fmt(r.pei), r.events,
                            r.flagged_cells])
            for m in self.methods:
                mm = self.means(m)
                ev = self.values(m, "events")
                fl = self.values(m, "flagged_cells")
                w.writerow([m, "mean", fmt(mm["hit_rate"]), fmt(mm["pai"]), fmt(mm["pei"]),
                            f"{ev.mean():.6g}" if ev.size else "",
                            int(fl[0]) if fl.size else ""])

    def verdict_table(self) -> str:
        lines = [f"{'method':<14} {'hit rate':>8} {'PAI':>7} {'PEI':>6} {'wins':>5} "
                 f"{'p (Wilcoxon)':>12}  verdict"]
        for c in self.comparisons:
            mm = self.means(c.method)
            p = "" if c.method == c.baseline else f"{c.p_wilcoxon:.3g}"
            wl = "" if c.method == c.baseline else f"{c.wins}/{c.wins + c.losses + c.ties}"
            lines.append(f"{c.method:<14} {mm['hit_rate']:>8.3f} {mm['pai']:>7.2f} "
                         f"{mm['pei']:>6.3f} {wl:>5} {p:>12}  {c.verdict}")
        return "\n".join(lines)


def _cell_areas(grid: Any, which: np.ndarray) -> np.ndarray:
    """Areas in m² of the cells at positions ``which`` (H3: exact spherical areas; square
    grids: the cell size squared)."""
    cells = getattr(grid, "cells", None)
    if cells is not None and hasattr(grid, "resolution"):
        import h3

        return np.array([h3.cell_area(h3.int_to_str(int(c)), unit="m^2")
                         for c in np.asarray(cells)[which]])
    size = getattr(grid, "cell_size", None)
    if size is not None:
        return np.full(which.size, float(size) ** 2)
    return np.ones(which.size)


def _centroids_lonlat(grid: Any, n_cells: int) -> tuple[np.ndarray, np.ndarray] | None:
    fn = getattr(grid, "centroids", None)
    if fn is None:
        return None
    c = fn()
    if isinstance(c, tuple) and len(c) == 2:
        return np.asarray(c[0], dtype=np.float64), np.asarray(c[1], dtype=np.float64)
    arr = np.asarray(c, dtype=np.float64)
    if arr.shape == (n_cells, 2):
        return arr[:, 0], arr[:, 1]
    if arr.shape == (2, n_cells):
        return arr[0], arr[1]
    return None


def _link_nodes(nodes: NodeGrid, grid: Any, crs: str, n_cells: int) -> NodeGrid:
    gx, gy = nodes.xy()
    to_wgs = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(gx, gy)
    cell = np.asarray(grid.index_of(np.asarray(lon), np.asarray(lat)), dtype=np.intp)
    return replace(nodes, node_cell=cell, n_cells=n_cells,
                   region=(cell >= 0).reshape(nodes.ny, nodes.nx))


class _CellIntegrator:
    """Node densities → expected counts per cell: the mean density over the nodes that fall
    in the cell times the cell's exact area (exact for a uniform density however few nodes
    a cell holds); a cell without any node uses the density at its centroid."""

    def __init__(self, nodes: NodeGrid, grid: Any, crs: str, n_cells: int):
        if nodes.node_cell is None:
            raise AnalysisError("The node grid is not linked to the forecast cells.")
        self.nodes = nodes
        self.counts = np.bincount(nodes.node_cell[nodes.node_cell >= 0], minlength=n_cells)
        self.area = _cell_areas(grid, np.arange(n_cells))
        self.empty = np.flatnonzero(self.counts == 0)
        self.cx: np.ndarray | None = None
        self.cy: np.ndarray | None = None
        if self.empty.size:
            cen = _centroids_lonlat(grid, n_cells)
            if cen is not None:
                to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
                cx, cy = to_m.transform(cen[0][self.empty], cen[1][self.empty])
                self.cx, self.cy = np.asarray(cx), np.asarray(cy)

    def __call__(self, dens: np.ndarray) -> np.ndarray:
        node_sum = self.nodes.to_cells(dens) / self.nodes.spacing ** 2
        out = node_sum / np.maximum(self.counts, 1) * self.area
        if self.empty.size and self.cx is not None and self.cy is not None:
            out[self.empty] = self.nodes.sample(dens, self.cx, self.cy) * self.area[self.empty]
        return out


def _time_axis(t: np.ndarray, step: int, origins: int) -> tuple[int, int, list[int], list[str]]:
    """Steps ending at the first UTC midnight after the last event; the origins are the
    starts of the last ``origins`` steps (fewer if history is short)."""
    notes: list[str] = []
    end = int(math.ceil((int(t.max()) + 1) / DAY) * DAY)
    n_steps = int((end - int(t.min())) // step)
    if n_steps < 3:
        raise AnalysisError(
            f"The events span {n_steps} whole step(s) of {step / DAY:g} days; a forecast "
            "needs at least 2 periods of history plus 1 to score. Use a shorter --step or "
            "more data.")
    usable = n_steps - 2
    if origins > usable:
        notes.append(f"Only {usable} forecast origin(s) fit in the data (asked for {origins}); "
                     "every origin keeps at least 2 steps of history.")
        origins = usable
    start = end - n_steps * step
    first = n_steps - origins
    return start, n_steps, list(range(first, n_steps)), notes


def rolling_origin(points: Points, grid: Any, crs: str, *, step_seconds: int,
                   coverage: float = 0.05, origins: int = 8,
                   methods: Sequence[str] = DEFAULT_METHODS, prior_k: int = 4,
                   half_life_days: float = 14.0, kde_bandwidth_m: float = 150.0,
                   sepp: SeppOptions | None = None, area: StudyArea | None = None,
                   progress: Callable[[str], None] | None = None) -> ForecastReport:
    """Score next-step hot-spot forecasts of several methods on a rolling origin.

    Parameters
    ----------
    points : Points
        The events (WGS84, epoch seconds). Events outside the study area's cells are
        ignored (``grid.locate``).
    grid : H3Grid or SquareGrid
        Cells of the study area (:mod:`drugscene.analysis.grid`).
    crs : str
        Metric CRS for distances.
    step_seconds : int
        Length of a forecast period (e.g. 7 days).
    coverage : float
        Area share flagged, strictly between 0 and 1.
    origins : int
        Number of forecast origins (the last ``origins`` steps).
    methods : sequence of str
        Any of ``prior_counts``, ``prior_mean``, ``recency_kde``, ``sepp``;
        ``prior_counts`` is always included as the baseline.
    prior_k : int
        Steps averaged by ``prior_mean`` (its name becomes ``prior_mean_<k>``).
    half_life_days : float
        Half-life of the recency weights of ``recency_kde``.
    kde_bandwidth_m : float
        Gaussian bandwidth (standard deviation) of ``recency_kde``.
    sepp : SeppOptions, optional
    area : StudyArea, optional
        Only for the description in the report.
    progress : callable, optional
        Called with a line of text after each method and origin.

    Returns
    -------
    ForecastReport
        Per method and origin hit rate, PAI, PEI; means; paired comparisons against
        ``prior_counts``; timings per method.

    Raises
    ------
    AnalysisError
        No events, no events in the cells, coverage outside (0, 1), fewer than 2 periods of
        history, unknown methods.
    """
    from drugscene.analysis.grid import space_time_cube

    scoring.check_share(coverage)
    if len(points) == 0:
        raise AnalysisError("No points to forecast from.")
    if step_seconds <= 0:
        raise AnalysisError("The step must be a positive duration, e.g. 7d.")
    if origins < 1:
        raise AnalysisError("Give at least 1 forecast origin.")
    if prior_k < 1:
        raise AnalysisError("prior_mean needs at least 1 step (--prior-k ≥ 1).")
    for label, v in (("half-life", half_life_days), ("KDE bandwidth", kde_bandwidth_m)):
        if not (math.isfinite(v) and v > 0):
            raise AnalysisError(f"The {label} must be a positive number, got {v}.")
    unknown = [m for m in methods if m not in DEFAULT_METHODS]
    if unknown:
        raise AnalysisError(f"Unknown forecast method(s) {', '.join(unknown)}; choose from "
                            f"{', '.join(DEFAULT_METHODS)}.")
    wanted = [NAIVE] + [m for m in DEFAULT_METHODS if m in methods and m != NAIVE]
    locate = getattr(grid, "locate", None)
    pos_all = np.asarray(locate(points) if locate is not None
                         else grid.index_of(points.lon, points.lat), dtype=np.intp)
    ins = pos_all >= 0
    if not ins.any():
        raise AnalysisError("None of the points falls in a cell of the study area.")
    pts = points.subset(ins).sorted_by_time() if not ins.all() else points.sorted_by_time()
    t = pts.t.astype(np.int64)
    start, n_steps, origin_steps, notes = _time_axis(t, int(step_seconds), int(origins))
    end = start + n_steps * int(step_seconds)
    cube = space_time_cube(grid, pts, int(step_seconds), start=start, end=end)
    counts = np.asarray(cube.counts, dtype=np.float64)
    n_cells = counts.shape[0]
    if n_cells < 2:
        raise AnalysisError("The study area has fewer than 2 cells; use a finer resolution.")
    if (ins.size - ins.sum()) > 0:
        notes.append(f"{int(ins.size - ins.sum()):,} event(s) outside the cells were left out.")
    in_window = t >= start
    if (~in_window).any():
        notes.append(f"{int((~in_window).sum()):,} event(s) before the first whole step were "
                     "used by recency_kde and sepp only.")

    need_xy = any(m in wanted for m in ("recency_kde", "sepp"))
    sopt = sepp or SeppOptions()
    seconds = dict.fromkeys(wanted, 0.0)
    rows: list[ForecastRow] = []
    sepp_desc: list[str] = []
    integrate: _CellIntegrator | None = None
    nodes: NodeGrid | None = None
    x = y = td = np.empty(0)
    t_ref = float(start)
    if need_xy:
        tic = time.perf_counter()
        x, y = kde_mod.project_points(pts, crs)
        td = (t.astype(np.float64) - t_ref) / DAY
        spacing = min(sopt.node_spacing_m, kde_bandwidth_m / 3)
        nodes = NodeGrid.covering(x, y, spacing, margin=2 * spacing)
        nodes = _link_nodes(nodes, grid, crs, n_cells)
        integrate = _CellIntegrator(nodes, grid, crs, n_cells)
        shared = time.perf_counter() - tic
        for m in ("recency_kde", "sepp"):
            if m in seconds:
                seconds[m] += shared / 2 if "sepp" in seconds and "recency_kde" in seconds \
                    else shared
    names = {"prior_mean": f"prior_mean_{prior_k}"}
    flagged: dict[str, list[np.ndarray]] = {}
    init: SeppParams | None = None
    horizon = step_seconds / DAY
    for o in origin_steps:
        actual = counts[:, o]
        t0 = start + o * int(step_seconds)
        for m in wanted:
            tic = time.perf_counter()
            if m == "prior_counts":
                fc = counts[:, o - 1]
            elif m == "prior_mean":
                fc = counts[:, max(0, o - prior_k):o].mean(axis=1)
            elif m == "recency_kde":
                assert nodes is not None and integrate is not None
                hi = int(np.searchsorted(td, (t0 - t_ref) / DAY, side="left"))
                age = (t0 - t_ref) / DAY - td[:hi]
                keep = age < 20 * half_life_days
                w = np.exp2(-age[keep] / half_life_days)
                dens = nodes.smooth(x[:hi][keep], y[:hi][keep], w, kde_bandwidth_m)
                fc = integrate(dens)
            else:
                assert nodes is not None and integrate is not None
                t0d = (t0 - t_ref) / DAY
                fit = fit_sepp(x, y, td, t_end=t0d, nodes=nodes, options=sopt, init=init)
                init = fit.params
                fc = integrate(predict_sepp(fit, x, y, td, t0d, horizon))
                sepp_desc.append(f"{_iso(t0)}: {fit.describe()}")
            sc = scoring.score(fc, actual, coverage)
            seconds[m] += time.perf_counter() - tic
            name = names.get(m, m)
            flagged.setdefault(name, []).append(
                scoring.rank_cells(fc)[:sc.flagged_cells].copy())
            rows.append(ForecastRow(name, int(t0), sc.hit_rate, sc.pai, sc.pei,
                                    int(round(sc.events)), sc.flagged_cells))
            if progress is not None:
                progress(f"{_iso(t0)} {name}: hit rate {sc.hit_rate:.3f}, PAI {sc.pai:.2f}")
    method_names = [names.get(m, m) for m in wanted]
    empty = sum(1 for r in rows if r.method == NAIVE and r.events == 0)
    if empty:
        notes.append(f"{empty} origin(s) had no events in the forecast period; their scores "
                     "are undefined and left out of the means and tests.")
    base = np.array([r.pai for r in rows if r.method == NAIVE])
    comps = [scoring.compare(m, np.array([r.pai for r in rows if r.method == m]), NAIVE, base)
             for m in method_names]
    return ForecastReport(rows, comps, method_names,
                          [start + o * int(step_seconds) for o in origin_steps],
                          int(step_seconds), float(coverage), n_cells,
                          {names.get(k, k): v for k, v in seconds.items()}, sepp_desc, notes,
                          area.describe() if area is not None else "", flagged)


def _iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(seconds), tz=UTC).strftime("%Y-%m-%d")
