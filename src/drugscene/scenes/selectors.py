"""Reads of the scene register. Places, their lifecycle, assessments and cause analyses are
visible to the members of the place's city; every report figure comes from the reports
the viewer may see (``drugscene.reports.selectors``), never from all reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.cities.models import City
from drugscene.core.errors import NotVisible
from drugscene.places.models import Place, PlaceStatus, PlaceType
from drugscene.places.selectors import visible_places
from drugscene.reports.models import Report, ReviewStatus
from drugscene.reports.selectors import visible_reports
from drugscene.scenes import figures, geometry
from drugscene.scenes.models import (
    Assessment,
    CauseAnalysis,
    CauseFactor,
    LinkKind,
    PlaceLink,
    PlaceStatusChange,
)

#: Types of registered places that count as sensitive facilities near a scene.
FACILITY_TYPES = (PlaceType.SCHOOL_YARD, PlaceType.PRESCHOOL, PlaceType.YOUTH_CENTRE,
                  PlaceType.PLAYGROUND)
FACILITY_RADIUS_M = 500
WINDOW_DAYS = 28
MAP_DAYS = 90
MAP_LIMIT = 1500
STATUS_ORDER = [PlaceStatus.ACTIVE, PlaceStatus.UNDER_ACTION, PlaceStatus.SUSPECTED,
                PlaceStatus.DORMANT, PlaceStatus.RESOLVED]


def counted_reports(viewer: Viewer, city_id: int) -> QuerySet[Report]:
    """The reports every figure of the scene register counts: visible to the viewer, and
    neither rejected nor marked as a duplicate."""
    return visible_reports(viewer, city_id=city_id).exclude(
        review_status__in=[ReviewStatus.REJECTED, ReviewStatus.DUPLICATE]
    )


# --- merged places ---------------------------------------------------------------------------

def _merged_children(city_id: int) -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    rows = Place.objects.filter(city_id=city_id, merged_into__isnull=False)
    for pk, into in rows.values_list("pk", "merged_into_id"):
        children[into].append(pk)
    return children


def _family(place_id: int, children: dict[int, list[int]]) -> list[int]:
    out, todo = [], [place_id]
    while todo:
        pk = todo.pop()
        if pk in out:  # a cycle would be a data error; never loop
            continue
        out.append(pk)
        todo.extend(children.get(pk, ()))
    return out


def family_ids(place: Place) -> list[int]:
    """The place and every place merged into it (directly or through others): their
    reports stay linked to the original place but count for this one."""
    return _family(place.pk, _merged_children(place.city_id))


# --- the register ----------------------------------------------------------------------------

@dataclass
class RegisterRow:
    place: Place
    recent: int = 0
    previous: int = 0
    latest_assessment: date | None = None
    merged_count: int = 0

    @property
    def change(self) -> float | None:
        return figures.change(self.recent, self.previous)

    @property
    def change_text(self) -> tuple[str, str]:
        return figures.change_text(self.recent, self.previous)


def register(viewer: Viewer, city: City, *, status: str = "", district: str = "",
             place_type: str = "", sort: str = "reports",
             now: datetime | None = None) -> list[RegisterRow]:
    """Places of ``city`` with their visible reports in the last 28 days and the 28
    before (including places merged into them) and their latest assessment date."""
    now = now or timezone.now()
    qs = (visible_places(viewer, city_id=city.pk).select_related("area", "merged_into")
          .annotate(latest_assessment=Max("assessments__date")))
    if status:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(area__slug=district)
    if place_type:
        qs = qs.filter(place_type=place_type)
    places = list(qs)
    recent_start = now - timedelta(days=WINDOW_DAYS)
    counts = (
        counted_reports(viewer, city.pk)
        .filter(place__isnull=False, occurred_from__gte=now - timedelta(days=2 * WINDOW_DAYS),
                occurred_from__lt=now)
        .order_by().values("place_id")
        .annotate(recent=Count("id", filter=Q(occurred_from__gte=recent_start)),
                  previous=Count("id", filter=Q(occurred_from__lt=recent_start)))
    )
    by_place = {c["place_id"]: (c["recent"], c["previous"]) for c in counts}
    children = _merged_children(city.pk)
    rows = []
    for p in places:
        fam = _family(p.pk, children)
        row = RegisterRow(p, latest_assessment=p.latest_assessment,
                          merged_count=len(fam) - 1)
        for pk in fam:
            r, prev = by_place.get(pk, (0, 0))
            row.recent += r
            row.previous += prev
        rows.append(row)
    if sort == "name":
        rows.sort(key=lambda r: r.place.name.lower())
    elif sort == "status":
        rows.sort(key=lambda r: (STATUS_ORDER.index(r.place.status), r.place.name.lower()))
    elif sort == "change":
        rows.sort(key=lambda r: (-(r.recent - r.previous), r.place.name.lower()))
    else:
        rows.sort(key=lambda r: (-r.recent, -r.previous, r.place.name.lower()))
    return rows


# --- one place -------------------------------------------------------------------------------

def status_history(place: Place) -> list[PlaceStatusChange]:
    return list(place.status_changes.select_related("organisation").order_by("-date", "-id"))


@dataclass
class PlaceLinks:
    merged_from: list[PlaceLink] = field(default_factory=list)
    merged_into: list[PlaceLink] = field(default_factory=list)
    split_off: list[PlaceLink] = field(default_factory=list)  # parts split off this place
    split_from: list[PlaceLink] = field(default_factory=list)  # this place split off

    def __bool__(self) -> bool:
        return bool(self.merged_from or self.merged_into or self.split_off or self.split_from)


def links_of(place: Place) -> PlaceLinks:
    links = PlaceLinks()
    for link in PlaceLink.objects.filter(Q(from_place=place) | Q(to_place=place)).select_related(
            "from_place", "to_place"):
        if link.kind == LinkKind.MERGED_INTO:
            (links.merged_into if link.from_place_id == place.pk else links.merged_from).append(
                link)
        else:
            (links.split_from if link.from_place_id == place.pk else links.split_off).append(link)
    return links


def assessments_of(place: Place) -> list[Assessment]:
    return list(place.assessments.select_related("organisation").order_by("-date", "-id"))


def latest_assessment(place: Place) -> Assessment | None:
    return place.assessments.order_by("-date", "-id").first()


def latest_cause_analysis(place: Place) -> CauseAnalysis | None:
    return (place.cause_analyses.select_related("organisation")
            .prefetch_related("factors", "factors__actions").order_by("-date", "-id").first())


def cause_analyses_count(place: Place) -> int:
    return place.cause_analyses.count()


def get_cause_factor(viewer: Viewer, factor_id: int) -> CauseFactor:
    """A cause factor of a place the viewer may see."""
    factor = (CauseFactor.objects.select_related("analysis__place")
              .filter(pk=factor_id).first())
    if factor is None or not visible_places(viewer).filter(
            pk=factor.analysis.place_id).exists():
        raise NotVisible(_("Cause %(id)s not found.") % {"id": factor_id})
    return factor


def nearby_facilities(place: Place, radius_m: int = FACILITY_RADIUS_M) -> list[dict]:
    """Registered schools, preschools, youth centres and playgrounds within ``radius_m``
    of the place (edge to edge), nearest first, as plain data for a snapshot."""
    candidates = list(
        Place.objects.filter(city_id=place.city_id, place_type__in=FACILITY_TYPES,
                             merged_into__isnull=True).exclude(pk=place.pk)
    )
    by_pk = {p.pk: p for p in candidates}
    crs = place.city.metric_crs
    found = geometry.within(
        geometry.Site(place.pk, place.lon, place.lat, place.geometry),
        [geometry.Site(p.pk, p.lon, p.lat, p.geometry) for p in candidates],
        radius_m, crs,
    )
    return [
        {"place_id": pk, "name": by_pk[pk].name, "place_type": by_pk[pk].place_type,
         "distance_m": round(d), "lon": by_pk[pk].lon, "lat": by_pk[pk].lat}
        for pk, d in found
    ]


# --- figures of a place ----------------------------------------------------------------------

@dataclass
class Trend:
    recent: int
    previous: int
    last_year: int

    @property
    def vs_previous(self) -> float | None:
        return figures.change(self.recent, self.previous)

    @property
    def vs_last_year(self) -> float | None:
        return figures.change(self.recent, self.last_year)

    @property
    def vs_previous_text(self) -> tuple[str, str]:
        return figures.change_text(self.recent, self.previous)

    @property
    def vs_last_year_text(self) -> tuple[str, str]:
        return figures.change_text(self.recent, self.last_year)


@dataclass
class PlaceFigures:
    chart: figures.BarChart
    weeks_total: int
    heat: list[dict]
    heat_hours: list[int]
    heat_total: int
    trend: Trend
    family: list[int]


def place_figures(viewer: Viewer, place: Place, *, now: datetime | None = None,
                  n_weeks: int = 52) -> PlaceFigures:
    """Weekly counts (52 weeks), hour × weekday (last 52 weeks) and the trend (last 28
    days against the 28 before and the same 28 days a year earlier, 364 days back so
    that weekdays match), from the visible reports of the place and its merged places."""
    now = now or timezone.now()
    tz = ZoneInfo(place.city.timezone)
    today = now.astimezone(tz).date()
    family = family_ids(place)
    since = now - timedelta(days=364 + WINDOW_DAYS)
    times = list(
        counted_reports(viewer, place.city_id)
        .filter(place_id__in=family, occurred_from__gte=since, occurred_from__lt=now)
        .order_by().values_list("occurred_from", flat=True)
    )
    local = [t.astimezone(tz) for t in times]

    weeks = figures.weekly_counts((t.date() for t in local), today, n_weeks)
    first_week = weeks[0][0]
    labels, ticks = [], []
    prev_month = None
    for monday, n in weeks:
        iso = monday.isocalendar()
        labels.append(_("Week %(week)s (from %(day)s): %(n)s")
                      % {"week": f"{iso.year}-W{iso.week:02d}",
                         "day": monday.isoformat(), "n": n})
        ticks.append(date_format(monday, "M") if monday.month != prev_month
                     and monday != first_week else "")
        prev_month = monday.month
    chart = figures.bar_chart([n for _m, n in weeks], labels, ticks)

    heat_start = datetime.combine(first_week, datetime.min.time(), tzinfo=tz)
    in_weeks = [t for t in local if t >= heat_start]
    table = figures.hour_weekday(in_weeks)
    levels = figures.heat_levels(table)
    day_names = [date_format(first_week + timedelta(days=i), "D") for i in range(7)]
    heat = [
        {"day": day_names[d], "total": int(table[d].sum()),
         "cells": [{"hour": h, "n": int(table[d, h]), "level": int(levels[d, h])}
                   for h in range(24)]}
        for d in range(7)
    ]

    def count(start: datetime, end: datetime) -> int:
        return sum(1 for t in times if start <= t < end)

    w = timedelta(days=WINDOW_DAYS)
    year = timedelta(days=364)
    trend = Trend(recent=count(now - w, now), previous=count(now - 2 * w, now - w),
                  last_year=count(now - year - w, now - year))
    return PlaceFigures(chart=chart, weeks_total=sum(n for _m, n in weeks), heat=heat,
                        heat_hours=list(range(24)), heat_total=len(in_weeks), trend=trend,
                        family=family)


def map_reports(viewer: Viewer, place: Place, family: list[int], *,
                now: datetime | None = None) -> tuple[list[list], int]:
    """``[lon, lat, id, category, local time]`` of the newest visible reports of the
    last 90 days (at most :data:`MAP_LIMIT`), and how many there are in all."""
    now = now or timezone.now()
    tz = ZoneInfo(place.city.timezone)
    qs = (counted_reports(viewer, place.city_id)
          .filter(place_id__in=family, occurred_from__gte=now - timedelta(days=MAP_DAYS),
                  occurred_from__lt=now))
    total = qs.count()
    rows = (qs.order_by("-occurred_from")
            .values_list("id", "lon", "lat", "occurred_from", "category__name")[:MAP_LIMIT])
    return [
        [round(lon, 6), round(lat, 6), pk, gettext(name),
         t.astimezone(tz).strftime("%Y-%m-%d %H:%M")]
        for pk, lon, lat, t, name in rows
    ], total


def cause_choices(place_id: int | None, include: list[int] | tuple[int, ...] = ()
                  ) -> list[CauseFactor]:
    """Causes an action at ``place_id`` may address: the present factors of the place's
    latest cause analysis, plus ``include`` (already linked or just submitted) when they
    belong to the place."""
    if place_id is None:
        return []
    latest = (CauseAnalysis.objects.filter(place_id=place_id).order_by("-date", "-id")
              .values_list("pk", flat=True).first())
    return list(
        CauseFactor.objects.filter(analysis__place_id=place_id)
        .filter(Q(analysis_id=latest, present=True) | Q(pk__in=list(include)))
        .select_related("analysis").order_by("-analysis__date", "id")
    )
