"""Figures across seeds: every error bar and band is ±1 standard deviation over the seeds.

Each function takes the summaries of :mod:`toyexp.study.summary`, keyed by variant, and returns
a matplotlib Figure; :func:`toyexp.run.plots.save` writes one.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..core.stats import Band, SummaryRow, seeds_text
from ..run import style
from ..tasks import Metric
from .interpolation import Interpolation
from .summary import NfeCurve


def _title(fig: Figure, title: str, counts) -> None:
    fig.suptitle(f"{title} · mean ± 1 std over seeds, {seeds_text(counts)}")
    fig.tight_layout()


def metric_bars(rows: list[SummaryRow], metrics: tuple[Metric, ...], title: str = "") -> Figure:
    """One panel per final metric: a bar per variant at the mean (1 - mean for a ``complement``
    metric, on a log scale for a ``log`` one), error bar ±1 std."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * min(len(metrics), 3), 3.6), squeeze=False)
    variants = [r.variant for r in rows]
    for ax, metric in zip(axes[0], metrics):
        s = [r.stats[metric.name] for r in rows]
        mean = [1 - v.mean if metric.complement else v.mean for v in s]
        ax.bar(variants, mean, yerr=[v.std for v in s], capsize=4, color=[f"C{i}" for i in range(len(rows))])
        ax.set(ylabel=f"1 − {metric.label}" if metric.complement else metric.label, title=metric.name,
               yscale="log" if metric.log else "linear")
        ax.tick_params(axis="x", labelrotation=30)
        ax.grid(alpha=0.3, axis="y", which="both")
    _title(fig, title, [r.n for r in rows])
    return fig


def prediction_bands(bands: dict[str, tuple[Band, dict]], title: str = "", max_dims: int = 2, columns: int = 3) -> Figure:
    """Per variant and output dimension: mean prediction ± 1 std over seeds, the target and the
    training samples; variants wrap into rows of ``columns`` panels, one block of rows per dimension.
    ``bands`` maps variant -> summary.prediction_band(...)."""
    dims = min(next(iter(bands.values()))[1]["x_grid"].shape[1], max_dims)
    cols = min(columns, len(bands))
    rows_per_dim = -(-len(bands) // cols)
    fig, axes = plt.subplots(dims * rows_per_dim, cols, figsize=(4.6 * cols, 2.8 * dims * rows_per_dim),
                             sharex=True, squeeze=False)
    for ax in axes.flat[len(bands) * dims:]:
        ax.set_visible(False)
    for j, (variant, (band, arrays)) in enumerate(bands.items()):
        for d in range(dims):
            ax = axes[d * rows_per_dim + j // cols, j % cols]
            ax.plot(band.x, arrays["x_grid"][:, d], "k-", lw=1.2, label="target")
            ax.plot(band.x, band.mean[:, d], color=f"C{j}", lw=1.0, label="mean prediction")
            lo, hi = band.mean[:, d] - band.std[:, d], band.mean[:, d] + band.std[:, d]
            ax.fill_between(band.x, lo, hi, color=f"C{j}", alpha=0.3, label="± 1 std")
            ax.plot(arrays["c_train"][:, 0], arrays["x_train"][:, d], "o", ms=3.5, mfc="none", mec="0.3", label="training samples")
            ax.set(ylabel=f"x[{d}]", xlabel="condition c", title=f"{variant} (n = {band.n})")
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize="small", loc="upper right")
    _title(fig, title, [b.n for b, _ in bands.values()])
    return fig


def error_vs_distance(inter: dict[str, Interpolation], title: str = "") -> Figure:
    """RMSE on the dense grid against the distance to the nearest training input, in units of h."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for i, (variant, it) in enumerate(inter.items()):
        d = it.distance
        shift = 0.004 * (i - (len(inter) - 1) / 2)  # side by side, so the error bars stay apart
        ax.errorbar(d.x + shift, d.mean, yerr=d.std, fmt="o-", capsize=3, color=f"C{i}", label=variant)
    ax.set(xlabel="distance to the nearest training input / training spacing h", ylabel="RMSE on the grid")
    ax.legend(title="variant")
    ax.grid(alpha=0.3)
    _title(fig, title, [it.distance.n for it in inter.values()])
    return fig


def error_spectrum(inter: dict[str, Interpolation], title: str = "") -> Figure:
    """Amplitude spectrum of the prediction error (log-log, so f = 0 is left out), with the
    target's frequencies ω/(2π) and the Nyquist frequency 1/(2h) of the training grid marked.
    Where the std exceeds the mean, the band runs off the bottom of the axes."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    floor = min(float(i.spectrum.mean[1:].min()) for i in inter.values())
    for i, (variant, it) in enumerate(inter.items()):
        f, mean, std = it.spectrum.x[1:], it.spectrum.mean[1:], it.spectrum.std[1:]
        ax.loglog(f, mean, color=f"C{i}", lw=1.0, label=variant)
        ax.fill_between(f, np.maximum(mean - std, floor / 1e3), mean + std, color=f"C{i}", alpha=0.25)
    it = next(iter(inter.values()))
    for k, f in enumerate(it.target_freqs if it.target_freqs is not None else []):
        ax.axvline(f, color="0.4", ls=":", lw=1.0, label="target frequencies ω/(2π)" if k == 0 else None)
    ax.axvline(it.nyquist, color="C3", ls="--", lw=1.0, label=f"training-grid Nyquist 1/(2h) = {it.nyquist:.2f}")
    ax.set(xlabel="frequency (cycles per unit c)", ylabel="error amplitude", ylim=(max(floor, 1e-12) / 3, None))
    ax.set_title("error spectrum (Hann window, mean over output dimensions)", fontsize="medium")
    ax.legend(fontsize="small", loc="lower left")
    ax.grid(alpha=0.3, which="both")
    _title(fig, title, [i.spectrum.n for i in inter.values()])
    return fig


def error_vs_nfe(curves: dict[str, list[NfeCurve]], title: str = "") -> Figure:
    """Final model's l2 against network evaluations, colour per variant (style.colour), line style
    per fixed-step integrator. An adaptive integrator (dopri5) is a point set with no line: each
    seed's counted NFE and l2 at each tolerance as small open markers, their mean as a filled one
    with ±1 std in both NFE and l2. The legend sits to the right of the axes, clear of the data."""
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
    ax.set(xscale="log", yscale="log", xlabel="network evaluations (NFE)", ylabel="l2 (RMSE)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    ax.grid(alpha=0.3, which="both")
    _title(fig, title, [c.l2.n for cs in curves.values() for c in cs])
    return fig
