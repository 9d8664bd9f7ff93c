"""A large dataset.num_eval stays cheap where it need not cost: the dense grid of the figures and
the spectrum has at most GRID_POINTS points, and today's runs (num_eval <= GRID_POINTS) keep theirs."""

from toyexp.core.baselines import BASELINES
import numpy as np
import pytest
import torch

import toyexp
from toyexp.run.steps import GRID_POINTS, close_log, dense_grid


def context(tmp_path, task, *overrides):
    ctx = toyexp.start_run(toyexp.load_config(task, overrides=[*overrides, f"experiment.output_dir={tmp_path}"]))
    close_log(ctx.log)
    return ctx


@pytest.mark.parametrize("num_eval", [200, 1000, GRID_POINTS])
def test_the_grid_has_num_eval_points_up_to_the_cap(tmp_path, num_eval):
    """Guards today's runs: the grid is the one they always had, num_eval even points."""
    ctx = context(tmp_path, "recon", f"dataset.num_eval={num_eval}")
    assert torch.equal(dense_grid(ctx), torch.linspace(0, 1, num_eval)[:, None])


def test_a_larger_evaluation_set_gets_the_capped_even_grid(tmp_path):
    """Guards the cap and the grid's evenness (the error spectrum needs it) over [c_min, c_max]."""
    ctx = context(tmp_path, "lie", "dataset.num_eval=100000", "dataset.c_min=-1", "dataset.c_max=2")
    grid = dense_grid(ctx)[:, 0].double()
    assert len(ctx.data.c_eval) == 100_000 and grid.shape == (GRID_POINTS,)
    assert (grid[0].item(), grid[-1].item()) == (-1.0, 2.0)
    torch.testing.assert_close(grid.diff(), torch.full((GRID_POINTS - 1,), 3 / (GRID_POINTS - 1), dtype=torch.float64),
                               rtol=0, atol=1e-6)


def test_the_capped_grid_is_even_enough_for_the_error_spectrum(tmp_path):
    """Guards the analysis of a large num_eval: the float32 grid of GRID_POINTS points, as
    predictions.npz stores it, passes the spectrum's evenness check (a spacing moves by 5e-4 of
    itself in rounding), and a sine error still peaks at its frequency."""
    from toyexp.study.analysis.interpolation import error_spectrum

    c = dense_grid(context(tmp_path, "recon", "dataset.num_eval=100000")).numpy()  # float32, (GRID_POINTS, 1)
    x = np.zeros_like(c)
    freqs, amplitude = error_spectrum(c, x, x + 0.2 * np.sin(2 * np.pi * 40 * c))
    assert freqs[np.argmax(amplitude)] == pytest.approx(40, abs=freqs[1])
    assert amplitude.max() == pytest.approx(0.2, rel=0.05)


@pytest.mark.training
def test_the_analysis_of_a_run_with_a_large_evaluation_set(tmp_path):
    """Guards the baselines and the analysis past the cap: a run with num_eval 20000 is collected,
    its baselines predict on the same capped grid, and its error between the samples is computed."""
    from toyexp.study.analysis.collect import collect
    from toyexp.study.analysis.results import task_results

    cfg = toyexp.load_config("recon", mode="flow", overrides=[
        "dataset.num_eval=20000", "training.num_epochs=2", "network.hidden_dim=16", "network.num_layers=2",
        f"experiment.output_dir={tmp_path / 'recon'}"])  # <task>/<variant>/seed-<seed>
    toyexp.run_all(cfg, figures=False)

    results = task_results(collect(tmp_path), "recon", {})

    assert [r.variant for r in results.rows] == ["flow", *BASELINES]
    for members in results.members.values():
        assert members[0].predictions.pred_grid.shape == (GRID_POINTS, 1)
    assert set(results.profiles) == {"flow", *BASELINES}
