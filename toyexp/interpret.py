"""Sentences about an experiment across variants, every number and comparison computed from the runs."""

from __future__ import annotations

import numpy as np

from .analysis import METRIC, Collection, format_stat, nfe_curves, summary_table, velocity_curves
from .interpolation import interpolation_profile


def _change(first: float, last: float) -> str:
    if last == first:
        return "does not change"
    if last < first:
        return f"falls by {100 * (first - last) / first:.1f}%"
    return f"rises by {100 * (last - first) / first:.1f}%" if first > 0 else "rises from zero"


def _extremes(names: list[str], value, spec: str) -> tuple[str, str]:
    """The names with the lowest and with the highest value, ties (equal as printed) joined by "and"."""
    printed = {v: f"{value(v):{spec}}" for v in names}
    tied = lambda w: " and ".join(v for v in names if printed[v] == printed[w])  # noqa: E731
    return tied(min(names, key=value)), tied(max(names, key=value))


def interpretation(collection: Collection, experiment: str) -> str:
    """Sentences about one experiment across variants; every number and comparison is computed here.

    Compared: mean final l2 (lowest first, as a factor, and whether the gap exceeds s_a + s_b);
    the between/near RMSE ratio; the share of error energy above the Nyquist frequency 1/(2h);
    l2 from the fewest to the most steps per integrator; the subspace metrics where present.
    """
    rows = {r.variant: r for r in summary_table(collection, experiment)}
    if not rows:
        return f"There are no complete runs of {experiment} under {collection.root}."
    l2 = lambda v: rows[v].stats["l2"]  # noqa: E731
    ranked = sorted(rows, key=lambda v: l2(v).mean)
    best, spec = ranked[0], METRIC["l2"].spec
    seeds = f"{rows[best].n} seed" + "s" * (rows[best].n > 1)
    lowest = _extremes(ranked, lambda v: l2(v).mean, spec)[0]
    tie = f" (as printed, {lowest} tie)" if lowest != best else ""
    out = [f"{best} has the lowest mean final l2, {format_stat(l2(best), spec)} over {seeds}{tie}."]
    for v in ranked[1:]:
        a, b = l2(best), l2(v)
        gap = "" if min(a.n, b.n) < 2 else " (a gap {} the sum of their standard deviations)".format(
            "larger than" if b.mean - a.mean > a.std + b.std else "within")
        out.append(f"{v} reaches {format_stat(b, spec)}, {b.mean / a.mean if a.mean > 0 else np.inf:.2f} times as large{gap}.")

    inter = {v: interpolation_profile(collection.select(experiment, v)) for v in rows}
    ratio = sorted(inter, key=lambda v: inter[v].between_over_near.mean)
    out.append("The RMSE between training inputs (beyond h/4 of any) over the RMSE near them (within h/4) is "
               + ", ".join(f"{format_stat(inter[v].between_over_near, '.2f')} for {v}" for v in ratio) + ".")
    lo, hi = _extremes(ratio, lambda v: inter[v].between_over_near.mean, ".2f")
    if len(ratio) > 1:
        out.append(f"This ratio is largest for {hi} and smallest for {lo}." if lo != hi else "This ratio is alike for all variants.")
    above = sorted(inter, key=lambda v: inter[v].above_nyquist.mean, reverse=True)
    share = lambda v: 100 * inter[v].above_nyquist.mean  # noqa: E731
    out.append(f"Above the training grid's Nyquist frequency ({inter[above[0]].nyquist:.2f} cycles per unit c) lies "
               + ", ".join(f"{share(v):.2f}% of {v}'s" for v in above) + " error energy"
               + (f": the most for {_extremes(above, share, '.2f')[1]}." if len(above) > 1 else "."))

    for v in rows:
        for curve in nfe_curves(collection.select(experiment, v)):
            if len(curve.num_steps) > 1:
                first, last = curve.l2.mean[0], curve.l2.mean[-1]
                out.append(f"With {curve.method}, {v}'s mean l2 {_change(first, last)} from {curve.num_steps[0]} to "
                           f"{curve.num_steps[-1]} steps ({first:{spec}} to {last:{spec}}, NFE {curve.nfe[0]} to {curve.nfe[-1]}).")

    if all("max_angle_deg" in r.stats and "off_subspace" in r.stats for r in rows.values()):
        angle = lambda v: rows[v].stats["max_angle_deg"]  # noqa: E731
        off = lambda v: 100 * rows[v].stats["off_subspace"].mean  # noqa: E731
        near, far = _extremes(list(rows), lambda v: angle(v).mean, ".3f")
        inside, outside = _extremes(list(rows), off, ".3f")
        out.append("Largest principal angle to the true subspace: " + ", ".join(
            f"{format_stat(angle(v), '.3f')} degrees for {v}" for v in sorted(rows, key=lambda v: angle(v).mean))
            + (f"; {near} stays closest and {far} strays furthest." if near != far else "."))
        out.append("Share of a prediction's norm outside the subspace: " + ", ".join(
            f"{off(v):.3f}% for {v}" for v in sorted(rows, key=off))
            + (f"; smallest for {inside}, largest for {outside}." if inside != outside else "."))

    if all("cosine_mean" in r.stats for r in rows.values()):
        out += _rotation_sentences(collection, experiment, rows)
    return "\n".join(out)


def _rotation_sentences(collection: Collection, experiment: str, rows: dict) -> list[str]:
    """The rotation task: cosine to the true directions, and how the projection error grows with α."""
    cos = lambda v: rows[v].stats["cosine_mean"]  # noqa: E731
    ranked = sorted(rows, key=lambda v: -cos(v).mean)
    out = ["Mean cosine between predicted and true component directions: "
           + ", ".join(f"{format_stat(cos(v), '.4f')} for {v}" for v in ranked) + "."]
    curves = {v: velocity_curves(collection.select(experiment, v))["projection_mean"] for v in rows}
    alphas = next(iter(curves.values())).x
    if len(alphas) > 1:
        out.append(f"From the slowest rotation (α = {alphas[0]:.2f}) to the fastest (α = {alphas[-1]:.2f}) the mean "
                   "projection error " + "; ".join(
                       f"{_change(b.mean[0], b.mean[-1])} for {v} ({b.mean[0]:.4f} to {b.mean[-1]:.4f})"
                       for v, b in sorted(curves.items(), key=lambda item: item[1].mean[-1])) + ".")
    return out
