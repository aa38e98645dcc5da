"""Emerging hot spots: Gi* per time step, a Mann–Kendall trend per cell, Esri's categories.

This is the method of ArcGIS Pro's *Emerging Hot Spot Analysis* (Esri, "How Emerging Hot
Spot Analysis works", ArcGIS Pro tool reference, Space Time Pattern Mining toolbox):

1. Count the events per cell and time step (a space–time cube, :mod:`~drugscene.analysis.grid`).
2. In every time step, compute the Getis–Ord Gi* z-score and two-sided p-value of every
   cell against its neighbourhood (:func:`~drugscene.analysis.gistar.gi_star_matrix`;
   Getis & Ord 1992, Ord & Getis 1995). With ``fdr=True`` (the default, as in ArcGIS Pro)
   the p-values of each time step are adjusted for the false discovery rate
   (Benjamini & Hochberg 1995) over the cells of that step. A bin (cell × step) is a
   **hot** bin when ``p < alpha`` and ``z > 0``, a **cold** bin when ``p < alpha`` and
   ``z < 0``.
3. Test each cell's series of Gi* z-scores for a monotonic trend with Mann–Kendall
   (Mann 1945; Kendall 1975; :mod:`~drugscene.analysis.mannkendall`). A rising z-score
   means the clustering of high counts at that place is getting stronger.
4. Put each cell into one of 17 categories.

The categories, in our own words (``T`` = number of time steps; "90 %" means at least
``0.9 T`` of the steps; the trend is significant when its p-value is below ``alpha``):

``new_hot``
    Hot in the final step and never hot before it.
``consecutive_hot``
    One unbroken run of at least two hot steps that ends with the final step; never hot
    before that run; fewer than 90 % of all steps hot.
``intensifying_hot``
    Hot in at least 90 % of the steps, the final step included, and the z-scores rise
    significantly (clustering of high counts getting stronger).
``persistent_hot``
    Hot in at least 90 % of the steps, the final step included, with no significant trend.
``diminishing_hot``
    Hot in at least 90 % of the steps, the final step included, and the z-scores fall
    significantly.
``sporadic_hot``
    Hot in the final step; hot on and off before (hot at some earlier step that is not part
    of the final run); fewer than 90 % of the steps hot; never cold.
``oscillating_hot``
    Hot in the final step; cold in at least one earlier step; fewer than 90 % hot; not new
    or consecutive.
``historical_hot``
    Not hot in the final step, but hot in at least 90 % of the steps.

The eight ``*_cold`` categories mirror these with hot and cold swapped; "intensifying"
cold means the z-scores fall significantly (low counts cluster more), "diminishing" cold
that they rise. ``no_pattern`` is everything else.

Where Esri's text leaves room, this module decides as follows (and the user guide says so):

- **Persistent needs the final step.** Esri's persistent definition does not mention the
  final step, but "historical" claims every location that is ≥ 90 % hot and not hot at the
  end; so persistent, intensifying and diminishing all require a hot final step.
- **Which definition wins.** Esri's definitions overlap: a cell that was cold and is hot
  for the first time in the final step is both *new* and *oscillating*; a cell that was
  hot ≥ 90 % of the time and is cold in the final step is both *historical hot* and
  *new cold*/*oscillating cold*. We apply: (1) historical hot / historical cold first (a
  long history outweighs one step); (2) otherwise the final step picks the family (hot or
  cold); (3) within the family the first definition in Esri's listed order (new,
  consecutive, intensifying, persistent, diminishing, sporadic, oscillating) wins.
  So "new" and "consecutive" may have cold steps before them.
- **"90 percent"** is read as "at least 90 %" (``10 · n_hot ≥ 9 · T``, exact in integers);
  "less than 90 %" is its complement.
- **Significance of a bin** is ``p < alpha`` with one ``alpha`` (default 0.05, i.e. 95 %
  confidence), on FDR-adjusted p-values by default. ArcGIS's per-bin output also has 90 %
  and 99 % bins; we do not count a 90 %-only bin as hot at the default ``alpha``.
- **The trend** is significant when the Mann–Kendall p-value is below the same ``alpha``.

Differences from ArcGIS Pro that remain: its Gi* can use a *space–time* neighbourhood (bins
of earlier steps at the same and nearby places, its "neighborhood time step"), while this
module tests each time step on its own with purely spatial neighbourhoods; and ArcGIS
analyses only locations with at least one event unless given a mask, while every cell of
the study area is reported here (cells with no event ever are nearly always ``no_pattern``).

References
----------
- Esri. How Emerging Hot Spot Analysis works. ArcGIS Pro tool reference, Space Time
  Pattern Mining toolbox (pro.arcgis.com, ``learnmoreemerging.htm``).
- Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
  statistics. *Geographical Analysis* 24(3), 189–206.
- Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
  issues and an application. *Geographical Analysis* 27(4), 286–306.
- Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *J. R. Stat.
  Soc. B* 57(1), 289–300.
- Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica* 13(3), 245–259.
- Kendall, M. G. (1975). *Rank Correlation Methods*, 4th ed. Griffin, London.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.gistar import bh_fdr, gi_star_matrix
from drugscene.analysis.grid import Cube
from drugscene.analysis.mannkendall import mann_kendall
from drugscene.analysis.neighbours import Neighbours

__all__ = ["CATEGORIES", "CODE", "LABELS", "EmergingResult", "classify", "emerging_hot_spots",
           "trailing_run"]

#: Machine codes in code order: the integer category is the position in this tuple.
CATEGORIES: tuple[str, ...] = (
    "no_pattern",
    "new_hot", "consecutive_hot", "intensifying_hot", "persistent_hot", "diminishing_hot",
    "sporadic_hot", "oscillating_hot", "historical_hot",
    "new_cold", "consecutive_cold", "intensifying_cold", "persistent_cold",
    "diminishing_cold", "sporadic_cold", "oscillating_cold", "historical_cold",
)
#: machine code -> integer code
CODE: dict[str, int] = {name: i for i, name in enumerate(CATEGORIES)}
#: machine code -> label as analysts know it from ArcGIS Pro
LABELS: dict[str, str] = {"no_pattern": "No pattern detected"} | {
    f"{kind}_{side}": f"{kind.capitalize()} {side} spot"
    for side in ("hot", "cold")
    for kind in ("new", "consecutive", "intensifying", "persistent", "diminishing",
                 "sporadic", "oscillating", "historical")
}
_KINDS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic",
          "oscillating", "historical")
#: steps below which the trend test and the 90 % rule say little (noted in the result)
FEW_STEPS = 10


def trailing_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True at the end of each row of a boolean ``(n, T)`` array."""
    flags = np.asarray(flags, dtype=bool)
    rev = flags[:, ::-1]
    first_false = np.argmin(rev, axis=1)
    return np.where(rev.all(axis=1), flags.shape[1], first_false).astype(np.int64)


