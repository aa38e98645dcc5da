"""The chart functions on their own: below-LOD points are open markers at the limit (never
zero), targets are drawn, empty series do not fail."""

from __future__ import annotations

import math
from datetime import date, timedelta

import matplotlib.pyplot as plt

from drugscene.indicators import charts
from drugscene.indicators.selectors import Point


def _weeks(values):
    out = []
    for k, v in enumerate(values):
        a = date(2025, 1, 6) + timedelta(days=7 * k)
        if isinstance(v, tuple):
            out.append(Point(a, a + timedelta(days=6), None, True, v[1]))
        else:
            out.append(Point(a, a + timedelta(days=6), v))
    return out


def test_below_lod_is_an_open_marker_at_the_limit_never_zero():
    points = _weeks([5.0, ("lod", 2.5), 6.0, ("lod", None), 4.0])
    fig, ax = plt.subplots()
    charts._draw(ax, points)
    line, at_limit, on_edge = ax.lines
    ys = list(line.get_ydata())
    assert ys[0] == 5.0 and math.isnan(ys[1]) and math.isnan(ys[3]) and 0.0 not in ys
    assert list(at_limit.get_ydata()) == [2.5]
    assert at_limit.get_markerfacecolor() == "white"            # open
    assert list(on_edge.get_ydata()) == [0.03]                   # axes fraction, not a value
    assert on_edge.get_transform() is not ax.transData
    plt.close(fig)


def test_series_chart_with_targets_and_empty():
    import matplotlib.dates as mdates

    targets = [{"deadline": date(2026, 12, 31), "target": 2.0, "baseline": 5.0, "label": "x",
                "area_id": None}]
    fig = charts.series_figure(_weeks([5.0, 4.0, 3.5]), unit="mg", targets=targets)
    lines = fig.axes[0].lines
    assert any(list(line.get_ydata()) == [2.0, 2.0] and line.get_linestyle() == "--"
               for line in lines)                                    # the target line
    star = next(line for line in lines if line.get_marker() == "*")
    assert mdates.date2num(star.get_xdata()[0]) == mdates.date2num(date(2026, 12, 31))
    assert list(star.get_ydata()) == [2.0]
    assert any(list(line.get_ydata()) == [5.0, 5.0] for line in lines)  # the baseline
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "target (star: deadline)" in legend
    plt.close(fig)
    assert charts.series_chart(_weeks([5.0]), targets=targets).startswith("<svg")
    assert charts.series_chart([], unit="%").startswith("<svg")
    assert charts.small_multiples([("A", _weeks([1, 2])), ("B", [])]).startswith("<svg")
    assert charts.breakdown_chart([("female", _weeks([1, 2]))]).startswith("<svg")


def test_suppressed_points_are_not_drawn():
    pts = [Point(date(2025, 1, 1), date(2025, 1, 31), None, suppressed=True),
           Point(date(2025, 2, 1), date(2025, 2, 28), 7.0)]
    fig, ax = plt.subplots()
    charts._draw(ax, pts)
    assert [list(line.get_ydata()) for line in ax.lines] == [[7.0]]
    plt.close(fig)
