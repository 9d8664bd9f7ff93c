"""Whether the compared models have settled: how much each run's l2 still moves over its last
evaluations, and whether the comparisons would read the same one evaluation earlier.

A run records its evaluation l2 every ``training.eval_interval`` epochs (at the setting of its
``final``; the last is ``final`` itself). Over its last :data:`LAST` evaluations the run moves by
the factor max l2 / min l2 (1 for a settled model). The comparisons of each network with the
reference variant (paired by seed on log l2, Benjamini-Hochberg over every network and grid
point) are made twice: at the last evaluation and at the one before; a verdict (lower, higher, not
distinguishable) that differs between the two moved with the last step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.stats import adjusted_p, paired_log
from .collect import Collection, CollectedRun
from .verdicts import Test, Verdict

LAST = 3  # the evaluations a run's movement is measured over


@dataclass(frozen=True, kw_only=True)
class Settling:
    task: str
    factors: tuple[float, ...]  # per run: max / min of its l2 over its last LAST evaluations
    epochs: tuple[int, ...]  # those evaluations' epochs (of the first run)
    compared: int  # comparisons with the reference (network x grid point)
    agree: int  # of them, those with the same verdict at the last evaluation and at the one before

    def quantile(self, q: float) -> float:
        return float(np.quantile(self.factors, q))


def _verdicts(pairs: list[tuple[list[float], list[float]]]) -> list[Verdict]:
    """The verdict of each (reference l2s, network l2s) pair, on log l2, corrected together (:attr:`Test.verdict`)."""
    tests = [paired_log(a, b) for a, b in pairs]
    return [Test(t, float(q)).verdict for t, q in zip(tests, adjusted_p([t.p for t in tests]))]


def settling(collection: Collection, task: str, reference: str = "regression") -> Settling | None:
    """The settling of ``task``'s runs; None when a run has fewer than LAST evaluations."""
    runs = collection.select(task)
    if not runs or any(len(r.record.training.eval_l2) < LAST for r in runs):
        return None
    factors = tuple(max(r.record.training.eval_l2[-LAST:]) / min(r.record.training.eval_l2[-LAST:]) for r in runs)
    variants = collection.variants(task)
    reference = reference if reference in variants else variants[0]
    pairs: dict[int, list] = {-1: [], -2: []}
    for point in collection.points(task):
        base = {r.record.seed: r for r in collection.select(task, reference, point)}
        for variant in (v for v in variants if v != reference):
            own: dict[int, CollectedRun] = {r.record.seed: r for r in collection.select(task, variant, point)}
            seeds = sorted(set(base) & set(own))
            if len(seeds) < 2:
                continue
            for at in pairs:
                pairs[at].append(([base[s].record.training.eval_l2[at] for s in seeds],
                                  [own[s].record.training.eval_l2[at] for s in seeds]))
    last, before = _verdicts(pairs[-1]), _verdicts(pairs[-2])
    return Settling(task=task, factors=factors, epochs=tuple(runs[0].record.training.eval_epochs[-LAST:]),
                    compared=len(last), agree=sum(a == b for a, b in zip(last, before)))


def settling_text(s: Settling) -> str:
    """One paragraph: how far the runs still move, and how many comparisons move with the last step."""
    epochs = ", ".join(map(str, s.epochs))
    text = (f"**Settled?** Over its last {LAST} evaluations (epochs {epochs}), a run's l2 moves by a factor "
            f"(max / min) of {s.quantile(0.5):.3g} at the median of the {len(s.factors)} runs, {s.quantile(0.9):.3g} "
            f"at the 90th percentile and {max(s.factors):.3g} at most.")
    if s.compared:
        text += (f" Of the {s.compared} comparisons with the reference (paired on log l2, BH-corrected), "
                 f"{s.agree} read the same one evaluation earlier.")
    return text
