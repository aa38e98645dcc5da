"""Scores for hot-spot forecasts: hit rate, PAI and PEI at a chosen area share.

A forecast ranks the cells of the study area; the top share ``a`` of cells is *flagged*
(the area a patrol or an outreach team could cover). Against the events of the next period:

- **hit rate** ``= n / N``: share of the period's ``N`` events that fell in flagged cells;
- **PAI** (Predictive Accuracy Index, Chainey, Tompson & Uhlig 2008)
  ``= (n / N) / (a_flagged / A)``: hit rate per unit of area share. With equal cells the
  area share is ``k / K`` (``k`` flagged of ``K`` cells); with unequal cells pass their
  areas. A PAI of 1 is what flagging cells at random gives on average;
- **PEI** (Predictive Efficiency Index, Hunt 2016) ``= n / n*`` where ``n*`` is the most
  events any choice of ``k`` cells could have caught (the ``k`` cells with the most events
  in the period). Equivalently ``PAI / PAI_max``; it lies in ``[0, 1]``.

The number of flagged cells is ``k = max(1, round(a · K))`` (half rounds up), and the PAI
uses the realised share ``k / K``, not the requested one, so a coarse grid cannot flatter a
method. Ties in the forecast are broken deterministically: higher score first, then a
caller-given secondary key (higher first), then the cell's position in the cell list (lower
first). Tied cells at the cut-off are therefore not shared out at random, which matters for
count forecasts with many equal values; the order is the same on every run.

References
----------
- Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for predicting
  spatial patterns of crime. *Security Journal* 21, 4–28.
- Hunt, J. M. (2016). Do crime hot spots move? Exploring the effects of the modifiable
  areal unit problem and modifiable temporal unit problem on crime hot spot stability.
  PhD thesis, American University. (Predictive Efficiency Index.)
- Mohler, G. O. et al. (2015). Randomized controlled field trials of predictive policing.
  *JASA* 110(512), 1399–1411. (Efficiency ratios relative to the best possible.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from drugscene.analysis.errors import AnalysisError


@dataclass(frozen=True)
class Score:
    """One forecast scored against one period's events."""

    hit_rate: float      # NaN when the period has no events
    pai: float           # NaN when the period has no events
    pei: float           # NaN when the period has no events
    hits: float          # events in flagged cells
    events: float        # events in the period (inside the cells)
    flagged_cells: int
    area_share: float    # realised share of the area that was flagged
    max_hits: float      # n*: the most any k cells could have caught

    @property
    def pai_max(self) -> float:
        """The PAI of a perfect forecast with the same number of cells."""
        if self.events <= 0:
            return math.nan
        return (self.max_hits / self.events) / self.area_share


def check_share(area_share: float) -> float:
    a = float(area_share)
    if not (math.isfinite(a) and 0.0 < a < 1.0):
        raise AnalysisError(f"The area share (coverage) must lie strictly between 0 and 1, "
                            f"e.g. 0.05 for 5 % of the cells; got {area_share}.")
    return a


def n_flagged(n_cells: int, area_share: float) -> int:
    """``k = max(1, floor(a · K + ½))``, at most ``K``."""
    check_share(area_share)
    if n_cells < 1:
        raise AnalysisError("There are no cells to flag.")
    return int(min(n_cells, max(1, math.floor(area_share * n_cells + 0.5))))


