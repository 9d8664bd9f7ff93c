"""What lie adds to a run page and to the analysis across seeds (toyexp.tasks.lie.text and
.analysis): sentences, the per-velocity curves over seeds, their tables and figure, against rows
made by hand with round numbers."""

import math

import matplotlib
import pytest

from toyexp.core.stats import stat
from toyexp.tasks import get_task
from toyexp.tasks.base import Final, SummaryRow
from toyexp.tasks.lie.analysis import COSINE_MEAN, velocity_curves, velocity_table
from toyexp.tasks.lie.metrics import RotationMetrics, VelocityMetrics
from toyexp.tasks.lie.text import describe_rotation

matplotlib.use("Agg")
ALPHAS = [0.0, math.pi, 2 * math.pi]


def metrics(alphas, cosines, projections, mean=0.95) -> RotationMetrics:
    per = tuple(VelocityMetrics(c, c - 0.1, p, 2 * p, alpha=a) for a, c, p in zip(alphas, cosines, projections))
    return RotationMetrics(mean, min(cosines) - 0.1, sum(projections) / len(projections), 2 * max(projections), per_velocity=per)


def row(variant, mode, per_seed: dict[int, RotationMetrics]) -> SummaryRow:
    """A row as the analysis builds it: the finals of its seeds, each direction metric over them."""
    finals = tuple(Final(method="euler", resolution=1, nfe=1, l1=0.1, l2=0.2,
                         task_metrics=m) for m in per_seed.values())
    values = {m: tuple(m.of(f) for f in finals) for m in get_task("lie").summary_metrics}
    return SummaryRow(variant=variant, mode=mode, seeds=tuple(per_seed), finals=finals,
                      stats={k: stat(v) for k, v in values.items()}, values=values)


def test_describe_rotation_names_slowest_fastest_and_worst():
    text = describe_rotation(RotationMetrics(0.95, 0.5, 0.05, 0.4, per_velocity=metrics([0.0, 3.0, 6.0], [0.99, 0.9, 0.96],
                                                                                          [0.01, 0.2, 0.1]).per_velocity))
    assert "mean 0.9500, minimum 0.5000 over all points and 3 components" in text
    assert "mean 0.0500, maximum 0.4000" in text
    assert "slowest rotation (α = 0.000) has mean cosine 0.9900 and projection error 0.0100" in text
    assert "the fastest (α = 6.000) 0.9600 and 0.1000" in text
    assert "lowest mean cosine, 0.9000, is at α = 3.000" in text


def test_velocity_curves_and_table_over_seeds():
    flow = row("flow", "flow", {1: metrics(ALPHAS, [1.0, 0.9, 0.8], [0.01] * 3), 2: metrics(ALPHAS, [1.0, 0.7, 0.6], [0.02] * 3)})
    curves = velocity_curves(flow)
    band = curves.cosine_mean
    assert band.n == 2 and band.x.tolist() == pytest.approx(ALPHAS)
    assert band.mean.tolist() == pytest.approx([1.0, 0.8, 0.7])
    assert band.std.tolist() == pytest.approx([0.0, math.sqrt(0.02), math.sqrt(0.02)])
    assert curves.projection_max.mean.tolist() == pytest.approx([0.03] * 3)  # 2 p, p = 0.01 and 0.02
    table = velocity_table({"flow": curves}, COSINE_MEAN).replace("\u00a0", " ")
    assert table.splitlines()[0] == "| variant | α = 0.000 | α = 3.142 | α = 6.283 |"
    assert f"| flow | 1.0000 ± 0.0000 | 0.8000 ± {math.sqrt(0.02):.4f} | 0.7000 ± {math.sqrt(0.02):.4f} |" in table
    # at most ``columns`` velocities to a table, so a table never outgrows the page
    split = velocity_table({"flow": curves}, COSINE_MEAN, columns=2).split("\n\n")
    assert [t.splitlines()[0] for t in split] == ["| variant | α = 0.000 | α = 3.142 |", "| variant | α = 6.283 |"]
    marked = velocity_table({"flow": curves, "spline": curves}, COSINE_MEAN, baselines=["spline"])
    assert "| *spline* | 1.0000" in marked and "| flow | 1.0000" in marked


def test_velocity_curves_refuse_different_velocities():
    mixed = row("flow", "flow", {1: metrics([0.0, 6.0], [1.0, 1.0], [0.0, 0.0]), 2: metrics([0.0, 5.0], [1.0, 1.0], [0.0, 0.0])})
    with pytest.raises(ValueError, match="the seeds of flow have different velocities"):
        velocity_curves(mixed)


def test_the_task_computes_once_and_renders_from_it():
    """analyse() makes the curves; sections() and interpretation() only read them (and the rows)."""
    lie = get_task("lie")
    rows = [row("flow", "flow", {1: metrics(ALPHAS, [1.0, 0.9, 0.8], [0.01, 0.02, 0.04], mean=0.9),
                                 2: metrics(ALPHAS, [1.0, 0.7, 0.6], [0.01, 0.02, 0.04], mean=0.8)}),
            row("spline", None, {1: metrics(ALPHAS, [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], mean=1.0),
                                 2: metrics(ALPHAS, [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], mean=1.0)})]
    analysis = lie.analyse(rows)
    assert set(analysis.curves) == {"flow", "spline"} and analysis.curves["flow"].projection_mean.mean.tolist() == pytest.approx([0.01, 0.02, 0.04])
    (section,) = lie.sections(rows, analysis, colour=lambda name: None)
    assert section.title == "Directions per velocity" and "| *spline* |" in section.markdown and len(section.figures) == 1
    matplotlib.pyplot.close(section.figures[0])
    sentences = lie.interpretation(rows, analysis)
    assert sentences[0].startswith("Mean cosine between predicted and true component directions, highest first: spline 1.0000")
    assert "rises by 300.0% for flow (0.0100 to 0.0400)" in sentences[1] and "does not change for spline" in sentences[1]
    assert sentences[2].startswith("The baselines (spline) interpolate each output coordinate on its own")
