"""The analysis' tables against numbers worked out by hand: means and stds, 95 % intervals, paired
comparisons, wide tables split to fit the page, and the runs' provenance."""

import math
import statistics

import pytest

from toyexp.report import NBSP, nowrap
from toyexp.run.code_path import CodePath
from toyexp.study.analysis import collect, tables
from toyexp.study.analysis.results import task_results
from toyexp.tasks import get_task
from toyexp.tasks.projection.metrics import ProjectionMetrics
from toyexp.tasks.base import L1, L2

T_2 = 4.302653  # t_{0.975, 2} from a table (six digits: the log scale magnifies a rounded quantile)


def test_mean_and_std_at_fixed_precision(tmp_path, write_run):
    l1 = [1.0, 2.0, 4.0]
    for seed, a, b in zip((1, 2, 3), l1, [0.1, 0.2, 0.6]):
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": a, "l2": b})
    write_run(tmp_path, "recon", "regression", "regression", 1, {"l1": 0.5, "l2": 0.25})
    res = task_results(collect.collect(tmp_path), "recon", {})
    table = tables.markdown_table(res.rows).replace(NBSP, " ")
    # the errors on the log scale: l1 = 1, 2, 4 has geometric mean 2 and log std ln 2, a factor of 2
    assert "| l1 (mean absolute error), geometric mean ×/÷ geometric std |" in table
    assert "| flow | 3 | 2.0000 ×/÷ 2 |" in table
    assert "| regression | 1 | 0.5000 ×/÷ — | 0.2500 ×/÷ — |" in table


def test_task_metrics_get_their_labels(tmp_path, write_run):
    own = ProjectionMetrics(max_angle_deg=2.0, projection_distance=0.01, explained_variance_true=0.99,
                            explained_variance_top=0.995, off_subspace=0.03)
    write_run(tmp_path, "projection", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2, "task_metrics": own})
    res = task_results(collect.collect(tmp_path), "projection", {})
    table = tables.markdown_table(res.rows, get_task("projection").summary_metrics)
    assert "largest principal angle (degrees)" in table and "| flow | 1 | 2.000" in table.replace(NBSP, " ")


def closed_form_p(d: list[float]) -> float:
    """The two-sided paired t-test's p-value for three differences (2 dof, closed form)."""
    t = statistics.mean(d) / (statistics.stdev(d) / math.sqrt(3))
    return 1 - abs(t) / math.sqrt(2 + t * t)


def test_interval_and_comparison_tables_by_hand(tmp_path, write_run):
    # regression l2 = a; flow l2 = a e^d with log ratios d = 0.01, 0.02, 0.06 (mean 0.03, s = 0.01
    # sqrt(7)), so a ratio of e^0.03; steady l2 = a e^d with d = 0.10, 0.11, 0.12; l1 = l2 throughout
    shifts = {"regression": [0, 0, 0], "flow": [0.01, 0.02, 0.06], "steady": [0.10, 0.11, 0.12]}
    for seed in (1, 2, 3):
        for variant, d in shifts.items():
            l2 = 0.1 * seed * math.exp(d[seed - 1])
            write_run(tmp_path, "recon", variant, "flow" if variant != "regression" else "regression", seed, {"l1": l2, "l2": l2})
    res = task_results(collect.collect(tmp_path), "recon", {})
    assert res.reference.variant == "regression"
    table = tables.comparison_table(res).replace(NBSP, " ")
    half = T_2 * 0.01 * math.sqrt(7) / math.sqrt(3)
    p_flow, p_steady = closed_form_p(shifts["flow"]), closed_form_p(shifts["steady"])
    # Benjamini-Hochberg over the table's four tests (l1 and l2 of each): p_steady, p_steady, p_flow, p_flow
    q_steady, q_flow = min(4 * p_steady / 2, p_flow), p_flow
    ci = f"[{math.exp(0.03 - half):.3g}, {math.exp(0.03 + half):.3g}]"
    assert f"| flow | l2 | 3 | {math.exp(0.03):.3g}× | {ci} | {p_flow:.3f} | {q_flow:.3f} | no |" in table
    assert "| steady | l1 | 3 | 1.12× |" in table and f"| {p_steady:.3f} | {q_steady:.3f} | yes |" in table
    assert res.reference_q["steady", L2] == pytest.approx(q_steady, rel=1e-3)
    assert res.significant_after_bh("steady") and not res.significant_after_bh("flow", L1)
    assert "p adjusted (BH)" in table.splitlines()[0] and "ratio (variant / regression" in table.splitlines()[0]
    intervals = tables.interval_table(res.rows).replace(NBSP, " ")
    logs = [math.log(0.1), math.log(0.2), math.log(0.3)]
    m, s = statistics.mean(logs), statistics.stdev(logs)
    hw = T_2 * s / math.sqrt(3)
    assert "| variant | n | geometric mean ×/÷ geometric std | 95 % CI of the geometric mean |" in intervals
    assert (f"| regression | 3 | {math.exp(m):.4f} ×/÷ {math.exp(s):.3g} | [{math.exp(m - hw):.4f}, "
            f"{math.exp(m + hw):.4f}] |") in intervals
    assert intervals.index("**l1 (mean absolute error)**") < intervals.index("**l2 (RMSE)**")  # a table each
    assert " ×/÷ " not in tables.interval_table(res.rows)  # no-break spaces: a cell never wraps


