"""Statistics over seeds against answers worked out by hand (t quantiles typed in from a table)."""

import math

import numpy as np
import pytest

from toyexp.core.stats import mean_std, paired, stat, t_quantile

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
    assert c.n == 3 and c.difference.mean == pytest.approx(3.0)
    assert c.p == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-9)
    assert c.p == pytest.approx(0.18848, abs=1e-4)
    assert c.difference.ci.contains(0.0) and not c.ci_excludes_zero


def test_paired_difference_that_excludes_zero():
    # d = 2.0, 2.2, 1.8: mean 2, s = 0.2, half-width 4.303 * 0.2 / sqrt(3) = 0.4969 -> [1.5031, 2.4969]
    c = paired([0.0, 0.0, 0.0], [2.0, 2.2, 1.8])
    assert c.difference.ci.low == pytest.approx(1.5031, abs=1e-3) and c.ci_excludes_zero
    t = 2 / (0.2 / math.sqrt(3))
    assert c.p == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-6)


def test_paired_is_by_seed_not_by_group():
    # unpaired, the groups overlap widely; paired, every seed improves by exactly 0.1
    a, b = [1.0, 5.0, 9.0], [1.1, 5.1, 9.1]
    c = paired(a, b)
    assert c.difference.mean == pytest.approx(0.1) and c.difference.std == pytest.approx(0.0, abs=1e-12)
    assert c.p < 1e-12 and c.ci_excludes_zero


def test_one_pair_and_identical_values():
    one = paired([1.0], [2.0])
    assert one.n == 1 and math.isnan(one.p) and not one.ci_excludes_zero
    same = paired([1.0, 2.0], [1.0, 2.0])
    assert same.p == 1.0 and not same.ci_excludes_zero


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
