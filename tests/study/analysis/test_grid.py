"""A grid as axes: baselines refitted at every point, samples per cycle, rates over the points
above Nyquist, and winners with their correction — checked on real tiny runs at three sample counts."""

import math

import numpy as np
import pytest
import torch

import toyexp
from toyexp.core.baselines import linear
from toyexp.core.metrics import l2_error
from toyexp.run.steps import make_dataset, run_all
from toyexp.study.analysis.collect import collect
from toyexp.study.analysis.grid import NYQUIST, SAMPLES, grid_results
from toyexp.study.analysis.grid_text import grid_findings, headline
from toyexp.tasks.base import L2

SAMPLE_COUNTS = (3, 9, 17, 33)
TINY = ["training.num_steps=30", "network.hidden_dim=8", "network.num_layers=1", "dataset.num_eval=64",
        "dataset.max_frequency=2"]


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """recon, regression, two seeds, at four sample counts; run folders as a sweep lays them out."""
    root = tmp_path_factory.mktemp("grid")
    for n in SAMPLE_COUNTS:
        for seed in (1, 2):
            cfg = toyexp.load_config("recon", seed=seed, overrides=[
                *TINY, f"dataset.num_train={n}", f"experiment.output_dir={root}/recon/regression/num_train={n}",
                f'experiment.grid_point={{"{SAMPLES}": {n}}}'])
            run_all(cfg, figures=False)
    return grid_results(collect(root), "recon")


@pytest.mark.training
def test_baselines_are_refitted_to_each_points_samples(grid):
    """Guards against fitting the baselines once, on the first point's samples: at each point the
    linear baseline's l2 equals an independent fit to that point's own samples."""
    for cell in grid.cells:
        n = cell.point[SAMPLES]
        for member in cell.results.members["linear"]:
            assert len(member.predictions.c_train) == n
        seed = cell.results.members["linear"][0].seed
        data = make_dataset(toyexp.load_config("recon", seed=seed, overrides=[*TINY, f"dataset.num_train={n}"]))
        pred = linear(data.c_train.numpy(), data.x_train.numpy(), data.c_eval.numpy())
        expected = l2_error(torch.as_tensor(pred, dtype=torch.float32), data.x_eval)
        assert cell.results.members["linear"][0].final.l2 == pytest.approx(expected, rel=1e-6)
    l2 = [c.results.members["linear"][0].final.l2 for c in grid.cells]
    assert len(set(l2)) == len(l2)  # four different fits


@pytest.mark.training
def test_samples_per_cycle_and_the_nyquist_rate(grid):
    """f_max = 2 cycles per unit c, N grid samples on [0, 1]: (N - 1) / 2 samples per cycle."""
    for cell in grid.cells:
        n = cell.point[SAMPLES]
        assert cell.samples_per_cycle == pytest.approx((n - 1) / 2)
    below = [c.point[SAMPLES] for c in grid.cells if c.samples_per_cycle < NYQUIST]
    assert below == [3]


@pytest.mark.training
def test_rates_use_the_points_above_nyquist_and_each_seeds_slope(grid):
    """One slice (no other key); N = 9, 17, 33; regression's rate is the mean of its two seeds' slopes."""
    (part,) = grid.rates
    assert part.samples == (9, 17, 33) and part.slice == {}
    rows = {c.point[SAMPLES]: next(r for r in c.results.rows if r.variant == "regression") for c in grid.cells}
    slopes = []
    for seed in (1, 2):
        y = [rows[n].values[L2][rows[n].seeds.index(seed)] for n in part.samples]
        x = np.log(part.samples)
        slopes.append(np.polyfit(x, np.log(y), 1)[0])
    assert part.slopes["regression"].mean == pytest.approx(np.mean(slopes))
    assert part.slopes["regression"].n == 2


@pytest.mark.training
def test_winners_are_the_lowest_mean_l2_with_a_corrected_test(grid):
    for cell in grid.cells:
        lowest = min(cell.results.rows, key=lambda r: r.stats[L2].geometric_mean)
        assert cell.winner.best.variant == lowest.variant
        assert cell.winner.test.q >= cell.winner.test.paired.p or math.isnan(cell.winner.test.q)
    text = grid_findings(grid)
    assert "Benjamini-Hochberg" in text and "Rates in N" in text and "N = 9, 17, 33" in text
    line = headline(grid)
    wins = sum(c.winner.best.baseline for c in grid.cells)
    assert line.startswith(f"On recon, a classical baseline has the lowest l2 at {wins} of 4 grid points")
    beat = [c for c in grid.cells if c.network_versus_baseline.significant_after_bh and c.network_versus_baseline.paired.effect.geometric_mean < 1]
    assert (f"the best network beats the best baseline distinguishably at {len(beat)}" in line if beat
            else "no network beats the best baseline distinguishably at any of the 4." in line)
