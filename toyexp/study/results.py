"""Everything the report of one task is computed from, gathered once: the rows of its variants
and baselines, their runs per seed, the reference variant and the error between the samples."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..core.stats import SummaryRow
from .baselines import baselines
from .collect import Collection, RunRecord
from .interpolation import Interpolation, interpolation_profile
from .summary import NfeCurve, baseline_rows, nfe_curves, reference_row, summary_table


@dataclass(frozen=True)
class TaskResults:
    task: str
    rows: list[SummaryRow]  # the trained variants, then the baselines
    runs: dict[str, list[RunRecord]]  # variant or baseline -> its records, one per seed
    reference: SummaryRow  # what every other row is compared with, paired by seed
    profiles: dict[str, Interpolation]  # variant or baseline -> error between the samples
    note: str = ""  # Markdown: baselines left out and why

    @property
    def networks(self) -> list[SummaryRow]:
        return [r for r in self.rows if not r.baseline]

    @property
    def baselines(self) -> list[SummaryRow]:
        return [r for r in self.rows if r.baseline]

    @cached_property
    def curves(self) -> dict[str, list[NfeCurve]]:
        """Each trained variant's l2 against NFE, per integrator, computed once for figure and text."""
        return {r.variant: nfe_curves(self.runs[r.variant]) for r in self.networks}

    def finals(self) -> dict[str, list[dict]]:
        """Each row's ``final`` per seed (metrics.json's, or the baseline's)."""
        return {r.variant: [run.metrics["final"] for run in self.runs[r.variant]] for r in self.rows}


def task_results(collection: Collection, task: str) -> TaskResults | None:
    """The results of ``task`` with its baselines; None when it has no complete run."""
    nets = summary_table(collection, task)
    if not nets:
        return None
    base = baselines(collection, task)
    runs = {r.variant: collection.select(task, r.variant) for r in nets} | base.runs
    rows = nets + baseline_rows(base.runs, task)
    profiles = {v: interpolation_profile(records) for v, records in runs.items()}
    return TaskResults(task, rows, runs, reference_row(rows), profiles, base.note)
