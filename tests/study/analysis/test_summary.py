"""Numbers across seeds against known answers: hand-made run folders with planted metrics and
predictions, summarised into rows, paired comparisons and prediction bands."""

import math
import statistics

import numpy as np
import pytest

from toyexp.study.analysis import collect, summary
from toyexp.study.analysis.collect import Member
from toyexp.tasks.projection.metrics import ProjectionMetrics
from toyexp.tasks.base import ERRORS, L1, L2
from toyexp.tasks.projection.analysis import MAX_ANGLE, SUBSPACE_METRICS

EXPLAINED_TOP = next(m for m in SUBSPACE_METRICS if m.name == "explained_variance_top")


def members(c: collect.Collection, task: str, variant: str) -> tuple[Member, ...]:
    return tuple(Member.of(r) for r in c.select(task, variant))


def test_summary_mean_and_sample_std(tmp_path, write_run):
    l1, l2 = [1.0, 2.0, 4.0], [0.1, 0.2, 0.6]
    for seed, a, b in zip((1, 2, 3), l1, l2):
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": a, "l2": b})
    write_run(tmp_path, "recon", "regression", "regression", 5, {"l1": 0.5, "l2": 0.25})
    c = collect.collect(tmp_path)
    flow = summary.summary_row("flow", "flow", members(c, "recon", "flow"), "recon")
    reg = summary.summary_row("regression", "regression", members(c, "recon", "regression"), "recon")
    assert flow.n == 3 and flow.seeds == (1, 2, 3) and not flow.baseline
    assert flow.values[L2] == tuple(l2)
    # the errors are on the log scale: geometric mean (0.1 * 0.2 * 0.6)^(1/3), std of the logs
    assert flow.stats[L2].scale == "log" and summary.scale_of(L2) == summary.scale_of(L1) == "log"
    assert flow.stats[L2].geometric_mean == pytest.approx((0.1 * 0.2 * 0.6) ** (1 / 3))
    assert flow.stats[L2].log_std == pytest.approx(statistics.stdev([math.log(v) for v in l2]))
    m = sum(math.log(v) for v in l1) / 3
    assert flow.stats[L1].factor == pytest.approx(math.exp(math.sqrt(sum((math.log(v) - m) ** 2 for v in l1) / 2)))
    assert reg.n == 1 and reg.stats[L2].log_std == 0.0 and reg.stats[L2].ci is None
    assert set(reg.stats) == {L1, L2}  # recon has no metrics of its own
    assert summary.summary_row("linear", None, members(c, "recon", "flow"), "recon").baseline


def test_task_metrics_enter_the_row(tmp_path, write_run):
    for seed, angle in ((1, 2.0), (2, 4.0)):
        own = ProjectionMetrics(max_angle_deg=angle, projection_distance=0.01, explained_variance_true=0.99,
                                explained_variance_top=0.995, off_subspace=0.03)
        write_run(tmp_path, "projection", "flow", "flow", seed, {"l1": 0.1, "l2": 0.2, "task_metrics": own})
    row = summary.summary_row("flow", "flow", members(collect.collect(tmp_path), "projection", "flow"), "projection")
    assert [m.name for m in summary.metrics_of("projection")] == ["l1", "l2", *(m.name for m in row.stats if m not in ERRORS)]
    assert row.stats[MAX_ANGLE].scale == "linear" and summary.scale_of(MAX_ANGLE) == "linear"
    assert row.stats[MAX_ANGLE].mean == pytest.approx(3.0)
    assert row.stats[MAX_ANGLE].std == pytest.approx(math.sqrt(2.0))
    assert row.values[EXPLAINED_TOP] == (0.995, 0.995)


def test_compare_pairs_by_the_seeds_both_report(tmp_path, write_run):
    """Guards the pairing: log b − log a seed by seed over the seeds common to both rows, whatever
    order or extra seeds each has; the paired t interval from the log ratios' own std."""
    for seed, l2 in ((1, 0.1), (2, 0.2), (3, 0.3)):
        write_run(tmp_path, "recon", "regression", "regression", seed, {"l1": l2, "l2": l2})
    for seed, l2 in ((2, 0.25), (3, 0.33), (4, 9.0)):  # seed 4 has no partner
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": l2, "l2": l2})
    c = collect.collect(tmp_path)
    reg = summary.summary_row("regression", "regression", members(c, "recon", "regression"), "recon")
    flow = summary.summary_row("flow", "flow", members(c, "recon", "flow"), "recon")
    versus = summary.compare(reg, flow, L2)
    d = [math.log(0.25 / 0.2), math.log(0.33 / 0.3)]  # seeds 2 and 3
    assert versus.n == 2 and versus.scale == "log" and versus.effect.log_mean == pytest.approx(sum(d) / 2)
    assert versus.effect.log_std == pytest.approx(statistics.stdev(d))
    half = 12.706 * statistics.stdev(d) / math.sqrt(2)  # t_{0.975, 1} from a table
    assert (versus.effect.ci.low, versus.effect.ci.high) == pytest.approx(
        (math.exp(sum(d) / 2 - half), math.exp(sum(d) / 2 + half)), rel=1e-4)
    assert summary.reference_row([flow, reg]) is reg  # regression when there is one
    gp = summary.summary_row("gp", None, members(c, "recon", "flow"), "recon")
    assert summary.reference_row([gp, flow]) is flow  # else the first trained variant, never a baseline


def test_prediction_band_over_seeds(tmp_path, write_run):
    for seed in (1, 3):
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": 0.1, "l2": 0.2})
    band = summary.prediction_band(members(collect.collect(tmp_path), "recon", "flow"))
    assert band.band.n == 2 and np.allclose(band.band.mean - band.x_grid, 0.03)  # offsets 0.02 and 0.04
    assert np.allclose(band.band.std, statistics.stdev([0.02, 0.04]))
    assert np.array_equal(band.band.x, np.linspace(0, 1, 101)) and band.c_train.shape == (11, 1)


def test_a_band_over_different_grids_is_refused(tmp_path, write_run):
    for seed in (1, 3):
        run_dir = write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": 0.1, "l2": 0.2})
    with np.load(run_dir / "predictions.npz") as z:
        arrays = dict(z)
    np.savez(run_dir / "predictions.npz", **arrays | {"c_grid": arrays["c_grid"] * 2})
    with pytest.raises(ValueError, match="the seeds of flow were predicted on different grids"):
        summary.prediction_band(members(collect.collect(tmp_path), "recon", "flow"), "flow")
