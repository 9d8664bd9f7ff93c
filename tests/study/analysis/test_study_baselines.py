"""The study's baselines on the runs' own samples, against answers computed independently from
the rebuilt datasets: the same samples as the networks, the task's metrics, one fit per seed."""

import math

import numpy as np

from toyexp.core.baselines import BASELINES
import pytest

import toyexp
from toyexp.study.analysis import baselines, collect
from toyexp.study.analysis.results import task_results
from toyexp.tasks.lie.metrics import RotationMetrics
from toyexp.tasks.base import L2


def test_linear_baseline_error_matches_an_independent_interpolation(small_study):
    res = task_results(collect.collect(small_study), "recon", {})
    assert [r.variant for r in res.rows] == ["flow", "regression", *BASELINES]
    assert [r.baseline for r in res.rows] == [False, False] + [True] * len(BASELINES)
    expected = []
    for seed in (42, 43, 44):
        data = toyexp.make_dataset(toyexp.load_config("recon", seed=seed, overrides=["dataset.num_train=12", "dataset.num_eval=120"]))
        order = np.argsort(data.c_train[:, 0].numpy())
        pred = np.interp(data.c_eval[:, 0].numpy(), data.c_train[order, 0].numpy(), data.x_train[order, 0].numpy())
        expected.append(math.sqrt(float(np.mean((pred - data.x_eval[:, 0].numpy()) ** 2))))
    linear = next(r for r in res.rows if r.variant == "linear")
    assert linear.values[L2] == pytest.approx(expected, rel=1e-5)
    assert (linear.mode, linear.seeds) == (None, (42, 43, 44))
    assert res.note == ""


def test_baselines_carry_the_task_metrics_and_are_cached(small_study):
    runs = collect.collect(small_study).select("lie")
    first = baselines.baselines(runs)
    assert set(first.members) == set(BASELINES) and [m.seed for m in first.members["gp"]] == [42, 43, 44]
    final = first.members["spline"][0].final
    assert isinstance(final.task_metrics, RotationMetrics) and len(final.task_metrics.per_velocity) == 3
    assert (final.method, final.nfe, first.members["spline"][0].evaluations) == ("spline", 0, ())  # no network, no integrator
    again = baselines.baselines(runs)
    assert again.members["gp"][0] is first.members["gp"][0]  # fitted once per (task, seed, dataset)


def test_baselines_refuse_samples_the_config_does_not_rebuild(tmp_path, dataset_run):
    run_dir = dataset_run(tmp_path, "recon", "regression", "regression", 42, 0.01)
    arrays = dict(np.load(run_dir / "predictions.npz"))
    arrays["x_train"] = arrays["x_train"] + 0.5  # samples the dataset code no longer makes
    np.savez(run_dir / "predictions.npz", **arrays)
    base = baselines.baselines(collect.collect(tmp_path).select("recon"))
    assert base.members == {}
    assert "seed 42 has none: for regression, the dataset rebuilt from its config differs" in base.note


def test_variants_trained_on_other_samples_are_named(tmp_path, dataset_run):
    """Guards the note: a variant of the same seed whose samples differ (here another num_train)
    is named, and the baselines use the first variant's samples."""
    dataset_run(tmp_path, "recon", "flow", "flow", 42, 0.02)
    dataset_run(tmp_path, "recon", "regression", "regression", 42, 0.01, num_train=14)
    base = baselines.baselines(collect.collect(tmp_path).select("recon"))
    assert [m.predictions.c_train.shape for m in base.members["linear"]] == [(12, 1)]
    assert base.note == "Baselines left out: seed 42: regression trained on other samples than flow; the baselines use flow's."


def test_baseline_grid_predictions_are_arrays_of_the_grid_shape(small_study):
    member = baselines.baselines(collect.collect(small_study).select("projection")).members["linear"][0]
    assert isinstance(member.predictions.pred_grid, np.ndarray)
    assert member.predictions.pred_grid.shape == member.predictions.x_grid.shape == (120, 8)


@pytest.mark.parametrize("seed", [42, 43])
@pytest.mark.xfail(strict=True, reason="known move (branch baselines): with the noise ceiling at the outputs' variance, "
                   "ML-II explains projection's unresolved high frequencies as noise (sigma_n^2 on its ceiling, l2 0.54 "
                   "against main's 0.21); strict, so a fix is noticed")
def test_the_gp_baseline_does_not_collapse_on_projection(seed):
    """Guards the GP's length-scale floor on the study's own projection samples: without it the
    marginal likelihood drove the length scale to 1e-3 of the spacing and the posterior mean to
    the sample mean between the samples, an l2 of 0.51 against linear interpolation's 0.22."""
    from toyexp.core.baselines import BASELINES

    data = toyexp.make_dataset(toyexp.load_config("projection", seed=seed))
    c_train, x_train, c_eval, x_eval = (t.numpy() for t in (data.c_train, data.x_train, data.c_eval, data.x_eval))

    def l2(name: str) -> float:
        return float(np.sqrt(((BASELINES[name](c_train, x_train, c_eval, seed).prediction - x_eval) ** 2).mean()))

    assert l2("gp") < 1.1 * l2("linear")
