"""Error against NFE across seeds with an adaptive integrator: hand-made run folders with planted
numbers, so every mean, std and point on the figure is known in advance."""

import statistics

import matplotlib
import pytest

from toyexp.core.metrics import Evaluation
from toyexp.core.resolution import Tolerance
from toyexp.run import style
from toyexp.study.analysis import collect, figures, summary
from toyexp.study.analysis.collect import Member

matplotlib.use("Agg")


def euler(n, l2):
    return Evaluation(method="euler", resolution=n, nfe=n, l1=0.0, l2=l2)


def dopri5(rtol, nfe, l2):
    return Evaluation(method="dopri5", resolution=Tolerance(rtol, 1e-5), nfe=nfe, l1=0.0, l2=l2)


def curves_of(root):
    return summary.nfe_curves(tuple(Member.of(r) for r in collect.collect(root).select("recon", "flow")))


# seed -> its evaluations; dopri5's counted NFE differs from seed to seed, and the runs list
# the tolerances tight first, so the curve must put them in order itself
PLANTED = {
    1: [euler(1, 0.4), euler(4, 0.1), dopri5(1e-4, 50, 0.002), dopri5(1e-2, 14, 0.03)],
    2: [euler(1, 0.6), euler(4, 0.2), dopri5(1e-4, 62, 0.004), dopri5(1e-2, 20, 0.05)],
    3: [euler(1, 0.5), euler(4, 0.3), dopri5(1e-4, 56, 0.003), dopri5(1e-2, 26, 0.04)],
}


@pytest.fixture
def curves(tmp_path, write_run):
    for seed, evals in PLANTED.items():
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": 0.0, "l2": 0.0}, evals)
    return curves_of(tmp_path)


def test_fixed_step_curve_is_unchanged_by_an_adaptive_method(curves):
    fixed, adaptive = curves
    assert (fixed.method, fixed.steps, fixed.nfe, fixed.rtol, fixed.adaptive) == ("euler", (1, 4), (1, 4), (), False)
    assert fixed.l2.mean == pytest.approx([0.5, 0.2])
    assert fixed.l2.std == pytest.approx([statistics.stdev([0.4, 0.6, 0.5]), statistics.stdev([0.1, 0.2, 0.3])])


def test_adaptive_method_is_a_point_set_per_tolerance(curves):
    _, d = curves
    assert (d.method, d.adaptive, d.steps, d.rtol) == ("dopri5", True, (), (1e-2, 1e-4))  # loose to tight
    assert d.seed_nfe.tolist() == [[14, 50], [20, 62], [26, 56]]  # (seed, tolerance), each seed's own count
    assert d.seed_l2.tolist() == [[0.03, 0.002], [0.05, 0.004], [0.04, 0.003]]
    assert d.nfe == pytest.approx((20.0, 56.0)) and d.l2.x == pytest.approx([20.0, 56.0])  # mean NFE over seeds
    assert d.l2.mean == pytest.approx([0.04, 0.003]) and d.l2.std == pytest.approx([0.01, 0.001])
    assert d.l2.n == 3


def test_a_tolerance_not_every_seed_ran_is_left_out(tmp_path, write_run):
    write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.0, "l2": 0.0}, [euler(1, 0.4), dopri5(1e-2, 14, 0.03), dopri5(1e-3, 30, 0.01)])
    write_run(tmp_path, "recon", "flow", "flow", 2, {"l1": 0.0, "l2": 0.0}, [euler(1, 0.6), dopri5(1e-2, 20, 0.05)])
    _, d = curves_of(tmp_path)
    assert d.rtol == (1e-2,) and d.seed_nfe.tolist() == [[14], [20]]


def test_step_counts_listed_out_of_order_make_an_ordered_curve(tmp_path, write_run):
    """rk4 at 2 then 1 steps (4 network evaluations a step): the curve runs 1, 2 steps at NFE 4, 8."""
    for seed in (1, 2):
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": 0.0, "l2": 0.0},
                  [Evaluation(method="rk4", resolution=n, nfe=4 * n, l1=0.0, l2=seed / n) for n in (2, 1)])
    (c,) = curves_of(tmp_path)
    assert (c.steps, c.nfe, c.adaptive) == ((1, 2), (4, 8), False)
    assert c.l2.mean == pytest.approx([1.5, 0.75])


def test_figure_shows_dopri5_as_points_with_seeds_and_mean(curves):
    fig = figures.error_vs_nfe({"flow": curves}, "recon")
    ax = fig.axes[0]
    handles, labels = ax.get_legend_handles_labels()
    assert labels == ["flow · euler", "flow · dopri5 (rtol 1e-02, 1e-04)"]
    seeds = [line for line in ax.get_lines() if line.get_marker() == "D" and line.get_markersize() == 4]
    (points,) = seeds  # every seed's point at every tolerance, unjoined
    assert points.get_linestyle() == "None"
    assert sorted(points.get_xdata()) == sorted([14, 50, 20, 62, 26, 56])
    means = [line for line in ax.get_lines() if line.get_marker() == "D" and line.get_markersize() == 8]
    (mean,) = means
    assert mean.get_linestyle() == "None" and list(mean.get_xdata()) == pytest.approx([20.0, 56.0])
    assert list(mean.get_ydata()) == pytest.approx([0.04, 0.003])
    euler_line = next(line for line in ax.get_lines() if line.get_marker() == "o")
    assert euler_line.get_linestyle() == "-"
    for line in (points, mean, euler_line):  # the variant's colour, whatever the integrator
        colour = line.get_markeredgecolor() if line is points else line.get_color()
        assert matplotlib.colors.same_color(colour, style.colour("flow"))
    fig.canvas.draw()
    legend, axes, figure = ax.get_legend().get_window_extent(), ax.get_window_extent(), fig.bbox
    assert legend.x0 >= axes.x1 and legend.x1 <= figure.x1  # right of the data, inside the figure
    assert ax.get_legend().get_texts()[0].get_fontsize() == style.FONT_SIZES["legend.fontsize"]
