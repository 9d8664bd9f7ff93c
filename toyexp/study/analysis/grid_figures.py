"""Figures of a grid (:class:`~.grid.GridResults`): each metric against the first grid key, and who
wins where. They only read the grid's numbers.

Curves show the centre over seeds with its 95 % t interval as a band (the geometric mean and its
interval for an error, on a log axis: :func:`~.summary.scale_of`), one line per variant
(baselines dashed), a panel per combination of the other keys; for a sample-count axis the
top axis gives samples per cycle of the target's highest frequency and a dotted line marks
the Nyquist rate. Maps colour each point by its winner, hatched where the runner-up cannot be
told apart (Benjamini-Hochberg over the task's points).
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ...core.stats import FDR
from ...report import seeds_text
from ...run import style
from ...tasks.base import Metric
from .grid import NYQUIST, SAMPLES, Axis, Cell, GridResults, nyquist_samples
from .summary import scale_of

FDR_TEXT = f"Benjamini-Hochberg, FDR {100 * FDR:g} %"


def _panels(grid: GridResults) -> tuple[list[Axis], list[dict]]:
    """The keys other than the first, and each combination of their values (one panel each)."""
    others = list(grid.axes[1:])
    return others, [dict(zip((a.key for a in others), values)) for values in itertools.product(*(a.values for a in others))]


def _panel_title(panel: dict) -> str:
    return ", ".join(f"{k.split('.')[-1]} = {v}" for k, v in panel.items()) or "all points"


def _cells(grid: GridResults, panel: dict) -> list[Cell]:
    """The cells of one panel along the first key, in order."""
    first = grid.axes[0].key
    cells = [c for c in grid.cells if all(c.point[k] == v for k, v in panel.items())]
    return sorted(cells, key=lambda c: grid.axes[0].values.index(c.point[first]))


def metric_curves(grid: GridResults, metric: Metric, title: str = "") -> Figure:
    """``metric`` against the first grid key: a line per row at its centre over seeds (mean, or
    geometric mean for an error) with its 95 % interval as a band, a panel per combination of the
    other keys (a row of panels per value of the last key). On a log axis (an error, or means
    spanning more than two decades) the axis starts a third below the smallest centre, and a band
    whose interval reaches below that runs off the bottom."""
    style.use()
    others, panels = _panels(grid)
    cols = len(others[0].values) if others else 1
    nrows = -(-len(panels) // cols)
    curves = {i: _curves(grid, panel, metric) for i, panel in enumerate(panels)}
    means = np.concatenate([m for c in curves.values() for _, m, _, _ in c.values()] or [np.array([1.0])])
    on_log = scale_of(metric) == "log"
    log = metric.log or on_log or (means.min() > 0 and means.max() > 100 * means.min())
    floor = log_floor(means) if log else None
    # a band's lower end on a log axis: a tenth of the floor, or 0 (off the axis) without one
    band_floor = (floor / 10 if floor is not None else 0.0) if log else None
    fig, axes = plt.subplots(nrows, cols, figsize=(5.2 * cols, 3.6 * nrows + 0.9), squeeze=False, layout="constrained",
                             sharex=True, sharey=log)
    axis = grid.axes[0]
    for i, (ax, panel) in enumerate(zip(axes.flat, panels)):
        cells = _cells(grid, panel)
        for variant, (x, mean, low, high) in curves[i].items():
            baseline = cells[0].results.row(variant).baseline
            colour = style.colour(variant)
            ax.plot(x, mean, marker=None if baseline else "o", ms=4, ls="--" if baseline else "-", color=colour, label=variant)
            ax.fill_between(x, low if band_floor is None else np.maximum(low, band_floor), high, color=colour, alpha=0.15)
        _mark_nyquist(ax, cells)
        ax.set_title(_panel_title(panel), fontsize="medium")
        ax.set(xscale="log" if axis.log else "linear", yscale="log" if log else "linear",
               ylabel=(f"1 − {metric.name}" if metric.complement else metric.name) + (" (geometric mean)" if on_log else ""))
        ax.grid(alpha=0.3, which="both")
        _top_axis(ax, cells)
    if floor is not None:  # once every panel is drawn: the shared axis' top then covers them all
        axes.flat[0].set_ylim(bottom=floor)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(axis.name)
    handles = {}
    for ax in axes.flat[: len(panels)]:
        for h, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, h)
    fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncols=min(len(handles), 6), frameon=False)
    counts = [r.n for c in grid.cells for r in c.results.rows]
    fig.suptitle(f"{title} · {metric.label} · {'geometric mean' if on_log else 'mean'} and 95 % CI over seeds, {seeds_text(counts)}")
    return fig


def log_floor(means: np.ndarray) -> float | None:
    """The bottom of a log axis for curves of ``means``: a third of the smallest, so that it shows
    with room below; None (the axis finds its own) when a mean is 0 or less, which has no place on
    a log axis (1 - explained variance of a baseline that is exact to the last bit)."""
    low = float(means.min())
    return low / 3 if low > 0 else None


def _curves(grid: GridResults, panel: dict, metric: Metric) -> dict[str, tuple[np.ndarray, ...]]:
    """Each row's (x, centre, CI low, CI high) along the first key in one panel (1 − value for a
    complement metric); rows without the metric at every point are left out."""
    cells = _cells(grid, panel)
    x = np.array([c.point[grid.axes[0].key] for c in cells], dtype=float)
    out = {}
    for row in cells[0].results.rows:
        stats = [next((r for r in c.results.rows if r.variant == row.variant), None) for c in cells]
        stats = [r.stats.get(metric) if r else None for r in stats]
        if any(s is None for s in stats):
            continue
        mean = np.array([s.centre for s in stats])
        low = np.array([s.ci.low if s.ci else s.centre for s in stats])
        high = np.array([s.ci.high if s.ci else s.centre for s in stats])
        out[row.variant] = (x, 1 - mean, 1 - high, 1 - low) if metric.complement else (x, mean, low, high)
    return out


def _mark_nyquist(ax, cells: list[Cell]) -> None:
    """A dotted line at the sample count of the Nyquist rate, when the axis is one and it is in range."""
    if not cells or SAMPLES not in cells[0].point:
        return
    at = nyquist_samples(cells[0])
    lo, hi = cells[0].point[SAMPLES], cells[-1].point[SAMPLES]
    if at is not None and lo <= at <= hi:
        ax.axvline(at, color="0.3", ls=":", lw=1.0, label=f"Nyquist ({NYQUIST:g} samples per cycle)")


def _top_axis(ax, cells: list[Cell]) -> None:
    """Samples per cycle on a top axis, for a sample-count axis (they grow as N − 1)."""
    if not cells or SAMPLES not in cells[0].point or cells[0].samples_per_cycle is None:
        return
    c = cells[-1]
    per = c.samples_per_cycle / max(c.point[SAMPLES] - 1, 1)  # samples per cycle per interval of the grid
    top = ax.secondary_xaxis("top", functions=(lambda n: np.maximum(n - 1, 1e-9) * per, lambda s: 1 + s / per))
    top.set_xlabel("samples per cycle of f_max", fontsize="small")


def winner_maps(grid: GridResults, title: str = "") -> Figure:
    """Who wins where: a map per slice of the keys after the first two (one map for two keys, a
    strip for one), each point coloured by its winner, hatched where the runner-up is not
    distinguishable, and labelled with the winner."""
    style.use()
    slices = grid.slices()
    x_axis, y_axis = grid.axes[0], (grid.axes[1] if len(grid.axes) > 1 else None)
    ny = len(y_axis.values) if y_axis else 1
    # one map per row, so each is as wide as the page and its labels stay readable
    fig, axes = plt.subplots(len(slices), 1, figsize=(1.05 * len(x_axis.values) + 2.0, (0.55 * ny + 1.0) * len(slices) + 1.0),
                             squeeze=False, layout="constrained")
    winners = []
    for ax, part in zip(axes[:, 0], slices):
        for i, xv in enumerate(x_axis.values):
            for j, yv in enumerate(y_axis.values if y_axis else [None]):
                point = {x_axis.key: xv, **({y_axis.key: yv} if y_axis else {}), **part}
                cell = next((c for c in grid.cells if c.point == point), None)
                if cell is None:
                    continue
                w = cell.winner
                clear = w.test is not None and w.test.significant_after_bh
                ax.add_patch(plt.Rectangle((i - 0.5, j - 0.5), 1, 1, facecolor=style.colour(w.best.variant),
                                           alpha=0.85 if clear else 0.35, hatch=None if clear else "///", edgecolor="white"))
                dark = clear and sum(to_rgb(style.colour(w.best.variant))) < 1.2  # white text on a dark fill
                ax.text(i, j, w.best.variant.replace("_", "_\n"), ha="center", va="center", fontsize=9,
                        color="white" if dark else "black")
                winners.append(w.best.variant)
        ax.set_xlim(-0.5, len(x_axis.values) - 0.5)
        ax.set_ylim(-0.5, ny - 0.5)
        ax.set_xticks(range(len(x_axis.values)), [str(v) for v in x_axis.values])
        ax.set_yticks(range(ny), [str(v) for v in y_axis.values] if y_axis else [""])
        ax.set(xlabel=x_axis.name, ylabel=y_axis.name if y_axis else "")
        ax.set_title(_panel_title(part), fontsize="medium")
    handles = [Patch(color=style.colour(v), label=v) for v in dict.fromkeys(winners)]
    handles.append(Patch(facecolor="white", edgecolor="0.4", hatch="///", label=f"runner-up not distinguishable ({FDR_TEXT})"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3), frameon=False)  # fits a 5-column map
    fig.suptitle(f"{title} · lowest geometric mean l2 at each point")
    return fig
