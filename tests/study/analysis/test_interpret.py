"""What we see, against planted numbers: each sentence of the findings quotes the numbers of its
task's results, ranks them as planted, and says what the seeds can and cannot tell apart."""

import math
import statistics

import numpy as np

from toyexp.core.metrics import Evaluation
from toyexp.core.resolution import Tolerance
from toyexp.core.stats import paired
from toyexp.report import NBSP
from toyexp.study.analysis import collect, interpret
from toyexp.study.analysis.results import task_results
from toyexp.tasks.lie.metrics import RotationMetrics, VelocityMetrics
from toyexp.tasks.projection.metrics import ProjectionMetrics
from toyexp.tasks.base import L2


def findings(root, task: str) -> str:
    return interpret.findings(task_results(collect.collect(root), task, {})).replace(NBSP, " ")



def geometric_text(a: float, b: float) -> str:
    """"g (95 % CI [low, high])" of two seeds on the log scale, worked out here: g = sqrt(a b),
    interval exp(mean log ± t_{0.975, 1} s_log / sqrt(2)) with t from a table."""
    logs = [math.log(a), math.log(b)]
    half = 12.706205 * statistics.stdev(logs) / math.sqrt(2)  # six digits: exp magnifies a rounded quantile
    m = sum(logs) / 2
    return f"{math.exp(m):.4f} (95 % CI [{math.exp(m - half):.4f}, {math.exp(m + half):.4f}])"

def test_the_variant_closest_to_the_subspace_is_named(tmp_path, write_run):
    for variant, mode, angle, off in (("flow", "flow", 9.0, 0.2), ("regression", "regression", 1.5, 0.01)):
        own = ProjectionMetrics(max_angle_deg=angle, projection_distance=0.01, explained_variance_true=0.99,
                                explained_variance_top=0.995, off_subspace=off)
        write_run(tmp_path, "projection", variant, mode, 1, {"l1": 0.1, "l2": 0.2, "task_metrics": own})
    text = findings(tmp_path, "projection")
    assert "regression stays closest and flow strays furthest" in text
    assert ("regression 1.000 (one seed, no interval); flow 20.000 (one seed, no interval). "
            "Smallest for regression, largest for flow.") in text
    assert "Baselines left out: seed 1 has none" in text  # planted samples, not the dataset's


def test_the_variant_with_the_lowest_error_comes_first(tmp_path, write_run):
    l2 = {"regression": (0.30, 0.32), "flow": (0.10, 0.12), "flow-gaussian": (0.50, 0.54)}
    rng = np.random.default_rng(1)
    for variant, values in l2.items():
        mode = "regression" if variant == "regression" else "flow"
        for seed, v in zip((1, 2), values):
            evals = [Evaluation(method="euler", resolution=n, nfe=n, l1=v, l2=2 * v / n) for n in (1, 2)]
            evals = evals if mode == "flow" else evals[-1:]
            noise = 0.01 * rng.standard_normal((101, 1)) if variant == "flow-gaussian" else None  # all above Nyquist
            write_run(tmp_path, "recon", variant, mode, seed, {"l1": v, "l2": v}, evals, noise)
    text = findings(tmp_path, "recon")
    assert text.startswith(f"**Final error.** Final l2, the geometric mean over the seeds with its 95 % interval, lowest "
                           f"first: flow {geometric_text(0.10, 0.12)}; regression {geometric_text(0.30, 0.32)[:6]}")
    assert "largest first: flow-gaussian" in text  # its noise lies above Nyquist
    assert (f"- flow, euler: geometric mean l2 falls from {geometric_text(0.20, 0.24)} at 1 step (NFE 1) "
            f"to {geometric_text(0.10, 0.12)} at 2 steps (NFE 2).") in text


