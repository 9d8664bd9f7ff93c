"""The study's baselines on the runs' own samples, the three tables and the prose, against
answers computed independently from the rebuilt datasets and planted errors."""

import math
import statistics

import numpy as np
import pytest

import toyexp
from toyexp.core.stats import NBSP
from toyexp.study import baselines, collect, interpret, results, summary

T_2 = 4.303  # t_{0.975, 2} from a table


def test_linear_baseline_error_matches_an_independent_interpolation(small_study):
    c = collect.collect(small_study)
    res = results.task_results(c, "recon")
    assert [r.variant for r in res.rows] == ["flow", "regression", "linear", "spline", "gp"]
    assert [r.baseline for r in res.rows] == [False, False, True, True, True]
    expected = []
    for seed in (42, 43, 44):
        data = toyexp.make_dataset(toyexp.load_config("recon", seed=seed, overrides=["dataset.num_train=12", "dataset.num_eval=120"]))
        order = np.argsort(data.c_train[:, 0].numpy())
        pred = np.interp(data.c_eval[:, 0].numpy(), data.c_train[order, 0].numpy(), data.x_train[order, 0].numpy())
        expected.append(math.sqrt(float(np.mean((pred - data.x_eval[:, 0].numpy()) ** 2))))
    linear = next(r for r in res.rows if r.variant == "linear")
    assert linear.values["l2"] == pytest.approx(expected, rel=1e-5)
    assert res.note == ""


def test_baselines_carry_the_task_metrics_and_are_cached(small_study):
    c = collect.collect(small_study)
    first = baselines.baselines(c, "lie")
    assert set(first.runs) == {"linear", "spline", "gp"} and [r.seed for r in first.runs["gp"]] == [42, 43, 44]
    final = first.runs["spline"][0].metrics["final"]
    assert {"cosine_mean", "projection_mean", "per_velocity"} <= set(final)
    again = baselines.baselines(c, "lie")
    assert again.runs["gp"][0] is first.runs["gp"][0]  # fitted once per (task, seed)


def test_baselines_refuse_samples_the_config_does_not_rebuild(tmp_path, dataset_run):
    run_dir = dataset_run(tmp_path, "recon", "regression", "regression", 42, 0.01)
    arrays = dict(np.load(run_dir / "predictions.npz"))
    arrays["x_train"] = arrays["x_train"] + 0.5  # samples the dataset code no longer makes
    np.savez(run_dir / "predictions.npz", **arrays)
    base = baselines.baselines(collect.collect(tmp_path), "recon")
    assert base.runs == {}
    assert "seed 42 has none: for regression, the dataset rebuilt from its config differs" in base.note


def test_interval_and_comparison_tables_by_hand(tmp_path, write_run):
    # regression l2 = a, flow l2 = a + d with d = 0.01, 0.02, 0.06: mean 0.03, s = 0.01 sqrt(7)
    for seed in (1, 2, 3):
        for variant, l2 in (("regression", 0.1 * seed), ("flow", 0.1 * seed + [0.01, 0.02, 0.06][seed - 1])):
            write_run(tmp_path, "recon", variant, variant, seed, {"l1": l2, "l2": l2})
    rows = summary.summary_table(collect.collect(tmp_path), "recon")
    ref = summary.reference_row(rows)
    assert ref.variant == "regression"
    table = summary.comparison_table(rows, ref).replace(NBSP, " ")
    half = T_2 * 0.01 * math.sqrt(7) / math.sqrt(3)
    t = 0.03 / (0.01 * math.sqrt(7 / 3))
    p = 1 - t / math.sqrt(2 + t * t)  # closed form of the t distribution with 2 dof
    assert f"| flow | l2 | 3 | +0.0300 | [{0.03 - half:+.4f}, {0.03 + half:+.4f}] | {p:.3f} | no |" in table
    intervals = summary.interval_table(rows).replace(NBSP, " ")
    m, s = 0.2, statistics.stdev([0.1, 0.2, 0.3])
    hw = T_2 * s / math.sqrt(3)
    assert f"| regression | 3 | {m:.4f} ± {s:.4f} | [{m - hw:.4f}, {m + hw:.4f}] |" in intervals
    assert intervals.index("**l1 (mean absolute error)**") < intervals.index("**l2 (RMSE)**")  # a table each
    assert " ± " not in summary.interval_table(rows)


