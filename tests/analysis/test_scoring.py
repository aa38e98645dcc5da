"""Hit rate, PAI (Chainey et al. 2008) and PEI (Hunt 2016) on hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drugscene.analysis import scoring
from drugscene.analysis.errors import AnalysisError


def test_hand_computed_example():
    # 10 equal cells, flag 20 % = 2 cells: the forecast's top two are cells 3 and 7
    forecast = np.array([0, 1, 0, 9, 2, 0, 0, 5, 0, 1], dtype=float)
    actual = np.array([4, 0, 0, 3, 1, 6, 0, 2, 0, 4], dtype=float)  # 20 events
    s = scoring.score(forecast, actual, 0.2)
    assert s.flagged_cells == 2 and s.area_share == pytest.approx(0.2)
    assert s.hits == 5 and s.events == 20
    assert s.hit_rate == pytest.approx(5 / 20)
    assert s.pai == pytest.approx((5 / 20) / 0.2)          # 1.25
    # the best two cells would have caught 6 + 4 = 10 events
    assert s.max_hits == 10
    assert s.pei == pytest.approx(5 / 10)
    assert s.pai_max == pytest.approx((10 / 20) / 0.2)      # 2.5
    assert s.pei == pytest.approx(s.pai / s.pai_max)


def test_number_of_flagged_cells_rounds_half_up_and_is_at_least_one():
    assert scoring.n_flagged(1649, 0.05) == 82      # 82.45
    assert scoring.n_flagged(10, 0.25) == 3         # 2.5 rounds up
    assert scoring.n_flagged(10, 0.01) == 1
    assert scoring.n_flagged(3, 0.99) == 3


def test_ties_are_broken_deterministically():
    scores = np.array([1.0, 3.0, 3.0, 3.0, 0.0])
    # equal scores: the earlier cell first
    assert scoring.rank_cells(scores).tolist() == [1, 2, 3, 0, 4]
    # a tie-break key (higher first) decides before the position
    assert scoring.rank_cells(scores, np.array([0, 0, 5, 1, 0])).tolist() == [2, 3, 1, 0, 4]
    mask = scoring.flag_top(scores, 0.4)
    assert mask.tolist() == [False, True, True, False, False]
    assert np.array_equal(scoring.flag_top(scores, 0.4), mask)


def test_pei_at_most_one_and_pai_at_most_pai_max():
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(5, 300))
        f = rng.poisson(1.0, n).astype(float)
        y = rng.poisson(rng.gamma(0.5, 2.0, n)).astype(float)
        a = float(rng.uniform(0.01, 0.6))
        s = scoring.score(f, y, a)
        if s.events == 0:
            assert math.isnan(s.pai) and math.isnan(s.pei)
            continue
        assert 0.0 <= s.pei <= 1.0 + 1e-12
        assert s.pai <= s.pai_max + 1e-9
        assert s.pei == pytest.approx(s.pai / s.pai_max)
        # a perfect forecast reaches PEI 1
        assert scoring.score(y, y, a).pei == pytest.approx(1.0)


def test_unequal_cell_areas_use_the_flagged_area_share():
    f = np.array([3.0, 2.0, 1.0, 0.0])
    y = np.array([2.0, 0.0, 1.0, 1.0])
    s = scoring.score(f, y, 0.25, cell_area=np.array([1.0, 2.0, 3.0, 4.0]))
    assert s.area_share == pytest.approx(0.1)
    assert s.pai == pytest.approx((2 / 4) / 0.1)


def test_no_events_gives_undefined_not_zero():
    s = scoring.score(np.array([1.0, 0.0]), np.zeros(2), 0.5)
    assert math.isnan(s.hit_rate) and math.isnan(s.pai) and math.isnan(s.pei)
    assert s.events == 0


@pytest.mark.parametrize("a", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_coverage_outside_zero_one_is_refused(a):
    with pytest.raises(AnalysisError, match="strictly between 0 and 1"):
        scoring.score(np.ones(4), np.ones(4), a)


def test_mismatched_or_bad_input():
    with pytest.raises(AnalysisError, match="one value per cell"):
        scoring.score(np.ones(4), np.ones(3), 0.5)
    with pytest.raises(AnalysisError, match="non-negative"):
        scoring.score(np.ones(2), np.array([1.0, -1.0]), 0.5)
    with pytest.raises(AnalysisError, match="missing"):
        scoring.score(np.array([1.0, np.nan]), np.ones(2), 0.5)


def test_paired_comparison_verdicts():
    base = np.array([10.0, 11, 9, 12, 10, 11, 10, 9])
    better = base + np.array([1.0, 2, 1, 3, 1, 2, 1, 2])
    c = scoring.compare("m", better, "prior_counts", base)
    assert c.beats and c.verdict == "beats naive" and c.wins == 8
    assert c.p_wilcoxon == pytest.approx(1 / 256)  # exact: all 8 ranks positive
    assert c.p_sign == pytest.approx(1 / 256)
    worse = scoring.compare("w", base - 0.5, "prior_counts", base)
    assert not worse.beats and worse.verdict == "does not beat naive"
    # higher on average but too few origins to tell
    few = scoring.compare("f", base[:4] + 1, "prior_counts", base[:4])
    assert few.mean_pai > few.mean_pai_baseline and few.verdict == "does not beat naive"
    same = scoring.compare("s", base, "prior_counts", base)
    assert same.ties == 8 and same.p_wilcoxon == 1.0 and not same.beats
    assert scoring.compare("prior_counts", base, "prior_counts", base).verdict == "baseline"
    # origins without events (NaN) are left out of the pairs
    nan = scoring.compare("n", np.append(better, np.nan), "prior_counts",
                          np.append(base, 3.0))
    assert nan.n_origins == 8
