"""Figures across seeds, readable at page width: a fixed colour per variant and baseline
(:func:`toyexp.run.style.colour`), the book's font sizes, horizontal bars so no label collides,
and legends outside the axes.

Bars show the centre of each row's summary over seeds with its 95 % t interval: the mean, or for
an error (log scale, :func:`~.summary.scale_of`) the geometric mean and its interval, which stays
positive on a log axis. The error against NFE shows geometric means and their intervals too;
bands and the curves between the samples the mean ± 1 std.
A baseline is drawn like a variant but dashed (curves) or hatched (bars). Each function takes
the summaries of :mod:`toyexp.study.analysis.summary`, keyed by variant, and returns a matplotlib Figure;
:func:`toyexp.run.plots.save` writes one.
"""

from __future__ import annotations

from collections.abc import Collection as Names

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ...report import seeds_text
from ...run import style
from ...tasks.base import Metric, SummaryRow
from .interpolation import Interpolation
from .summary import NfeCurve, PredictionBand

TARGET = "0.6"  # the target is grey and wide, under every prediction (regression itself is near black)


def _figure(nrows: int, ncols: int, figsize, **kw):
    """A figure with the book's font sizes and a constrained layout (room for outside legends)."""
    style.use()
    return plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, layout="constrained", **kw)


def _suptitle(fig: Figure, title: str, counts, what: str) -> None:
    fig.suptitle(f"{title} · {what}, {seeds_text(counts)}")


def metric_bars(rows: list[SummaryRow], metrics: tuple[Metric, ...], title: str = "", columns: int = 3) -> Figure:
    """One panel per final metric, up to ``columns`` to a row: a horizontal bar per variant and
    baseline (hatched) at the centre over seeds (the mean, or the geometric mean of an error;
    1 - mean for a ``complement`` metric; on a log axis for a ``log`` metric, an error, or when
    the values span more than two decades), with the 95 % interval of that centre as its error bar."""
    nrows = -(-len(metrics) // columns)
    cols = -(-len(metrics) // nrows)  # balanced: four metrics make a 2 x 2 grid, five 3 + 2
    fig, axes = _figure(nrows, cols, (4.0 * cols + 1.2, (0.32 * len(rows) + 1.3) * nrows))
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    y = np.arange(len(rows))[::-1]  # the first row on top
    for ax, metric in zip(axes.flat, metrics):
        s = [r.stats[metric] for r in rows]
        value = np.array([1 - v.centre if metric.complement else v.centre for v in s])
        ci = [(v.centre, v.centre) if v.ci is None else (v.ci.low, v.ci.high) for v in s]
        # the complement flips the interval: 1 - high is the new low
        below = np.array([v - (1 - hi if metric.complement else lo) for v, (lo, hi) in zip(value, ci)])
        above = np.array([(1 - lo if metric.complement else hi) - v for v, (lo, hi) in zip(value, ci)])
        # a log axis for a log metric or one summarised on the log scale, or for positive values
        # that span more than two decades
        log = metric.log or s[0].scale == "log" or (np.all(value > 0) and value.max() > 100 * value.min())
        low = np.minimum(below, 0.9 * value) if log else below  # a log axis cannot show a linear interval below 0
        for yi, r, v, lo, hi in zip(y, rows, value, low, above):
            ax.barh(yi, v, xerr=[[lo], [hi]], capsize=3, color=style.colour(r.variant), alpha=0.55 if r.baseline else 0.9,
                    hatch="//" if r.baseline else None, edgecolor="0.25", linewidth=0.6, error_kw={"elinewidth": 1.0})
        ax.set_yticks(y, [f"{r.variant} (baseline)" if r.baseline else r.variant for r in rows])
        xlabel = f"1 − {metric.name}" if metric.complement else metric.name
        ax.set(xlabel=xlabel + (" (geometric mean)" if s[0].scale == "log" else ""), xscale="log" if log else "linear")
        if not log:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))  # few enough that 4-decimal labels never touch
        ax.set_title(metric.label, fontsize="medium")
        ax.grid(alpha=0.3, axis="x", which="major")
    centre = "geometric mean" if all(r.stats[m].scale == "log" for r in rows for m in metrics) else "mean"
    _suptitle(fig, title, [r.n for r in rows], f"{centre} and 95 % CI over seeds")
    return fig