def rank_cells(scores: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Cell positions from most to least at risk (deterministic ties, see module doc)."""
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1:
        raise AnalysisError("Scores must be one value per cell.")
    if not np.all(np.isfinite(s)):
        raise AnalysisError("The forecast has missing or infinite values.")
    pos = np.arange(s.size)
    if tiebreak is None:
        return np.lexsort((pos, -s))
    tb = np.asarray(tiebreak, dtype=np.float64)
    if tb.shape != s.shape:
        raise AnalysisError("The tie-break key needs one value per cell.")
    return np.lexsort((pos, -tb, -s))


def flag_top(scores: np.ndarray, area_share: float,
             tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask of the ``k`` flagged cells (see :func:`n_flagged`)."""
    s = np.asarray(scores)
    k = n_flagged(s.size, area_share)
    mask = np.zeros(s.size, dtype=bool)
    mask[rank_cells(s, tiebreak)[:k]] = True
    return mask


def score(forecast: np.ndarray, actual: np.ndarray, area_share: float, *,
          tiebreak: np.ndarray | None = None,
          cell_area: np.ndarray | None = None) -> Score:
    """Hit rate, PAI and PEI of one forecast against one period's counts per cell.

    Parameters
    ----------
    forecast : numpy.ndarray
        One risk score per cell (higher = more at risk).
    actual : numpy.ndarray
        Events per cell in the forecast period (non-negative).
    area_share : float
        Share of cells to flag, strictly between 0 and 1.
    tiebreak : numpy.ndarray, optional
        Secondary ranking key, higher first.
    cell_area : numpy.ndarray, optional
        Cell areas; the PAI then uses the flagged *area* share. ``n*`` for the PEI is still
        taken over the same number of cells (Hunt 2016 defines it for equal cells).

    Returns
    -------
    Score
        Hit rate, PAI and PEI are NaN when the period has no events (nothing to catch).
    """
    f = np.asarray(forecast, dtype=np.float64)
    y = np.asarray(actual, dtype=np.float64)
    if f.shape != y.shape or f.ndim != 1:
        raise AnalysisError(f"Forecast and outcome need one value per cell each "
                            f"(got {f.shape} and {y.shape}).")
    if not np.all(np.isfinite(y)) or (y < 0).any():
        raise AnalysisError("Event counts must be finite and non-negative.")
    flagged = flag_top(f, area_share, tiebreak)
    k = int(flagged.sum())
    if cell_area is None:
        share = k / f.size
    else:
        ca = np.asarray(cell_area, dtype=np.float64)
        if ca.shape != f.shape or not np.all(ca > 0):
            raise AnalysisError("Cell areas must be positive, one per cell.")
        share = float(ca[flagged].sum() / ca.sum())
    hits = float(y[flagged].sum())
    total = float(y.sum())
    best = float(np.sort(y)[::-1][:k].sum())
    if total <= 0:
        return Score(math.nan, math.nan, math.nan, hits, total, k, share, best)
    hit_rate = hits / total
    return Score(hit_rate, hit_rate / share, hits / best, hits, total, k, share, best)


@dataclass(frozen=True)
class Comparison:
    """A method's PAI against the naive forecast's over the same origins (paired)."""

    method: str
    baseline: str
    n_origins: int
    mean_pai: float
    mean_pai_baseline: float
    wins: int
    losses: int
    ties: int
    p_sign: float
    p_wilcoxon: float
    beats: bool

    @property
    def verdict(self) -> str:
        if self.method == self.baseline:
            return "baseline"
        if self.beats:
            return "beats naive"
        return "does not beat naive"


def compare(method: str, pai: np.ndarray, baseline: str, pai_baseline: np.ndarray,
            alpha: float = 0.05) -> Comparison:
    """Paired one-sided test that ``pai`` is higher than ``pai_baseline`` across origins.

    Origins where either PAI is NaN (no events) are dropped. The method *beats* the naive
    forecast when its mean PAI is higher **and** the one-sided Wilcoxon signed-rank test
    (scipy's default: exact for small samples without tied ranks, else the normal
    approximation; zero differences dropped; Wilcoxon 1945) gives ``p < alpha``.
    The sign test (binomial on wins vs losses) is reported beside it. With fewer than 6
    origins no difference can reach ``p < 0.05`` in either test, so a short evaluation
    never "beats naive".
    """
    from scipy import stats

    a = np.asarray(pai, dtype=np.float64)
    b = np.asarray(pai_baseline, dtype=np.float64)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    d = a - b
    scale = np.maximum(np.abs(a), np.abs(b))
    tie = np.abs(d) <= 1e-12 * np.maximum(scale, 1.0)
    wins, losses, ties = int(((d > 0) & ~tie).sum()), int(((d < 0) & ~tie).sum()), int(tie.sum())
    if wins + losses == 0:
        p_sign = p_wil = 1.0
    else:
        p_sign = float(stats.binomtest(wins, wins + losses, 0.5, alternative="greater").pvalue)
        nz = d[~tie]
        p_wil = float(stats.wilcoxon(nz, alternative="greater").pvalue)
    mean_a = float(a.mean()) if a.size else math.nan
    mean_b = float(b.mean()) if b.size else math.nan
    beats = bool(a.size > 0 and mean_a > mean_b and p_wil < alpha)
    return Comparison(method, baseline, int(a.size), mean_a, mean_b, wins, losses, ties,
                      p_sign, p_wil, beats)
