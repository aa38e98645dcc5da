"""Did an action work, did the problem move next door, and did it come back?

Three measures for the follow-up step of the working loop (MISSION.md, step 5):

* the **Weighted Displacement Quotient** (WDQ) of Bowers & Johnson (2003), which compares a
  target area, a buffer around it and a control area before and after a date;
* a **rate ratio** of the target against the control, before and after, with a confidence
  interval (the log-normal approximation used in Farrington & Welsh's meta-analyses) and an
  exact conditional alternative;
* a **came-back check** after an action's end: is the rate after the action significantly
  above the rate during it, and back to a large share of the level before it?

Counting rules, the same in every function of this module:

* an event belongs to an area when it lies inside the polygon or on its boundary;
* an event inside both the target and the buffer counts for the **target** only (the buffer
  is "the surroundings that are not the target");
* the control must not overlap the target or the buffer (use ``cut_control=True`` to cut
  them out of it);
* time windows are half-open, ``[start, end)``, in epoch seconds (UTC).

Nothing here imports Django.

References
----------
Bowers, K. J. & Johnson, S. D. (2003). Measuring the geographical displacement and diffusion
of benefit effects of crime prevention activity. *Journal of Quantitative Criminology*,
19(3), 275-301.

Guerette, R. T. (2009). *Analyzing Crime Displacement and Diffusion*. Problem-Oriented
Guides for Police, Problem-Solving Tools Series No. 10. Washington, DC: US Department of
Justice, Office of Community Oriented Policing Services.

Farrington, D. P. & Welsh, B. C. (2002). Improved street lighting and crime prevention.
*Justice Quarterly*, 19(2), 313-342; Welsh, B. C. & Farrington, D. P. (2009). Public area
CCTV and crime prevention: an updated systematic review and meta-analysis. *Justice
Quarterly*, 26(4), 716-745.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from pyproj.exceptions import CRSError

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import Points, parse_time

DAY_S = 86_400
#: |WDQ| at or below this counts as "neither displacement nor diffusion".
NEUTRAL_WDQ = 0.1
#: the exact conditional interval is computed only when the smallest margin of the 2 x 2
#: table is at most this (it costs seconds for tens of thousands of events, and the
#: log-normal approximation is then indistinguishable from it).
EXACT_MAX_MARGIN = 1_000
#: a window may reach this far beyond the first/last event before it counts as "outside
#: the data" (the data rarely start and end exactly on an event).
SLACK_S = DAY_S

AreaLike = Any  # a StudyArea (anything with ``.geometry``) or a shapely (multi)polygon
TimeLike = int | float | str | datetime


# --- small helpers ---------------------------------------------------------------------------


def _stats():
    """scipy.stats, imported on first use (it costs ~0.5 s; most commands never need it)."""
    from scipy import stats

    return stats


def _clean(value: float | None) -> float | None:
    """A finite float, or ``None`` for NaN/inf (so nothing non-JSON reaches an output)."""
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def epoch(value: TimeLike) -> int:
    """Epoch seconds (UTC) from epoch seconds, an aware/naive datetime or an ISO 8601 string.

    Naive datetimes and offset-free strings are read as UTC (as in
    :func:`drugscene.analysis.points.parse_time`).
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return int(moment.timestamp())
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            raise AnalysisError(f"Not an ISO 8601 date or date-time: {value!r}.") from None
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not math.isfinite(float(value)):
            raise AnalysisError("A time must be a finite number of epoch seconds.")
        return int(value)
    raise AnalysisError(f"Cannot read {value!r} as a time.")


def iso(seconds: float) -> str:
    """Epoch seconds as an ISO 8601 UTC string."""
    return datetime.fromtimestamp(int(seconds), tz=UTC).isoformat()


def polygon(area: AreaLike, name: str) -> shapely.Geometry:
    """The (valid, prepared) polygonal geometry of ``area``, or :class:`AnalysisError`.

    ``area`` is a :class:`~drugscene.analysis.area.StudyArea` or a shapely geometry in
    WGS84 longitude/latitude.
    """
    geom = getattr(area, "geometry", area)
    if not isinstance(geom, shapely.Geometry):
        raise AnalysisError(f"The {name} area is not a polygon (got {type(area).__name__}).")
    if geom.is_empty:
        raise AnalysisError(f"The {name} area is empty: give a polygon that covers ground.")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts) if parts else shapely.Polygon()
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.area <= 0.0:
        raise AnalysisError(f"The {name} area must be a Polygon or MultiPolygon with a "
                            f"non-zero area (got {geom.geom_type}).")
    shapely.prepare(geom)
    return geom


