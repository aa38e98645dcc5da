"""Period and value parsing (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from drugscene.indicators import periods as P
from drugscene.indicators.parsing import CellError, parse_value, same_unit


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
    ("2024-q4", date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
    ("2025-W07", date(2025, 2, 10), date(2025, 2, 16)),
    # ISO week edges: week 1 of 2026 starts in 2025; 2020 has a week 53; 2027-W01 is in 2027
    ("2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
    ("2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
    ("2021-W01", date(2021, 1, 4), date(2021, 1, 10)),
    ("2015-W53", date(2015, 12, 28), date(2016, 1, 3)),
    ("2025-03-01", date(2025, 3, 1), date(2025, 3, 1)),
    (" 2025-03-01/2025-03-31 ", date(2025, 3, 1), date(2025, 3, 31)),
])
def test_parse_period(text, start, end):
    assert P.parse_period(text) == (start, end)


@pytest.mark.parametrize("text", ["", "25", "2025-13", "2025-Q5", "2025-W00", "2021-W53",
                                  "2025-W54", "2025-02-30", "2025-03-31/2025-03-01",
                                  "2025-03/2025-04", "March 2025", "2025-1"])
def test_bad_periods(text):
    with pytest.raises(P.PeriodError):
        P.parse_period(text)


@pytest.mark.parametrize("text", ["2025", "2025-Q3", "2025-03", "2025-W07", "2026-W01",
                                  "2020-W53", "2025-03-01", "2025-03-01/2025-03-31",
                                  "2025-03-02/2025-04-30"])
def test_label_round_trips(text):
    start, end = P.parse_period(text)
    assert P.parse_period(P.label(start, end)) == (start, end)


def test_label_is_the_shortest_form():
    assert P.label(date(2025, 3, 1), date(2025, 3, 31)) == "2025-03"
    assert P.label(date(2025, 1, 1), date(2025, 12, 31)) == "2025"
    assert P.label(date(2025, 4, 1), date(2025, 6, 30)) == "2025-Q2"
    assert P.label(date(2025, 12, 29), date(2026, 1, 4)) == "2026-W01"


def test_periods_and_index_are_consecutive():
    weeks = P.periods(date(2025, 12, 20), date(2026, 1, 10), "week")
    assert [P.label(a, b) for a, b in weeks] == ["2025-W51", "2025-W52", "2026-W01",
                                                  "2026-W02"]
    idx = [P.index(a, "week") for a, _b in weeks]
    assert idx == list(range(idx[0], idx[0] + 4))
    months = P.periods(date(2024, 11, 15), date(2025, 2, 1), "month")
    assert [P.index(a, "month") for a, _b in months] == [2024 * 12 + 10 + k for k in range(4)]
    assert date(1, 1, 1).weekday() == 0   # the week index relies on it


@pytest.mark.parametrize(("text", "value", "below", "lod"), [
    ("12", 12.0, False, None), ("12.5", 12.5, False, None), ("12,5", 12.5, False, None),
    (",5", 0.5, False, None), ("0", 0.0, False, None), ("<LOD", None, True, None),
    ("< loq", None, True, None), ("<0.5", None, True, 0.5), ("<0,25", None, True, 0.25),
])
def test_parse_value(text, value, below, lod):
    v = parse_value(text)
    assert (v.value, v.below_lod, v.lod) == (value, below, lod)


@pytest.mark.parametrize("text", ["", "1.234,5", "1 234", "abc", "<", "<0", "<abc", "nan",
                                  "inf", "1e999"])
def test_bad_values(text):
    with pytest.raises(CellError):
        parse_value(text)


def test_units_compare_loosely():
    assert same_unit("mg/1000 inhabitants/day", " MG / 1000  inhabitants/day ")
    assert not same_unit("mg/1000 inhabitants/day", "mg/day")
