"""What lie adds to the cross-seed analysis: direction metrics per velocity α, a figure and sentences.

Every band is the mean ± 1 std over seeds of a per-velocity number in ``final["per_velocity"]``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ...core.stats import Band, Stat, change_text, format_stat, mean_std, seeds_text
from ..base import Metric, Section

DIRECTION_METRICS = (
    Metric("cosine_mean", ("cosine_mean",), "cosine to the true direction, mean", ".4f"),
    Metric("cosine_min", ("cosine_min",), "cosine to the true direction, minimum", ".4f"),
    Metric("projection_mean", ("projection_mean",), "projection error, mean", ".4f"),
    Metric("projection_max", ("projection_max",), "projection error, maximum", ".4f"),
)
SPEC = {m.name: m.spec for m in DIRECTION_METRICS}


def velocity_curves(finals: list[dict], name: str = "") -> dict[str, Band]:
    """The direction metrics per velocity over seeds: metric name -> Band with x = α_i, from each
    seed's final["per_velocity"] (one entry per component, in order)."""
    per = [f["per_velocity"] for f in finals]
    alphas = np.array([p["alpha"] for p in per[0]])
    if any(len(p) != len(alphas) or not np.allclose([q["alpha"] for q in p], alphas) for p in per):
        raise ValueError(f"the seeds of {name or 'a variant'} have different velocities α")
    return {m.name: Band(alphas, *mean_std([[q[m.name] for q in p] for p in per]), len(per)) for m in DIRECTION_METRICS}


def velocity_table(curves: dict[str, dict[str, Band]], name: str = "cosine_mean") -> str:
    """A Markdown table of one per-velocity metric: a row per α, a column per variant, mean ± std over seeds."""
    variants = list(curves)
    alphas = next(iter(curves.values()))[name].x
    lines = ["| α | " + " | ".join(variants) + " |", "|---:|" + "---:|" * len(variants)]
    for i, a in enumerate(alphas):
        cells = [format_stat(Stat(float(b.mean[i]), float(b.std[i]), b.n), SPEC[name]) for b in (curves[v][name] for v in variants)]
        lines.append(f"| {a:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def velocity_figure(curves: dict[str, dict[str, Band]], title: str = "") -> Figure:
    """Direction metrics against the velocity α, colour per variant: mean cosine to the true direction
    (solid; minimum dotted) and mean projection error (solid; maximum dotted, log scale)."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.0))
    for i, (variant, c) in enumerate(curves.items()):
        shift = 0.02 * (i - (len(curves) - 1) / 2)  # side by side, so the error bars stay apart
        for ax, mean, extreme in ((a, "cosine_mean", "cosine_min"), (b, "projection_mean", "projection_max")):
            ax.errorbar(c[mean].x + shift, c[mean].mean, yerr=c[mean].std, fmt="o-", capsize=3, color=f"C{i}", label=variant)
            ax.errorbar(c[extreme].x + shift, c[extreme].mean, yerr=c[extreme].std, fmt="v:", capsize=2, color=f"C{i}", alpha=0.6)
    a.set(xlabel="velocity α", ylabel="cosine (solid: mean, dotted: minimum)", title="cosine to the true direction")
    b.set(xlabel="velocity α", ylabel="projection error (solid: mean, dotted: max)", yscale="log", title="projection error")
    for ax in (a, b):
        ax.grid(alpha=0.3, which="both")
    a.legend(title="variant", fontsize="small")
    fig.suptitle(f"{title} · mean ± 1 std over seeds, {seeds_text([c['cosine_mean'].n for c in curves.values()])}")
    fig.tight_layout()
    return fig


def velocity_section(finals: dict[str, list[dict]]) -> Section:
    """The figure and the two tables of the direction metrics per velocity."""
    curves = {v: velocity_curves(f, v) for v, f in finals.items()}
    markdown = ("Mean cosine per velocity:\n\n" + velocity_table(curves, "cosine_mean")
                + "\n\nMean projection error per velocity:\n\n" + velocity_table(curves, "projection_mean"))
    return Section("Directions per velocity", markdown, [velocity_figure(curves, "lie: directions per velocity")])


def rotation_sentences(rows: dict, finals: dict[str, list[dict]]) -> list[str]:
    """The cosine to the true directions per variant, and how the projection error grows with α."""
    cos = lambda v: rows[v].stats["cosine_mean"]  # noqa: E731
    ranked = sorted(rows, key=lambda v: -cos(v).mean)
    out = ["Mean cosine between predicted and true component directions: "
           + ", ".join(f"{format_stat(cos(v), '.4f')} for {v}" for v in ranked) + "."]
    curves = {v: velocity_curves(finals[v], v)["projection_mean"] for v in rows}
    alphas = next(iter(curves.values())).x
    if len(alphas) > 1:
        out.append(f"From the slowest rotation (α = {alphas[0]:.2f}) to the fastest (α = {alphas[-1]:.2f}) the mean "
                   "projection error " + "; ".join(
                       f"{change_text(b.mean[0], b.mean[-1])} for {v} ({b.mean[0]:.4f} to {b.mean[-1]:.4f})"
                       for v, b in sorted(curves.items(), key=lambda item: item[1].mean[-1])) + ".")
    return out