def test_wide_tables_split_and_scientific_cells_never_break(small_study):
    res = task_results(collect.collect(small_study), "projection", {})
    metrics = get_task("projection").summary_metrics  # five: split 3 + 2
    split = tables.markdown_table(res.rows, metrics).split("\n\n")
    assert [t.splitlines()[0].count("|") - 3 for t in split] == [3, 2]
    assert all(len(t.splitlines()) == 2 + len(res.rows) for t in split)
    assert "| *linear* |" in split[0]  # a baseline row, marked in italic
    assert tables.markdown_table(res.rows, metrics[:3]).count("\n\n") == 0
    assert nowrap("7.8e-07") == '<span style="white-space: nowrap">7.8e-07</span>' and nowrap("0.0123") == "0.0123"


def test_the_provenance_summary_counts_runs_by_code_path(tmp_path, write_run):
    """Guards the analysis' provenance cell: a study that mixes portable and native runs says so,
    run counts included, with the commits and the date range."""
    native = CodePath(cpu="AMD EPYC", capability="AVX512", mkl_cbwr="OFF",
                      env={"ATEN_CPU_CAPABILITY": None, "MKL_CBWR": None}, portable=False)
    portable = CodePath(cpu="AMD EPYC", capability="DEFAULT", mkl_cbwr="COMPATIBLE",
                        env={"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}, portable=True)
    for seed, code_path in [(1, native), (2, portable), (3, portable)]:
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": 0.1, "l2": 0.2}, code_path=code_path)
    lines = tables.provenance_summary(collect.collect(tmp_path)).splitlines()
    assert lines[:2] == ["3 complete runs.", "git commit abc (3 runs, 0 with uncommitted changes)"]
    assert ("CPU code paths: AMD EPYC: torch AVX512, MKL OFF (1 run); "
            "AMD EPYC: torch DEFAULT, MKL COMPATIBLE (portable) (2 runs)") in lines
    assert lines[-1] == "dates: 2026-01-02T00:00:00+00:00 to 2026-01-04T00:00:00+00:00"
    assert tables.code_path_label(portable) == "AMD EPYC: torch DEFAULT, MKL COMPATIBLE (portable)"


def test_no_runs_no_provenance(tmp_path):
    assert tables.provenance_summary(collect.collect(tmp_path)) == "No complete runs, so no provenance."


@pytest.mark.parametrize("fmt, value, text", [(".4f", 7.8e-7, "7.8e-07"), (".4f", 0.01234, "0.0123"), ("+.4f", -3e-6, "-3.0e-06")])
def test_a_number_that_would_print_as_zero_is_scientific(fmt, value, text):
    from toyexp.report import format_number

    assert format_number(value, fmt) == text
