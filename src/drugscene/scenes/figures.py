"""The figures of a place page from a list of local times (no Django here).

* :func:`weekly_counts` — reports per ISO week (Monday first) for the last ``n`` weeks;
* :func:`hour_weekday` — a 7 × 24 table of reports by weekday and hour;
* :func:`change` — this period against another, as a signed percentage;
* :func:`bar_chart` — the geometry of a small bar chart, drawn as SVG by the template
  (no JavaScript, no inline style: the page's content security policy allows neither).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

HEAT_LEVELS = 5


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weekly_counts(local_days: Iterable[date], today: date, n_weeks: int = 52
                  ) -> list[tuple[date, int]]:
    """``(monday, count)`` for the ``n_weeks`` ISO weeks up to and including the week of
    ``today``, oldest first. Days outside that range are ignored."""
    first = week_start(today) - timedelta(weeks=n_weeks - 1)
    counts = np.zeros(n_weeks, dtype=np.int64)
    offsets = np.fromiter(((d - first).days for d in local_days), dtype=np.int64)
    if offsets.size:
        idx = offsets // 7
        idx = idx[(idx >= 0) & (idx < n_weeks)]
        counts += np.bincount(idx, minlength=n_weeks)[:n_weeks]
    return [(first + timedelta(weeks=i), int(c)) for i, c in enumerate(counts)]


def hour_weekday(local_times: Iterable[datetime]) -> np.ndarray:
    """A 7 × 24 array: row = weekday (Monday = 0), column = hour of the day."""
    table = np.zeros((7, 24), dtype=np.int64)
    pairs = np.array([(t.weekday(), t.hour) for t in local_times], dtype=np.int64)
    if pairs.size:
        np.add.at(table, (pairs[:, 0], pairs[:, 1]), 1)
    return table


def heat_levels(table: np.ndarray, levels: int = HEAT_LEVELS) -> np.ndarray:
    """0 for empty cells, else 1..``levels`` in proportion to the largest cell."""
    top = int(table.max()) if table.size else 0
    if top == 0:
        return np.zeros_like(table)
    return np.where(table > 0, np.ceil(table * levels / top), 0).astype(np.int64)


def change(now: int, before: int) -> float | None:
    """Signed change in percent from ``before`` to ``now`` (``None`` when ``before`` is 0)."""
    if before == 0:
        return None
    return 100.0 * (now - before) / before


#: below this many reports in the earlier period a change is shown as a difference in
#: reports, not in percent (from 1 to 7 is "+6", not "+600 %")
PERCENT_BASE = 5


def change_text(now: int, before: int, base: int = PERCENT_BASE) -> tuple[str, str]:
    """``(direction, text)``: direction is ``up``, ``down``, ``flat`` or ``none`` (both
    zero); the text is a signed percentage, or a signed difference when ``before`` is
    below ``base``."""
    if now == before:
        return ("none", "–") if now == 0 else ("flat", "±0 %" if before >= base else "±0")
    direction = "up" if now > before else "down"
    if before >= base:
        return direction, f"{round(100 * (now - before) / before):+d} %"
    return direction, f"{now - before:+d}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    tick: str  # a label under the bar ("" for most bars)
    current: bool  # the week that is not over yet


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    top_value: int
    bars: tuple[Bar, ...]


def bar_chart(values: Sequence[int], labels: Sequence[str], ticks: Sequence[str], *,
              width: int = 640, height: int = 150, gap: float = 2.0) -> BarChart:
    """Rectangles of a bar chart in an SVG coordinate system (``y`` grows downwards)."""
    top_pad, bottom_pad, left_pad = 14, 22, 30
    n = max(len(values), 1)
    step = (width - left_pad) / n
    top_value = max(max(values, default=0), 1)
    plot_h = height - top_pad - bottom_pad
    bars = []
    for i, (v, label, tick) in enumerate(zip(values, labels, ticks, strict=True)):
        h = plot_h * v / top_value
        bars.append(Bar(
            x=round(left_pad + i * step + gap / 2, 2),
            y=round(top_pad + plot_h - h, 2),
            width=round(max(step - gap, 1.0), 2),
            height=round(h, 2),
            value=int(v), label=label, tick=tick, current=i == len(values) - 1,
        ))
    return BarChart(width, height, top_pad, top_pad + plot_h, top_value, tuple(bars))
