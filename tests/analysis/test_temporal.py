"""Time patterns in local time: DST, weekdays, months, seasons, settings, weekly trend."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import stats

from drugscene.analysis import temporal as T
from drugscene.analysis.errors import AnalysisError

STHLM = "Europe/Stockholm"
ZONE = ZoneInfo(STHLM)
SPRING = 1_743_296_400  # 2025-03-30T01:00:00Z: clocks go from 02:00 CET to 03:00 CEST
AUTUMN = 1_761_440_400  # 2025-10-26T01:00:00Z: clocks go back from 03:00 CEST to 02:00 CET


def epoch(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = ZONE) -> int:
    return int(datetime(y, mo, d, h, mi, tzinfo=tz).timestamp())


def test_offsets_change_at_the_exact_second() -> None:
    t = np.array([SPRING - 1, SPRING, AUTUMN - 1, AUTUMN])
    assert T.utc_offsets(t, STHLM).tolist() == [3600, 7200, 7200, 3600]


@pytest.mark.parametrize("tz", [STHLM, "Europe/Oslo", "Europe/Amsterdam", "UTC",
                                "America/St_Johns", "Australia/Lord_Howe", "Asia/Kathmandu"])
def test_local_fields_equal_zoneinfo(tz: str) -> None:
    rng = np.random.default_rng(1)
    t = rng.integers(1_600_000_000, 1_800_000_000, 3000)
    t = np.r_[t, SPRING + np.arange(-7200, 7200, 900), AUTUMN + np.arange(-7200, 7200, 900)]
    lt = T.local_time(t, tz)
    zone = ZoneInfo(tz)
    ref = [datetime.fromtimestamp(int(s), zone) for s in t]
    assert lt.hour.tolist() == [r.hour for r in ref]
    assert lt.weekday.tolist() == [r.weekday() for r in ref]
    assert lt.month.tolist() == [r.month for r in ref]
    assert lt.year.tolist() == [r.year for r in ref]


def test_hour_weekday_across_both_dst_changes() -> None:
    # 20:00 local every evening from Thursday 27 March to Wednesday 2 April 2025
    spring_evenings = [epoch(2025, 3, d, 20) for d in range(27, 32)] + \
        [epoch(2025, 4, d, 20) for d in (1, 2)]
    # the night of the spring change: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST
    spring_night = [SPRING - 1800, SPRING + 1800]
    # the night of the autumn change: 02:30 happens twice (CEST, then CET)
    autumn_night = [AUTUMN - 1800, AUTUMN + 1800]
    hw = T.hour_weekday(np.array(spring_evenings + spring_night + autumn_night), STHLM)
    c = hw.counts
    assert c[:, 20].tolist() == [1] * 7           # one 20:00 event on every weekday
    assert c.sum(axis=1)[6] == 1 + 4              # Sunday: 20:00 + two night events × 2
    assert c[6, 1] == 1 and c[6, 3] == 1 and c[6, 2] == 2
    assert c.sum() == 11 and c[:, 19].sum() == 0 and c[:, 21].sum() == 0


def test_weekday_and_hour_of_known_moments() -> None:
    moments = [epoch(2025, 1, 6, 0, 0),        # Monday 00:00 (23:00 UTC on Sunday)
               epoch(2025, 7, 13, 23, 59),     # Sunday 23:59 (21:59 UTC)
               epoch(2025, 12, 31, 23, 30)]    # Wednesday
    hw = T.hour_weekday(np.array(moments), STHLM)
    assert hw.counts[0, 0] == 1 and hw.counts[6, 23] == 1 and hw.counts[2, 23] == 1
    utc = T.hour_weekday(np.array(moments), "UTC")
    assert utc.counts[6, 23] == 1 and utc.counts[6, 21] == 1


def test_independence_test_equals_scipy_and_profiles() -> None:
    rng = np.random.default_rng(2)
    t = rng.integers(epoch(2025, 1, 1), epoch(2026, 1, 1), 20_000)
    hw = T.hour_weekday(t, STHLM)
    ref = stats.chi2_contingency(hw.counts, correction=False)
    assert hw.independence.statistic == pytest.approx(ref.statistic)
    assert hw.independence.p == pytest.approx(ref.pvalue) and hw.independence.dof == 138
    assert hw.hour_profile.sum() == pytest.approx(1.0)
    assert hw.weekday_days.sum() == 365 and hw.weekday_days[2] == 53   # 2025: 53 Wednesdays
    assert hw.independence.p > 0.001 and hw.hour_uniform.p > 0.001
    # a strong evening peak on Fridays only is picked up
    fri = [epoch(2025, 6, d, 21) for d in (6, 13, 20, 27)] * 300
    hw2 = T.hour_weekday(np.r_[t, fri], STHLM)
    assert hw2.independence.p < 1e-10 and hw2.peak() == (4, 21)


def test_month_and_season_days_and_rates() -> None:
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2026-01-01"))
    # one event at local noon every day, plus nine extra on 15 July
    noon = (days.astype("datetime64[s]").astype(np.int64) + 10 * 3600)
    t = np.r_[noon, np.full(9, epoch(2025, 7, 15, 12))]
    m = T.month_profile(t, STHLM)
    assert m.days.tolist() == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert m.counts.tolist() == [31, 28, 31, 30, 31, 30, 40, 31, 30, 31, 30, 31]
    assert m.per_day[0] == 1.0 and m.per_day[6] == pytest.approx(40 / 31)
    s = T.season_profile(t, STHLM)
    assert s.labels == ("winter", "spring", "summer", "autumn")
    assert s.days.tolist() == [90, 92, 92, 91] and s.counts.tolist() == [90, 92, 101, 91]
    assert s.index[2] > 1 > s.index[0]


def test_season_setting_shares_and_wilson_intervals() -> None:
    rng = np.random.default_rng(4)
    winter = rng.integers(epoch(2025, 1, 1), epoch(2025, 3, 1), 1000)
    summer = rng.integers(epoch(2025, 6, 1), epoch(2025, 9, 1), 1000)
    w_set = np.r_[np.full(400, 1), np.full(600, 2)]            # 40 % outdoor
    s_set = np.r_[np.full(700, 1), np.full(200, 2), np.full(100, 0)]  # 7/9 outdoor, 100 unknown
    words = np.array(["unknown", "outdoor", "indoor"])
    res = T.season_setting(np.r_[winter, summer], STHLM, words[np.r_[w_set, s_set]])
    assert res.counts[0].tolist() == [0, 400, 600]
    assert res.counts[2].tolist() == [100, 700, 200]
    share = res.outdoor_share
    assert share[0] == pytest.approx(0.4) and share[2] == pytest.approx(7 / 9)
    assert np.isnan(share[1]) and np.isnan(share[3])
    lo, hi = res.interval
    assert lo[0] < 0.4 < hi[0] and lo[2] < 7 / 9 < hi[2] and hi[0] < lo[2]
    assert res.test.p < 1e-20
    # the same with integer codes
    codes = T.season_setting(np.r_[winter, summer], STHLM, np.r_[w_set, s_set])
    assert np.array_equal(codes.counts, res.counts)


def test_wilson_interval_known_values() -> None:
    lo, hi = T.wilson_interval(np.array([8, 0, 10, 0]), np.array([10, 10, 10, 0]))
    assert lo[0] == pytest.approx(0.4902, abs=1e-4) and hi[0] == pytest.approx(0.9433, abs=1e-4)
    assert lo[1] == 0.0 and hi[1] == pytest.approx(0.2775, abs=1e-4)
    assert hi[2] == pytest.approx(1.0) and lo[2] == pytest.approx(0.7225, abs=1e-4)
    assert np.isnan(lo[3]) and np.isnan(hi[3])


def test_setting_words_and_errors() -> None:
    got = T.setting_codes(np.array(["Outdoor", "inne", "", "UNKNOWN", "ute", "indoor"]))
    assert got.tolist() == [1, 2, 0, 0, 1, 2]
    assert T.setting_codes(np.array([0.0, 1.0, np.nan, 2.0])).tolist() == [0, 1, 0, 2]
    with pytest.raises(AnalysisError, match="Unknown setting"):
        T.setting_codes(np.array(["outdoor", "on the moon"]))
    with pytest.raises(AnalysisError, match="0 \\(unknown\\)"):
        T.setting_codes(np.array([0, 3]))
    with pytest.raises(AnalysisError, match="setting values for"):
        T.season_setting(np.array([epoch(2025, 1, 1)]), STHLM, np.array([1, 2]))


def test_weekly_trend_full_weeks_only() -> None:
    # Wednesday 1 January 2025 to Friday 28 February 2025: full weeks 6 Jan .. 17 Feb
    start, end = epoch(2025, 1, 1), epoch(2025, 3, 1)
    mondays = [epoch(2025, 1, 6) + 7 * 86_400 * k for k in range(7)]
    t = [start + 3600, end - 3600]        # in the partial weeks at both ends
    for k, m in enumerate(mondays):
        t += [m + 3600 * (1 + i) for i in range(5 + 3 * k)]     # 5, 8, 11, ... a week
    wt = T.weekly_trend(np.array(t), STHLM)
    assert wt.week_start.astype(str).tolist()[0] == "2025-01-06"
    assert wt.counts.tolist() == [5 + 3 * k for k in range(7)]
    assert wt.dropped_events == 2
    assert wt.direction == 1 and wt.slope == pytest.approx(3.0)
    assert "rising" in wt.verdict()
    flat = T.weekly_trend(np.array([m + 60 for m in mondays] * 3), STHLM)
    assert flat.direction == 0 and "No significant trend" in flat.verdict()


def test_weekly_trend_needs_two_full_weeks() -> None:
    with pytest.raises(AnalysisError, match="full week"):
        T.weekly_trend(np.array([epoch(2025, 1, 1), epoch(2025, 1, 12)]), STHLM)


def test_time_patterns_bundle_and_notes() -> None:
    t = np.array([epoch(2025, 1, 1), epoch(2025, 1, 3)])
    tp = T.time_patterns(t, STHLM)
    assert tp.weekly is None and tp.setting is None and tp.n_events == 2
    assert any("full week" in n for n in tp.notes) and any("less than a year" in n
                                                           for n in tp.notes)
    assert str(tp.first_day) == "2025-01-01" and str(tp.last_day) == "2025-01-03"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"t": np.array([], dtype=np.int64), "tz": STHLM}, "No events"),
    ({"t": np.array([1_700_000_000]), "tz": "Europe/Atlantis"}, "Unknown time zone"),
    ({"t": np.array([1.0, np.nan]), "tz": STHLM}, "missing"),
    ({"t": np.array([1_700_000_000]), "tz": STHLM, "start": 1_800_000_000}, "period"),
])
def test_bad_input(kwargs, match) -> None:
    with pytest.raises(AnalysisError, match=match):
        T.time_patterns(**kwargs)


# --- the demo city ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    from drugscene.demo.model import generate

    return generate(n_reports=30_000)


def test_demo_hour_and_weekday_profiles_match_the_ground_truth(demo) -> None:
    r = demo.reports
    tp = T.time_patterns(r.occurred_from, demo.timezone, r.setting)
    truth = demo.ground_truth["time_profiles"]
    hour = tp.hour_weekday.hour_profile
    assert np.corrcoef(hour, truth["hour"])[0, 1] > 0.9
    rate = tp.hour_weekday.weekday_rate
    assert np.corrcoef(rate, truth["weekday"])[0, 1] > 0.9
    assert tp.hour_weekday.peak()[0] in (3, 4, 5)             # Thursday to Saturday
    # events per day peak in summer; outdoor share higher in summer than in winter
    assert tp.seasons.per_day[2] > tp.seasons.per_day[0]
    assert tp.setting is not None
    share = tp.setting.outdoor_share
    lo, hi = tp.setting.interval
    assert share[2] > share[0] and lo[2] > hi[0]
    assert tp.weekly is not None and tp.weekly.counts.size >= 100


def test_local_time_is_fast_and_vectorised() -> None:
    import time

    t = np.random.default_rng(0).integers(1_600_000_000, 1_700_000_000, 1_000_000)
    start = time.perf_counter()
    T.local_time(t, STHLM)
    assert time.perf_counter() - start < 5.0  # ~0.2 s; generous for a shared machine
    assert datetime.fromtimestamp(int(t[0]), UTC).year >= 2020
