"""What a sweep is asked to do (:class:`SweepOptions`) and what came of it: an
:class:`~toyexp.study.execution.outcome.Outcome` per run (defined with the execution, which
makes them), and the :class:`SweepReport` of the whole sweep."""

from __future__ import annotations

import os
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

from ...run.files import display_path
from ...schema import ConfigError
from ..execution.outcome import Outcome
from .plan import PlannedRun


Stopped = Literal["", "interrupted", "no space", "pages", "dry run"]
STATUSES = ("done", "skipped", "failed", "interrupted", "not started")
EXECUTORS = ("local", "dask", "slurm")


@dataclass(frozen=True, kw_only=True)
class SweepOptions:
    """How to run a sweep (the options of ``toyexp sweep``)."""

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # runs at a time
    resume: bool = False  # skip runs whose metrics.json is complete for the same config
    only: str | None = None  # a glob over run ids: only those run
    executor: str = "local"  # local, dask or slurm
    fresh_kernels: bool = False  # local: a fresh kernel per run instead of --jobs warm ones
    cell_timeout: float | None = None  # seconds a cell may run before its run fails
    portable: bool = False  # every kernel on portable mode's code path
    scheduler: str | None = None  # a Dask scheduler's address (None: a LocalCluster)
    slurm_cluster: str | None = None  # submitit's cluster ("local" in tests)
    book_dir: str | None = None  # where the run notebooks and the analysis go (None: the sweep file's)
    analysis: bool = True  # execute the analysis notebook after the runs
    dry_run: bool = False  # plan only: the report lists the runs; nothing is executed or written
    build_book: bool = False  # after the analysis, build the sweep's book_dir into a Jupyter Book of its own
    command: tuple[str, ...] = ()  # the command line, recorded in the lock

    def check(self) -> None:
        """Raise ConfigError naming an option whose value cannot be used."""
        if self.jobs < 1:
            raise ConfigError(f"--jobs {self.jobs} is invalid; it must be at least 1")
        if self.cell_timeout is not None and not self.cell_timeout > 0:
            raise ConfigError(f"--cell-timeout {self.cell_timeout:g} is invalid; it must be a number of seconds above 0")
        if self.executor not in EXECUTORS:
            raise ConfigError(f"--executor {self.executor!r} is invalid; valid: {', '.join(EXECUTORS)}")
        if self.build_book and not self.analysis:
            raise ConfigError("--build-book builds the sweep's analysis page into its book; leave out --no-analysis")


@dataclass(frozen=True, kw_only=True)
class SweepReport:
    """What became of a sweep: every run's outcome, the analysis' apart, and why it stopped.

    ``stopped`` is "" when it ran to the end, "interrupted" after Ctrl-C, "no space" when the
    disk filled up (``problem`` names the folder), "pages" when the book pages could not be
    written (``problem`` says why), "dry run" when it was only planned (:meth:`plan_table`).
    ``analysis`` is None when the analysis did not run (nor would, in a dry run); ``book`` is the
    build of the sweep's own book (``--build-book``), None without one.
    """

    runs: tuple[PlannedRun, ...]
    outcomes: tuple[Outcome, ...]  # the runs' only
    stopped: Stopped = ""
    problem: str = ""
    analysis: Outcome | None = None
    _: KW_ONLY
    book: Outcome | None = None  # its notebook: the built index.html, or the build's log when it failed

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in (*self.outcomes, *(o for o in (self.analysis, self.book) if o)))

    def table(self) -> str:
        """A table of the runs: done / skipped / failed (with the notebook of each failed run), and
        after Ctrl-C interrupted / not started; the counts are of runs. The analysis has a line of
        its own, with the path of its notebook as the user can open it from here."""
        order = {r.id: i for i, r in enumerate(self.runs)}
        rows = sorted(self.outcomes, key=lambda o: order.get(o.id, len(order)))
        counts = {k: sum(o.status == k for o in self.outcomes) for k in STATUSES}
        lines = [f"{'run':<44} {'status':<11} {'seconds':>8}  notebook / error"]
        for o in rows:
            detail = f"{o.notebook}: {o.error}" if o.status == "failed" else ""
            lines.append(f"{o.id:<44} {o.status:<11} {o.seconds:>8.1f}  {detail}")
        total = f"{counts['done']} done, {counts['skipped']} skipped, {counts['failed']} failed"
        if counts["interrupted"] or counts["not started"]:
            total += f", {counts['interrupted']} interrupted, {counts['not started']} not started"
        lines.append(total)
        if self.analysis:
            lines.append(analysis_line(self.analysis))
        if self.book:
            lines.append(analysis_line(self.book))
        return "\n".join(lines)

    def plan_table(self, resume: bool) -> str:
        """A dry run's plan: each run's id, what ``--resume`` does with it (skip a complete run, run
        the others), its run folder and the notebook it writes; the counts as a sweep would start
        with ``resume`` or without; the analysis notebook it would write."""
        complete = {o.id for o in self.outcomes if o.status == "complete"}
        lines = [f"{'run':<44} {'--resume':<8}  run folder  notebook"]
        for r in self.runs:
            action = "skip" if r.id in complete else "run"
            lines.append(f"{r.id:<44} {action:<8}  {display_path(r.run_dir)}  {display_path(r.notebook)}")
        n, k = len(self.runs), len(complete)
        lines.append(f"{n} runs: {n - k} to execute, {k} already complete (skipped with --resume)" if resume else
                     f"{n} runs: {n} to execute, {k} of them already complete (--resume would skip them)")
        if self.analysis:
            lines.append(f"analysis: would write {display_path(self.analysis.notebook)}")
        if self.book:
            lines.append(f"book: would build {display_path(self.book.notebook)}")
        lines.append("dry run: nothing was executed or written")
        return "\n".join(lines)


def analysis_line(analysis: Outcome) -> str:
    """``analysis: done (book/analysis.ipynb)``, or ``analysis: failed (...): <error>``; the same for
    the sweep's own book (``book: done (outputs/my/book/_build/html/index.html)``)."""
    line = f"{analysis.id}: {analysis.status} ({display_path(analysis.notebook)})"
    return line + f": {analysis.error}" if analysis.error else line


@dataclass(frozen=True, kw_only=True)
class Started:
    """What a sweep is about to do, for the caller to show before the runs."""

    runs: int
    to_execute: int
    complete: int
    failed_before: tuple[Outcome, ...]  # runs whose folder could not be written
    description: str  # the executor, its kernels and the number at a time
    stale: tuple[tuple[str, str], ...] = ()  # (run id, how its config changed) of the runs to execute that hold an older run

    def lines(self) -> list[str]:
        """What the terminal shows before the runs: the counts, then each stale run by name."""
        missing = self.to_execute - len(self.stale)
        head = f"{self.runs} runs: {self.to_execute} to execute, {self.complete} already complete"
        if self.stale:
            head += (f" ({missing} not run yet, {len(self.stale)} stale: their config changed since they ran; "
                     "each old run is moved aside, beside the new one)")
        return [head] + [f"  stale: {run_id} ({change})" for run_id, change in self.stale]
