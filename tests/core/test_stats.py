"""Statistics over seeds against answers worked out by hand (t quantiles typed in from a table)."""

import math

import numpy as np
import pytest

from toyexp.core.stats import LogStat, log_stat, mean_std, paired, paired_log, stat, t_quantile

# Student t quantiles t_{0.975, dof} from a printed table
T_TABLE = {1: 12.706, 2: 4.303, 4: 2.776, 9: 2.262, 29: 2.045}


@pytest.mark.parametrize("dof", sorted(T_TABLE))
def test_t_quantile_matches_the_table(dof):
    assert t_quantile(dof + 1) == pytest.approx(T_TABLE[dof], abs=5e-4)


def test_confidence_interval_of_three_values_by_hand():
    # v = 1, 2, 6: mean 3, s^2 = (4 + 1 + 9) / 2 = 7, half-width 4.303 * sqrt(7) / sqrt(3) = 6.5729
    s = stat([1.0, 2.0, 6.0])
    assert (s.mean, s.std, s.n) == (3.0, pytest.approx(math.sqrt(7)), 3)
    assert s.ci.low == pytest.approx(3 - 6.5729, abs=1e-3) and s.ci.high == pytest.approx(3 + 6.5729, abs=1e-3)


def test_one_value_has_no_interval():
    assert stat([0.5]).ci is None
    with pytest.raises(ValueError, match="at least 2 values; got n = 1"):
        t_quantile(1)


def test_paired_difference_of_three_seeds_by_hand():
    # d = b - a = 1, 2, 6: mean 3, se = sqrt(7/3) = 1.5275, t = 1.9640; with 2 dof the t CDF is
    # F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so p = 1 - |t| / sqrt(2 + t^2) = 0.18848
    a = np.array([0.3, 0.1, 0.7])
    c = paired(a, a + [1.0, 2.0, 6.0])
    t = 3 / math.sqrt(7 / 3)
    assert c.n == 3 and c.effect.mean == pytest.approx(3.0)
    assert c.p == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-9)
    assert c.p == pytest.approx(0.18848, abs=1e-4)
    assert c.effect.ci.contains(0.0) and not c.ci_excludes_null


def test_paired_difference_that_excludes_zero():
    # d = 2.0, 2.2, 1.8: mean 2, s = 0.2, half-width 4.303 * 0.2 / sqrt(3) = 0.4969 -> [1.5031, 2.4969]
    c = paired([0.0, 0.0, 0.0], [2.0, 2.2, 1.8])
    assert c.effect.ci.low == pytest.approx(1.5031, abs=1e-3) and c.ci_excludes_null
    t = 2 / (0.2 / math.sqrt(3))
    assert c.p == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-6)


def test_paired_is_by_seed_not_by_group():
    # unpaired, the groups overlap widely; paired, every seed improves by exactly 0.1
    a, b = [1.0, 5.0, 9.0], [1.1, 5.1, 9.1]
    c = paired(a, b)
    assert c.effect.mean == pytest.approx(0.1) and c.effect.std == pytest.approx(0.0, abs=1e-12)
    assert c.p < 1e-12 and c.ci_excludes_null


def test_one_pair_and_identical_values():
    one = paired([1.0], [2.0])
    assert one.n == 1 and math.isnan(one.p) and not one.ci_excludes_null
    same = paired([1.0, 2.0], [1.0, 2.0])
    assert same.p == 1.0 and not same.ci_excludes_null


def test_paired_rejects_lists_of_different_lengths():
    with pytest.raises(ValueError, match=r"equally long lists.*\(2,\) and \(3,\)"):
        paired([1.0, 2.0], [1.0, 2.0, 3.0])


def test_mean_and_std_over_an_axis_by_hand():
    # columns (1, 3) and (2, 6): means 2 and 4, sample stds sqrt(2) and sqrt(8)
    mean, std = mean_std([[1.0, 2.0], [3.0, 6.0]])
    assert mean.tolist() == [2.0, 4.0] and std.tolist() == pytest.approx([math.sqrt(2), math.sqrt(8)])
    mean, std = mean_std([[1.0, 2.0], [3.0, 6.0]], axis=1)
    assert mean.tolist() == [1.5, 4.5] and std.tolist() == pytest.approx([math.sqrt(0.5), math.sqrt(4.5)])
    mean, std = mean_std([[5.0, 7.0]])  # one seed: no spread to estimate, stored as 0
    assert mean.tolist() == [5.0, 7.0] and std.tolist() == [0.0, 0.0]


# --- the log scale -------------------------------------------------------------------------


def test_geometric_mean_and_interval_by_hand():
    # v = 1, 10, 100: log10 v = 0, 1, 2, so m_log = ln 10, s_log = ln 10 (sample std of 0, 1, 2 is 1)
    # g = 10, factor 10; interval exp(ln 10 (1 ± 4.303 / sqrt(3))) = 10^(1 ± 2.4844) = [0.03278, 3051]
    s = log_stat([1.0, 10.0, 100.0])
    assert s.scale == "log" and s.n == 3
    assert s.geometric_mean == pytest.approx(10.0) and s.factor == pytest.approx(10.0)
    assert s.ci.low == pytest.approx(10 ** (1 - 2.4844), rel=2e-3) and s.ci.high == pytest.approx(10 ** (1 + 2.4844), rel=2e-3)
    assert s.centre == s.geometric_mean and s.ci.low > 0
    assert not hasattr(s, "mean") and not hasattr(s, "std")  # never read as a linear mean by mistake
    assert stat([1.0]).scale == "linear" and log_stat([0.5]).ci is None


