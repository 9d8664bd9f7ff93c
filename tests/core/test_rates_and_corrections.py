"""Rates and corrections against known answers: the log-log slope of planted power laws, and
Benjamini-Hochberg adjusted p-values worked by hand."""

import numpy as np
import pytest

from toyexp.core.stats import adjusted_p, log_log_slope, rate

N = np.array([4, 9, 20, 44, 96, 200])


@pytest.mark.parametrize("b", [-2.0, -0.5, 0.0, 1.5])
def test_log_log_slope_recovers_a_planted_power_law(b):
    """y = 3 N^b gives slope b exactly (up to rounding), whatever the constant."""
    assert log_log_slope(N, 3.0 * N**b) == pytest.approx(b, abs=1e-12)
    assert log_log_slope(N, 0.01 * N**b) == pytest.approx(b, abs=1e-12)


def test_rate_is_the_mean_slope_over_seeds_with_its_spread():
    """Three seeds with slopes -1, -1.2 and -0.8 (and multiplicative noise that is a power law too):
    the rate's mean is -1, its sample std 0.2, n 3; its 95 % interval is -1 ± t(0.975, 2) 0.2 / sqrt(3)."""
    ys = [2 * N**-1.0, 5 * N**-1.2, 0.3 * N**-0.8]
    r = rate(N, ys)
    assert (r.mean, r.std, r.n) == (pytest.approx(-1.0), pytest.approx(0.2), 3)
    half = 4.302652729911275 * 0.2 / np.sqrt(3)  # t_{0.975, 2} from tables
    assert (r.ci.low, r.ci.high) == (pytest.approx(-1 - half), pytest.approx(-1 + half))


def test_log_log_slope_of_noisy_data_is_the_least_squares_fit():
    """On points off a power law the slope is the ordinary least-squares slope in log-log, computed here by hand."""
    x = np.array([1.0, 2.0, 4.0, 8.0])
    y = np.array([1.0, 0.6, 0.2, 0.15])
    lx, ly = np.log(x), np.log(y)
    expected = ((lx - lx.mean()) * (ly - ly.mean())).sum() / ((lx - lx.mean()) ** 2).sum()
    assert log_log_slope(x, y) == pytest.approx(expected)


def test_benjamini_hochberg_by_hand():
    """p = (0.01, 0.04, 0.03, 0.005) over m = 4 tests: sorted 0.005, 0.01, 0.03, 0.04 get
    p (m / rank) = 0.02, 0.02, 0.04, 0.04, then the running minimum from the largest down keeps them;
    in the original order q = (0.02, 0.04, 0.04, 0.02)."""
    assert adjusted_p([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_benjamini_hochberg_takes_the_running_minimum():
    """(0.01, 0.02, 0.2) over 3: 0.03, 0.03, 0.2 — the second's own 0.03 (= 0.02 × 3/2) caps the first's 0.03."""
    assert adjusted_p([0.02, 0.01, 0.2]) == pytest.approx([0.03, 0.03, 0.2])


def test_undefined_p_values_are_not_tests():
    """A NaN p-value (one seed) stays NaN and does not enlarge the family: (0.01, NaN) is one test."""
    q = adjusted_p([0.01, float("nan")])
    assert q[0] == pytest.approx(0.01) and np.isnan(q[1])
    assert np.isnan(adjusted_p([float("nan")])).all()


def test_benjamini_hochberg_over_log_scale_tests_keeps_the_planted_ratio():
    # a family of four comparisons on errors that span decades: one row is planted at 2× its
    # partner with 2 % noise, three at 1× with 30 % noise; after the correction only the first is
    # distinguishable, and its ratio's interval holds 2
    from toyexp.core.stats import paired_log, significant_after_bh

    rng = np.random.default_rng(3)
    a = np.array([1e-7, 1e-5, 1e-3, 1e-2, 3e-2])
    tests = [paired_log(a, 2 * a * np.exp(0.02 * rng.standard_normal(5)))]
    tests += [paired_log(a, a * np.exp(0.3 * rng.standard_normal(5))) for _ in range(3)]
    q = adjusted_p([t.p for t in tests])
    assert [significant_after_bh(v) for v in q] == [True, False, False, False]
    assert tests[0].effect.ci.contains(2.0)
