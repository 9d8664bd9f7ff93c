"""The mechanism block of a study page: a figure of the path curves and sentences, both read
from a :class:`~.mechanism.MechanismStudy` (computed once; nothing here measures).

The figure has three panels against t (log axis; t = 0 is the endpoint, in the sentences): the
c-share S_c(t), the error against the exact velocity e_u(t) and the error against the c-free
field e_0(t). One colour per variant (the book's), lighter for fewer samples; lines are the
mean over seeds, bands ± 1 std.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from ...core.mechanism import STEPS
from ...run import style
from ..sweep.plan import short_point
from .mechanism import NUM_INPUTS, MechanismStudy, VariantMechanism, why

# What the reading below takes as "made at t = 0" and "fits the samples no better": thresholds, not fits.
EXPLAINED_AT_LEAST, SHARE_AT_MOST, RATIO_AT_LEAST = 90.0, 0.05, 0.7
EARLY, LATE = 1 / 16, 1 / 4  # the times the sentences read S_c at: the first Euler step of 16, and a quarter of the path

PANELS = (  # (what a seed gives, y label, log y)
    (lambda s: s.result.path.c_share, "c-share $S_c(t)$", True),
    (lambda s: s.result.path.error_exact, "RMS of $v - (x_1 - x_0)$", True),
    (lambda s: s.result.path.error_c_free, "RMS of $v(x_t, c_{\\pi}, t) - x_t / t$", True),
)


def _shade(colour: str, k: int, count: int) -> tuple[float, float, float]:
    """The colour mixed with white, the more the fewer samples (k: rank of N, 0 the fewest)."""
    mix = 0.55 * (count - 1 - k) / max(count - 1, 1)
    return tuple((1 - mix) * np.array(to_rgb(colour)) + mix)


def _label(m: VariantMechanism) -> str:
    return f"{m.variant}, N = {m.num_train}"  # the legend's title says where each variant starts


def figure(study: MechanismStudy, title: str = "") -> Figure:
    """S_c(t), e_u(t) and e_0(t) of every measured variant and N (module docstring)."""
    style.use()
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.0), layout="constrained")
    for variant in study.variants:
        runs = study.of(variant)
        for k, m in enumerate(runs):
            t = np.array(m.seeds[0].result.path.t)
            later = t > 0
            colour = _shade(style.colour(variant), k, len(runs))
            for ax, (read, _, _) in zip(axes, PANELS):
                values = m.values(read)[:, later]
                mean, sd = values.mean(0), values.std(0, ddof=1) if len(values) > 1 else np.zeros(later.sum())
                ax.plot(t[later], mean, color=colour, label=_label(m), marker="o", ms=2.5)
                ax.fill_between(t[later], mean - sd, mean + sd, color=colour, alpha=0.2, lw=0)
    for ax, (_, ylabel, log) in zip(axes, PANELS):
        ax.set(xscale="log", yscale="log" if log else "linear", xlabel="t (time along the path, log scale)", ylabel=ylabel)
        ax.axvline(EARLY, color="0.4", ls=":", lw=1)
        ax.grid(alpha=0.3, which="both")
    axes[0].set_title("how much v changes when only c is swapped", fontsize="medium")
    axes[1].set_title("error against the exact velocity (units of x)", fontsize="medium")
    axes[2].set_title("error against the c-free field x_t / t, given another c", fontsize="medium")
    handles, labels = axes[0].get_legend_handles_labels()
    per_variant = max(len(study.of(v)) for v in study.variants)
    # the legend fills column by column: interleave so that each row is one variant, N growing to the right
    order = sorted(range(len(labels)), key=lambda i: (i % per_variant, i // per_variant))
    starts = "; ".join(f"{v} from x_0 {'= 0' if study.of(v)[0].initial_dist == 'zeros' else '~ N(0, I)'}" for v in study.variants)
    fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="outside lower center",
               ncols=per_variant, frameon=False, title=starts, title_fontsize="small")
    seeds = sorted({len(m.seeds) for m in study.measured})
    fig.suptitle(f"{title} · the learned velocity on the training path · mean ± 1 std over "
                 f"{'–'.join(map(str, seeds))} seeds; dotted: t = 1/16, the first Euler step of 16")
    return fig


def _at(m: VariantMechanism, read, t: float) -> np.ndarray:
    """(S,) a path curve of each seed at the measured time t."""
    return m.values(read)[:, list(m.seeds[0].result.path.t).index(t)]


def _mean_sd(values: np.ndarray) -> str:
    sd = f" ± {values.std(ddof=1):.2f}" if len(values) > 1 else ""
    return f"{values.mean():.2f}{sd}"


def _span(values: list[float], fmt: str = ".2f") -> str:
    lo, hi = min(values), max(values)
    return f"{lo:{fmt}}" if f"{lo:{fmt}}" == f"{hi:{fmt}}" else f"{lo:{fmt}}–{hi:{fmt}}"


def sentences(study: MechanismStudy) -> str:
    """What the measurement shows for the variant from x_0 = 0, as Markdown; every number read from ``study``."""
    every = [m for m in study.measured if m.initial_dist == "zeros"]
    if not every:
        return "No run of the variant from x_0 = 0 in this slice had its final checkpoint: nothing measured."
    # below the Nyquist rate the samples do not determine f, and a few samples are met exactly at t = 0
    zero = [m for m in every if m.resolved] or every
    below = [m for m in every if m not in zero]
    final = STEPS[-1]
    share_early = [_at(m, PANELS[0][0], EARLY).mean() for m in zero]
    share_late = [_at(m, PANELS[0][0], LATE).mean() for m in zero]
    free_late = [_at(m, PANELS[2][0], LATE).mean() for m in zero]
    gap = [m.values(lambda s: s.result.endpoint(final).gap).mean() for m in zero]
    explained = [100 * m.values(lambda s: s.result.endpoint(final).explained).mean() for m in zero]
    rows = "; ".join(
        f"N = {m.num_train}: {_mean_sd(m.values(lambda s: s.result.endpoint(final).l2))} after {final} steps, "
        f"{_mean_sd(m.values(lambda s: s.result.endpoint(1).l2))} at t = 0, "
        f"{_mean_sd(m.values(lambda s: s.train_l2))} at the training inputs" for m in zero)
    ratio = [m.values(lambda s: s.train_l2).mean() / m.values(lambda s: s.result.endpoint(1).l2).mean() for m in zero]
    where = ", ".join(f"`{k}` = {v}" + (f" ({why(k)})" if why(k) else "") for k, v in study.slice.items())
    counts = "–".join(map(str, sorted({len(m.seeds) for m in zero})))
    counts += " seed" if counts == "1" else " seeds"
    text = [
        f"Measured on the final checkpoints of `{zero[0].variant}` (from x_0 = 0)" + (f" at {where}" if where else "")
        + f", at every N, {counts} each, on {NUM_INPUTS} evaluation inputs of each run (Methods: the mechanism; "
        "numbers are means over seeds, ranges over N). At t = 0 the c-share is 1 by construction, since x_t = 0 "
        f"for every c; at t = 1/16 it is {_span(share_early)} and at t = 1/4 {_span(share_late, '.3f')}. Given "
        f"another input's c, the learned velocity differs from the c-free field x_t / t by an RMS of "
        f"{_span(free_late)} at t = 1/4, against a velocity of RMS {zero[0].seeds[0].result.path.velocity_rms:.2f}.",
        f"After {final} Euler steps the prediction differs from the t = 0 output v(0, c, 0) by an RMS of "
        f"{_span(gap)}, and v(0, c, 0) accounts for {_span(explained, '.1f')} % of its variation over c. The l2 "
        f"(mean ± std over seeds): {rows}.",
        _reading(min(explained), max(share_late), [float(r) for r in ratio]),
    ]
    if below:
        text.append("Left out of the ranges above, below the Nyquist rate (the samples do not determine f there): "
                    + "; ".join(f"N = {m.num_train} ({m.samples_per_cycle:.2g} samples per cycle): c-share "
                                f"{_at(m, PANELS[0][0], LATE).mean():.3f} at t = 1/4, the t = 0 output "
                                f"{100 * m.values(lambda s: s.result.endpoint(final).explained).mean():.1f} % of the prediction, "
                                f"its l2 {_mean_sd(m.values(lambda s: s.train_l2))} at the training inputs against "
                                f"{_mean_sd(m.values(lambda s: s.result.endpoint(1).l2))} between them" for m in below) + ".")
    if study.missing:
        text.append(f"{len(study.missing)} run(s) of this slice had no final checkpoint and are left out.")
    return "\n\n".join(text)


def _reading(explained: float, share: float, ratio: list[float]) -> str:
    """The sentence that says whether the hypothesis holds, from the lowest share of the final prediction
    the t = 0 output accounts for (%), the highest c-share at t = 1/4, and the t = 0 output's l2 at the
    training inputs over its l2 on the evaluation inputs, per N."""
    made_at_zero = explained >= EXPLAINED_AT_LEAST and share <= SHARE_AT_MOST
    head = ("The hypothesis holds here: beyond the first steps the learned velocity hardly reads c, so the "
            "prediction is made at t = 0 and carried through the steps."
            if made_at_zero else
            f"The hypothesis does not hold in full here: at some N the c-share at t = 1/4 exceeds {SHARE_AT_MOST:g} "
            f"or the t = 0 output accounts for less than {EXPLAINED_AT_LEAST:g} % of the prediction.")
    fit = (f"At its training inputs the t = 0 output's l2 is {_span(ratio)} times its l2 on the evaluation inputs: "
           + ("it fits the samples hardly better than the points between them, so more samples do not lower its "
              "error; what limits it is how well v(0, c, 0) is learned from the draws of t near 0, the only ones "
              "that need c." if min(ratio) >= RATIO_AT_LEAST else
              "it fits the samples clearly better than the points between them, so the error is between the samples."))
    return f"{head} {fit}"


def headline(study: MechanismStudy) -> str:
    """One sentence for the abstract: where the variant from x_0 = 0 reads c, and how much of its
    prediction its t = 0 output is ("" when nothing was measured)."""
    zero = [m for m in study.measured if m.initial_dist == "zeros" and m.resolved]
    if not zero:
        return ""
    final = STEPS[-1]
    share_late = [_at(m, PANELS[0][0], LATE).mean() for m in zero]
    explained = [100 * m.values(lambda s: s.result.endpoint(final).explained).mean() for m in zero]
    ns = sorted(m.num_train for m in zero)
    holds = min(explained) >= EXPLAINED_AT_LEAST and max(share_late) <= SHARE_AT_MOST
    return (f"Flow from x_0 = 0 reads c {'only' if holds else 'mostly'} near t = 0 (its velocity's c-share at t = 1/4: "
            f"{_span(share_late, '.3f')}), and its t = 0 output makes {_span(explained, '.0f')} % of its prediction "
            f"({short_point(study.slice)}, N = {ns[0]}-{ns[-1]}).")
