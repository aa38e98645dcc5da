"""The vectorised Mann–Kendall test equals pymannkendall.original_test series by series."""

from __future__ import annotations

import warnings

import numpy as np
import pymannkendall as pmk
import pytest

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.mannkendall import mann_kendall, sens_slope

FIELDS = ("p", "z", "Tau", "s", "var_s", "slope", "intercept")


def reference(x: np.ndarray, alpha: float = 0.05):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymannkendall's nanmedian on all-NaN pairs
        return pmk.original_test(x, alpha)


def assert_same(X: np.ndarray, alpha: float = 0.05, **kw) -> None:
    res = mann_kendall(X, alpha, **kw)
    labels = res.trend_labels()
    for i in range(X.shape[0]):
        ref = reference(X[i], alpha)
        got = {"p": res.p[i], "z": res.z[i], "Tau": res.tau[i], "s": res.s[i],
               "var_s": res.var_s[i], "slope": res.slope[i], "intercept": res.intercept[i]}
        for name in FIELDS:
            want = float(getattr(ref, name))
            assert got[name] == pytest.approx(want, abs=1e-9, rel=1e-9), (name, i, X[i])
        assert labels[i] == ref.trend
        assert bool(res.h[i]) == bool(ref.h)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 10, 27, 104])
def test_continuous_series_without_ties(n: int) -> None:
    rng = np.random.default_rng(n)
    X = rng.normal(size=(40, n)) + np.linspace(0, rng.normal(), n)[None, :]
    assert_same(X)


@pytest.mark.parametrize("n", [3, 8, 30, 104])
def test_counts_with_many_ties(n: int) -> None:
    rng = np.random.default_rng(100 + n)
    lam = np.linspace(1, 3, n)[None, :] * rng.uniform(0.2, 2, size=(60, 1))
    assert_same(rng.poisson(lam).astype(float))


def test_trending_series_reach_significance_both_ways() -> None:
    t = np.arange(50, dtype=float)
    rng = np.random.default_rng(3)
    X = np.vstack([t + rng.normal(0, 3, 50), -t + rng.normal(0, 3, 50),
                   rng.normal(size=50)])
    res = mann_kendall(X)
    assert res.trend.tolist() == [1, -1, 0]
    assert_same(X)


def test_constant_series_have_no_trend() -> None:
    X = np.vstack([np.full(12, 3.0), np.zeros(12), np.full(12, -1.5)])
    res = mann_kendall(X)
    assert (res.z == 0).all() and (res.p == 1).all() and (res.s == 0).all()
    assert (res.var_s == 0).all() and (res.slope == 0).all()
    assert res.trend_labels().tolist() == ["no trend"] * 3
    assert_same(X)


def test_missing_values_are_skipped_like_pymannkendall() -> None:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50, 25)).cumsum(axis=1)
    X[rng.random(X.shape) < 0.2] = np.nan
    assert_same(X)
    assert (mann_kendall(X).n < 25).any()


def test_rows_with_and_without_missing_values_mixed_with_ties() -> None:
    rng = np.random.default_rng(8)
    X = rng.integers(0, 4, size=(30, 15)).astype(float)
    X[::3, 4] = np.nan
    assert_same(X)


def test_blocks_do_not_change_the_result() -> None:
    rng = np.random.default_rng(9)
    X = rng.poisson(2, size=(300, 40)).astype(float)
    a = mann_kendall(X)
    b = mann_kendall(X, max_bytes=1)  # one series per block
    one, three = mann_kendall(X, workers=1), mann_kendall(X, max_bytes=20_000, workers=3)
    for name in ("s", "var_s", "z", "p", "tau", "slope", "intercept"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert np.array_equal(getattr(one, name), getattr(three, name)), name
    c = mann_kendall(X, slope=False)
    assert c.slope is None and np.array_equal(a.z, c.z) and np.array_equal(a.p, c.p)


def test_one_dimensional_input_and_sens_slope() -> None:
    x = np.array([1.0, 2.0, 4.0, 4.0, 7.0, 6.0, 9.0])
    res = mann_kendall(x)
    assert len(res) == 1
    slope, intercept = sens_slope(x)
    ref = reference(x)
    assert slope[0] == pytest.approx(ref.slope) and intercept[0] == pytest.approx(ref.intercept)


def test_alpha_changes_only_the_decision() -> None:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(200, 20)) + np.linspace(0, 0.8, 20)
    loose, strict = mann_kendall(X, 0.2), mann_kendall(X, 0.01)
    assert np.array_equal(loose.p, strict.p)
    assert loose.h.sum() > strict.h.sum()
    assert_same(X[:30], 0.2)


def test_fewer_than_two_values_in_a_row_give_no_trend() -> None:
    X = np.array([[np.nan, np.nan, 1.0], [1.0, 2.0, 3.0]])
    res = mann_kendall(X)
    assert res.z[0] == 0 and res.p[0] == 1 and np.isnan(res.tau[0]) and np.isnan(res.slope[0])
    assert res.trend[1] == 0 and res.s[1] == 3


@pytest.mark.parametrize(("x", "match"), [
    (np.zeros((3, 1)), "at least 2 time steps"),
    (np.array([[1.0, np.inf, 2.0]]), "infinite"),
    (np.zeros((2, 2, 2)), "2-D"),
])
def test_bad_input(x: np.ndarray, match: str) -> None:
    with pytest.raises(AnalysisError, match=match):
        mann_kendall(x)


def test_bad_alpha() -> None:
    with pytest.raises(AnalysisError, match="alpha"):
        mann_kendall(np.arange(5.0), alpha=1.5)
