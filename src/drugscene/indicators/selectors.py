"""Reads of indicators and their series (measured or computed from the reports).

Computed indicators (``Indicator.computed == "reports"``) count the drug-related reports that
every partner may see - public and all-partner reports, never restricted ones; rejected
reports and duplicates left out - the rule ``evaluation.services`` uses for stored figures.
So the figure is the same for every viewer, and a restricted report never enters it. The
count is grouped by period inside the database (``GROUP BY`` the period truncated in the
city's time zone); periods without reports are zero. Only complete periods are returned:
the running week, month, quarter or year is left out.

The public page (:func:`public_series`) shows only aggregates fit for everyone:

* count indicators (computed report counts and measured counts such as deaths or syringes)
  never show a value from 1 to 4 - it is suppressed (shown as "fewer than 5"); a 0 is
  shown. This applies to every level, city and district alike;
* a computed indicator is public only if every category it counts is marked public
  (``Category.public``);
* districts appear only for indicators whose level is the district.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, DateTimeField, QuerySet
from django.db.models.functions import Substr, Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.mannkendall import mann_kendall
from drugscene.cities.models import Area, City
from drugscene.core.errors import NotVisible
from drugscene.indicators import periods as P
from drugscene.indicators.catalogue import COUNT_UNITS
from drugscene.indicators.models import Computed, Indicator, Measurement
from drugscene.reports.models import Category, Report

#: the smallest count the public page shows (1 to 4 are suppressed; 0 is shown)
PUBLIC_MIN_COUNT = 5
#: fewest points for a trend test
MIN_TREND_POINTS = 6
#: seconds computed report counts stay in the cache (a million reports take a second or two
#: to count on SQLite; the public page and the indicator pages reuse the counts)
COUNT_CACHE_SECONDS = 300
#: tests that check the cache itself switch it on
CACHE_IN_TESTS = False
COUNTED_VISIBILITY = ("public", "partners")
NOT_COUNTED_REVIEW = ("rejected", "duplicate")


@dataclass(frozen=True)
class Point:
    period_start: date
    period_end: date
    value: float | None
    below_lod: bool = False
    lod: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False

    @property
    def label(self) -> str:
        return P.label(self.period_start, self.period_end)

    def as_dict(self) -> dict:
        return {"period": self.label, "period_start": self.period_start.isoformat(),
                "period_end": self.period_end.isoformat(), "value": self.value,
                "below_lod": self.below_lod, "lod": self.lod, "ci_low": self.ci_low,
                "ci_high": self.ci_high, "suppressed": self.suppressed}


# --- indicators -----------------------------------------------------------------------------

def visible_indicators(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[Indicator]:
    qs = Indicator.objects.select_related("city", "category")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    if viewer.is_superuser:
        return qs
    if viewer.is_anonymous:
        return qs.none()
    return qs.filter(city_id__in=viewer.cities_where(Perm.VIEW_REPORTS))


def get_indicator(viewer: Viewer, indicator_id: int) -> Indicator:
    ind = visible_indicators(viewer).filter(pk=indicator_id).first()
    if ind is None:
        raise NotVisible(_("Indicator %(id)s not found.") % {"id": indicator_id})
    return ind


def is_count(indicator: Indicator) -> bool:
    return bool(indicator.computed) or indicator.unit in COUNT_UNITS


def counted_category_ids(indicator: Indicator) -> list[int]:
    """The categories a computed indicator counts: its category with every descendant, or
    every drug-related category of the city."""
    rows = list(Category.objects.filter(city_id=indicator.city_id)
                .values_list("id", "parent_id", "drug_related"))
    if indicator.category_id is None:
        return sorted(cid for cid, _p, drug in rows if drug)
    chosen = {indicator.category_id}
    grew = True
    while grew:
        more = {cid for cid, parent, _d in rows if parent in chosen and cid not in chosen}
        chosen |= more
        grew = bool(more)
    return sorted(chosen)


def counted_reports(indicator: Indicator) -> QuerySet[Report]:
    """The reports a computed indicator counts (see the module docstring)."""
    return (Report.objects.filter(city_id=indicator.city_id,
                                  visibility__in=COUNTED_VISIBILITY,
                                  category_id__in=counted_category_ids(indicator))
            .exclude(review_status__in=NOT_COUNTED_REVIEW))


# --- series ---------------------------------------------------------------------------------

def _area_id(area) -> int | None:
    if area is None:
        return None
    return area if isinstance(area, int) else area.pk


def _tz(indicator: Indicator) -> ZoneInfo:
    return ZoneInfo(indicator.city.timezone)


def _today(indicator: Indicator) -> date:
    return timezone.localdate(timezone=_tz(indicator))


def _moment(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _whole_hour_zone(tz: ZoneInfo) -> bool:
    """Whether the zone's offsets (winter and summer) are whole hours."""
    year = date.today().year
    return all((tz.utcoffset(datetime(year, m, 1)) or timedelta()).total_seconds() % 3600 == 0
               for m in (1, 7))


