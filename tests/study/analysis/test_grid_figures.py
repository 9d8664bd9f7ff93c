"""The grid's figures on real tiny runs over two keys (sample count x noise): the curves of every
panel lie inside the axis they share, and the winner map has a cell per point at page width."""

import matplotlib
import numpy as np
import pytest

import toyexp
from toyexp.run.steps import run_all
from toyexp.study.analysis.collect import collect
from toyexp.study.analysis.grid import SAMPLES, grid_results
from toyexp.study.analysis.grid_figures import log_floor, metric_curves, winner_maps
from toyexp.tasks.base import L2

matplotlib.use("Agg")

NOISE = "dataset.noise_std"
TINY = ["training.num_steps=30", "network.hidden_dim=8", "network.num_layers=1", "dataset.num_eval=64",
        "dataset.max_frequency=2"]


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """recon, regression, two seeds, at three sample counts, clean and with noise far above the
    target's scale (the noisy panel's errors lie a decade above the clean panel's)."""
    root = tmp_path_factory.mktemp("grid2")
    for n in (3, 9, 17):
        for noise in (0.0, 5.0):
            for seed in (1, 2):
                point = f"num_train={n},noise_std={noise}"
                cfg = toyexp.load_config("recon", seed=seed, overrides=[
                    *TINY, f"dataset.num_train={n}", f"{NOISE}={noise}", f"experiment.output_dir={root}/recon/regression/{point}",
                    f'experiment.grid_point={{"{SAMPLES}": {n}, "{NOISE}": {noise}}}'])
                run_all(cfg, figures=False)
    return grid_results(collect(root), "recon")


@pytest.mark.training
def test_every_panels_curves_lie_inside_the_shared_axis(grid):
    """Guards against fixing the shared log axis from the first panel alone, which cut off the
    noisy panel's curves above it."""
    fig = metric_curves(grid, L2, "recon")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines and ax.get_ylabel() == "l2 (geometric mean)"]
    assert len(panels) == 2
    assert panels[0].get_yscale() == "log"
    top = max(float(np.nanmax(line.get_ydata())) for ax in panels for line in ax.lines if len(line.get_ydata()) > 2)
    for ax in panels:
        low, high = ax.get_ylim()
        assert high >= top, (ax.get_title(), high, top)


@pytest.mark.training
def test_winner_map_has_a_cell_per_point_at_page_width(grid):
    """Two keys: one map, sample count x noise, no wider than the page (9 in)."""
    fig = winner_maps(grid, "recon")
    maps = [ax for ax in fig.axes if ax.patches]
    assert len(maps) == 1
    assert len(maps[0].patches) == 6  # one cell per point
    width, height = fig.get_size_inches()
    assert width <= 9


def test_a_mean_of_zero_does_not_set_the_log_axis():
    """Guards the regimes page's warning "Attempt to set non-positive ylim on a log-scaled axis":
    a row whose mean is exactly 0 set the floor to 0, which a log axis ignores with a warning
    (printed on the page with the machine's path)."""
    assert log_floor(np.array([0.06, 0.3])) == pytest.approx(0.02)
    assert log_floor(np.array([0.0, 3e-3, 0.2])) is None
    assert log_floor(np.array([-1e-17, 0.2])) is None
