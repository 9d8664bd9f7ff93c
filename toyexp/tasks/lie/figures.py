"""Figures of one lie run: components against c, and the direction metrics per velocity α."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

COORDINATES = "xyz"


def slow_and_fast(alphas, count: int = 3) -> list[int]:
    """Indices of up to ``count`` components spread over the velocities: slowest, ..., fastest."""
    order = np.argsort(np.asarray(alphas), kind="stable")
    picks = np.linspace(0, len(order) - 1, min(count, len(order))).round().astype(int)
    return [int(order[p]) for p in dict.fromkeys(picks)]


def rotation_components(c_grid, x_grid, pred_grid, c_train, *, x_train, alphas, n: int, components=None,
                        title: str = "") -> Figure:
    """Per chosen component i (one row each), the n coordinates of f_i(c) and of the prediction
    f̂_i(c) against c, with the training samples. Component i is x[i n : (i + 1) n]."""
    components = slow_and_fast(alphas) if components is None else list(components)
    alphas = np.asarray(alphas)
    c, ct = np.asarray(c_grid)[:, 0], np.asarray(c_train)[:, 0]
    fig, axes = plt.subplots(len(components), 1, figsize=(9, 2.8 * len(components)), sharex=True, squeeze=False, layout="constrained")
    for ax, i in zip(axes[:, 0], components):
        for j in range(n):
            d = i * n + j
            ax.plot(c, np.asarray(x_grid)[:, d], color=f"C{j}", lw=1.4, label=f"target, {COORDINATES[j]}")
            ax.plot(c, np.asarray(pred_grid)[:, d], color=f"C{j}", lw=1.0, ls="--", label=f"prediction, {COORDINATES[j]}")
            ax.plot(ct, np.asarray(x_train)[:, d], "o", ms=3.5, mfc="none", mec=f"C{j}")
        ax.set(ylabel=f"f_{i}(c)", title=f"component {i}, α = {alphas[i]:.3f}")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="best", ncol=n, fontsize="small")
    axes[-1, 0].set_xlabel("condition c (circles: training samples)")
    fig.suptitle(title)
    return fig


def velocity_metrics(per_velocity, title: str = "") -> Figure:
    """Left: cosine similarity to the true direction (mean and minimum over c) against α.
    Right: projection error off the true line (mean and maximum over c) against α, log scale."""
    alpha = np.array([p.alpha for p in per_velocity])
    get = lambda name: np.array([getattr(p, name) for p in per_velocity])  # noqa: E731
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    a.plot(alpha, get("cosine_mean"), "o-", color="C0", label="mean over c")
    a.plot(alpha, get("cosine_min"), "v:", color="C0", label="minimum over c")
    a.set(xlabel="velocity α", ylabel="cosine ⟨f̂_i, u_i⟩ / ‖f̂_i‖", title="cosine similarity")
    b.plot(alpha, get("projection_mean"), "o-", color="C3", label="mean over c")
    b.plot(alpha, get("projection_max"), "^:", color="C3", label="maximum over c")
    b.set(xlabel="velocity α", ylabel="‖(I − P_i) f̂_i‖ / ‖f̂_i‖", yscale="log", title="projection error")
    for ax in (a, b):
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3, which="both")
    fig.suptitle(title)
    return fig


def run_figures(data, result, title: str) -> dict[str, Figure]:
    """The lie figures of one run: the slowest, a middle and the fastest component against c,
    and the cosine and projection error per velocity."""
    return {
        "rotation_components": rotation_components(
            result.c_grid, result.x_grid, result.pred_grid, data.c_train, x_train=data.x_train, alphas=data.alphas,
            n=data.cfg.rotation_dim, title=title,
        ),
        "velocity_metrics": velocity_metrics(result.final.task_metrics.per_velocity, title),
    }
