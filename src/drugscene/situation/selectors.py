"""The weekly situational picture (*lägesbild*) of a city or a district.

Everything is computed from what the viewer may see (``reports.selectors``): the picture
a police officer gets can hold police-restricted reports, the one a housing company gets
cannot. Rejected and duplicate reports never count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.actions.selectors import action_rows, follow_ups_due, visible_actions
from drugscene.analysis import area as study
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.gistar import gi_star
from drugscene.analysis.grid import h3_grid
from drugscene.analysis.mannkendall import mann_kendall
from drugscene.analysis.neighbours import h3_rings
from drugscene.analysis.points import Points
from drugscene.analysis.temporal import local_time
from drugscene.cities.models import Area, City
from drugscene.meetings.selectors import open_decisions_before, priorities_followed_up
from drugscene.places.models import Place
from drugscene.reports.models import Category, Report
from drugscene.reports.selectors import ReportFilter, filter_reports
from drugscene.situation.weeks import Week

TREND_WEEKS = 12
HOTSPOT_RESOLUTION = 9
HOTSPOT_WEEKS = 4


@dataclass
class Headline:
    category: Category  # the top-level category of the group (label in the active language)
    this_week: int
    prev4_avg: float
    last_year: int

    @property
    def change_pct(self) -> float | None:
        if self.prev4_avg <= 0:
            return None
        return 100.0 * (self.this_week - self.prev4_avg) / self.prev4_avg


@dataclass
class PlaceTrend:
    place: Place
    this_week: int
    prev4_avg: float
    series: list[int]
    trend_z: float
    trend_p: float
    signal: str  # new | intensifying | fading | stable | quiet

    @property
    def peak(self) -> int:
        return max(self.series) if self.series else 0


@dataclass
class HotSpot:
    cell: str
    count: int
    z: float
    p_fdr: float
    bin: int
    near: str = ""


@dataclass
class SituationalPicture:
    city: City
    week: Week
    area: Area | None
    start: datetime
    end: datetime
    total: int
    total_prev4_avg: float
    total_last_year: int
    headlines: list[Headline]
    weekly_totals: list[tuple[str, int]]
    by_source: list[tuple[str, str, int, float]]
    hour_weekday: list[list[int]]
    places: list[PlaceTrend]
    hotspots: list[HotSpot]
    hotspot_cells: list[tuple[int, int, int]]  # (cell, count, bin) for the map
    hotspot_note: str
    actions: list = field(default_factory=list)
    follow_ups_due: list = field(default_factory=list)
    alarms: list = field(default_factory=list)
    decisions_open: list = field(default_factory=list)
    priorities: list = field(default_factory=list)
    generated_at: datetime = field(default_factory=timezone.now)

    def places_with(self, signal: str) -> list[PlaceTrend]:
        return [p for p in self.places if p.signal == signal]


def counted(viewer: Viewer, city: City, area: Area | None = None) -> QuerySet[Report]:
    flt = ReportFilter(city_id=city.pk, areas=(area.pk,) if area else ())
    return filter_reports(viewer, flt).exclude(review_status__in=["rejected", "duplicate"])


def _group_of(categories: dict[int, Category]) -> dict[int, Category]:
    """Category id -> its top-level category (a parent groups its children)."""
    out = {}
    for cid, cat in categories.items():
        top = cat
        while top.parent_id is not None and top.parent_id in categories:
            top = categories[top.parent_id]
        out[cid] = top
    return out


def _by_group(qs: QuerySet[Report], top: dict[int, Category]) -> dict[str, int]:
    out: dict[str, int] = {}
    for cid, n in qs.values_list("category_id").annotate(n=Count("id")).order_by():
        group = top[cid].slug
        out[group] = out.get(group, 0) + n
    return out


def _epochs(qs: QuerySet[Report], *fields: str) -> list[np.ndarray]:
    rows = list(qs.order_by().values_list("occurred_from", *fields))
    if not rows:
        return [np.empty(0, dtype=np.int64)] + [np.empty(0) for _ in fields]
    cols = list(zip(*rows, strict=True))
    t = np.fromiter((d.timestamp() for d in cols[0]), dtype=np.float64,
                    count=len(rows)).astype(np.int64)
    return [t] + [np.asarray(c) for c in cols[1:]]


def situational_picture(viewer: Viewer, city: City, week: Week,
                        area: Area | None = None) -> SituationalPicture:
    start, end = week.bounds(city.timezone)
    base = counted(viewer, city, area)
    cats = {c.pk: c for c in Category.objects.filter(city=city)}
    top = _group_of(cats)

    def window(a: datetime, b: datetime) -> QuerySet[Report]:
        return base.filter(occurred_from__gte=a, occurred_from__lt=b)

    prev_start = start - timedelta(weeks=4)
    ly_start, ly_end = week.same_week_last_year().bounds(city.timezone)
    this = _by_group(window(start, end), top)
    prev = _by_group(window(prev_start, start), top)
    last_year = _by_group(window(ly_start, ly_end), top)
    groups = sorted({c.slug: c for c in top.values()}.values(), key=lambda c: c.order)
    headlines = [Headline(g, this.get(g.slug, 0), prev.get(g.slug, 0) / 4,
                          last_year.get(g.slug, 0)) for g in groups]

    trend_start = start - timedelta(weeks=TREND_WEEKS - 1)
    t, place_ids, drug, lon, lat = _epochs(window(trend_start, end), "place_id",
                                           "category__drug_related", "lon", "lat")
    edges = np.array([(trend_start + timedelta(weeks=i)).timestamp()
                      for i in range(TREND_WEEKS + 1)], dtype=np.int64)
    week_idx = np.searchsorted(edges, t, side="right") - 1
    weekly = np.bincount(week_idx, minlength=TREND_WEEKS)[:TREND_WEEKS]
    weekly_totals = [((week.shift(i - TREND_WEEKS + 1)).label, int(n))
                     for i, n in enumerate(weekly)]

    by_source = [
        (name, kind, n, 0.0)
        for name, kind, n in window(start, end).values_list("source__name", "source__kind")
        .annotate(n=Count("id")).order_by("-n")
    ]
    total = sum(this.values())
    by_source = [(a, b, n, 100.0 * n / total if total else 0.0) for a, b, n, _ in by_source]

    recent = t >= int((end - timedelta(weeks=4)).timestamp())
    hour_weekday = np.zeros((7, 24), dtype=np.int64)
    if recent.any():
        lt = local_time(t[recent], city.timezone)
        np.add.at(hour_weekday, (lt.weekday, lt.hour), 1)

    places = _place_trends(viewer, city, area, t, week_idx, place_ids)
    hotspots, cells, note = _hotspots(city, area, t, drug, lon, lat, end)
    # deadlines are judged on the week's last day, or today while the week is running
    today = min(timezone.localdate(timezone=start.tzinfo), (end - timedelta(days=1)).date())
    picture = SituationalPicture(
        city=city, week=week, area=area, start=start, end=end, total=total,
        total_prev4_avg=sum(prev.values()) / 4, total_last_year=sum(last_year.values()),
        headlines=headlines, weekly_totals=weekly_totals, by_source=by_source,
        hour_weekday=hour_weekday.tolist(), places=places, hotspots=hotspots,
        hotspot_cells=cells, hotspot_note=note,
    )
    _loop(viewer, city, area, week, today, picture)
    return picture


def _place_trends(viewer: Viewer, city: City, area: Area | None, t: np.ndarray,
                  week_idx: np.ndarray, place_ids: np.ndarray) -> list[PlaceTrend]:
    places = Place.objects.filter(city=city).exclude(status="resolved").select_related("area")
    if area is not None:
        places = places.filter(area=area)
    places = list(places)
    if not places:
        return []
    pos = {p.pk: i for i, p in enumerate(places)}
    linked = np.array([pid is not None and pid in pos for pid in place_ids.tolist()],
                      dtype=bool) if place_ids.size else np.zeros(0, dtype=bool)
    counts = np.zeros((len(places), TREND_WEEKS), dtype=np.int64)
    if linked.any():
        rows = np.array([pos[p] for p in place_ids[linked].tolist()], dtype=np.int64)
        np.add.at(counts, (rows, week_idx[linked]), 1)
    mk = mann_kendall(counts.astype(float), slope=False)
    out = []
    for i, p in enumerate(places):
        series = counts[i]
        this_week = int(series[-1])
        prev4 = float(series[-5:-1].mean())
        z, pval = float(mk.z[i]), float(mk.p[i])
        if series.sum() == 0:
            signal = "quiet"
        elif this_week >= 2 and series[-9:-1].sum() == 0:
            signal = "new"
        elif pval < 0.05 and z > 0:
            signal = "intensifying"
        elif pval < 0.05 and z < 0:
            signal = "fading"
        else:
            signal = "stable"
        out.append(PlaceTrend(p, this_week, prev4, series.tolist(), z, pval, signal))
    order = {"new": 0, "intensifying": 1, "fading": 2, "stable": 3, "quiet": 4}
    out.sort(key=lambda r: (order[r.signal], -r.this_week, r.place.name))
    return out


def _hotspots(city: City, area: Area | None, t: np.ndarray, drug: np.ndarray,
              lon: np.ndarray, lat: np.ndarray, end: datetime
              ) -> tuple[list[HotSpot], list[tuple[int, int, int]], str]:
    """Gi* hot spots of drug-related reports over the last four weeks (H3 res 9, one ring,
    Benjamini–Hochberg corrected; ``analysis.gistar``)."""
    geometry = area.geometry if area is not None else city.boundary
    if not geometry:
        return [], [], _("No city boundary: hot spots need a study area.")
    recent = t >= int((end - timedelta(weeks=HOTSPOT_WEEKS)).timestamp())
    if drug.size:
        recent &= drug.astype(bool)
    if int(recent.sum()) < 5:
        return [], [], _("Too few drug-related reports in the last four weeks for a "
                         "hot-spot analysis.")
    pts = Points(lon[recent].astype(float), lat[recent].astype(float), t[recent])
    region = study.from_geojson(geometry, "city boundary" if area is None else "district")
    try:
        grid = h3_grid(region, HOTSPOT_RESOLUTION, pts)
        counts = grid.counts(pts)
        result = gi_star(counts.astype(float), h3_rings(grid.cells, 1,
                                                        centres=grid.centroids()))
    except AnalysisError as exc:
        return [], [], str(exc)
    hot = np.flatnonzero(result.bin >= 2)
    hot = hot[np.argsort(-result.z[hot])]
    places = list(Place.objects.filter(city=city).exclude(status="resolved")
                  .values_list("name", "lon", "lat"))
    clon, clat = grid.centroids()
    spots = []
    # the table lists cells where reports were made; the map also shows the ring around them
    for i in hot[counts[hot] > 0][:15]:
        near = ""
        if places:
            d = [_metres(clon[i], clat[i], plon, plat) for _, plon, plat in places]
            j = int(np.argmin(d))
            if d[j] <= 300:
                near = f"{places[j][0]} ({d[j]:.0f} m)"
        spots.append(HotSpot(h3grid_str(int(grid.cells[i])), int(counts[i]),
                             float(result.z[i]), float(result.p_fdr[i]),
                             int(result.bin[i]), near))
    cells = [(int(grid.cells[i]), int(counts[i]), int(result.bin[i]))
             for i in np.flatnonzero((result.bin != 0) | (counts > 0))]
    note = _("%(n)s hot-spot cells (95 %% or more, false discovery rate corrected) among "
             "%(cells)s cells; drug-related reports of the last four weeks.") % {
        "n": len(hot), "cells": grid.n_cells}
    return spots, cells, note


def h3grid_str(cell: int) -> str:
    import h3

    return h3.int_to_str(cell)


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance, ample for a few hundred metres."""
    k = 111_320.0
    dx = (lon2 - lon1) * k * np.cos(np.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * k
    return float(np.hypot(dx, dy))


def _loop(viewer: Viewer, city: City, area: Area | None, week: Week, today: date,
          picture: SituationalPicture) -> None:
    """Actions, follow-ups, last meeting's open decisions and this week's priorities."""
    rows = action_rows(viewer, city.pk, today=today)
    if area is not None:
        rows = [r for r in rows if r.action.area_id == area.pk
                or (r.action.place_id and r.action.place.area_id == area.pk)]
    picture.actions = [r for r in rows if r.flag]
    picture.follow_ups_due = list(follow_ups_due(viewer, city.pk, today=today))
    picture.alarms = [
        f for a in visible_actions(viewer, city_id=city.pk).filter(
            follow_ups__came_back=True).distinct().prefetch_related("follow_ups")
        for f in a.follow_ups.all() if f.came_back
    ]
    picture.decisions_open = list(open_decisions_before(viewer, city.pk, week.label))
    picture.priorities = priorities_followed_up(viewer, city, week.label)
