"""What lie adds to the cross-seed analysis: direction metrics per velocity α, a figure and sentences.

:func:`velocity_curves` computes, once per variant, the mean ± 1 std over seeds of each
per-velocity number (``RotationMetrics.per_velocity``); the tables, the figure and the
sentences only read those curves.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ...core.stats import Band, Stat, mean_std
from ...report import NBSP, as_printed, change_text, format_number, format_stat, nowrap, seeds_text, with_ci
from ..base import Colour, Metric, Section, SummaryRow, TaskAnalysis

COSINE_MEAN = Metric("cosine_mean", "cosine to the true direction, mean", fmt=".4f")
COSINE_MIN = Metric("cosine_min", "cosine to the true direction, minimum", fmt=".4f")
PROJECTION_MEAN = Metric("projection_mean", "projection error, mean", fmt=".4f")
PROJECTION_MAX = Metric("projection_max", "projection error, maximum", fmt=".4f")
DIRECTION_METRICS = (COSINE_MEAN, COSINE_MIN, PROJECTION_MEAN, PROJECTION_MAX)


@dataclass(frozen=True)
class DirectionCurves:
    """One row's direction metrics against the velocity: each a Band over seeds with x = α_i (K,),
    one field per :data:`DIRECTION_METRICS` entry, of the same name."""

    cosine_mean: Band
    cosine_min: Band
    projection_mean: Band
    projection_max: Band

    def of(self, metric: Metric) -> Band:
        """The curve of one of :data:`DIRECTION_METRICS`."""
        return getattr(self, metric.name)


@dataclass(frozen=True)
class RotationAnalysis(TaskAnalysis):
    """lie's own numbers across seeds: each row's :class:`DirectionCurves`, by variant, in row order."""

    curves: dict[str, DirectionCurves]


def velocity_curves(row: SummaryRow) -> DirectionCurves:
    """The direction metrics per velocity over the seeds of ``row``: a Band per metric with
    x = α_i, from each seed's ``per_velocity`` (one entry per component, in order)."""
    per = [f.task_metrics.per_velocity for f in row.finals]
    alphas = np.array([p.alpha for p in per[0]])
    if any(len(p) != len(alphas) or not np.allclose([q.alpha for q in p], alphas) for p in per):
        raise ValueError(f"the seeds of {row.variant} have different velocities α")
    return DirectionCurves(**{m.name: Band(alphas, *mean_std([[getattr(q, m.name) for q in p] for p in per]), len(per))
                              for m in DIRECTION_METRICS})


def analyse(rows: list[SummaryRow]) -> RotationAnalysis:
    """Each row's direction metrics per velocity, computed once for the tables, figure and text."""
    return RotationAnalysis({r.variant: velocity_curves(r) for r in rows})


def velocity_table(curves: dict[str, DirectionCurves], metric: Metric = COSINE_MEAN, columns: int = 4, baselines=()) -> str:
    """Markdown tables of one per-velocity metric: a row per variant (the ``baselines`` marked), a
    column per α (at most ``columns`` to a table, so it fits the page), mean ± std over seeds."""
    alphas = next(iter(curves.values())).of(metric).x
    tables = []
    for start in range(0, len(alphas), columns):
        cols = range(start, min(start + columns, len(alphas)))
        lines = ["| variant | " + " | ".join(f"α = {alphas[i]:.3f}" for i in cols) + " |", "|---|" + "---:|" * len(cols)]
        for variant, c in curves.items():
            b = c.of(metric)
            label = f"*{variant}*" if variant in baselines else variant
            lines.append(f"| {label} | " + " | ".join(
                nowrap(format_stat(Stat(float(b.mean[i]), float(b.std[i]), b.n), metric.fmt, NBSP)) for i in cols) + " |")
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def velocity_figure(curves: dict[str, DirectionCurves], title: str = "", baselines=(), colour=lambda name: None) -> Figure:
    """Direction metrics against the velocity α, ``colour(name)`` per variant (``baselines`` dashed):
    mean cosine to the true direction (circles; minimum, triangles) and mean projection error
    (circles; maximum, triangles, log scale)."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    for i, (variant, c) in enumerate(curves.items()):
        shift = 0.02 * (i - (len(curves) - 1) / 2)  # side by side, so the error bars stay apart
        ls = "--" if variant in baselines else "-"
        for ax, mean, extreme in ((a, c.cosine_mean, c.cosine_min), (b, c.projection_mean, c.projection_max)):
            ax.errorbar(mean.x + shift, mean.mean, yerr=mean.std, fmt="o", ls=ls, ms=4, capsize=3,
                        color=colour(variant), label=variant)
            ax.errorbar(extreme.x + shift, extreme.mean, yerr=extreme.std, fmt="v", ls=":", ms=4, capsize=2,
                        color=colour(variant), alpha=0.6)
    a.set(xlabel="velocity α", ylabel="cosine (●: mean, ▼: minimum)", title="cosine to the true direction")
    b.set(xlabel="velocity α", ylabel="projection error (●: mean, ▼: max)", yscale="log", title="projection error")
    for ax in (a, b):
        ax.grid(alpha=0.3, which="both")
    handles, labels = a.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 6), frameon=False)
    fig.suptitle(f"{title} · mean ± 1 std over seeds, {seeds_text([c.cosine_mean.n for c in curves.values()])}")
    return fig


def velocity_section(rows: list[SummaryRow], analysis: RotationAnalysis, colour: Colour) -> Section:
    """The figure and the two tables of the direction metrics per velocity."""
    baselines = [r.variant for r in rows if r.baseline]
    curves = analysis.curves
    markdown = ("Baselines in italic. Mean cosine per velocity, mean ± std over seeds:\n\n" + velocity_table(curves, COSINE_MEAN, baselines=baselines)
                + "\n\nMean projection error per velocity, mean ± std over seeds:\n\n" + velocity_table(curves, PROJECTION_MEAN, baselines=baselines))
    return Section("Directions per velocity", markdown, [velocity_figure(curves, "lie: directions per velocity", baselines, colour)])


def rotation_sentences(rows: list[SummaryRow], analysis: RotationAnalysis) -> list[str]:
    """The cosine to the true directions per variant (with its 95 % interval), how the projection
    error grows with α, and why a baseline may leave the rotation group."""
    by = {r.variant: r for r in rows}
    cos = lambda v: by[v].stats[COSINE_MEAN]  # noqa: E731
    ranked = sorted(by, key=lambda v: -as_printed(cos(v).mean, ".4f"))
    out = ["Mean cosine between predicted and true component directions, highest first: "
           + "; ".join(f"{v} {with_ci(cos(v), '.4f')}" for v in ranked) + "."]
    curves = {v: analysis.curves[v].projection_mean for v in by}
    alphas = next(iter(curves.values())).x
    if len(alphas) > 1:
        out.append(f"From the slowest rotation (α = {alphas[0]:.2f}) to the fastest (α = {alphas[-1]:.2f}) the mean "
                   "projection error " + "; ".join(
                       f"{change_text(b.mean[0], b.mean[-1])} for {v} ({format_number(b.mean[0])} to {format_number(b.mean[-1])})"
                       for v, b in sorted(curves.items(), key=lambda item: item[1].mean[-1])) + ".")
    base = [r.variant for r in rows if r.baseline]
    if base:
        out.append(f"The baselines ({', '.join(base)}) interpolate each output coordinate on its own, so between the samples "
                   "their components may leave the rotation group (shrink, or point off the circle); the cosine and the "
                   "projection error above measure how far.")
    return out

