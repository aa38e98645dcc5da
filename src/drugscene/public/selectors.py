"""Reads of the public page: the city (if its page is on) and the aggregated hexagon map.

What the public map counts (decided with privacy first; ``docs/guides/public-page-and-
comparison.md`` explains it to the city):

* reports in categories marked ``public`` only (``Category.public``);
* reports for *all partners* or *public* - never *restricted* ones, so that nothing a
  partner kept to named organisations can shape a public figure, not even inside a sum;
* confirmed reports only: a new report is not yet checked, and rejected reports and
  duplicates are not events;
* only reports that **occurred and were entered** before the end of the period, and the
  period ends on the first day of the month that holds ``today - public_delay_days``: every
  report counted is at least ``public_delay_days`` old, and the map changes once a month,
  not with every new report (so comparing the map of two days reveals nothing);
* the period is the twelve whole calendar months before that end;
* counts per H3 cell at the city's ``public_resolution`` (8 or 9); a cell with fewer than
  ``public_min_count`` (never below 5) reports is left out entirely, not shown as 0.

The GeoJSON holds only the cell polygons and their counts: no ids of reports, no time finer
than the period, no point of any report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from drugscene.cities.models import PUBLIC_MIN_COUNT_FLOOR, City
from drugscene.core.errors import NotVisible
from drugscene.geo import h3grid
from drugscene.reports.models import Report, ReviewStatus, Visibility
from drugscene.reports.selectors import hexagon_counts
from drugscene.scenes.checks import city_today

#: visibilities whose reports may be counted on the public map (never "restricted")
COUNTED_VISIBILITY = (Visibility.PUBLIC, Visibility.PARTNERS)
#: length of the public map's period in whole calendar months
PERIOD_MONTHS = 12


def public_city(slug: str) -> City:
    """The city with this slug if its public page is enabled; else :class:`NotVisible`."""
    city = City.objects.filter(slug=slug, public_enabled=True).first()
    if city is None:
        raise NotVisible(_("City not found: %(slug)s") % {"slug": slug})
    return city


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    """The public map's period: ``start`` inclusive, ``end`` exclusive (first days of
    months)."""

    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def public_window(city: City, today: date | None = None) -> Window:
    """Twelve whole months ending on the first day of the month of ``today - delay``."""
    today = today or city_today(city)
    cutoff = today - timedelta(days=city.public_delay_days)
    end = date(cutoff.year, cutoff.month, 1)
    return Window(_add_months(end, -PERIOD_MONTHS), end)


def _moment(day: date, city: City) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(city.timezone))


def public_reports(city: City, window: Window) -> QuerySet[Report]:
    """The reports the public map counts (see the module docstring)."""
    end = _moment(window.end, city)
    return Report.objects.filter(
        city=city,
        category__public=True,
        visibility__in=COUNTED_VISIBILITY,
        review_status=ReviewStatus.CONFIRMED,
        occurred_from__gte=_moment(window.start, city),
        occurred_from__lt=end,
        reported_at__lt=end,
    )


def min_count(city: City) -> int:
    """The city's minimum, never below the floor of 5 (even if the database was edited)."""
    return max(int(city.public_min_count or 0), PUBLIC_MIN_COUNT_FLOOR)


def public_hexagons(city: City, window: Window | None = None) -> list[tuple[int, int]]:
    """``(cell, count)`` of every cell with at least the city's minimum, largest first."""
    window = window or public_window(city)
    floor = min_count(city)
    counts = hexagon_counts(public_reports(city, window), int(city.public_resolution))
    return sorted(((c, n) for c, n in counts if n >= floor), key=lambda x: (-x[1], x[0]))


def hexagons_geojson(city: City, window: Window | None = None) -> dict:
    """The public map as GeoJSON: one Polygon per cell with only its ``count``."""
    window = window or public_window(city)
    cells = public_hexagons(city, window)
    return {
        "type": "FeatureCollection",
        "period": {"start": window.start.isoformat(), "end": window.last_day.isoformat()},
        "resolution": int(city.public_resolution),
        "min_count": min_count(city),
        "max": max((n for _c, n in cells), default=0),
        "features": [
            {"type": "Feature",
             "geometry": {"type": "Polygon", "coordinates": [h3grid.boundary_lonlat(cell)]},
             "properties": {"count": n}}
            for cell, n in cells
        ],
    }


def district_outlines(city: City) -> dict:
    """The city's districts (outline and name), the landmarks of a map without tiles."""
    from drugscene.cities.selectors import areas_of

    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": a.geometry, "properties": {"name": a.name}}
                     for a in areas_of(city.pk)],
    }