def _hour_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H")


def _hour(text: str) -> datetime:
    return datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]),
                    tzinfo=UTC)


def _period_rows(qs: QuerySet[Report], indicator: Indicator, keys: list[str]):
    """``(period_start, [area_id,] n)`` grouped in the database.

    PostgreSQL truncates to the period in the city's time zone itself. SQLite has no time
    zones (Django's truncation there calls Python once per row), so it groups by the UTC
    hour - a plain substring of the stored text - and each hour is placed in its local
    period by a binary search over the periods' first hours (exact for every zone whose
    offsets are whole hours: a local midnight is then a whole UTC hour).
    """
    tz = _tz(indicator)
    kind = indicator.frequency
    if connection.vendor == "sqlite" and _whole_hour_zone(tz):
        grouped = (qs.order_by().annotate(p=Substr("occurred_from", 1, 13))
                   .values("p", *keys).annotate(n=Count("id")).values_list("p", *keys, "n"))
        # the rows are plain text and integers: read them without the ORM's per-row
        # converters (they cost more than the query on a million reports)
        sql, params = grouped.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        if not rows:
            return
        first = _hour(min(r[0] for r in rows)).astimezone(tz).date()
        last = _hour(max(r[0] for r in rows)).astimezone(tz).date()
        starts = [a for a, _b in P.periods(first, last, kind)]
        bounds = [_hour_text(_moment(a, tz)) for a in starts]
        for row in rows:
            hour = row[0].replace("T", " ")      # ISO text written by other tools
            yield (starts[bisect_right(bounds, hour) - 1], *row[1:])
        return
    rows = (qs.order_by()
            .annotate(p=Trunc("occurred_from", kind, output_field=DateTimeField(), tzinfo=tz))
            .values("p", *keys).annotate(n=Count("id")).values_list("p", *keys, "n"))
    for row in rows:
        p = row[0].astimezone(tz).date() if isinstance(row[0], datetime) else row[0]
        yield (P.bucket(p, kind)[0], *row[1:])


def _cache_seconds() -> int:
    """How long computed counts are kept (0 while testing, so tests see every change)."""
    return 0 if settings.TESTING and not CACHE_IN_TESTS else COUNT_CACHE_SECONDS


def _counts(indicator: Indicator, *, area_id: int | None, by_area: bool, start: date | None,
            end: date | None) -> dict:
    """``{(area_id or None, period_start): n}`` counted in the database, kept in the cache
    for :data:`COUNT_CACHE_SECONDS` (a late report or a review of an old report shows in
    a complete period after at most that long)."""
    seconds = _cache_seconds()
    key = None
    if seconds:
        key = ("indicators:counts:" + ":".join(str(x) for x in (
            indicator.pk, indicator.frequency, indicator.category_id, area_id, by_area, start,
            end)))
        hit = cache.get(key)
        if hit is not None:
            return hit
    out = _count_in_database(indicator, area_id=area_id, by_area=by_area, start=start,
                             end=end)
    if key:
        cache.set(key, out, seconds)
    return out


def _count_in_database(indicator: Indicator, *, area_id: int | None, by_area: bool,
                       start: date | None, end: date | None) -> dict:
    tz = _tz(indicator)
    qs = counted_reports(indicator)
    if area_id is not None:
        qs = qs.filter(area_id=area_id)
    if start is not None:
        qs = qs.filter(occurred_from__gte=_moment(start, tz))
    if end is not None:
        qs = qs.filter(occurred_from__lt=_moment(end + timedelta(days=1), tz))
    out: dict = {}
    for row in _period_rows(qs, indicator, ["area_id"] if by_area else []):
        key = (row[1] if by_area else None, row[0])
        out[key] = out.get(key, 0) + row[-1]
    return out