def _family(final: np.ndarray, ninety: np.ndarray, run: np.ndarray, n_same: np.ndarray,
            n_opposite: np.ndarray, stronger: np.ndarray, weaker: np.ndarray
            ) -> list[np.ndarray]:
    """Conditions for new .. oscillating (Esri's order) of one side (hot or cold)."""
    only_run = run == n_same              # never significant on this side before the run
    short = ~ninety
    return [
        final & short & only_run & (run == 1),             # new
        final & short & only_run & (run >= 2),             # consecutive
        final & ninety & stronger,                         # intensifying
        final & ninety & ~stronger & ~weaker,              # persistent
        final & ninety & weaker,                           # diminishing
        final & short & ~only_run & (n_opposite == 0),     # sporadic
        final & short & ~only_run & (n_opposite > 0),      # oscillating
    ]


def classify(z: np.ndarray, p: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray,
             alpha: float = 0.05) -> np.ndarray:
    """Emerging-hot-spot category of each cell (int8 codes into :data:`CATEGORIES`).

    Parameters
    ----------
    z, p
        ``(n_cells, n_steps)`` Gi* z-scores and the p-values that decide significance
        (FDR-adjusted or raw), steps in time order.
    trend_z, trend_p
        Mann–Kendall z and two-sided p of each cell's z-score series.
    alpha
        Significance level for the bins and the trend.

    Returns
    -------
    numpy.ndarray
        int8 codes; ``CATEGORIES[code]`` is the machine name. See the module docstring for
        the definitions and for how overlaps between Esri's definitions are resolved.
    """
    z = np.asarray(z, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if z.ndim != 2 or z.shape != p.shape:
        raise AnalysisError("z and p must be (cells, steps) matrices of the same shape.")
    n_steps = z.shape[1]
    if n_steps < 2:
        raise AnalysisError(f"Emerging hot spots need at least 2 time steps, got {n_steps}.")
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"alpha must lie between 0 and 1, got {alpha}.")
    tz = np.asarray(trend_z, dtype=np.float64).ravel()
    tp = np.asarray(trend_p, dtype=np.float64).ravel()
    if tz.size != z.shape[0] or tp.size != z.shape[0]:
        raise AnalysisError("One trend z and p per cell are needed.")
    sig = p < alpha                        # NaN p is never significant
    hot = sig & (z > 0)
    cold = sig & (z < 0)
    n_hot = hot.sum(axis=1)
    n_cold = cold.sum(axis=1)
    ninety_hot = 10 * n_hot >= 9 * n_steps
    ninety_cold = 10 * n_cold >= 9 * n_steps
    up = (tp < alpha) & (tz > 0)
    down = (tp < alpha) & (tz < 0)
    final_hot, final_cold = hot[:, -1], cold[:, -1]
    hist_hot = ~final_hot & ninety_hot
    hist_cold = ~final_cold & ninety_cold
    hot_conds = _family(final_hot & ~hist_cold, ninety_hot, trailing_run(hot), n_hot,
                        n_cold, up, down)
    cold_conds = _family(final_cold & ~hist_hot, ninety_cold, trailing_run(cold), n_cold,
                         n_hot, down, up)
    conds = [hist_hot, hist_cold, *hot_conds, *cold_conds]
    codes = [CODE["historical_hot"], CODE["historical_cold"]]
    codes += [CODE[f"{k}_hot"] for k in _KINDS[:-1]]
    codes += [CODE[f"{k}_cold"] for k in _KINDS[:-1]]
    return np.select(conds, codes, default=CODE["no_pattern"]).astype(np.int8)


