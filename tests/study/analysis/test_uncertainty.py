"""The uncertainty paragraph: a model's spread of single draws and the GP's posterior std, each over
its own l2, on planted numbers whose ratios are known."""

from types import SimpleNamespace as NS

from toyexp.core.metrics import Draws
from toyexp.tasks.base import L2
from toyexp.study.analysis.grid_text import uncertainty_paragraph


def row(variant, l2, draws=None):
    finals = tuple(NS(draws=d) for d in (draws or [None, None]))
    return NS(variant=variant, finals=finals, stats={L2: NS(centre=l2)})


def cell(noise, spread_fg, l2_fg, spread_gp, l2_gp):
    draws = [Draws(16, spread_fg * 0.5, 1.0), Draws(16, spread_fg * 1.5, 1.0)]  # mean over seeds: spread_fg
    results = NS(baseline_spreads={"gp": (spread_gp, spread_gp)}, networks=[row("regression", 0.1), row("flow-gaussian", l2_fg, draws)],
                 baselines=[row("gp", l2_gp)], row=lambda variant: row("gp", l2_gp))
    return NS(point={"dataset.noise_std": noise}, results=results)


def test_spread_over_error_ranges_by_noise_level():
    grid = NS(cells=[cell(0.0, 0.2, 0.1, 0.01, 0.02), cell(0.0, 0.3, 0.1, 0.02, 0.02), cell(0.2, 0.4, 0.2, 0.1, 0.1)])
    lines = uncertainty_paragraph(grid)
    assert len(lines) == 3
    assert lines[1] == ("- noise_std = 0.0: flow-gaussian's draws spread by 0.2–0.3 (2–3 × its l2); "
                        "the GP's posterior std is 0.01–0.02 (0.5–1 × its l2).")
    assert lines[2] == "- noise_std = 0.2: flow-gaussian's draws spread by 0.4 (2 × its l2); the GP's posterior std is 0.1 (1 × its l2)."


def test_nothing_without_draws_or_a_gp():
    grid = NS(cells=[NS(point={}, results=NS(baseline_spreads={}, networks=[row("flow", 0.1)], baselines=[]))])
    assert uncertainty_paragraph(grid) == []