def _computed_range(indicator: Indicator, start: date | None, end: date | None
                    ) -> tuple[date, date] | None:
    """From the first complete period of the city's records (or the period of ``start``) to
    the last complete period (or ``end``)."""
    kind = indicator.frequency
    last_complete = P.bucket(_today(indicator), kind)[0] - timedelta(days=1)
    end = min(end, last_complete) if end else last_complete
    if start is None:
        # the city's first report of any kind (the time index answers it at once); periods
        # before the first counted report are true zeros, but the period that holds the
        # city's first record is only partly covered (records began during it): left out
        first = Report.objects.filter(city_id=indicator.city_id).order_by(
            "occurred_from").values_list("occurred_from", flat=True).first()
        if first is None:
            return None
        first_day = first.astimezone(_tz(indicator)).date()
        period_start, period_end = P.bucket(first_day, kind)
        first_period = (period_start if period_start == first_day
                        else period_end + timedelta(days=1))
    else:
        first_period = P.bucket(start, kind)[0]
    if first_period > end:
        return None
    return first_period, end


def _computed_series(indicator: Indicator, area_id: int | None, start, end) -> list[Point]:
    span = _computed_range(indicator, start, end)
    if span is None:
        return []
    counts = _counts(indicator, area_id=area_id, by_area=False, start=span[0], end=span[1])
    return [Point(a, b, float(counts.get((None, a), 0)))
            for a, b in P.periods(span[0], span[1], indicator.frequency)
            if b <= span[1]]


def _measured(indicator: Indicator, start: date | None, end: date | None
              ) -> QuerySet[Measurement]:
    qs = Measurement.objects.filter(indicator=indicator, place__isnull=True)
    if start is not None:
        qs = qs.filter(period_end__gte=start)
    if end is not None:
        qs = qs.filter(period_start__lte=end)
    return qs.order_by("period_start", "period_end", "id")


def _point(m: Measurement) -> Point:
    return Point(m.period_start, m.period_end, m.value, m.below_lod, m.lod, m.ci_low,
                 m.ci_high)


def series(indicator: Indicator, area=None, start: date | None = None,
           end: date | None = None) -> list[Point]:
    """The indicator's points in time order, for the whole city (``area`` None) or one
    district (an ``Area`` or its id). Measured points are the totals (no gender or age
    band); computed points are report counts per period of the indicator's frequency."""
    area_id = _area_id(area)
    if indicator.computed == Computed.REPORTS:
        return _computed_series(indicator, area_id, start, end)
    qs = _measured(indicator, start, end).filter(gender="", age_band="")
    qs = qs.filter(area__isnull=True) if area_id is None else qs.filter(area_id=area_id)
    return [_point(m) for m in qs]


def district_series(indicator: Indicator, start: date | None = None,
                    end: date | None = None) -> list[tuple[Area, list[Point]]]:
    """Each district with its series (computed ones in one grouped query), districts with
    no measurement left out."""
    if indicator.computed == Computed.REPORTS:
        return city_and_district_series(indicator, start, end)[1]
    areas = list(Area.objects.filter(city_id=indicator.city_id).order_by("name"))
    by_area: dict[int, list[Point]] = {}
    for m in _measured(indicator, start, end).filter(area__isnull=False, gender="",
                                                     age_band=""):
        by_area.setdefault(m.area_id, []).append(_point(m))
    return [(area, by_area[area.pk]) for area in areas if area.pk in by_area]


def city_and_district_series(indicator: Indicator, start: date | None = None,
                             end: date | None = None
                             ) -> tuple[list[Point], list[tuple[Area, list[Point]]]]:
    """The city series and each district's: for a computed indicator both come from one
    grouped query (the city's count is the sum over the districts and the reports outside
    every district)."""
    if indicator.computed != Computed.REPORTS:
        return series(indicator, None, start, end), district_series(indicator, start, end)
    areas = list(Area.objects.filter(city_id=indicator.city_id).order_by("name"))
    span = _computed_range(indicator, start, end)
    if span is None:
        return [], []
    counts = _counts(indicator, area_id=None, by_area=True, start=span[0], end=span[1])
    grid = [(a, b) for a, b in P.periods(span[0], span[1], indicator.frequency)
            if b <= span[1]]
    total: dict[date, int] = {}
    for (_area, a), n in counts.items():
        total[a] = total.get(a, 0) + n
    city = [Point(a, b, float(total.get(a, 0))) for a, b in grid]
    return city, [(area, [Point(a, b, float(counts.get((area.pk, a), 0))) for a, b in grid])
                  for area in areas]