@dataclass(frozen=True, eq=False)
class EmergingResult:
    """Emerging hot spot analysis of a space–time cube, one entry per grid cell.

    Attributes
    ----------
    cells
        The grid's cell ids (int64 H3 indexes for an H3 grid, else positions).
    category
        int8 codes into :data:`CATEGORIES`.
    trend_z, trend_p, trend_tau
        Mann–Kendall trend of each cell's Gi* z-score series.
    n_hot, n_cold
        Number of significant hot / cold steps.
    final_z, final_p
        Gi* z and the deciding p-value (FDR-adjusted when ``fdr``) in the final step.
    z, p, p_used
        ``(n_cells, n_steps)`` Gi* z, raw two-sided p, and the p that decided (adjusted or
        raw).
    counts
        ``(n_cells, n_steps)`` event counts (the cube's).
    edges
        ``(n_steps + 1,)`` step boundaries in epoch seconds.
    alpha, fdr
        Significance level; whether p-values were FDR-adjusted per time step.
    notes
        Plain-language caveats (few steps, dropped partial step, ...).
    """

    cells: np.ndarray
    category: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    trend_tau: np.ndarray
    n_hot: np.ndarray
    n_cold: np.ndarray
    final_z: np.ndarray
    final_p: np.ndarray
    z: np.ndarray
    p: np.ndarray
    p_used: np.ndarray
    counts: np.ndarray
    edges: np.ndarray
    alpha: float
    fdr: bool
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.category.size)

    @property
    def n_steps(self) -> int:
        return int(self.z.shape[1])

    def codes(self) -> np.ndarray:
        """Machine codes (``"new_hot"``, ...) per cell, object array."""
        return np.asarray(CATEGORIES, dtype=object)[self.category]

    def labels(self) -> np.ndarray:
        """ArcGIS-style labels (``"New hot spot"``, ...) per cell, object array."""
        return np.asarray([LABELS[c] for c in CATEGORIES], dtype=object)[self.category]

    def summary(self) -> dict[str, int]:
        """Number of cells per category, every category listed, in code order."""
        n = np.bincount(self.category.astype(np.int64), minlength=len(CATEGORIES))
        return {name: int(k) for name, k in zip(CATEGORIES, n.tolist(), strict=True)}