def utm_crs(lon: float, lat: float) -> str:
    """The EPSG code of the UTM zone holding (lon, lat)."""
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def ring_buffer(target: AreaLike, distance_m: float, metric_crs: str | None = None
                ) -> shapely.Geometry:
    """A ring of ``distance_m`` metres around ``target``, the target itself cut out.

    The target is projected to ``metric_crs`` (default: the UTM zone of its centroid) with
    pyproj, buffered by ``distance_m`` there, the target subtracted, and the ring projected
    back to WGS84. This is the "buffer zone" of Bowers & Johnson (2003): the area into
    which displaced activity would most plausibly move.
    """
    geom = polygon(target, "target")
    if not (math.isfinite(distance_m) and distance_m > 0):
        raise AnalysisError(f"The buffer width must be a positive number of metres "
                            f"(got {distance_m}).")
    centre = geom.centroid
    crs = metric_crs or utm_crs(centre.x, centre.y)
    try:
        fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except CRSError:
        raise AnalysisError(f"Unknown coordinate reference system {crs!r}; give a metric "
                            f"one such as EPSG:3006.") from None

    def forward(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(fwd.transform(xy[:, 0], xy[:, 1]))

    def backward(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(back.transform(xy[:, 0], xy[:, 1]))

    target_m = shapely.transform(geom, forward)
    ring_m = shapely.difference(shapely.buffer(target_m, distance_m, quad_segs=16), target_m)
    return polygon(shapely.transform(ring_m, backward), "buffer")


def assign_areas(lon: np.ndarray, lat: np.ndarray, target: AreaLike,
                 buffer: AreaLike | None = None, control: AreaLike | None = None
                 ) -> np.ndarray:
    """Label each point: 0 outside, 1 target, 2 buffer, 3 control (vectorised).

    A point on a boundary belongs to the polygon. Target wins over buffer, and buffer over
    control (the control is checked for overlap elsewhere).
    """
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    label = np.zeros(lon.size, dtype=np.int8)
    for code, area, name in ((3, control, "control"), (2, buffer, "buffer"),
                             (1, target, "target")):
        if area is None:
            continue
        geom = polygon(area, name)
        label[shapely.intersects_xy(geom, lon, lat)] = code
    return label


def _check_overlap(a: shapely.Geometry, b: shapely.Geometry, names: tuple[str, str]) -> None:
    shared = shapely.intersection(a, b).area
    if shared > 1e-6 * min(a.area, b.area):
        share = 100.0 * shared / b.area
        raise AnalysisError(
            f"The {names[1]} area overlaps the {names[0]} area ({share:.1f} % of the "
            f"{names[1]}). A control must lie apart from the target and the buffer, or it "
            f"absorbs the very effect it should be a baseline for: cut them out of it "
            f"(cut_control=True, on the command line --cut-control) or draw another one.")


# --- time windows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A half-open time window ``[start, end)`` in epoch seconds (UTC)."""

    start: int
    end: int

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY_S

    def as_dict(self) -> dict[str, Any]:
        return {"start": iso(self.start), "end": iso(self.end), "days": round(self.days, 4)}

    def mask(self, t: np.ndarray) -> np.ndarray:
        return (t >= self.start) & (t < self.end)


def _extent(points: Points, data_start: TimeLike | None, data_end: TimeLike | None
            ) -> tuple[int, int]:
    start = epoch(data_start) if data_start is not None else int(points.t.min())
    end = epoch(data_end) if data_end is not None else int(points.t.max()) + 1
    if end <= start:
        raise AnalysisError("The data cover no time: the last event is not after the first.")
    return start, end


# --- rate ratio --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRatio:
    """Before/after rate ratio of a target against a control.

    ``rr = (a_after / a_before) / (c_after / c_before)``: below 1 means the target fell
    relative to the control (Farrington & Welsh write the reciprocal, so that their "odds
    ratio" above 1 means a desirable effect; ``1 / rr`` is theirs).
    """

    a_before: int
    a_after: int
    c_before: int
    c_after: int
    rr: float | None
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p: float | None
    level: float
    dispersion: float
    continuity_corrected: bool
    exact_rr: float | None
    exact_ci_low: float | None
    exact_ci_high: float | None
    exact_p: float | None
    note: str = ""

    @property
    def estimable(self) -> bool:
        return self.rr is not None

    @property
    def significant(self) -> bool:
        """The interval excludes 1 (at ``level``)."""
        return (self.p is not None) and self.p < 1.0 - self.level

    @property
    def change_percent(self) -> float | None:
        """The relative change of the target against control, in percent (rr − 1)."""
        return None if self.rr is None else 100.0 * (self.rr - 1.0)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["change_percent"] = _clean(self.change_percent)
        return out

    def describe(self) -> str:
        if self.rr is None:
            return f"rate ratio cannot be computed: {self.note}"
        pct = int(round(100 * self.level))
        text = (f"rate ratio {self.rr:.3f} ({pct} % CI {self.ci_low:.3f}–{self.ci_high:.3f}, "
                f"p = {self.p:.3g})")
        if self.continuity_corrected:
            text += " [0.5 added to every count because one was zero]"
        return text


def rate_ratio(a_before: int, a_after: int, c_before: int, c_after: int, *,
               level: float = 0.95, dispersion: float = 1.0) -> RateRatio:
    """Rate ratio of target against control, before and after, with CI and p-value.

    Parameters
    ----------
    a_before, a_after : int
        Event counts in the target area before and after.
    c_before, c_after : int
        Event counts in the control area in the same windows.
    level : float
        Confidence level of the interval (default 0.95).
    dispersion : float
        Multiplier of the Poisson variance (1 = pure Poisson). Counts of reports are often
        over-dispersed; Farrington et al. (2007) inflate the variance by such a factor.

    Returns
    -------
    RateRatio
        ``rr = (a_after/a_before) / (c_after/c_before)``, its log-normal interval
        ``exp(log rr ± z·se)`` with ``se² = dispersion · (1/a_b + 1/a_a + 1/c_b + 1/c_a)``
        and a two-sided z-test p-value, as in Farrington & Welsh's meta-analyses. When one
        count is zero, 0.5 is added to all four (Haldane–Anscombe correction) and
        ``continuity_corrected`` is set. The exact alternative conditions on the margins of
        the 2 x 2 table: for four independent Poisson counts, the conditional distribution
        is Fisher's non-central hypergeometric with odds ratio equal to ``rr``, so its
        conditional maximum-likelihood estimate, exact interval and Fisher's exact p-value
        (scipy) apply directly. It needs no correction for zeros, ignores ``dispersion``,
        and is skipped (``None``) for large tables, where both agree.

    References
    ----------
    Farrington, D. P. & Welsh, B. C. (2002), *Justice Quarterly* 19(2), 313-342.
    Farrington, D. P., Gill, M., Waples, S. J. & Argomaniz, J. (2007). The effects of
    closed-circuit television on crime: meta-analysis of an English national quasi-
    experimental multi-site evaluation. *J. Experimental Criminology*, 3(1), 21-38.
    """
    counts = np.array([a_before, a_after, c_before, c_after])
    if (counts < 0).any() or not np.all(np.equal(np.mod(counts, 1), 0)):
        raise AnalysisError("Counts must be non-negative whole numbers.")
    if not (0.0 < level < 1.0):
        raise AnalysisError(f"The confidence level must lie between 0 and 1 (got {level}).")
    if not (dispersion > 0 and math.isfinite(dispersion)):
        raise AnalysisError(f"The dispersion factor must be positive (got {dispersion}).")
    a_b, a_a, c_b, c_a = (int(c) for c in counts)
    base: dict[str, Any] = {"a_before": a_b, "a_after": a_a, "c_before": c_b,
                            "c_after": c_a, "level": level, "dispersion": dispersion}
    if a_b + a_a == 0 or c_b + c_a == 0:
        which = "target" if a_b + a_a == 0 else "control"
        return RateRatio(**base, rr=None, ci_low=None, ci_high=None, z=None, p=None,
                         continuity_corrected=False, exact_rr=None, exact_ci_low=None,
                         exact_ci_high=None, exact_p=None,
                         note=f"cannot be computed because the {which} has no events in "
                              f"either period")
    corrected = bool((counts == 0).any())
    x = counts.astype(np.float64) + (0.5 if corrected else 0.0)
    log_rr = math.log(x[1] / x[0]) - math.log(x[3] / x[2])
    se = math.sqrt(dispersion * float(np.sum(1.0 / x)))
    zq = float(_stats().norm.ppf(0.5 + level / 2.0))
    z = log_rr / se
    p = float(2.0 * _stats().norm.sf(abs(z)))
    notes = []
    if corrected:
        notes.append("a count was zero, so 0.5 was added to all four counts for the "
                     "log-normal interval")
    table = np.array([[a_a, a_b], [c_a, c_b]])
    exact: tuple[float | None, float | None, float | None, float | None]
    if min(table.sum(axis=0).min(), table.sum(axis=1).min()) <= EXACT_MAX_MARGIN:
        from scipy.stats.contingency import odds_ratio

        res = odds_ratio(table, kind="conditional")
        ci = res.confidence_interval(confidence_level=level)
        exact = (_clean(res.statistic), _clean(ci.low), _clean(ci.high),
                 _clean(_stats().fisher_exact(table).pvalue))
        if exact[2] is None:
            notes.append("the exact interval has no upper bound")
    else:
        exact = (None, None, None, None)
        notes.append("exact conditional test skipped for large counts (the log-normal "
                     "approximation is accurate there)")
    return RateRatio(**base, rr=math.exp(log_rr), ci_low=math.exp(log_rr - zq * se),
                     ci_high=math.exp(log_rr + zq * se), z=z, p=p,
                     continuity_corrected=corrected, exact_rr=exact[0],
                     exact_ci_low=exact[1], exact_ci_high=exact[2], exact_p=exact[3],
                     note="; ".join(notes))


# --- weighted displacement quotient ------------------------------------------------------------


@dataclass(frozen=True)
class Interpretation:
    """A machine-readable verdict and the plain-English sentence that explains it."""

    code: str
    sentence: str


@dataclass(frozen=True)
class WDQResult:
    """Counts, the Bowers & Johnson measures, their reading and the rate ratios.

    ``sm``, ``bdm``, ``wdq`` and ``tne`` are ``None`` when they cannot be computed (the
    interpretation then says why); they are never NaN.
    """

    a_before: int
    a_after: int
    b_before: int
    b_after: int
    c_before: int
    c_after: int
    sm: float | None
    bdm: float | None
    wdq: float | None
    tne: float | None
    interpretation: Interpretation
    target_rr: RateRatio | None = None
    buffer_rr: RateRatio | None = None
    before: Window | None = None
    after: Window | None = None
    neutral: float = NEUTRAL_WDQ
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": "Weighted Displacement Quotient (Bowers & Johnson 2003)",
            "windows": {"before": self.before.as_dict() if self.before else None,
                        "after": self.after.as_dict() if self.after else None},
            "counts": {"target": {"before": self.a_before, "after": self.a_after},
                       "buffer": {"before": self.b_before, "after": self.b_after},
                       "control": {"before": self.c_before, "after": self.c_after}},
            "success_measure": _clean(self.sm),
            "buffer_displacement_measure": _clean(self.bdm),
            "wdq": _clean(self.wdq),
            "total_net_effect": _clean(self.tne),
            "neutral_band": self.neutral,
            "interpretation": {"code": self.interpretation.code,
                               "sentence": self.interpretation.sentence},
            "target_vs_control": self.target_rr.as_dict() if self.target_rr else None,
            "buffer_vs_control": self.buffer_rr.as_dict() if self.buffer_rr else None,
            "notes": list(self.notes),
        }


def interpret_wdq(sm: float | None, wdq: float | None, *, neutral: float = NEUTRAL_WDQ,
                  reason: str = "") -> Interpretation:
    """The usual reading of the WDQ (Bowers & Johnson 2003; Guerette 2009, table 3).

    =========================  ===================================================
    condition                  code
    =========================  ===================================================
    SM or WDQ not computable   ``not_computable`` (``reason`` says why)
    SM ≥ 0                     ``no_success``: no gain in the target, WDQ is moot
    WDQ > 1                    ``diffusion_exceeds_gain``
    neutral < WDQ ≤ 1          ``diffusion``
    |WDQ| ≤ neutral            ``neither``
    −1 ≤ WDQ < −neutral        ``displacement`` (smaller than the gain: net benefit)
    WDQ < −1                   ``displacement_exceeds_gain`` (a net loss)
    =========================  ===================================================
    """
    if sm is None:
        return Interpretation("not_computable", f"The WDQ cannot be computed because "
                                                f"{reason or 'a count is missing'}.")
    if sm >= 0:
        what = "did not change" if sm == 0 else "got worse"
        return Interpretation(
            "no_success",
            f"The target {what} relative to the control (success measure SM = {sm:+.4f}, "
            f"not below 0), so there is no gain whose displacement could be measured; the "
            f"WDQ is not meaningful here.")
    assert wdq is not None
    if wdq > 1.0:
        return Interpretation(
            "diffusion_exceeds_gain",
            f"The target improved relative to the control and the buffer improved even more "
            f"(WDQ = {wdq:+.2f} > 1): diffusion of benefits larger than the direct effect.")
    if wdq > neutral:
        return Interpretation(
            "diffusion",
            f"The target improved relative to the control and the buffer improved too "
            f"(WDQ = {wdq:+.2f}): a diffusion of benefits into the surroundings.")
    if wdq >= -neutral:
        return Interpretation(
            "neither",
            f"The target improved relative to the control and the buffer hardly changed "
            f"(|WDQ| = {abs(wdq):.2f} ≤ {neutral:g}): neither displacement nor diffusion.")
    if wdq >= -1.0:
        return Interpretation(
            "displacement",
            f"The target improved relative to the control but the buffer got worse "
            f"(WDQ = {wdq:+.2f}): displacement into the surroundings, smaller than the gain "
            f"in the target, so the net effect is still a benefit.")
    return Interpretation(
        "displacement_exceeds_gain",
        f"The target improved relative to the control but the buffer got worse by more "
        f"than the target gained (WDQ = {wdq:+.2f} < −1): displacement larger than the "
        f"gain, a net loss.")


def wdq_from_counts(a_before: int, a_after: int, b_before: int, b_after: int,
                    c_before: int, c_after: int, *, neutral: float = NEUTRAL_WDQ,
                    level: float = 0.95, dispersion: float = 1.0) -> WDQResult:
    """The Weighted Displacement Quotient from the six counts.

    Parameters
    ----------
    a_before, a_after : int
        Events in the target area A before and after the date.
    b_before, b_after : int
        Events in the buffer B (the surroundings into which activity may move).
    c_before, c_after : int
        Events in the control C (comparable, but out of reach of the action and of any
        displacement).
    neutral : float
        Half-width of the band around 0 read as "neither" (default 0.1).
    level, dispersion
        Passed to :func:`rate_ratio` for the target and buffer comparisons.

    Returns
    -------
    WDQResult

    Notes
    -----
    In the notation of Bowers & Johnson (2003), with subscripts *b* (before) and *a*
    (after), each area's count is first divided by the control's count in the same period,
    which removes whatever changed everywhere (season, reporting, a city-wide trend):

    * success measure ``SM = A_a/C_a − A_b/C_b``: negative when the target fell relative to
      the control;
    * buffer displacement measure ``BDM = B_a/C_a − B_b/C_b``: positive when the buffer rose
      relative to the control (displacement), negative when it fell (diffusion);
    * ``WDQ = BDM / SM``, read only when ``SM < 0``. Its magnitude compares the buffer's
      change with the target's: −0.5 means half of the gain in the target reappeared in
      the buffer;
    * total net effect ``TNE = [A_b·(C_a/C_b) − A_a] + [B_b·(C_a/C_b) − B_a]``: the events
      the target and the buffer would have had after the date had they followed the control,
      minus those they had. Positive means a net reduction, in events.

    Zero counts make some ratios impossible: the result then carries ``None`` and a verdict
    "cannot be computed because ...", never NaN.
    """
    counts = np.array([a_before, a_after, b_before, b_after, c_before, c_after])
    if (counts < 0).any() or not np.all(np.equal(np.mod(counts, 1), 0)):
        raise AnalysisError("Counts must be non-negative whole numbers.")
    a_b, a_a, b_b, b_a, c_b, c_a = (int(c) for c in counts)
    base: dict[str, Any] = {"a_before": a_b, "a_after": a_a, "b_before": b_b,
                            "b_after": b_a, "c_before": c_b, "c_after": c_a,
                            "neutral": neutral}
    notes: list[str] = []
    if c_b == 0 or c_a == 0:
        which = "before" if c_b == 0 else "after"
        reason = (f"the control area has no events in the {which} period (a ratio to zero); "
                  f"choose a larger or busier control")
        return WDQResult(**base, sm=None, bdm=None, wdq=None, tne=None,
                         interpretation=interpret_wdq(None, None, reason=reason),
                         notes=(reason,))
    sm = a_a / c_a - a_b / c_b
    bdm = b_a / c_a - b_b / c_b
    scale = c_a / c_b
    tne = (a_b * scale - a_a) + (b_b * scale - b_a)
    wdq = bdm / sm if sm != 0 else None
    interp = interpret_wdq(sm, wdq, neutral=neutral)
    target_rr = rate_ratio(a_b, a_a, c_b, c_a, level=level, dispersion=dispersion)
    buffer_rr = rate_ratio(b_b, b_a, c_b, c_a, level=level, dispersion=dispersion)
    if interp.code != "no_success":
        if target_rr.estimable and not target_rr.significant:
            notes.append(f"the target's change against the control is not statistically "
                         f"clear ({target_rr.describe()}); treat the WDQ with caution")
        if interp.code != "neither" and buffer_rr.estimable and not buffer_rr.significant:
            notes.append(f"the buffer's change against the control is not statistically "
                         f"clear ({buffer_rr.describe()}), so the "
                         f"{'displacement' if wdq is not None and wdq < 0 else 'diffusion'}"
                         f" may be chance")
    small = [n for n, v in (("target before", a_b), ("buffer before", b_b),
                            ("buffer after", b_a)) if v < 10]
    if small:
        notes.append("small counts (" + ", ".join(small) + " below 10): one or two events "
                     "change the verdict")
    if interp.code in ("not_computable", "no_success"):
        sentence = interp.sentence
    else:
        sentence = interp.sentence + (
            f" Total net effect: {abs(tne):.0f} {'fewer' if tne >= 0 else 'more'} events "
            f"than expected from the control across target and buffer.")
    interp = Interpretation(interp.code, sentence)
    return WDQResult(**base, sm=sm, bdm=bdm, wdq=wdq, tne=tne, interpretation=interp,
                     target_rr=target_rr, buffer_rr=buffer_rr, notes=tuple(notes))


def weighted_displacement(points: Points, target: AreaLike, control: AreaLike, date: TimeLike,
                          *, buffer: AreaLike | None = None, buffer_m: float | None = None,
                          before_days: float | None = None, after_days: float | None = None,
                          metric_crs: str | None = None, cut_control: bool = False,
                          neutral: float = NEUTRAL_WDQ, level: float = 0.95,
                          dispersion: float = 1.0, data_start: TimeLike | None = None,
                          data_end: TimeLike | None = None) -> WDQResult:
    """Count events in target, buffer and control before and after ``date``; compute the WDQ.

    Parameters
    ----------
    points : Points
        The events (all of them: the areas select).
    target, control : StudyArea or shapely polygon
        WGS84 polygons. The control must not overlap the target or the buffer.
    date : int, str or datetime
        The start of the action (epoch seconds, ISO 8601, or a datetime).
    buffer : StudyArea or shapely polygon, optional
        The surroundings. Give either ``buffer`` or ``buffer_m``.
    buffer_m : float, optional
        Generate the buffer as a ring of this many metres around the target
        (:func:`ring_buffer`).
    before_days, after_days : float, optional
        Window lengths. By default both are the longest equal length that fits in the data
        (from the first to the last event, or ``data_start``/``data_end``).
    metric_crs : str, optional
        Metric CRS for the ring (default: the UTM zone of the target).
    cut_control : bool
        Cut the target and buffer out of the control instead of refusing an overlap (handy
        when the control is "the rest of the city").
    neutral, level, dispersion
        See :func:`wdq_from_counts` and :func:`rate_ratio`.

    Returns
    -------
    WDQResult
        With the windows used.

    Raises
    ------
    AnalysisError
        Empty or non-polygonal areas, an overlapping control, a date outside the data,
        windows reaching outside the data, or a control with no events in a window.

    References
    ----------
    Bowers & Johnson (2003), J. Quantitative Criminology 19(3), 275-301; Guerette (2009).
    """
    if len(points) == 0:
        raise AnalysisError("No points to analyse.")
    if (buffer is None) == (buffer_m is None):
        raise AnalysisError("Give either a buffer polygon or a buffer width in metres.")
    tgt = polygon(target, "target")
    buf = polygon(buffer, "buffer") if buffer is not None else ring_buffer(
        tgt, float(buffer_m or 0.0), metric_crs)
    ctl = polygon(control, "control")
    notes: list[str] = []
    if cut_control:
        ctl = shapely.difference(ctl, shapely.union(tgt, buf))
        ctl = polygon(ctl, "control (after cutting out target and buffer)")
        notes.append("the target and the buffer were cut out of the control")
    else:
        _check_overlap(tgt, ctl, ("target", "control"))
        _check_overlap(buf, ctl, ("buffer", "control"))
    if shapely.intersection(tgt, buf).area > 1e-6 * tgt.area:
        notes.append("the buffer overlaps the target: events in both count for the target")

    lo, hi = _extent(points, data_start, data_end)
    when = epoch(date)
    if not (lo < when < hi):
        raise AnalysisError(f"The date {iso(when)} lies outside the data "
                            f"({iso(lo)} to {iso(hi)}): nothing to compare before and after.")
    longest = min(when - lo, hi - when)
    b_s = longest if before_days is None else _days_to_s(before_days, "before")
    a_s = longest if after_days is None else _days_to_s(after_days, "after")
    before, after = Window(when - b_s, when), Window(when, when + a_s)
    if before.start < lo - SLACK_S:
        raise AnalysisError(f"The before window starts {iso(before.start)}, before the data "
                            f"({iso(lo)}); use at most {(when - lo) / DAY_S:.0f} days.")
    if after.end > hi + SLACK_S:
        raise AnalysisError(f"The after window ends {iso(after.end)}, after the data "
                            f"({iso(hi)}); use at most {(hi - when) / DAY_S:.0f} days.")
    if before.days < 1 or after.days < 1:
        raise AnalysisError("The date is within a day of the start or end of the data; "
                            "there is no before or after period to compare.")
    if abs(before.days - after.days) > 1e-9:
        notes.append("the before and after windows differ in length; the ratios to the "
                     "control make them comparable, but seasons may differ")

    label = assign_areas(points.lon, points.lat, tgt, buf, ctl)
    t = points.t
    wb, wa = before.mask(t), after.mask(t)
    counts = [int(np.count_nonzero((label == k) & w)) for k in (1, 2, 3) for w in (wb, wa)]
    if counts[4] + counts[5] == 0:
        raise AnalysisError("The control area holds no events in the windows: draw a "
                            "larger control (for example the rest of the city).")
    if counts[4] == 0 or counts[5] == 0:
        which = "before" if counts[4] == 0 else "after"
        raise AnalysisError(f"The control area has no events in the {which} window, so no "
                            f"ratio to it exists: choose a larger or busier control.")
    res = wdq_from_counts(*counts, neutral=neutral, level=level, dispersion=dispersion)
    return replace(res, before=before, after=after, notes=tuple(notes) + res.notes)


def _days_to_s(days: float, name: str) -> int:
    if not (math.isfinite(days) and days > 0):
        raise AnalysisError(f"The {name} window must be a positive number of days "
                            f"(got {days}).")
    return int(round(days * DAY_S))


# --- came back? ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameBackResult:
    """Rates before, during and after an action, and whether the problem came back.

    ``came_back`` is true when the rate after the action's end is significantly above the
    rate during it (one-sided, at ``alpha``) **and** at least ``share`` of the level before
    it. With a control, both comparisons are made relative to the control.
    """

    before: Window
    during: Window
    after: Window
    a_before: int
    a_during: int
    a_after: int
    c_before: int | None
    c_during: int | None
    c_after: int | None
    rate_before: float  # target events per day
    rate_during: float
    rate_after: float
    rise_ratio: float | None  # after vs during (relative to control when given)
    p_rise: float | None  # one-sided: after above during
    drop_ratio: float | None  # during vs before (relative to control when given)
    p_drop: float | None  # one-sided: during below before
    share_of_before: float | None  # after vs before (relative to control when given)
    alpha: float
    share: float
    came_back: bool
    interpretation: Interpretation
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": "came-back check: Poisson rate tests after vs during vs before",
            "windows": {"before": self.before.as_dict(), "during": self.during.as_dict(),
                        "after": self.after.as_dict()},
            "counts": {"target": {"before": self.a_before, "during": self.a_during,
                                  "after": self.a_after}},
        }
        if self.c_before is not None:
            out["counts"]["control"] = {"before": self.c_before, "during": self.c_during,
                                        "after": self.c_after}
        out.update({
            "rates_per_day": {"before": self.rate_before, "during": self.rate_during,
                              "after": self.rate_after},
            "relative_to_control": self.c_before is not None,
            "rise_ratio": _clean(self.rise_ratio), "p_rise": _clean(self.p_rise),
            "drop_ratio": _clean(self.drop_ratio), "p_drop": _clean(self.p_drop),
            "share_of_before": _clean(self.share_of_before),
            "alpha": self.alpha, "share_threshold": self.share, "came_back": self.came_back,
            "interpretation": {"code": self.interpretation.code,
                               "sentence": self.interpretation.sentence},
            "notes": list(self.notes),
        })
        return out