def breakdowns(indicator: Indicator, area=None) -> dict[str, list[tuple[str, list[Point]]]]:
    """Measured series by gender and by age band (``{"gender": [(value, points)], "age":
    [...]}``), for the city or one district."""
    area_id = _area_id(area)
    qs = _measured(indicator, None, None)
    qs = qs.filter(area__isnull=True) if area_id is None else qs.filter(area_id=area_id)
    gender: dict[str, list[Point]] = {}
    age: dict[str, list[Point]] = {}
    for m in qs.exclude(gender="", age_band=""):
        if m.gender and not m.age_band:
            gender.setdefault(m.gender, []).append(_point(m))
        elif m.age_band and not m.gender:
            age.setdefault(m.age_band, []).append(_point(m))
    return {"gender": sorted(gender.items()), "age": sorted(age.items(), key=_age_order)}


def _age_order(item: tuple[str, list]) -> tuple[int, str]:
    band = item[0]
    digits = "".join(ch if ch.isdigit() else " " for ch in band).split()
    first = int(digits[0]) if digits else 999
    return (first - 1 if band.startswith("<") else first, band)


def latest(indicator: Indicator, area=None) -> Point | None:
    """The most recent point (the last complete period for a computed indicator)."""
    if indicator.computed == Computed.REPORTS:
        kind = indicator.frequency
        last_start = P.bucket(P.bucket(_today(indicator), kind)[0] - timedelta(days=1),
                              kind)[0]
        points = series(indicator, area, start=last_start)
        return points[-1] if points else None
    area_id = _area_id(area)
    qs = _measured(indicator, None, None).filter(gender="", age_band="")
    qs = qs.filter(area__isnull=True) if area_id is None else qs.filter(area_id=area_id)
    m = qs.order_by("-period_end", "-period_start", "-id").first()
    return _point(m) if m else None


def measurements(indicator: Indicator) -> QuerySet[Measurement]:
    """Every stored measurement of a measured indicator, for the table."""
    return (Measurement.objects.filter(indicator=indicator).select_related("area", "place")
            .order_by("-period_start", "area__name", "gender", "age_band", "id"))


def sources(indicator: Indicator) -> list[str]:
    """The distinct sources named by the measurements (attributions included)."""
    return sorted(set(Measurement.objects.filter(indicator=indicator).exclude(source="")
                      .values_list("source", flat=True)))


# --- trend ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trend:
    """Mann–Kendall test over the points (equally spaced by their period kind)."""

    n: int
    kind: str
    s: float
    z: float
    p: float
    tau: float
    slope: float
    direction: int          # +1 significant rise, -1 significant fall, 0 none (alpha 0.05)
    below_lod: int          # points below the limit of detection (entered as ties)

    @property
    def significant(self) -> bool:
        return self.direction != 0


def trend_array(points: list[Point]) -> tuple[np.ndarray, str, int] | None:
    """The values on an even grid (NaN where a period has no point), the period kind, and
    the number of below-LOD points.

    Only points of the most common period kind enter (a yearly value among weekly ones is
    left out). Values below the limit of detection enter as ties below every detected value:
    half the limit when it is known, else half the smallest detected value (a common
    substitution for rank tests, e.g. Helsel 2012, *Statistics for Censored Environmental
    Data*); the test uses only ranks, Sen's slope is affected only when many values are
    censored.
    """
    kinds: dict[str, int] = {}
    for pt in points:
        k = P.kind_of(pt.period_start, pt.period_end)
        if k and not pt.suppressed:
            kinds[k] = kinds.get(k, 0) + 1
    if not kinds:
        return None
    kind = max(kinds, key=lambda k: (kinds[k], P.KINDS.index(k)))
    pts = [pt for pt in points if not pt.suppressed
           and P.kind_of(pt.period_start, pt.period_end) == kind
           and (pt.value is not None or pt.below_lod)]
    if not pts:
        return None
    detected = [pt.value for pt in pts if pt.value is not None]
    floor = min(detected) / 2 if detected else 0.0
    idx = [P.index(pt.period_start, kind) for pt in pts]
    base = min(idx)
    arr = np.full(max(idx) - base + 1, np.nan)
    censored = 0
    for i, pt in zip(idx, pts, strict=True):
        if pt.below_lod:
            censored += 1
            arr[i - base] = pt.lod / 2 if pt.lod else floor
        else:
            arr[i - base] = pt.value
    return arr, kind, censored