def test_findings_tell_which_differences_the_seeds_can_tell_apart(small_study):
    c = collect.collect(small_study)
    text = interpret.interpretation(c, "recon").replace(NBSP, " ")
    assert "**Paired with regression**" in text
    flow = summary.summary_table(c, "recon")[0]
    assert flow.variant == "flow"
    # flow's planted error is twice regression's on every seed: the interval excludes 0
    assert "- distinguishable at 95 %:\n  - flow +" in text
    assert "**Against the best baseline, gp**" in text or "**Against the best baseline, spline**" in text
    assert "no network has a lower l2 than" in text  # the planted networks err by 0.01 everywhere
    assert "print(" not in text and "\n\n" in text


def test_one_seed_says_there_is_no_interval(tmp_path, dataset_run):
    dataset_run(tmp_path, "recon", "regression", "regression", 42, 0.01)
    dataset_run(tmp_path, "recon", "flow", "flow", 42, 0.02)
    text = interpret.interpretation(collect.collect(tmp_path), "recon")
    assert "(one seed, no interval)" in text
    assert "with one seed there is no interval: no difference can be told apart" in text


def test_lie_says_baselines_may_leave_the_rotation_group(small_study):
    text = interpret.interpretation(collect.collect(small_study), "lie")
    assert "may leave the rotation group" in text


def test_baseline_grid_predictions_are_arrays_of_the_grid_shape(small_study):
    # predictions stored for the figures are numpy arrays of the grid's shape
    c = collect.collect(small_study)
    run = baselines.baselines(c, "projection").runs["linear"][0]
    assert isinstance(run.predictions["pred_grid"], np.ndarray)
    assert run.predictions["pred_grid"].shape == run.predictions["x_grid"].shape == (120, 8)


def test_wide_tables_split_and_scientific_cells_never_break(small_study):
    from toyexp.tasks import get_task

    res = results.task_results(collect.collect(small_study), "projection")
    metrics = get_task("projection").summary_metrics  # five: split 3 + 2
    tables = summary.markdown_table(res.rows, metrics).split("\n\n")
    assert [t.splitlines()[0].count("|") - 3 for t in tables] == [3, 2]
    assert all(len(t.splitlines()) == 2 + len(res.rows) for t in tables)
    assert "| *linear* |" in tables[0]  # a baseline row, marked in italic
    assert summary.markdown_table(res.rows, metrics[:3]).count("\n\n") == 0
    from toyexp.core.stats import nowrap

    assert nowrap("7.8e-07") == '<span style="white-space: nowrap">7.8e-07</span>' and nowrap("0.0123") == "0.0123"


@pytest.mark.parametrize("seed", [42, 43])
def test_the_gp_baseline_does_not_collapse_on_projection(seed):
    """Guards the GP's length-scale floor on the study's own projection samples: without it the
    marginal likelihood drove the length scale to 1e-3 of the spacing and the posterior mean to
    the sample mean between the samples, an l2 of 0.51 against linear interpolation's 0.22."""
    from toyexp.core.baselines import BASELINES

    data = toyexp.make_dataset(toyexp.load_config("projection", seed=seed))
    c_train, x_train, c_eval, x_eval = (t.numpy() for t in (data.c_train, data.x_train, data.c_eval, data.x_eval))

    def l2(name: str) -> float:
        return float(np.sqrt(((BASELINES[name](c_train, x_train, c_eval, seed) - x_eval) ** 2).mean()))

    assert l2("gp") < 1.1 * l2("linear")