def test_geometric_interval_of_a_planted_log_normal_sample_against_the_closed_form():
    # log v ~ N(mu, sigma^2): the interval is exp(m_log ± t s_log / sqrt(n)) from the logs' own
    # mean and std, computed here with the standard library, and it covers exp(mu)
    rng = np.random.default_rng(0)
    mu, sigma, n = math.log(0.0176), 0.4, 5
    v = np.exp(mu + sigma * rng.standard_normal(n))
    logs = [math.log(x) for x in v]
    m, s_log = sum(logs) / n, math.sqrt(sum((x - sum(logs) / n) ** 2 for x in logs) / (n - 1))
    half = T_TABLE[n - 1] * s_log / math.sqrt(n)
    g = log_stat(v)
    assert g.geometric_mean == pytest.approx(math.exp(m), rel=1e-12) and g.factor == pytest.approx(math.exp(s_log), rel=1e-12)
    assert (g.ci.low, g.ci.high) == pytest.approx((math.exp(m - half), math.exp(m + half)), rel=2e-4)
    assert g.ci.contains(math.exp(mu))


def test_geometric_intervals_cover_the_median_at_the_nominal_rate():
    # 2000 planted log-normal samples of 5: the interval should hold exp(mu) in about 95 % of them
    rng = np.random.default_rng(1)
    covered = sum(log_stat(np.exp(-3 + 1.5 * rng.standard_normal(5))).ci.contains(math.exp(-3)) for _ in range(2000))
    assert 0.935 < covered / 2000 < 0.965


@pytest.mark.parametrize("bad", [0.0, -1e-3, float("nan")])
def test_a_value_that_is_not_positive_has_no_log_scale(bad):
    with pytest.raises(ValueError, match=rf"log scale needs positive values; got {bad!r}"):
        log_stat([0.1, bad, 0.2])
    with pytest.raises(ValueError, match=rf"got {bad!r}"):
        paired_log([0.1, 0.2, 0.3], [0.1, bad, 0.3])


def test_paired_ratio_by_hand():
    # b / a = 2, 4, 8 seed by seed: d = ln 2 (1, 2, 3), mean 2 ln 2 -> ratio 4; s_d = ln 2;
    # t = 2 / (1 / sqrt(3)) = 2 sqrt(3), two-sided p with 2 dof = 1 - t / sqrt(2 + t^2)
    a = np.array([1e-7, 3e-3, 0.5])
    c = paired_log(a, a * [2.0, 4.0, 8.0])
    assert c.scale == "log" and isinstance(c.effect, LogStat) and c.n == 3
    assert c.effect.centre == pytest.approx(4.0) and c.effect.factor == pytest.approx(2.0)
    t = 2 * math.sqrt(3)
    assert c.p == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-9)
    half = T_TABLE[2] * math.log(2) / math.sqrt(3)
    assert (c.effect.ci.low, c.effect.ci.high) == pytest.approx((4 * math.exp(-half), 4 * math.exp(half)), rel=2e-4)
    assert c.sign == 1 and c.magnitude == pytest.approx(math.log(4))
    assert paired_log(a * 3, a).sign == -1 and paired_log(a * 3, a).magnitude == pytest.approx(math.log(3))


def test_constant_ratio_two_is_told_apart_on_the_log_scale_where_the_linear_test_is_not():
    # Rows whose errors span decades across seeds (1e-7 to 3e-2), and b = 2 a with 2 % noise seed
    # by seed. On the linear scale the differences d_i ≈ a_i are dominated by the seeds at 1e-2
    # and spread as widely as they are large (t ≈ 1.6): not significant. On the log scale every
    # seed says "twice": significant, and the ratio's interval holds 2.
    a = np.array([1e-7, 3e-7, 1e-2, 3e-2, 5e-3])
    b = 2 * a * np.array([1.01, 0.99, 1.02, 0.98, 1.0])
    linear, log = paired(a, b), paired_log(a, b)
    assert log.p < 1e-3 and log.effect.ci.contains(2.0) and log.ci_excludes_null
    assert linear.p > 0.05 and linear.effect.ci.contains(0.0)


def test_the_referee_case_a_gp_at_1e_7_against_a_network_at_1e_2():
    # one row ~1e-7 (an exact interpolant), the other ~1e-2 ± 1e-2 (a network over 5 seeds): the
    # linear interval of the network's mean reaches below zero and the paired linear test cannot
    # tell them apart; the log scale keeps the interval positive and tells them apart
    gp = np.array([3.0e-7, 3.4e-7, 2.9e-7, 3.5e-7, 3.2e-7])
    net = np.array([0.002, 0.035, 0.004, 0.030, 0.017])
    assert stat(net).ci.low < 0 < log_stat(net).ci.low
    linear, log = paired(gp, net), paired_log(gp, net)
    assert linear.p > 0.05
    assert log.p < 1e-4 and log.effect.ci.low > 1e3  # thousands of times the GP's error
