"""ISO 8601 weeks ("2026-W05"): the rhythm of the EST partner meeting (*veckomöte*) and of
the situational picture (*lägesbild*).

A week starts on Monday 00:00 in the city's time zone. Years have 52 or 53 ISO weeks
(53 when 1 January is a Thursday, or a Wednesday in a leap year: 2020, 2026, 2032 ...).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from drugscene.core.errors import ValidationFailed

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
PATH_PATTERN = r"\d{4}-W\d{2}"


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the last ISO week of its year."""
    return date(year, 12, 28).isocalendar()[1]


def parse(value: str, *, field: str = "iso_week") -> tuple[int, int]:
    """``(year, week)`` of ``"YYYY-Www"``; :class:`ValidationFailed` naming ``field``."""
    m = WEEK_RE.match((value or "").strip())
    if not m:
        raise ValidationFailed(_("Write the week as YYYY-Www, for example 2026-W05."),
                               field=field)
    year, week = int(m.group(1)), int(m.group(2))
    if not 1900 <= year <= 2200:
        raise ValidationFailed(_("The year is out of range."), field=field)
    if not 1 <= week <= weeks_in_year(year):
        raise ValidationFailed(
            _("%(year)s has %(n)s ISO weeks; week %(week)s does not exist.")
            % {"year": year, "n": weeks_in_year(year), "week": week},
            field=field,
        )
    return year, week


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except ValidationFailed:
        return False
    return True


def label(year: int, week: int) -> str:
    return f"{year:04d}-W{week:02d}"


def monday(value: str) -> date:
    year, week = parse(value)
    return date.fromisocalendar(year, week, 1)


def of_date(day: date) -> str:
    iso = day.isocalendar()
    return label(iso[0], iso[1])


def shift(value: str, weeks: int) -> str:
    return of_date(monday(value) + timedelta(weeks=weeks))


def following(value: str) -> str:
    return shift(value, 1)


def previous(value: str) -> str:
    return shift(value, -1)


def bounds(value: str, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
    """``[start, end)`` of the week as aware datetimes in ``tz`` (Monday to Monday)."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    start = monday(value)
    return (datetime.combine(start, time.min, tzinfo=zone),
            datetime.combine(start + timedelta(days=7), time.min, tzinfo=zone))


def dates(value: str) -> tuple[date, date]:
    """Monday and Sunday of the week."""
    start = monday(value)
    return start, start + timedelta(days=6)
