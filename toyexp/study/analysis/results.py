"""The compute pass of the analysis: one task at one grid point, turned into typed numbers once.

:func:`task_results` gathers the task's runs at a grid point, fits the classical baselines to
the same samples, and computes a summary row per variant and baseline and the paired
comparisons (each with the reference variant, each network with the best baseline; errors on the
log scale, as ratios: :func:`~.summary.scale_of`). What only
a full report draws (the error against NFE, the error between the samples, the prediction
bands, the task's own numbers) is computed the first time it is read, and kept. Tables,
figures and sentences (``tables``, ``figures``, ``interpret``, the grid's) only read a
:class:`TaskResults`; nothing is computed twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ...core.modes import build_mode
from ...core.stats import Paired, adjusted_p, significant_after_bh
from ...tasks import get_task
from ...tasks.base import ERRORS, L2, Metric, SummaryRow, TaskAnalysis
from .baselines import BoundCount, baselines
from .collect import Collection, Member, check_alike
from .interpolation import Interpolation, interpolation_profile
from .summary import NfeCurve, PredictionBand, compare, nfe_curves, prediction_band, reference_row, summary_row



@dataclass(frozen=True, kw_only=True)
class TaskResults:
    """Every number of one task's report at one grid point."""

    task: str
    point: dict[str, Any]  # the grid point ({} without a grid)
    rows: tuple[SummaryRow, ...]  # the trained variants, then the baselines
    members: dict[str, tuple[Member, ...]]  # row's variant -> its seeds
    reference: SummaryRow  # what every other row is compared with, paired by seed
    versus_reference: dict[tuple[str, Metric], Paired]  # (variant, L1 or L2) -> that row over the reference (a ratio, log scale)
    reference_q: dict[tuple[str, Metric], float]  # their p-values adjusted over the table (Benjamini-Hochberg)
    best_baseline: SummaryRow | None  # the baseline of lowest geometric mean l2
    versus_best_baseline: dict[str, Paired]  # trained variant -> its l2 over the best baseline's (a ratio)
    best_baseline_q: dict[str, float]  # their p-values adjusted together (Benjamini-Hochberg)
    note: str = ""  # Markdown: baselines left out and why
    baseline_bounds: dict[str, BoundCount] = field(default_factory=dict)  # baseline -> its fits that ended on a bound
    baseline_spreads: dict[str, tuple[float, ...]] = field(default_factory=dict)  # a GP's posterior std (RMS) per seed

    @cached_property
    def curves(self) -> dict[str, tuple[NfeCurve, ...]]:
        """Each integrating variant's l2 against NFE, per integrator."""
        return {r.variant: nfe_curves(self.members[r.variant]) for r in self.networks if build_mode(r.mode).integrates}

    @cached_property
    def profiles(self) -> dict[str, Interpolation]:
        """Each variant's and baseline's error between the samples."""
        return {v: interpolation_profile(m, self.task) for v, m in self.members.items()}

    @cached_property
    def bands(self) -> dict[str, PredictionBand]:
        """Each variant's and baseline's prediction over seeds."""
        return {v: prediction_band(m, v) for v, m in self.members.items()}

    @cached_property
    def own(self) -> TaskAnalysis | None:
        """The task's own numbers (Task.analyse)."""
        return get_task(self.task).analyse(list(self.rows))

    def row(self, variant: str) -> SummaryRow:
        """The row (trained variant or baseline) named ``variant``."""
        for r in self.rows:
            if r.variant == variant:
                return r
        raise KeyError(f"{self.task} has no row {variant!r} at {self.point or 'its point'}; "
                       f"its rows: {', '.join(r.variant for r in self.rows)}")

    def significant_after_bh(self, variant: str, metric: Metric = L2) -> bool:
        """Whether the row differs from the reference in ``metric`` after the correction over the table."""
        return significant_after_bh(self.reference_q[variant, metric])

    def apart_from_best_baseline(self, variant: str) -> bool:
        """Whether a network's l2 differs from the best baseline's after the correction over the networks."""
        return significant_after_bh(self.best_baseline_q[variant])

    @property
    def networks(self) -> list[SummaryRow]:
        return [r for r in self.rows if not r.baseline]

    @property
    def baselines(self) -> list[SummaryRow]:
        return [r for r in self.rows if r.baseline]


def task_results(collection: Collection, task: str, point: dict[str, Any]) -> TaskResults | None:
    """The results of ``task`` at grid ``point`` with its baselines; None when it has no complete run."""
    runs = collection.select(task, point=point)
    if not runs:
        return None
    by_variant = {v: collection.select(task, v, point) for v in collection.variants(task, point)}
    for seeds in by_variant.values():
        check_alike(seeds)
    members = {v: tuple(Member.of(r) for r in seeds) for v, seeds in by_variant.items()}
    fitted = baselines(runs)
    rows = tuple([summary_row(v, seeds[0].record.mode, members[v], task) for v, seeds in by_variant.items()]
                 + [summary_row(name, None, m, task) for name, m in fitted.members.items()])
    members |= fitted.members
    reference = reference_row(list(rows))
    base = [r for r in rows if r.baseline]
    best = min(base, key=lambda r: r.stats[L2].centre) if base else None
    # the comparison table's family: every other row against the reference in each error
    versus = {(r.variant, m): compare(reference, r, m) for r in rows if r is not reference for m in ERRORS
              if m in r.stats and m in reference.stats}
    q = adjusted_p([c.p for c in versus.values()])
    against = {r.variant: compare(best, r, L2) for r in rows if not r.baseline} if best else {}
    return TaskResults(
        task=task, point=point, rows=rows, members=members, reference=reference, versus_reference=versus,
        reference_q=dict(zip(versus, map(float, q))), best_baseline=best, versus_best_baseline=against,
        best_baseline_q=dict(zip(against, map(float, adjusted_p([c.p for c in against.values()])))), note=fitted.note,
        baseline_bounds=fitted.bounds, baseline_spreads=fitted.spreads,
    )
