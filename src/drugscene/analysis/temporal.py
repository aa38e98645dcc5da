"""When events happen: hour × weekday, months, seasons, indoor/outdoor shift, weekly trend.

Every profile is in the city's **local time** (an IANA zone such as ``Europe/Stockholm``):
a scene that peaks at 21:00 in winter and in summer peaks at 21:00 local time, which is
20:00 and 19:00 UTC. Times are converted without one ``datetime`` per event: the zone's
UTC-offset transitions within the period are found once (``zoneinfo``, one probe per day
and a bisection to the second inside each day where the offset changes), and every event
looks its offset up with one ``numpy.searchsorted``. (Two offset changes within one day, which
no current zone has, would be missed.)

What is computed (:func:`time_patterns` does all of it):

- **Hour × weekday** counts (7 × 24, Monday first) with Pearson's chi-square test of
  independence between weekday and hour (does the daily rhythm differ between days?),
  goodness-of-fit tests of the hour profile against a flat one and of the weekday profile
  against the number of each weekday in the period, and Cramér's V as the effect size
  (Pearson 1900; Cramér 1946; Agresti 2013, §2.4). With thousands of events every p-value is
  tiny; Cramér's V and the profiles themselves say how *large* the differences are.
- **Months** (January … December) and **seasons** (meteorological, northern hemisphere:
  winter DJF, spring MAM, summer JJA, autumn SON): counts, days observed and events per day,
  so a period that holds two Julys and one January is not misread.
- **Outdoor vs indoor by season**: the outdoor share among events whose setting is known,
  with a Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001), and a chi-square
  test of independence between season and setting. This is how the seasonal move of a scene
  from squares and parks into stairwells and garages shows in the data.
- **Weekly trend**: events per full local week (Monday 00:00 to Monday 00:00) tested with
  Mann–Kendall (Mann 1945; Kendall 1975) and Sen's slope (Sen 1968) in events per week per
  week. Partial weeks at either end are left out (a short week looks like a drop).

Reporting is not occurrence: the hour profile of *reports* mixes when things happen with
when partners are on duty and when citizens are awake. The user guide
(``docs/analysis/time-patterns.md``) discusses this.

References
----------
- Pearson, K. (1900). On the criterion that a given system of deviations ... *Philosophical
  Magazine* 50(302), 157–175.
- Cramér, H. (1946). *Mathematical Methods of Statistics*. Princeton University Press.
- Agresti, A. (2013). *Categorical Data Analysis*, 3rd ed. Wiley.
- Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
  inference. *JASA* 22(158), 209–212.
- Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
  proportion. *Statistical Science* 16(2), 101–133.
- Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica* 13(3), 245–259.
- Kendall, M. G. (1975). *Rank Correlation Methods*, 4th ed. Griffin, London.
- Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau.
  *JASA* 63(324), 1379–1389.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from scipy import stats
from scipy.special import ndtri

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.mannkendall import MannKendall, mann_kendall

__all__ = [
    "MONTHS", "SEASONS", "SETTINGS", "WEEKDAYS", "ChiSquare", "HourWeekday", "LocalTime", "Profile",
    "SeasonSetting", "TimePatterns", "WeeklyTrend", "hour_weekday", "local_time",
    "month_profile", "season_profile", "season_setting", "setting_codes", "time_patterns",
    "utc_offsets", "weekly_trend", "wilson_interval",
]

DAY = 86_400
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
#: meteorological seasons of the northern hemisphere, in calendar order of their start
SEASONS = ("winter", "spring", "summer", "autumn")
SEASON_MONTHS = {"winter": "DJF", "spring": "MAM", "summer": "JJA", "autumn": "SON"}
#: season index (into SEASONS) of months 1..12 (position 0 is January)
_SEASON_OF_MONTH = np.array([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0], dtype=np.int8)
#: setting codes: 0 unknown, 1 outdoor, 2 indoor (as in the reports table)
SETTINGS = ("unknown", "outdoor", "indoor")
_SETTING_WORDS = {
    "": 0, "unknown": 0, "okänd": 0, "okand": 0, "0": 0, "none": 0, "nan": 0,
    "outdoor": 1, "outdoors": 1, "outside": 1, "ute": 1, "utomhus": 1, "1": 1,
    "indoor": 2, "indoors": 2, "inside": 2, "inne": 2, "inomhus": 2, "2": 2,
}
#: 1970-01-01 was a Thursday; with Monday = 0 its weekday is 3
_EPOCH_WEEKDAY = 3


# --- local time -----------------------------------------------------------------------------


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise AnalysisError(f"Unknown time zone {tz!r}: use an IANA name such as "
                            "Europe/Stockholm, Europe/Oslo or Europe/Amsterdam.") from None


def _offset_at(zone: ZoneInfo, second: int) -> int:
    off = datetime.fromtimestamp(int(second), zone).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def utc_offsets(t: np.ndarray, tz: str) -> np.ndarray:
    """UTC offset in seconds (local = UTC + offset) at each epoch second in ``t``.

    The offset is probed once per UTC day over the span of ``t``; where it changes between
    two probes, the transition second is found by bisection. Each event then takes the
    offset in force at its time with ``searchsorted``: exact at every second, DST changes
    included, with ``O(days)`` zone look-ups and no per-event ``datetime``.
    """
    zone = _zone(tz)
    t = np.asarray(t, dtype=np.int64)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    d0 = int(t.min()) // DAY - 1
    d1 = int(t.max()) // DAY + 2
    probes = np.arange(d0, d1 + 1, dtype=np.int64) * DAY
    offs = np.fromiter((_offset_at(zone, s) for s in probes.tolist()), dtype=np.int64,
                       count=probes.size)
    change = np.flatnonzero(offs[1:] != offs[:-1])
    starts = [int(probes[0])]
    values = [int(offs[0])]
    for i in change.tolist():
        lo, hi = int(probes[i]), int(probes[i + 1])
        before = int(offs[i])
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _offset_at(zone, mid) == before:
                lo = mid
            else:
                hi = mid
        starts.append(hi)
        values.append(_offset_at(zone, hi))
    idx = np.searchsorted(np.asarray(starts, dtype=np.int64), t, side="right") - 1
    return np.asarray(values, dtype=np.int64)[np.maximum(idx, 0)]


@dataclass(frozen=True, eq=False)
class LocalTime:
    """Local calendar fields of events (arrays of one entry per event).

    ``day`` counts local days since 1970-01-01; ``weekday`` is 0 = Monday … 6 = Sunday;
    ``month`` 1..12; ``season`` indexes :data:`SEASONS`.
    """

    tz: str
    seconds: np.ndarray  # local wall-clock seconds since 1970-01-01T00:00 local
    day: np.ndarray
    hour: np.ndarray
    weekday: np.ndarray
    month: np.ndarray
    year: np.ndarray
    season: np.ndarray


def local_time(t: np.ndarray, tz: str) -> LocalTime:
    """Local day, hour, weekday, month, year and season of epoch seconds ``t`` in ``tz``."""
    t = np.asarray(t, dtype=np.int64)
    local = t + utc_offsets(t, tz)
    day = np.floor_divide(local, DAY)
    hour = (local - day * DAY) // 3600
    weekday = (day + _EPOCH_WEEKDAY) % 7
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    month = months % 12 + 1
    return LocalTime(tz, local, day, hour.astype(np.int8), weekday.astype(np.int8),
                     month.astype(np.int8), (1970 + months // 12).astype(np.int32),
                     _SEASON_OF_MONTH[month - 1])


def _period_days(t: np.ndarray, tz: str, start: int | None, end: int | None
                 ) -> tuple[int, int, np.ndarray]:
    """``(first, last, days)``: local day numbers of the period and all days in it."""
    t0 = int(np.min(t)) if start is None else int(start)
    t1 = int(np.max(t)) + 1 if end is None else int(end)
    if t1 <= t0:
        raise AnalysisError("The period is empty: its end must come after its start.")
    first_last = np.array([t0, t1 - 1], dtype=np.int64)
    d = np.floor_divide(first_last + utc_offsets(first_last, tz), DAY)
    return int(d[0]), int(d[1]), np.arange(int(d[0]), int(d[1]) + 1, dtype=np.int64)


def _check_times(t: np.ndarray) -> np.ndarray:
    t = np.asarray(t)
    if t.ndim != 1:
        t = t.ravel()
    if t.size == 0:
        raise AnalysisError("No events: there is no time pattern to describe.")
    if np.issubdtype(t.dtype, np.floating) and not np.isfinite(t).all():
        raise AnalysisError("Some event times are missing (NaN); remove those events.")
    return t.astype(np.int64)


def _select(t: np.ndarray, start: int | None, end: int | None) -> np.ndarray:
    mask = np.ones(t.size, dtype=bool)
    if start is not None:
        mask &= t >= int(start)
    if end is not None:
        mask &= t < int(end)
    return mask


# --- tests and intervals ------------------------------------------------------------------


@dataclass(frozen=True)
class ChiSquare:
    """Pearson chi-square test: statistic, degrees of freedom, p-value and effect size."""

    statistic: float
    dof: int
    p: float
    effect: float  # Cramér's V (independence) or Cohen's w (goodness of fit)
    min_expected: float

    @property
    def reliable(self) -> bool:
        """Every expected count is at least 5 (the conservative form of Cochran's rule)."""
        return self.min_expected >= 5.0


_NAN_TEST = ChiSquare(float("nan"), 0, float("nan"), float("nan"), 0.0)


def _independence(table: np.ndarray) -> ChiSquare:
    table = np.asarray(table, dtype=np.float64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return _NAN_TEST
    res = stats.chi2_contingency(table, correction=False)
    n = table.sum()
    v = np.sqrt(float(res.statistic) / (n * (min(table.shape) - 1)))
    return ChiSquare(float(res.statistic), int(res.dof), float(res.pvalue), float(v),
                     float(np.min(res.expected_freq)))


def _goodness_of_fit(observed: np.ndarray, weights: np.ndarray) -> ChiSquare:
    obs = np.asarray(observed, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    keep = w > 0
    obs, w = obs[keep], w[keep]
    n = obs.sum()
    if obs.size < 2 or n <= 0:
        return _NAN_TEST
    expected = n * w / w.sum()
    res = stats.chisquare(obs, expected)
    return ChiSquare(float(res.statistic), int(obs.size - 1), float(res.pvalue),
                     float(np.sqrt(float(res.statistic) / n)), float(expected.min()))


def wilson_interval(successes: np.ndarray, n: np.ndarray, confidence: float = 0.95
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for binomial proportions (Wilson 1927), vectorised.

    ``(lower, upper)``; NaN where ``n = 0``. Unlike the Wald interval it stays inside
    [0, 1] and keeps close to its nominal coverage for small ``n`` and shares near 0 or 1
    (Brown, Cai & DasGupta 2001).
    """
    k = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    zq = float(ndtri(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        phat = k / m
        denom = 1.0 + zq * zq / m
        centre = (phat + zq * zq / (2.0 * m)) / denom
        half = zq / denom * np.sqrt(phat * (1.0 - phat) / m + zq * zq / (4.0 * m * m))
        lo = np.where(m > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        hi = np.where(m > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


# --- hour x weekday -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class HourWeekday:
    """Events per local weekday (rows, Monday first) and hour (columns 0..23)."""

    counts: np.ndarray                # (7, 24) int64
    weekday_days: np.ndarray          # (7,) days of each weekday in the period
    independence: ChiSquare           # weekday × hour
    hour_uniform: ChiSquare           # hour profile vs flat
    weekday_uniform: ChiSquare        # weekday profile vs days of each weekday

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    @property
    def hour_profile(self) -> np.ndarray:
        """Share of events per hour of day (sums to 1)."""
        h = self.counts.sum(axis=0).astype(np.float64)
        return h / max(h.sum(), 1.0)

    @property
    def weekday_profile(self) -> np.ndarray:
        """Share of events per weekday (sums to 1), not adjusted for exposure."""
        d = self.counts.sum(axis=1).astype(np.float64)
        return d / max(d.sum(), 1.0)

    @property
    def weekday_rate(self) -> np.ndarray:
        """Events per day for each weekday (NaN for a weekday not in the period)."""
        d = self.counts.sum(axis=1).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.weekday_days > 0, d / self.weekday_days, np.nan)

    def peak(self) -> tuple[int, int]:
        """``(weekday, hour)`` of the busiest cell."""
        w, h = np.unravel_index(int(np.argmax(self.counts)), self.counts.shape)
        return int(w), int(h)


def hour_weekday(t: np.ndarray, tz: str, start: int | None = None,
                 end: int | None = None) -> HourWeekday:
    """Hour-of-day × weekday counts in local time, with chi-square tests.

    Parameters
    ----------
    t
        Event times, epoch seconds (UTC).
    tz
        IANA time zone of the city.
    start, end
        Period (epoch seconds, end exclusive); events outside are left out. By default
        the span of the events.
    """
    t = _check_times(t)
    sel = _select(t, start, end)
    if not sel.any():
        raise AnalysisError("No event lies in the chosen period.")
    t = t[sel]
    lt = local_time(t, tz)
    counts = np.bincount(lt.weekday.astype(np.int64) * 24 + lt.hour,
                         minlength=7 * 24).reshape(7, 24).astype(np.int64)
    _, _, days = _period_days(t, tz, start, end)
    wd_days = np.bincount((days + _EPOCH_WEEKDAY) % 7, minlength=7).astype(np.int64)
    return HourWeekday(counts, wd_days, _independence(counts),
                       _goodness_of_fit(counts.sum(axis=0), np.ones(24)),
                       _goodness_of_fit(counts.sum(axis=1), wd_days))


# --- months and seasons ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Profile:
    """Counts per class (months or seasons) with the days observed and the daily rate."""

    labels: tuple[str, ...]
    counts: np.ndarray       # int64
    days: np.ndarray         # int64: days of the class in the period
    uniform: ChiSquare       # counts vs days observed (a flat daily rate)

    @property
    def per_day(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.days > 0, self.counts / np.maximum(self.days, 1), np.nan)

    @property
    def index(self) -> np.ndarray:
        """Daily rate relative to the period's mean daily rate (1 = average)."""
        mean = self.counts.sum() / max(int(self.days.sum()), 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.per_day / mean if mean > 0 else np.full(self.counts.size, np.nan)


def _day_months(days: np.ndarray) -> np.ndarray:
    m = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return m % 12 + 1


def month_profile(t: np.ndarray, tz: str, start: int | None = None,
                  end: int | None = None) -> Profile:
    """Events per calendar month (January … December, all years pooled), local time."""
    t = _check_times(t)
    t = t[_select(t, start, end)]
    if t.size == 0:
        raise AnalysisError("No event lies in the chosen period.")
    lt = local_time(t, tz)
    counts = np.bincount(lt.month.astype(np.int64) - 1, minlength=12).astype(np.int64)
    _, _, days = _period_days(t, tz, start, end)
    mdays = np.bincount(_day_months(days) - 1, minlength=12).astype(np.int64)
    return Profile(MONTHS, counts, mdays, _goodness_of_fit(counts, mdays))


def season_profile(t: np.ndarray, tz: str, start: int | None = None,
                   end: int | None = None) -> Profile:
    """Events per meteorological season (northern hemisphere: DJF, MAM, JJA, SON)."""
    t = _check_times(t)
    t = t[_select(t, start, end)]
    if t.size == 0:
        raise AnalysisError("No event lies in the chosen period.")
    lt = local_time(t, tz)
    counts = np.bincount(lt.season.astype(np.int64), minlength=4).astype(np.int64)
    _, _, days = _period_days(t, tz, start, end)
    sdays = np.bincount(_SEASON_OF_MONTH[_day_months(days) - 1].astype(np.int64),
                        minlength=4).astype(np.int64)
    return Profile(SEASONS, counts, sdays, _goodness_of_fit(counts, sdays))


def setting_codes(setting: np.ndarray) -> np.ndarray:
    """Setting per event as int8: 0 unknown, 1 outdoor, 2 indoor.

    Accepts the codes themselves or words (``outdoor``/``indoor``/``unknown``, also
    ``outside``/``inside``, Swedish ``ute``/``inne``, empty for unknown; any case).

    Raises
    ------
    AnalysisError
        A value that is none of these (the first few are named).
    """
    arr = np.asarray(setting)
    if arr.dtype.kind in "iu":
        bad = ~np.isin(arr, (0, 1, 2))
        if bad.any():
            raise AnalysisError("Setting codes must be 0 (unknown), 1 (outdoor) or 2 "
                                f"(indoor); found {sorted(set(arr[bad].tolist()))[:5]}.")
        return arr.astype(np.int8)
    if arr.dtype.kind == "f":
        arr = np.where(np.isnan(arr), 0.0, arr)
        if not np.all(arr == np.round(arr)):
            raise AnalysisError("Setting codes must be 0 (unknown), 1 (outdoor) or 2 (indoor).")
        return setting_codes(arr.astype(np.int64))
    words = np.char.lower(np.char.strip(arr.astype(str)))
    uniq, inv = np.unique(words, return_inverse=True)
    unknown = [w for w in uniq.tolist() if w not in _SETTING_WORDS]
    if unknown:
        raise AnalysisError("Unknown setting value(s) "
                            f"{', '.join(repr(w) for w in unknown[:5])}: use outdoor, indoor "
                            "or unknown (or 1, 2, 0).")
    return np.array([_SETTING_WORDS[w] for w in uniq.tolist()], dtype=np.int8)[inv]


@dataclass(frozen=True, eq=False)
class SeasonSetting:
    """Outdoor / indoor / unknown events per season and the outdoor share among known."""

    counts: np.ndarray            # (4, 3): seasons × (unknown, outdoor, indoor)
    confidence: float
    test: ChiSquare               # season × (outdoor, indoor)

    @property
    def known(self) -> np.ndarray:
        return self.counts[:, 1] + self.counts[:, 2]

    @property
    def outdoor_share(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.known > 0, self.counts[:, 1] / np.maximum(self.known, 1),
                            np.nan)

    @property
    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        """Wilson interval of the outdoor share per season."""
        return wilson_interval(self.counts[:, 1], self.known, self.confidence)


def season_setting(t: np.ndarray, tz: str, setting: np.ndarray,
                   confidence: float = 0.95, start: int | None = None,
                   end: int | None = None) -> SeasonSetting:
    """Outdoor vs indoor share of events per season with Wilson intervals.

    Parameters
    ----------
    t
        Event times, epoch seconds.
    tz
        IANA time zone.
    setting
        Per event: 0/1/2 or unknown/outdoor/indoor (see :func:`setting_codes`).
    confidence
        Level of the Wilson intervals (default 95 %).
    """
    t = _check_times(t)
    codes = setting_codes(setting).ravel()
    if codes.size != t.size:
        raise AnalysisError(f"{codes.size} setting values for {t.size} events.")
    if not 0.0 < confidence < 1.0:
        raise AnalysisError(f"confidence must lie between 0 and 1, got {confidence}.")
    sel = _select(t, start, end)
    t, codes = t[sel], codes[sel]
    if t.size == 0:
        raise AnalysisError("No event lies in the chosen period.")
    season = local_time(t, tz).season.astype(np.int64)
    counts = np.bincount(season * 3 + codes, minlength=12).reshape(4, 3).astype(np.int64)
    return SeasonSetting(counts, float(confidence), _independence(counts[:, 1:]))


# --- weekly trend ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class WeeklyTrend:
    """Events per full local week and their Mann–Kendall trend with Sen's slope."""

    week_start: np.ndarray   # datetime64[D]: the Monday (local date) of each week
    counts: np.ndarray       # int64
    mk: MannKendall          # one series
    alpha: float
    dropped_events: int      # events in partial weeks at the ends (not in the series)

    @property
    def slope(self) -> float:
        """Sen's slope: change in events per week, per week."""
        assert self.mk.slope is not None
        return float(self.mk.slope[0])

    @property
    def direction(self) -> int:
        """+1 significant rise, −1 significant fall, 0 none."""
        return int(self.mk.trend[0])

    def verdict(self) -> str:
        """One sentence a coordinator can read aloud."""
        n = self.counts.size
        z, p = float(self.mk.z[0]), float(self.mk.p[0])
        level = float(np.median(self.counts))
        tail = (f"Mann-Kendall z = {z:.2f}, p = {p:.3g}; Sen's slope {self.slope:+.3g} "
                f"events/week per week over {n} full weeks (median {level:g} a week)")
        if self.direction > 0:
            return f"Weekly events are rising ({tail})."
        if self.direction < 0:
            return f"Weekly events are falling ({tail})."
        return f"No significant trend in weekly events at alpha {self.alpha:g} ({tail})."


def weekly_trend(t: np.ndarray, tz: str, start: int | None = None, end: int | None = None,
                 alpha: float = 0.05) -> WeeklyTrend:
    """Mann–Kendall trend and Sen's slope of the events per full local week.

    Weeks run Monday 00:00 to Monday 00:00 local time. Only weeks that lie wholly inside
    the period (by default: the local day of the first event to that of the last) count.

    Raises
    ------
    AnalysisError
        Fewer than 2 full weeks in the period.
    """
    t = _check_times(t)
    sel = _select(t, start, end)
    t = t[sel]
    if t.size == 0:
        raise AnalysisError("No event lies in the chosen period.")
    first, last, _ = _period_days(t, tz, start, end)
    monday0 = first + (-(first + _EPOCH_WEEKDAY)) % 7        # first Monday on/after first
    n_weeks = (last + 1 - monday0) // 7
    if n_weeks < 2:
        raise AnalysisError(
            f"The period holds {max(n_weeks, 0)} full week(s) (Monday to Sunday); a weekly "
            "trend needs at least 2, and a dozen or more to mean much.")
    day = local_time(t, tz).day
    w = (day - monday0) // 7
    inside = (w >= 0) & (w < n_weeks)
    counts = np.bincount(w[inside], minlength=n_weeks).astype(np.int64)
    mk = mann_kendall(counts.astype(np.float64), alpha, slope=True)
    starts = (monday0 + 7 * np.arange(n_weeks)).astype("datetime64[D]")
    return WeeklyTrend(starts, counts, mk, float(alpha), int((~inside).sum()))


# --- everything -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TimePatterns:
    """All time patterns of one set of events (see :func:`time_patterns`)."""

    tz: str
    n_events: int
    first_day: np.datetime64
    last_day: np.datetime64
    hour_weekday: HourWeekday
    months: Profile
    seasons: Profile
    setting: SeasonSetting | None
    weekly: WeeklyTrend | None
    notes: list[str] = field(default_factory=list)


def time_patterns(t: np.ndarray, tz: str, setting: np.ndarray | None = None, *,
                  start: int | None = None, end: int | None = None, alpha: float = 0.05,
                  confidence: float = 0.95) -> TimePatterns:
    """Hour × weekday, months, seasons, outdoor/indoor by season and the weekly trend.

    Parameters
    ----------
    t
        Event times, epoch seconds (UTC).
    tz
        IANA time zone of the city (profiles are in local time).
    setting
        Optional per-event setting (0/1/2 or words); without it the outdoor/indoor part
        is skipped.
    start, end
        Period in epoch seconds (end exclusive); default the span of the events.
    alpha
        Significance level of the weekly trend verdict.
    confidence
        Level of the Wilson intervals.

    Raises
    ------
    AnalysisError
        No events (in the period), an unknown time zone, unreadable settings.
    """
    t = _check_times(t)
    _zone(tz)
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"alpha must lie between 0 and 1, got {alpha}.")
    sel = _select(t, start, end)
    if not sel.any():
        raise AnalysisError("No event lies in the chosen period.")
    notes: list[str] = []
    first, last, days = _period_days(t[sel], tz, start, end)
    hw = hour_weekday(t, tz, start, end)
    months = month_profile(t, tz, start, end)
    seasons = season_profile(t, tz, start, end)
    sset = None
    if setting is not None:
        sset = season_setting(t, tz, setting, confidence, start, end)
        if int(sset.known.sum()) == 0:
            notes.append("No event has a known setting (outdoor/indoor).")
    weekly = None
    try:
        weekly = weekly_trend(t, tz, start, end, alpha)
    except AnalysisError as exc:
        notes.append(str(exc))
    if days.size < 365:
        notes.append(f"The period covers {days.size} days, less than a year: the month "
                     "and season profiles mix season with whatever else changed.")
    if not hw.independence.reliable and np.isfinite(hw.independence.p):
        notes.append("Some hour × weekday cells expect fewer than 5 events: the chi-square "
                     "p-value is approximate.")
    return TimePatterns(tz, int(sel.sum()), np.datetime64(first, "D"),
                        np.datetime64(last, "D"), hw, months, seasons, sset, weekly, notes)
