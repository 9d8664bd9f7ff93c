"""Sentences about a task across variants, every number and comparison computed from the runs.

The sentences every task gets (error, between the samples, cost) are written here; the task
adds its own through ``Task.interpretation``."""

from __future__ import annotations

import numpy as np

from ..core.stats import change_text, extremes, format_stat
from ..tasks import get_task
from .collect import Collection
from .interpolation import interpolation_profile
from .summary import ERRORS, nfe_curves, summary_table


def interpretation(collection: Collection, task: str) -> str:
    """Sentences about one task across variants; every number and comparison is computed here.

    Compared: mean final l2 (lowest first, as a factor, and whether the gap exceeds s_a + s_b);
    the between/near RMSE ratio; the share of error energy above the Nyquist frequency 1/(2h);
    l2 from the fewest to the most steps per integrator; then the task's own sentences.
    """
    rows = {r.variant: r for r in summary_table(collection, task)}
    if not rows:
        return f"There are no complete runs of {task} under {collection.root}."
    l2 = lambda v: rows[v].stats["l2"]  # noqa: E731
    ranked = sorted(rows, key=lambda v: l2(v).mean)
    best, spec = ranked[0], ERRORS[1].spec
    seeds = f"{rows[best].n} seed" + "s" * (rows[best].n > 1)
    lowest = extremes(ranked, lambda v: l2(v).mean, spec)[0]
    tie = f" (as printed, {lowest} tie)" if lowest != best else ""
    out = [f"{best} has the lowest mean final l2, {format_stat(l2(best), spec)} over {seeds}{tie}."]
    for v in ranked[1:]:
        a, b = l2(best), l2(v)
        gap = "" if min(a.n, b.n) < 2 else " (a gap {} the sum of their standard deviations)".format(
            "larger than" if b.mean - a.mean > a.std + b.std else "within")
        out.append(f"{v} reaches {format_stat(b, spec)}, {b.mean / a.mean if a.mean > 0 else np.inf:.2f} times as large{gap}.")

    inter = {v: interpolation_profile(collection.select(task, v)) for v in rows}
    ratio = sorted(inter, key=lambda v: inter[v].between_over_near.mean)
    out.append("The RMSE between training inputs (beyond h/4 of any) over the RMSE near them (within h/4) is "
               + ", ".join(f"{format_stat(inter[v].between_over_near, '.2f')} for {v}" for v in ratio) + ".")
    lo, hi = extremes(ratio, lambda v: inter[v].between_over_near.mean, ".2f")
    if len(ratio) > 1:
        out.append(f"This ratio is largest for {hi} and smallest for {lo}." if lo != hi else "This ratio is alike for all variants.")
    above = sorted(inter, key=lambda v: inter[v].above_nyquist.mean, reverse=True)
    share = lambda v: 100 * inter[v].above_nyquist.mean  # noqa: E731
    out.append(f"Above the training grid's Nyquist frequency ({inter[above[0]].nyquist:.2f} cycles per unit c) lies "
               + ", ".join(f"{share(v):.2f}% of {v}'s" for v in above) + " error energy"
               + (f": the most for {extremes(above, share, '.2f')[1]}." if len(above) > 1 else "."))

    for v in rows:
        for curve in nfe_curves(collection.select(task, v)):
            if len(curve.num_steps) > 1:
                first, last = curve.l2.mean[0], curve.l2.mean[-1]
                out.append(f"With {curve.method}, {v}'s mean l2 {change_text(first, last)} from {curve.num_steps[0]} to "
                           f"{curve.num_steps[-1]} steps ({first:{spec}} to {last:{spec}}, NFE {curve.nfe[0]} to {curve.nfe[-1]}).")

    finals = {v: [r.metrics["final"] for r in collection.select(task, v)] for v in rows}
    out += get_task(task).interpretation(list(rows.values()), finals)
    return "\n".join(out)