def _fdr_per_step(p: np.ndarray) -> np.ndarray:
    out = np.empty_like(p)
    for j in range(p.shape[1]):
        out[:, j] = bh_fdr(p[:, j])
    return out


def emerging_hot_spots(cube: Cube, nb: Neighbours, alpha: float = 0.05,
                       fdr: bool = True) -> EmergingResult:
    """Emerging hot spot analysis of a space–time cube (Esri's method; see module doc).

    Parameters
    ----------
    cube
        Counts per cell and time step (:func:`~drugscene.analysis.grid.space_time_cube`).
    nb
        Binary neighbourhoods of the cube's cells, each cell included in its own.
    alpha
        Significance level for the hot/cold bins and for the trend (default 0.05).
    fdr
        Adjust each time step's p-values for the false discovery rate (Benjamini–Hochberg
        over the cells of the step) before calling a bin significant (default True).

    Returns
    -------
    EmergingResult

    Raises
    ------
    AnalysisError
        Fewer than 2 time steps or 3 cells, no event in the cube, negative or missing
        counts, neighbourhoods of another grid, ``alpha`` outside (0, 1).
    """
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"alpha must lie between 0 and 1, got {alpha}.")
    counts = np.asarray(cube.counts)
    if counts.ndim != 2:
        raise AnalysisError("The cube's counts must be a (cells, steps) matrix.")
    n_cells, n_steps = counts.shape
    if n_steps < 2:
        raise AnalysisError(
            f"The space-time cube has {n_steps} time step(s); an emerging hot spot analysis "
            "needs at least 2 (and 10 or more to say much): use a shorter --step or a "
            "longer period.")
    if n_cells < 3:
        raise AnalysisError(f"The grid has {n_cells} cell(s); Gi* needs at least 3: use a "
                            "finer grid or a larger study area.")
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise AnalysisError("The counts must be finite and not negative.")
    if not counts.any():
        raise AnalysisError("The space-time cube holds no events: check the study area, the "
                            "period and the filters.")
    z, p = gi_star_matrix(counts, nb)
    z = np.where(np.isfinite(z), z, 0.0)
    p = np.where(np.isfinite(p), p, 1.0)
    p_used = _fdr_per_step(p) if fdr else p
    mk = mann_kendall(z, alpha, slope=False)
    category = classify(z, p_used, mk.z, mk.p, alpha)
    sig = p_used < alpha
    notes = []
    if n_steps < FEW_STEPS:
        notes.append(f"Only {n_steps} time steps: the trend test has little power and the "
                     "90 % rule needs every step; use 10 or more steps.")
    quiet = int((~counts.any(axis=0)).sum())
    if quiet:
        notes.append(f"{quiet} time step(s) had no event at all; their z-scores are 0.")
    if getattr(cube, "note", ""):
        notes.append(cube.note)
    grid = cube.grid
    cells = np.asarray(getattr(grid, "cells", np.arange(n_cells)), dtype=np.int64)
    return EmergingResult(
        cells=cells, category=category, trend_z=mk.z, trend_p=mk.p, trend_tau=mk.tau,
        n_hot=(sig & (z > 0)).sum(axis=1), n_cold=(sig & (z < 0)).sum(axis=1),
        final_z=z[:, -1].copy(), final_p=p_used[:, -1].copy(), z=z, p=p, p_used=p_used,
        counts=counts, edges=np.asarray(cube.edges), alpha=float(alpha), fdr=bool(fdr),
        notes=notes)