def test_rotation_sentences_follow_the_planted_numbers(tmp_path, write_run):
    """Two variants, planted per-velocity projection errors: the sentences rank and quote them."""
    planted = {"flow": (0.9, [0.001, 0.004]), "regression": (0.99, [0.002, 0.003])}
    for variant, (cosine, projection) in planted.items():
        for seed in (1, 2):
            per_velocity = tuple(VelocityMetrics(cosine_mean=cosine, cosine_min=cosine, projection_mean=p, projection_max=p, alpha=a)
                                 for a, p in zip((0.0, 6.0), projection))
            own = RotationMetrics(cosine_mean=cosine, cosine_min=cosine, projection_mean=0.01, projection_max=0.02,
                                  per_velocity=per_velocity)
            write_run(tmp_path, "lie", variant, "flow" if variant == "flow" else "regression", seed,
                      {"l1": 0.1, "l2": 0.2, "task_metrics": own})
    text = findings(tmp_path, "lie")
    assert "highest first: regression 0.9900 (95 % CI [0.9900, 0.9900]); flow 0.9000 (95 % CI [0.9000, 0.9000])" in text
    assert "(α = 0.00) to the fastest (α = 6.00)" in text
    assert "rises by 50.0% for regression (0.0020 to 0.0030); rises by 300.0% for flow (0.0010 to 0.0040)" in text


def test_a_tiny_p_value_reads_p_below_not_p_equals():
    """Guards against "p = < 0.001" in the findings: a planted large paired shift gives p < 0.001."""
    text = interpret.difference_text(paired([0.0, 0.1, 0.2, 0.3, 0.4], [1.0, 1.1, 1.21, 1.3, 1.4])).replace(NBSP, " ")
    assert "p < 0.001" in text and "p = <" not in text
    assert "p = 0.0" in interpret.difference_text(paired([0.0, 0.1, 0.2], [0.1, 0.3, 0.35])).replace(NBSP, " ")


def test_the_cost_paragraph_sets_the_tightest_dopri5_solve_beside_the_final_setting(tmp_path, write_run):
    """Guards against dopri5 vanishing from the findings: its tightest tolerance's mean l2 and mean
    counted NFE over the seeds stand next to the final l2, all planted here."""
    for seed, (final, tight, nfe) in {1: (0.10, 0.20, 50), 2: (0.30, 0.40, 70)}.items():
        evals = [Evaluation(method="euler", resolution=n, nfe=n, l1=final, l2=final * (1 + 1 / n)) for n in (1, 4)]
        evals += [Evaluation(method="dopri5", resolution=Tolerance(1e-2, 1e-5), nfe=nfe - 20, l1=0.0, l2=9.0),
                  Evaluation(method="dopri5", resolution=Tolerance(1e-4, 1e-5), nfe=nfe, l1=0.0, l2=tight)]
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": final, "l2": final}, evals)
    text = findings(tmp_path, "recon")
    (line,) = [line for line in text.splitlines() if "dopri5" in line]
    assert "rtol 1e-04, 60 network evaluations on average" in line
    assert f"geometric mean l2 {geometric_text(0.20, 0.40)}" in line and f"against {geometric_text(0.10, 0.30)}" in line
    assert "an adaptive solve at its tightest tolerance" in text


def test_findings_tell_which_differences_the_seeds_can_tell_apart(small_study):
    res = task_results(collect.collect(small_study), "recon", {})
    text = interpret.findings(res).replace(NBSP, " ")
    assert "**Paired with regression**" in text
    # flow's planted error is twice regression's on every seed: the ratio's interval excludes 1
    assert res.significant_after_bh("flow")
    q = res.reference_q["flow", L2]
    assert "(the ratio of the variant's l2 to regression's, tested on the log scale" in text
    assert "- distinguishable:\n  - flow's l2 is 2" in text and "× regression's (95 % CI [" in text and f"adjusted p {'< 0.001' if q < 0.001 else f'{q:.3f}'}" in text
    assert "are adjusted together (Benjamini-Hochberg)" in text
    assert f"**Against the best baseline, {res.best_baseline.variant}**" in text
    assert res.best_baseline.variant in ("gp", "spline")
    assert "no network has a lower l2 than" in text  # the planted networks err by 0.01 everywhere
    assert "print(" not in text and "\n\n" in text


def test_one_seed_says_there_is_no_interval(tmp_path, dataset_run):
    dataset_run(tmp_path, "recon", "regression", "regression", 42, 0.01)
    dataset_run(tmp_path, "recon", "flow", "flow", 42, 0.02)
    text = findings(tmp_path, "recon")
    assert "(one seed, no interval)" in text
    assert "with one seed there is no interval: no difference can be told apart" in text


def test_lie_says_baselines_may_leave_the_rotation_group(small_study):
    assert "may leave the rotation group" in findings(small_study, "lie")
