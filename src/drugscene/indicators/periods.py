"""Periods of measurements: parse the forms the CSV import accepts, name a period, and
cut time into weeks, months, quarters and years. Pure Python (no Django).

Accepted forms (a period is a closed range of days, ``start <= end``):

=========================  ==============================================
``2025``                   the calendar year
``2025-Q1``                a quarter (Q1 to Q4)
``2025-03``                a month
``2025-W07``               an ISO 8601 week, Monday to Sunday; week 1 is the week
                           with the year's first Thursday, so ``2026-W01`` starts on
                           2025-12-29 and ``2020-W53`` exists while ``2021-W53`` does not
``2025-03-01``             a single day
``2025-03-01/2025-03-31``  any range of days (both ends included)
=========================  ==============================================
"""

from __future__ import annotations

import re
from datetime import date, timedelta

KINDS = ("day", "week", "month", "quarter", "year")

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class PeriodError(ValueError):
    """The text is not a period; the message says why (in English: callers translate)."""


def _day(text: str) -> date:
    m = _DAY.match(text)
    if not m:
        raise PeriodError("not a date")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise PeriodError("not a date") from None


def month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def parse_period(text: str) -> tuple[date, date]:
    """``(first day, last day)`` of ``text``; :class:`PeriodError` if it is not a period."""
    t = (text or "").strip()
    if not t:
        raise PeriodError("empty")
    if "/" in t:
        a, _sep, b = t.partition("/")
        start, end = _day(a.strip()), _day(b.strip())
        if end < start:
            raise PeriodError("ends before it starts")
        return start, end
    if m := _YEAR.match(t):
        y = int(m[1])
        return date(y, 1, 1), date(y, 12, 31)
    if m := _QUARTER.match(t):
        y, q = int(m[1]), int(m[2])
        return date(y, 3 * q - 2, 1), month_end(y, 3 * q)
    if m := _MONTH.match(t):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise PeriodError("no such month")
        return date(y, mo, 1), month_end(y, mo)
    if m := _WEEK.match(t):
        y, w = int(m[1]), int(m[2])
        try:
            start = date.fromisocalendar(y, w, 1)
        except ValueError:
            raise PeriodError("no such ISO week in that year") from None
        return start, start + timedelta(days=6)
    if _DAY.match(t):
        d = _day(t)
        return d, d
    raise PeriodError("not a period")


def kind_of(start: date, end: date) -> str | None:
    """Which calendar unit ``start..end`` is exactly, or ``None`` for another range."""
    if start == end:
        return "day"
    if start.weekday() == 0 and end - start == timedelta(days=6):
        return "week"
    if start.day == 1 and end == month_end(start.year, start.month):
        return "month"
    if (start.day == 1 and start.month in (1, 4, 7, 10)
            and end == month_end(start.year, start.month + 2)):
        return "quarter"
    if start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
        return "year"
    return None


def label(start: date, end: date) -> str:
    """The shortest of the accepted forms that names ``start..end`` (parses back to it)."""
    kind = kind_of(start, end)
    if kind == "day":
        return start.isoformat()
    if kind == "week":
        y, w, _d = start.isocalendar()
        return f"{y}-W{w:02d}"
    if kind == "month":
        return f"{start:%Y-%m}"
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == "year":
        return str(start.year)
    return f"{start.isoformat()}/{end.isoformat()}"


def bucket(day: date, kind: str) -> tuple[date, date]:
    """The period of ``kind`` that holds ``day``."""
    if kind == "day":
        return day, day
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        return day.replace(day=1), month_end(day.year, day.month)
    if kind == "quarter":
        m = 3 * ((day.month - 1) // 3) + 1
        return date(day.year, m, 1), month_end(day.year, m + 2)
    if kind == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError(f"unknown period kind {kind!r}")


def step(start: date, kind: str) -> date:
    """The first day of the period after the one starting on ``start``."""
    return bucket(start, kind)[1] + timedelta(days=1)


def periods(first: date, last: date, kind: str) -> list[tuple[date, date]]:
    """Every period of ``kind`` from the one holding ``first`` to the one holding ``last``."""
    out = []
    cur = bucket(first, kind)[0]
    while cur <= last:
        out.append(bucket(cur, kind))
        cur = step(cur, kind)
    return out


def index(start: date, kind: str) -> int:
    """A running number of the period of ``kind`` holding ``start`` (consecutive periods
    differ by one): used to space a series evenly for the trend test."""
    if kind == "day":
        return start.toordinal()
    if kind == "week":
        return (start.toordinal() - 1) // 7     # ordinal 1 (0001-01-01) is a Monday
    if kind == "month":
        return start.year * 12 + start.month - 1
    if kind == "quarter":
        return start.year * 4 + (start.month - 1) // 3
    if kind == "year":
        return start.year
    raise ValueError(f"unknown period kind {kind!r}")
