"""The pure figure and geometry helpers of the place page."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from drugscene.scenes import figures, geometry


def test_weekly_counts_bins_iso_weeks_and_ignores_outside_days() -> None:
    today = date(2026, 11, 25)  # a Wednesday
    days = [date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 22), date(2025, 1, 1),
            date(2026, 12, 1)]
    weeks = figures.weekly_counts(days, today, n_weeks=4)
    assert [w for w, _ in weeks] == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16),
                                     date(2026, 11, 23)]
    assert [n for _, n in weeks] == [0, 0, 1, 2]


def test_hour_weekday_and_heat_levels() -> None:
    times = [datetime(2026, 11, 23, 21, 5), datetime(2026, 11, 23, 21, 50),
             datetime(2026, 11, 29, 3, 0)]
    table = figures.hour_weekday(times)
    assert table.shape == (7, 24) and table.sum() == 3
    assert table[0, 21] == 2 and table[6, 3] == 1
    levels = figures.heat_levels(table)
    assert levels[0, 21] == 5 and levels[6, 3] == 3 and levels[1, 1] == 0
    assert not figures.heat_levels(np.zeros((7, 24))).any()


@pytest.mark.parametrize(("now", "before", "expected"),
                         [(15, 10, 50.0), (5, 10, -50.0), (3, 0, None), (0, 4, -100.0)])
def test_change(now, before, expected) -> None:
    assert figures.change(now, before) == expected


def test_bar_chart_scales_to_the_tallest_bar() -> None:
    chart = figures.bar_chart([0, 5, 10], ["a", "b", "c"], ["Jan", "", ""], width=330,
                              height=136)
    assert chart.top_value == 10
    heights = [b.height for b in chart.bars]
    assert heights[0] == 0 and heights[2] == chart.plot_bottom - chart.plot_top
    assert heights[1] == pytest.approx(heights[2] / 2)
    assert chart.bars[2].current and not chart.bars[0].current
    assert all(b.y + b.height == pytest.approx(chart.plot_bottom) for b in chart.bars)


def test_within_measures_metres_and_leaves_out_the_target() -> None:
    target = geometry.Site("t", 18.0686, 59.3293)
    near = geometry.Site("n", 18.0686, 59.3293 + 300 / 111_200)
    far = geometry.Site("f", 18.0686 + 0.02, 59.3293)
    found = geometry.within(target, [near, far, target], 500, "EPSG:3006")
    assert [k for k, _ in found] == ["n"]
    assert found[0][1] == pytest.approx(300, abs=2)