def trend(points: list[Point]) -> Trend | None:
    """Mann–Kendall with Sen's slope (per period), or ``None`` with fewer than
    :data:`MIN_TREND_POINTS` points. The seasonal cycle is not removed."""
    prepared = trend_array(points)
    if prepared is None:
        return None
    arr, kind, censored = prepared
    n = int(np.count_nonzero(~np.isnan(arr)))
    if n < MIN_TREND_POINTS:
        return None
    try:
        res = mann_kendall(arr)
    except AnalysisError:
        return None
    return Trend(n=n, kind=kind, s=float(res.s[0]), z=float(res.z[0]), p=float(res.p[0]),
                 tau=float(res.tau[0]), slope=float(res.slope[0]),
                 direction=int(res.trend[0]), below_lod=censored)


def arrow(indicator: Indicator, points: list[Point]) -> str:
    """``"up"``, ``"down"`` or ``"flat"`` from the last two points with a value."""
    vals = [pt.value for pt in points if pt.value is not None]
    if len(vals) < 2 or vals[-1] == vals[-2]:
        return "flat"
    return "up" if vals[-1] > vals[-2] else "down"


def judgement(indicator: Indicator, direction: int) -> str:
    """``"better"``, ``"worse"`` or ``"neutral"`` for a change in ``direction`` (+1/-1)."""
    if direction == 0 or indicator.direction == "neutral":
        return "neutral"
    good = 1 if indicator.direction == "up" else -1
    return "better" if direction == good else "worse"


# --- the public page ------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicSeries:
    indicator: Indicator
    points: list[Point]
    districts: list[tuple[Area, list[Point]]]


def suppress(indicator: Indicator, points: list[Point]) -> list[Point]:
    """Counts from 1 to ``PUBLIC_MIN_COUNT - 1`` replaced by a suppressed, empty point."""
    if not is_count(indicator):
        return points
    return [replace(pt, value=None, ci_low=None, ci_high=None, suppressed=True)
            if pt.value is not None and 0 < pt.value < PUBLIC_MIN_COUNT else pt
            for pt in points]


def public_indicators(city: City) -> list[Indicator]:
    """Active indicators fit for the public page (see the module docstring)."""
    public_cats = set(Category.objects.filter(city=city, public=True).values_list("id",
                                                                                  flat=True))
    out = []
    for ind in Indicator.objects.filter(city=city, active=True).select_related("city"):
        if ind.computed and not set(counted_category_ids(ind)) <= public_cats:
            continue
        out.append(ind)
    return out


def public_series(city: City) -> list[PublicSeries]:
    """The aggregated series of the public page: per public indicator the city's series and,
    for district-level indicators, each district's, with small counts suppressed.
    Indicators with no point are left out."""
    out = []
    # counts of reports end with the last whole period before the public page's delay, as
    # its map does: no count shown includes a report younger than ``public_delay_days``
    delayed = (timezone.localdate(timezone=ZoneInfo(city.timezone))
               - timedelta(days=city.public_delay_days))
    for ind in public_indicators(city):
        end = delayed if ind.computed else None
        districts = []
        if ind.level == "district":
            points, per_district = city_and_district_series(ind, end=end)
            districts = [(a, suppress(ind, pts)) for a, pts in per_district]
        else:
            points = series(ind, end=end)
        points = suppress(ind, points)
        if points or districts:
            out.append(PublicSeries(ind, points, districts))
    return out


# --- targets of the plans -------------------------------------------------------------------

def plan_targets(indicator: Indicator) -> list[dict]:
    """Targets that the city's plans set on this indicator (``deadline, target, baseline,
    label, area_id``), from :func:`drugscene.plans.selectors.targets_for`."""
    from drugscene.plans.selectors import targets_for

    return list(targets_for(indicator))