def _rate_test(x1: int, x0: int, exposure1: float, exposure0: float,
               c1: int | None, c0: int | None) -> tuple[float | None, float | None]:
    """Ratio and one-sided p that period 1's rate exceeds period 0's.

    Without a control: the conditional binomial test, ``x1 | x1 + x0 ~ Bin(n, e1/(e1+e0))``
    (Przyborowski & Wilenski 1940). With a control: the same question for the ratio
    ``(x1/x0)/(c1/c0)``, answered by Fisher's exact test on ``[[x1, x0], [c1, c0]]``, the
    conditional test for four Poisson counts.
    """
    if c1 is None or c0 is None:
        n = x1 + x0
        ratio = (x1 / exposure1) / (x0 / exposure0) if x0 > 0 else None
        if n == 0:
            return None, None
        p0 = exposure1 / (exposure1 + exposure0)
        return ratio, float(_stats().binomtest(x1, n, p0, alternative="greater").pvalue)
    ratio = (x1 * c0) / (x0 * c1) if x0 > 0 and c1 > 0 else None
    if x1 + x0 == 0:
        return ratio, None
    p = float(_stats().fisher_exact([[x1, x0], [c1, c0]], alternative="greater").pvalue)
    return ratio, p


def came_back(points: Points, target: AreaLike, start: TimeLike, end: TimeLike, *,
              control: AreaLike | None = None, window_days: float | None = None,
              alpha: float = 0.05, share: float = 0.5, cut_control: bool = False,
              data_start: TimeLike | None = None, data_end: TimeLike | None = None
              ) -> CameBackResult:
    """Did the problem come back to the target after the action ended?

    Parameters
    ----------
    points : Points
        All events.
    target : StudyArea or shapely polygon
        The place the action worked on.
    start, end : int, str or datetime
        The action's first moment and its end (exclusive).
    control : StudyArea or shapely polygon, optional
        A comparison area; when given, every comparison is relative to it, which takes out
        season and city-wide trends.
    window_days : float, optional
        Length of the before and after windows (default: the action's length). They are cut
        to the data (first to last event, or ``data_start``/``data_end``); the result notes
        it and the tests use each window's real length.
    alpha : float
        Significance level of the one-sided test "after above during" (default 0.05).
    share : float
        How much of the pre-action level must be back (default 0.5, i.e. 50 %).

    Returns
    -------
    CameBackResult
        ``came_back`` is true when (1) the after-rate is significantly above the
        during-rate: without a control a conditional binomial test of ``A_after`` given
        ``A_after + A_during`` with success probability ``T_after / (T_after + T_during)``
        (T = window length), with a control Fisher's exact test of
        ``[[A_after, A_during], [C_after, C_during]]``; and (2) the after level is at least
        ``share`` of the before level (rates per day, or ratios to the control). Codes:
        ``came_back``, ``partial_return`` (rise but below ``share``), ``stayed_low`` (no
        significant rise), ``no_effect`` (no significant rise and the action had not
        lowered the rate either), ``no_baseline`` (no events before the action).

    Raises
    ------
    AnalysisError
        ``end`` not after ``start``, no data before the start or after the end, or a control
        without events in a window.

    References
    ----------
    Przyborowski, J. & Wilenski, H. (1940). Homogeneity of results in testing samples from
    Poisson series. *Biometrika*, 31, 313-323 (the conditional test of two Poisson rates).
    """
    if len(points) == 0:
        raise AnalysisError("No points to analyse.")
    if not (0 < alpha < 1) or not share > 0:
        raise AnalysisError("alpha must lie in (0, 1) and share be positive.")
    t0, t1 = epoch(start), epoch(end)
    if t1 <= t0:
        raise AnalysisError(f"The action must end after it starts ({iso(t0)} → {iso(t1)}).")
    lo, hi = _extent(points, data_start, data_end)
    length = t1 - t0 if window_days is None else _days_to_s(window_days, "before/after")
    notes: list[str] = []
    before = Window(max(t0 - length, lo), t0)
    after = Window(t1, min(t1 + length, hi))
    during = Window(t0, t1)
    if before.days < 1:
        raise AnalysisError(f"The action starts {iso(t0)}, at or before the start of the data "
                            f"({iso(lo)}): there is no before period to compare with.")
    if after.days < 1:
        raise AnalysisError(f"The action ends {iso(t1)}, at or after the end of the data "
                            f"({iso(hi)}): there is no after period to check yet.")
    if t0 < lo or t1 > hi:
        notes.append("the action runs beyond the data; only its part inside the data counts")
        during = Window(max(t0, lo), min(t1, hi))
    for name, w in (("before", before), ("after", after)):
        if w.end - w.start < length:
            notes.append(f"the {name} window was cut to the data: {w.days:.1f} days instead "
                         f"of {length / DAY_S:.1f}")

    tgt = polygon(target, "target")
    ctl = None
    if control is not None:
        ctl = polygon(control, "control")
        if cut_control:
            ctl = polygon(shapely.difference(ctl, tgt), "control (after cutting the target)")
        else:
            _check_overlap(tgt, ctl, ("target", "control"))
    label = assign_areas(points.lon, points.lat, tgt, None, ctl)
    t = points.t
    a = [int(np.count_nonzero((label == 1) & w.mask(t))) for w in (before, during, after)]
    c: list[int | None] = [None, None, None]
    if ctl is not None:
        c = [int(np.count_nonzero((label == 3) & w.mask(t))) for w in (before, during, after)]
        empty = [n for n, v in zip(("before", "during", "after"), c, strict=True) if v == 0]
        if empty:
            raise AnalysisError(f"The control area has no events in the {', '.join(empty)} "
                                f"window(s): choose a larger or busier control.")
    rates = [a[i] / w.days for i, w in enumerate((before, during, after))]
    rise, p_rise = _rate_test(a[2], a[1], after.days, during.days, c[2], c[1])
    drop_inv, p_drop = _rate_test(a[0], a[1], before.days, during.days, c[0], c[1])
    drop = (1.0 / drop_inv) if drop_inv else None  # during vs before
    if c[0] is not None:
        share_of_before = ((a[2] * c[0]) / (a[0] * c[2])  # type: ignore[operator]
                           if a[0] > 0 else None)
    else:
        share_of_before = rates[2] / rates[0] if a[0] > 0 else None
    rel = " relative to the control" if ctl is not None else ""
    lowered = p_drop is not None and p_drop < alpha
    risen = p_rise is not None and p_rise < alpha
    flag = False
    if share_of_before is None:
        code = "no_baseline"
        sentence = ("There were no events in the target before the action, so there is no "
                    "former level to come back to.")
    elif risen and share_of_before >= share:
        code, flag = "came_back", True
        sentence = (f"It came back: after the action ended the rate{rel} rose significantly "
                    f"above the rate during it (×{_num(rise)}, one-sided p = {p_rise:.3g}) and "
                    f"is back at {100 * share_of_before:.0f} % of the level before the action "
                    f"(threshold {100 * share:.0f} %).")
    elif risen:
        code = "partial_return"
        sentence = (f"Partly back: after the action ended the rate{rel} rose significantly "
                    f"(×{_num(rise)}, p = {p_rise:.3g}) but only to "
                    f"{100 * share_of_before:.0f} % of the level before the action "
                    f"(threshold {100 * share:.0f} %).")
    elif lowered:
        code = "stayed_low"
        sentence = (f"No return so far: the action lowered the rate{rel} (×{_num(drop)} "
                    f"during vs before, p = {p_drop:.3g}) and after its end the rate did not "
                    f"rise significantly (p = {_num(p_rise)}); now "
                    f"{100 * share_of_before:.0f} % of the level before the action.")
    else:
        code = "no_effect"
        sentence = (f"Nothing to come back from: the rate{rel} did not fall significantly "
                    f"during the action (p = {_num(p_drop)}) nor rise significantly after it "
                    f"(p = {_num(p_rise)}).")
    if min(a) < 10:
        notes.append("small counts (below 10 in a window): the tests have little power")
    return CameBackResult(before=before, during=during, after=after, a_before=a[0],
                          a_during=a[1], a_after=a[2], c_before=c[0], c_during=c[1],
                          c_after=c[2], rate_before=rates[0], rate_during=rates[1],
                          rate_after=rates[2], rise_ratio=_clean(rise), p_rise=_clean(p_rise),
                          drop_ratio=_clean(drop), p_drop=_clean(p_drop),
                          share_of_before=_clean(share_of_before), alpha=alpha, share=share,
                          came_back=flag, interpretation=Interpretation(code, sentence),
                          notes=tuple(notes))


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


__all__ = [
    "CameBackResult", "Interpretation", "RateRatio", "WDQResult", "Window", "assign_areas",
    "came_back", "epoch", "interpret_wdq", "polygon", "rate_ratio", "ring_buffer", "utm_crs",
    "wdq_from_counts", "weighted_displacement",
]
