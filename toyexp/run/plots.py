"""Figures of one run. Each function returns a matplotlib Figure; :func:`save` writes it atomically."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..core.metrics import Evaluation
from ..core.train import History
from . import style
from .files import atomic_write


def png(fig: Figure, dpi: int = 100) -> bytes:
    """``fig`` rendered once as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=dpi, format="png")
    return buffer.getvalue()


def show_png(data: bytes) -> None:
    """Display PNG bytes in the notebook (instead of a second render by the inline backend)."""
    from IPython.display import Image, display

    display(Image(data=data, format="png"))


def save(fig: Figure, path: Path, dpi: int = 100) -> bytes:
    """Render ``fig`` once as PNG, write it atomically to ``path`` and return the bytes."""
    data = png(fig, dpi)
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))
    return data


def save_all(figures: dict[str, Figure], folder: Path) -> list[bytes]:
    """Save each figure as ``folder/<name>.png`` and close it; the PNGs, in order."""
    pngs = []
    for name, fig in figures.items():
        pngs.append(save(fig, folder / f"{name}.png"))
        plt.close(fig)
    return pngs


def save_and_show(figures: dict[str, Figure], folder: Path) -> None:
    """Save each figure as ``folder/<name>.png`` and show that same PNG in the notebook."""
    for data in save_all(figures, folder):
        show_png(data)


def run_title(cfg) -> str:
    """``<task> · <variant> · seed <seed>``, the title of every figure of a run."""
    return f"{cfg.experiment.task} · {cfg.experiment.variant} · seed {cfg.experiment.seed}"


def run_figures(ctx, trained, result) -> dict[str, Figure]:
    """The figures of a run (a RunContext, its TrainResult and RunResult): training curves,
    predictions, errors, error against NFE (when the mode integrates), then the task's own."""
    title, data = run_title(ctx.cfg), ctx.data
    grid = (result.c_grid, result.x_grid, result.pred_grid)
    figures = {
        "training_curves": training_curves(trained.history, title),
        "predictions": predictions(*grid, data.c_train, x_train=data.x_train, title=title),
        "errors": errors(*grid, data.c_train, title=title),
    }
    if ctx.mode.integrates:
        figures["error_vs_nfe"] = error_vs_nfe(result.evaluations, title)
    return figures | ctx.task.figures(data, result, title)


def training_curves(history: History, title: str = "") -> Figure:
    """Training loss per epoch and evaluation RMSE, both on log scales."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
    a.plot(history.epochs, history.train_loss, lw=0.8, label="training loss (mean per epoch)")
    a.set(xlabel="epoch", ylabel="loss", yscale="log", title="training loss")
    b.plot(history.eval_epochs, history.eval_l2, "o-", ms=3, label="evaluation RMSE (l2)")
    b.set(xlabel="epoch", ylabel="RMSE", yscale="log", title="evaluation error")
    for ax in (a, b):
        ax.legend(loc="upper right")
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


def predictions(c_grid, x_grid, pred_grid, c_train, *, x_train, title: str = "", max_dims: int = 4) -> Figure:
    """Prediction against the target on a dense grid, with the training samples, per output dimension."""
    dims = min(x_grid.shape[1], max_dims)
    fig, axes = plt.subplots(dims, 1, figsize=(9, 2.8 * dims), sharex=True, squeeze=False, layout="constrained")
    for d, ax in enumerate(axes[:, 0]):
        ax.plot(c_grid[:, 0], x_grid[:, d], "k-", lw=1.2, label="target f(c)")
        ax.plot(c_grid[:, 0], pred_grid[:, d], "C1-", lw=1.0, label="prediction")
        ax.plot(c_train[:, 0], x_train[:, d], "o", ms=4, mfc="none", mec="C0", label="training samples")
        ax.set(ylabel=f"x[{d}]" if dims > 1 else "x = f(c)")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", ncol=3, fontsize="small")
    axes[-1, 0].set_xlabel("condition c")
    fig.suptitle(title)
    return fig


def errors(c_grid, x_grid, pred_grid, c_train, *, title: str = "") -> Figure:
    """Pointwise error |prediction - target| along c (training inputs marked) and its histogram."""
    err = np.linalg.norm(np.asarray(pred_grid) - np.asarray(x_grid), axis=1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.5), gridspec_kw={"width_ratios": [2.2, 1]}, layout="constrained")
    a.semilogy(c_grid[:, 0], err + 1e-12, lw=0.8, label="|prediction - target|")
    a.vlines(np.asarray(c_train)[:, 0], 0, 1, transform=a.get_xaxis_transform(), color="0.8", lw=0.5, zorder=0, label="training inputs")
    a.set(xlabel="condition c", ylabel="absolute error (log)", title="error along c")
    a.legend(loc="upper right", fontsize="small")
    b.hist(err, bins=40, color="C2", label=f"{len(err)} grid points")
    b.set(xlabel="absolute error", ylabel="count", title="error distribution")
    b.legend(loc="upper right", fontsize="small")
    fig.suptitle(title)
    return fig


def error_vs_nfe(evaluations: list[Evaluation], title: str = "") -> Figure:
    """Evaluation RMSE against network evaluations: a line per fixed-step integrator through its
    step counts, and an adaptive one (dopri5) as points, one per tolerance, at the NFE it counted.
    The legend sits to the right of the axes, clear of the data."""
    style.use()
    fig, ax = plt.subplots(figsize=(7.2, 3.8), layout="constrained")
    for method in dict.fromkeys(e.method for e in evaluations):
        runs = [e for e in evaluations if e.method == method]
        nfe, l2 = [e.nfe for e in runs], [e.l2 for e in runs]
        if runs[0].tolerance is None:
            ax.plot(nfe, l2, "o-", color=style.colour(method), label=method)
        else:  # no line: the solver, not the config, chose each NFE
            ax.plot(nfe, l2, "D", ls="none", ms=7, color=style.colour(method), label=f"{method} (one point per rtol)")
            for e in runs:
                ax.annotate(f"{e.tolerance.rtol:.0e}", (e.nfe, e.l2), textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.set(xscale="log", yscale="log", xlabel="network evaluations (NFE)", ylabel="RMSE (l2)", title=title or "error against integration cost")
    ax.legend(title="integrator", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    ax.grid(alpha=0.3, which="both")
    return fig
