"""ISO weeks in a city's time zone (the situational picture is compiled per week)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from drugscene.core.errors import ValidationFailed

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    year: int
    week: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """Start (Monday 00:00) and end (next Monday 00:00) in the city's zone, aware."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.monday(), time.min, tzinfo=zone)
        end = datetime.combine(self.monday() + timedelta(days=7), time.min, tzinfo=zone)
        return start, end

    def shift(self, weeks: int) -> Week:
        return week_of(self.monday() + timedelta(weeks=weeks))

    def same_week_last_year(self) -> Week:
        """The week with the same number a year earlier (W53 falls back to W52)."""
        last = date(self.year - 1, 12, 28).isocalendar().week
        return Week(self.year - 1, min(self.week, last))

    def __str__(self) -> str:
        return self.label


def week_of(day: date) -> Week:
    iso = day.isocalendar()
    return Week(iso.year, iso.week)


def parse_week(text: str) -> Week:
    m = WEEK_RE.match((text or "").strip())
    if not m:
        raise ValidationFailed(_("Give the week as YYYY-Www, e.g. 2026-W47."), field="week")
    year, week = int(m[1]), int(m[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValidationFailed(
            _("%(year)s has no week %(week)s.") % {"year": year, "week": week}, field="week"
        ) from None
    return Week(year, week)
