"""The situational picture's week: a small value type over :mod:`drugscene.core.weeks`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from drugscene.core import weeks


@dataclass(frozen=True)
class Week:
    year: int
    week: int

    @property
    def label(self) -> str:
        return weeks.label(self.year, self.week)

    def monday(self) -> date:
        return weeks.monday(self.label)

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """Start (Monday 00:00) and end (next Monday 00:00) in the city's zone, aware."""
        return weeks.bounds(self.label, tz)

    def shift(self, n: int) -> Week:
        return parse_week(weeks.shift(self.label, n))

    def same_week_last_year(self) -> Week:
        """The week with the same number a year earlier (W53 falls back to W52)."""
        return Week(self.year - 1, min(self.week, weeks.weeks_in_year(self.year - 1)))

    def __str__(self) -> str:
        return self.label


def week_of(day: date) -> Week:
    return parse_week(weeks.of_date(day))


def parse_week(text: str) -> Week:
    year, week = weeks.parse(text, field="week")
    return Week(year, week)
