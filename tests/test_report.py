"""Numbers and phrases as the report prints them (toyexp.report), against strings written by hand."""

import math

from toyexp.core.stats import Interval, Stat, stat
from toyexp.report import NBSP, change_text, extremes, format_interval, format_number, format_p, format_stat, nowrap, seeds_text, with_ci


def test_formats():
    s = stat([1.0, 2.0, 6.0])
    assert format_stat(s, ".2f") == "3.00 ± 2.65"
    assert format_stat(s, ".2f", NBSP) == f"3.00{NBSP}±{NBSP}2.65"
    assert format_stat(stat([0.5]), ".1f") == "0.5 ± —"
    assert format_interval(Interval(-0.5, 1.25), "+.2f") == "[-0.50, +1.25]"
    assert format_interval(None) == "—"
    assert (format_p(0.04567), format_p(0.0002), format_p(float("nan"))) == ("0.046", "< 0.001", "—")


def test_a_tiny_number_is_not_printed_as_zero():
    assert (format_number(8.04e-6), format_number(-8.04e-6, "+.4f"), format_number(0.0)) == ("8.0e-06", "-8.0e-06", "0.0000")
    assert format_number(0.01234) == "0.0123" and format_number(2.5e-5, "+.4f") == "+2.5e-05"
    assert format_stat(stat([1e-6, 3e-6]), ".4f") == f"2.0e-06 ± {math.sqrt(2) * 1e-6:.1e}"
    assert format_stat(stat([1.0, 1.0 + 2.2e-16]), ".4f") == "1.0000 ± 0.0000"  # round-off spread, fixed notation


def test_nowrap_only_wraps_scientific_notation():
    assert nowrap("2.0e-06 ± 1.4e-06") == '<span style="white-space: nowrap">2.0e-06 ± 1.4e-06</span>'
    assert nowrap("3.00 ± 2.65") == "3.00 ± 2.65"


def test_with_ci_by_hand():
    # v = 1, 2, 6: mean 3, half-width t_{0.975, 2} sqrt(7) / sqrt(3) = 4.303 * 1.5275 = 6.5729
    assert with_ci(stat([1.0, 2.0, 6.0]), ".2f") == f"3.00 (95{NBSP}% CI [-3.57, 9.57])"
    assert with_ci(stat([1.0, 2.0, 6.0]), ".1f", scale=10) == f"30.0 (95{NBSP}% CI [-35.7, 95.7])"
    assert with_ci(Stat(0.25, 0.0, 1), ".2f") == "0.25 (one seed, no interval)"


def test_seeds_extremes_and_change():
    assert (seeds_text([3, 3]), seeds_text([1]), seeds_text([2, 3])) == ("n = 3 seeds", "n = 1 seed", "n = 2–3 seeds")
    value = {"a": 0.10001, "b": 0.3, "c": 0.10004}.get
    assert extremes(["a", "b", "c"], value, ".3f") == ("a and c", "b")  # equal as printed: a tie
    assert extremes(["a", "b", "c"], value, ".5f") == ("a", "b")
    assert (change_text(0.4, 0.35), change_text(0.2, 0.206), change_text(0.5, 0.5), change_text(0.0, 0.1)) == (
        "falls by 12.5%", "rises by 3.0%", "does not change", "rises from zero")


def test_log_scale_numbers_read_as_geometric_mean_times_or_divided_by_factor():
    from toyexp.core.stats import log_stat, paired_log
    from toyexp.report import ratio_text

    s = log_stat([1.0, 10.0, 100.0])  # g = 10, factor 10
    assert format_stat(s, ".2f") == "10.00 ×/÷ 10" and format_stat(log_stat([0.5]), ".1f") == "0.5 ×/÷ —"
    assert with_ci(s, ".2f").startswith("10.00 (95") and "-" not in with_ci(s, ".2f")  # a positive interval
    text = ratio_text(paired_log([1.0, 2.0, 4.0], [2.0, 4.0, 8.0]), "flow's l2", "regression's").replace(NBSP, " ")
    assert text == "flow's l2 is 2× regression's (95 % CI [2, 2], p < 0.001, 3 pairs)"