def prediction_bands(bands: dict[str, PredictionBand], title: str = "", max_dims: int = 2, columns: int = 3,
                     *, baselines: Names[str] = ()) -> Figure:
    """Per variant and output dimension: mean prediction ± 1 std over seeds against the target
    (grey) and the training samples; the ``baselines`` (names in ``bands``) share one panel per
    dimension, dashed. Panels wrap into rows of ``columns``, one block of rows per dimension.
    ``bands`` maps variant -> its PredictionBand."""
    nets = [v for v in bands if v not in baselines]
    panels = nets + (["baselines"] if any(v in bands for v in baselines) else [])
    dims = min(next(iter(bands.values())).x_grid.shape[1], max_dims)
    cols = min(columns, len(panels))
    rows_per_dim = -(-len(panels) // cols)
    fig, axes = _figure(dims * rows_per_dim, cols, (4.4 * cols, 2.7 * dims * rows_per_dim + 0.8), sharex=True)
    for d in range(dims):
        for k in range(len(panels), rows_per_dim * cols):
            axes[d * rows_per_dim + k // cols, k % cols].set_visible(False)
    for j, panel in enumerate(panels):
        for d in range(dims):
            ax = axes[d * rows_per_dim + j // cols, j % cols]
            shown = bands[nets[0] if panel == "baselines" else panel]
            band = shown.band
            ax.plot(band.x, shown.x_grid[:, d], color=TARGET, lw=2.4, zorder=1)
            for v in ([b for b in bands if b in baselines] if panel == "baselines" else [panel]):
                b = bands[v].band
                ax.plot(b.x, b.mean[:, d], color=style.colour(v), lw=1.1, ls="--" if v in baselines else "-", zorder=3)
                ax.fill_between(b.x, b.mean[:, d] - b.std[:, d], b.mean[:, d] + b.std[:, d], color=style.colour(v), alpha=0.3, zorder=2)
            ax.plot(shown.c_train[:, 0], shown.x_train[:, d], "o", ms=3.5, mfc="none", mec="0.2", zorder=4)
            ax.set_title(f"{panel} (n = {band.n})" if panel != "baselines" else "baselines (dashed)",
                         color=style.colour(panel) if panel != "baselines" else "0.2", fontsize="medium")
            ax.set(ylabel=f"x[{d}]")
            ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("condition c")
    handles = [Line2D([], [], color=TARGET, lw=2.4, label="target"),
               Line2D([], [], ls="", marker="o", mfc="none", mec="0.2", label="training samples")]
    handles += [Line2D([], [], color=style.colour(v), ls="--", label=v) for v in bands if v in baselines]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    _suptitle(fig, title, [b.band.n for b in bands.values()], "mean ± 1 std over seeds")
    return fig


def _legend_below(fig: Figure, ax, columns: int = 5) -> None:
    """The legend of ``ax`` below the axes, outside the data."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(columns, len(labels)), frameon=False)


def _curve_style(variant: str, baselines: Names[str]) -> dict:
    return {"color": style.colour(variant), "ls": "--" if variant in baselines else "-",
            "marker": None if variant in baselines else "o", "ms": 4}


def error_vs_distance(inter: dict[str, Interpolation], title: str = "", baselines: Names[str] = ()) -> Figure:
    """RMSE on the dense grid against the distance to the nearest training input, in units of h;
    the ``baselines`` (names in ``inter``) dashed."""
    fig, axes = _figure(1, 1, (9.0, 4.0))
    ax = axes[0, 0]
    for i, (variant, it) in enumerate(inter.items()):
        d = it.distance
        shift = 0.004 * (i - (len(inter) - 1) / 2)  # side by side, so the error bars stay apart
        ax.errorbar(d.x + shift, d.mean, yerr=d.std, capsize=3, label=variant, **_curve_style(variant, baselines))
    ax.set(xlabel="distance to the nearest training input / training spacing h", ylabel="RMSE on the grid", yscale="log")
    _legend_below(fig, ax)
    ax.grid(alpha=0.3, which="both")
    _suptitle(fig, title, [it.distance.n for it in inter.values()], "mean ± 1 std over seeds")
    return fig


def error_spectrum(inter: dict[str, Interpolation], title: str = "", baselines: Names[str] = ()) -> Figure:
    """Amplitude spectrum of the prediction error (log-log, so f = 0 is left out), with the
    target's frequencies ω/(2π) and the Nyquist frequency 1/(2h) of the training grid marked;
    the ``baselines`` dashed. Where the std exceeds the mean, the band runs off the bottom."""
    fig, axes = _figure(1, 1, (9.0, 4.0))
    ax = axes[0, 0]
    floor = max(min(float(i.spectrum.mean[1:].min()) for i in inter.values()), 1e-12)
    for variant, it in inter.items():
        f, mean, std = it.spectrum.x[1:], it.spectrum.mean[1:], it.spectrum.std[1:]
        st = _curve_style(variant, baselines)
        ax.loglog(f, mean, color=st["color"], ls=st["ls"], lw=1.0, label=variant)
        ax.fill_between(f, np.maximum(mean - std, floor / 1e3), mean + std, color=st["color"], alpha=0.2)
    it = next(iter(inter.values()))
    for k, f in enumerate(it.target_freqs if it.target_freqs is not None else []):
        ax.axvline(f, color="0.4", ls=":", lw=1.0, label="target frequencies ω/(2π)" if k == 0 else None)
    ax.axvline(it.nyquist, color="0.2", ls="-.", lw=1.0, label=f"Nyquist 1/(2h) = {it.nyquist:.2f}")
    ax.set(xlabel="frequency (cycles per unit c)", ylabel="error amplitude", ylim=(floor / 3, None))
    ax.set_title("Hann window, mean over output dimensions", fontsize="medium")
    _legend_below(fig, ax)
    ax.grid(alpha=0.3, which="both")
    _suptitle(fig, title, [i.spectrum.n for i in inter.values()], "mean ± 1 std over seeds")
    return fig


def _geometric(c: NfeCurve) -> tuple[np.ndarray, np.ndarray]:
    """A curve's geometric means (K,) and their intervals as (2, K) error bars below and above
    (zero for one seed); the interval is positive, so it never runs off a log axis."""
    points = [c.at(i) for i in range(len(c.nfe))]
    g = np.array([p.centre for p in points])
    low = np.array([p.ci.low if p.ci else p.centre for p in points])
    high = np.array([p.ci.high if p.ci else p.centre for p in points])
    return g, np.stack([g - low, high - g])


def error_vs_nfe(curves: dict[str, list[NfeCurve]], title: str = "") -> Figure:
    """Final model's l2 against network evaluations, colour per variant (style.colour), line style
    per fixed-step integrator: at each point the geometric mean l2 over the seeds with its 95 %
    interval (:meth:`~.summary.NfeCurve.at`; log scale, like every error). An adaptive integrator
    (dopri5) is a point set with no line: each seed's counted NFE and l2 at each tolerance as
    small open markers, their centre as a filled one (mean NFE ± 1 std; geometric mean l2 with
    its interval). The legend sits to the right of the axes, clear of the data."""
    style.use()
    fig, ax = plt.subplots(figsize=(9.6, 4.2))
    line_styles = ["o-", "s--", "^-.", "v:"]
    for variant, per_method in curves.items():
        colour = style.colour(variant)
        fixed = [c for c in per_method if not c.adaptive]
        for k, c in enumerate(fixed):
            ax.errorbar(c.l2.x, c.l2.mean, yerr=c.l2.std, fmt=line_styles[k % len(line_styles)], capsize=3,
                        color=colour, label=f"{variant} · {c.method}")
        for c in (c for c in per_method if c.adaptive):
            ax.plot(c.seed_nfe.ravel(), c.seed_l2.ravel(), "D", ls="none", ms=4, mfc="none", mec=colour, alpha=0.6)
            nfe_std = c.seed_nfe.std(axis=0, ddof=1) if len(c.seed_nfe) > 1 else None
            ax.errorbar(c.l2.x, c.l2.mean, xerr=nfe_std, yerr=c.l2.std, fmt="D", ls="none", ms=8, capsize=3,
                        color=colour, mec="k", label=f"{variant} · {c.method} (rtol " + ", ".join(f"{r:.0e}" for r in c.rtol) + ")")
    ax.set(xscale="log", yscale="log", xlabel="network evaluations (NFE)", ylabel="l2 (RMSE), geometric mean")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    ax.grid(alpha=0.3, which="both")
    _suptitle(fig, title, [c.l2.n for cs in curves.values() for c in cs], "geometric mean and 95 % CI over seeds")
    fig.tight_layout()
    return fig
