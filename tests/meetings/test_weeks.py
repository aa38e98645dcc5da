"""ISO weeks: parsing, 52/53-week years, neighbours and local bounds."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from drugscene.core import weeks
from drugscene.core.errors import ValidationFailed


@pytest.mark.parametrize("value", ["2026-W01", "2026-W05", "2026-W53", "2020-W53", "2027-W52"])
def test_valid_weeks(value):
    assert weeks.is_valid(value)


@pytest.mark.parametrize("value", ["2025-W53", "2027-W53", "2026-W00", "2026-W54", "2026-W5",
                                   "26-W05", "2026W05", "2026-w05", "", "next week"])
def test_invalid_weeks(value):
    assert not weeks.is_valid(value)
    with pytest.raises(ValidationFailed) as exc:
        weeks.parse(value)
    assert set(exc.value.errors) == {"iso_week"}


def test_error_names_the_number_of_weeks():
    with pytest.raises(ValidationFailed) as exc:
        weeks.parse("2025-W53", field="week")
    assert "52" in exc.value.message and set(exc.value.errors) == {"week"}


def test_years_with_53_weeks():
    assert [y for y in range(2020, 2033) if weeks.weeks_in_year(y) == 53] == [2020, 2026, 2032]


def test_neighbours_cross_years():
    assert weeks.following("2025-W52") == "2026-W01"
    assert weeks.following("2026-W53") == "2027-W01"
    assert weeks.previous("2027-W01") == "2026-W53"
    assert weeks.shift("2026-W10", -4) == "2026-W06"


def test_of_date_uses_the_iso_year():
    assert weeks.of_date(date(2027, 1, 1)) == "2026-W53"
    assert weeks.of_date(date(2024, 12, 30)) == "2025-W01"


def test_bounds_are_local_monday_to_monday():
    start, end = weeks.bounds("2026-W13", "Europe/Stockholm")  # DST starts 29 March
    tz = ZoneInfo("Europe/Stockholm")
    assert start == datetime(2026, 3, 23, tzinfo=tz)
    assert end == datetime(2026, 3, 30, tzinfo=tz)
    assert end.timestamp() - start.timestamp() == 7 * 86400 - 3600  # a 167-hour week
    assert weeks.dates("2026-W13") == (date(2026, 3, 23), date(2026, 3, 29))
