"""A large dataset.num_eval stays cheap where it need not cost: the dense grid of the figures and
the spectrum has at most GRID_POINTS points, and today's runs (num_eval <= GRID_POINTS) keep theirs."""

import pytest
import torch

import toyexp
from toyexp.run import GRID_POINTS, dense_grid


@pytest.mark.parametrize("num_eval", [200, 1000, GRID_POINTS])
def test_the_grid_has_num_eval_points_up_to_the_cap(num_eval):
    """Guards today's runs: the grid is the one they always had, num_eval even points."""
    cfg = toyexp.load_config("recon", overrides=[f"dataset.num_eval={num_eval}"])
    data = toyexp.make_dataset(cfg)
    assert torch.equal(dense_grid(cfg, data), torch.linspace(0, 1, num_eval)[:, None])


def test_a_larger_evaluation_set_gets_the_capped_even_grid():
    """Guards the cap and the grid's evenness (the error spectrum needs it) over [c_min, c_max]."""
    cfg = toyexp.load_config("lie", overrides=["dataset.num_eval=100000", "dataset.c_min=-1", "dataset.c_max=2"])
    data = toyexp.make_dataset(cfg)
    grid = dense_grid(cfg, data)[:, 0].double()
    assert len(data.c_eval) == 100_000 and grid.shape == (GRID_POINTS,)
    assert (grid[0].item(), grid[-1].item()) == (-1.0, 2.0)
    torch.testing.assert_close(grid.diff(), torch.full((GRID_POINTS - 1,), 3 / (GRID_POINTS - 1), dtype=torch.float64),
                               rtol=0, atol=1e-6)
